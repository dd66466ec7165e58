# shellcheck shell=bash
# demo step: igmpquery asks the LAN who listens to what (IGMPv3 and MLDv2)
demo_step "igmpquery: who is listening? h2 and h3 join groups (ASM and SSM)"
demo_bg j2 h2 python3 "$TOP/tests/igmpquery.d/join.py" eth0 60 \
	239.1.2.3 198.18.0.9,232.1.1.1 ff3e::1234
demo_bg j3 h3 python3 "$TOP/tests/igmpquery.d/join.py" eth0 60 \
	239.1.2.3 2001:db8::9,ff3e::4321
demo_wait 30 bg_says j2 joined
demo_wait 30 bg_says j3 joined
demo_on h1 igmpquery -i eth0 -m 1
demo_step "igmpquery: the same in IPv6 (MLDv2; hosts also hold solicited-node groups)"
demo_on h1 igmpquery -i eth0 -6 -m 1
demo_step "igmpquery: is anyone on 239.1.2.3? Asked from 0.0.0.0, which never wins the querier election"
demo_on h1 igmpquery -i eth0 -g 239.1.2.3 --source 0.0.0.0 -m 1 -j
demo_step "igmpquery: nobody on 239.9.9.9: exit 3"
demo_on -x 3 h1 igmpquery -i eth0 -g 239.9.9.9 -m 0.5
