#!/usr/bin/env bats
# igmpquery: IGMPv1/v2/v3 and MLDv1/v2 queries on a namespaced star, the
# members the hosts' kernels report, and every query decoded by tshark.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

JOIN="python3 $TOP/tests/igmpquery.d/join.py"

setup() {
	net_can || skip "cannot create network namespaces"
	# a fresh star per test: a v1/v2 query puts the hosts in compatibility
	# mode for minutes (RFC 9776 §7.2.1), which must not leak into the next
	net_star 4
}

teardown() {
	bg_kill_all
	net_down
}

# join NAME HOST [SOURCE,]GROUP...: HOST holds the memberships until killed.
join() {
	local name=$1 host=$2
	shift 2
	# ip netns exec execs the command, so the PID bg records is the
	# helper's own and a signal reaches it (nsx would be a subshell)
	bg "$name" ip netns exec "$MCB_NS-$host" $JOIN eth0 120 "$@"
	wait_for 5 bg_says "$name" joined
}

# gone NAME: end a join helper; its kernel then reports the leave.
gone() {
	bg_signal "$1" TERM
	wait_for 5 bg_gone "$(bg_pid "$1")"
}

# q ARGS...: igmpquery on h1's eth0.
q() {
	nsx h1 "$MCBOX" igmpquery -i eth0 "$@"
}

# The link-local address of a host (MLD reports come from it).
ll() {
	nsx "$1" ip -6 -o addr show dev eth0 scope link |
		awk '{ sub("/.*", "", $4); print $4 }'
}

# m GROUP HOST VERSION MODE SOURCES-JSON: the JSON line of one membership.
m() {
	printf '{"type":"membership","interface":"eth0","group":"%s","host":"%s","version":"%s","mode":"%s","sources":%s}' \
		"$1" "$2" "$3" "$4" "$5"
}

@test "igmpquery: IGMPv3 query lists ASM and SSM members with host, version, mode and sources" {
	join j2 h2 239.1.2.3 198.18.0.9,232.1.1.1 198.18.0.10,232.1.1.1
	join j3 h3 239.1.2.3
	run -0 --separate-stderr q -m 1 -j
	echo "$output"
	[[ $output == *"$(m 239.1.2.3 198.18.0.2 IGMPv3 EXCLUDE '[]')"* ]]
	[[ $output == *"$(m 239.1.2.3 198.18.0.3 IGMPv3 EXCLUDE '[]')"* ]]
	[[ $output == *"$(m 232.1.1.1 198.18.0.2 IGMPv3 INCLUDE '["198.18.0.9","198.18.0.10"]')"* ]]
	# h4 joined nothing; nobody reported 232.1.1.1 but h2
	[[ $output != *'"host":"198.18.0.4"'* ]]
	[[ $(grep -c '"group":"232.1.1.1"' <<<"$output") == 1 ]]
	[[ ${lines[-1]} == '{"type":"summary","interface":"eth0","protocol":"IGMPv3","queries_sent":1,'* ]]
	# the human table says the same
	run -0 q -m 1
	[[ ${lines[0]} == GROUP*HOST*VERSION*MODE*SOURCES ]]
	grep -Eq '^232\.1\.1\.1 +198\.18\.0\.2 +IGMPv3 +INCLUDE +198\.18\.0\.9,198\.18\.0\.10$' <<<"$output"
	grep -Eq '^239\.1\.2\.3 +198\.18\.0\.3 +IGMPv3 +EXCLUDE +-$' <<<"$output"
}

@test "igmpquery: MLDv2 query lists ASM and SSM listeners by link-local host" {
	join j2 h2 ff3e::1234 2001:db8::9,ff3e::4321
	join j3 h3 ff3e::1234
	l2=$(ll h2) l3=$(ll h3)
	[[ -n $l2 && -n $l3 ]]
	run -0 --separate-stderr q -6 -m 1 -j
	echo "$output"
	[[ $output == *"$(m ff3e::1234 "$l2" MLDv2 EXCLUDE '[]')"* ]]
	[[ $output == *"$(m ff3e::1234 "$l3" MLDv2 EXCLUDE '[]')"* ]]
	[[ $output == *"$(m ff3e::4321 "$l2" MLDv2 INCLUDE '["2001:db8::9"]')"* ]]
	[[ $output != *"$(m ff3e::4321 "$l3")"* ]]
	# every host also listens on its solicited-node group (RFC 4291)
	[[ $output == *'"group":"ff02::1:ff00:4","host":"'"$(ll h4)"'"'* ]]
}

@test "igmpquery: a group-specific query lists only that group (IPv4 and IPv6)" {
	join j2 h2 239.1.2.3 239.4.5.6 ff3e::1234 ff3e::5678
	join j3 h3 239.4.5.6 ff3e::5678
	run -0 --separate-stderr q -g 239.4.5.6 -m 1
	echo "$output"
	[[ ${#lines[@]} == 3 ]]
	grep -Eq '^239\.4\.5\.6 +198\.18\.0\.2 ' <<<"$output"
	grep -Eq '^239\.4\.5\.6 +198\.18\.0\.3 ' <<<"$output"
	run -0 --separate-stderr q -g ff3e::1234 -m 1
	echo "$output"
	[[ ${#lines[@]} == 2 ]]
	[[ ${lines[1]} == "ff3e::1234 "*"$(ll h2)"*MLDv2*EXCLUDE* ]]
}

@test "igmpquery: a group-and-source-specific query gets the sources asked about" {
	join j2 h2 198.18.0.9,232.1.1.1 198.18.0.10,232.1.1.1 2001:db8::9,ff3e::4321
	run -0 --separate-stderr q -g 232.1.1.1 -s 198.18.0.10 -m 1 -j
	echo "$output"
	# the answer names .10; the join's own retransmitted state-change
	# reports (ALLOW .9, RFC 9776 §5.1) may still add .9
	[[ $output == *'"group":"232.1.1.1","host":"198.18.0.2","version":"IGMPv3","mode":"INCLUDE","sources":['*'"198.18.0.10"]}'* ]]
	run -0 --separate-stderr q -g ff3e::4321 -s 2001:db8::9 -m 1 -j
	[[ $output == *"$(m ff3e::4321 "$(ll h2)" MLDv2 INCLUDE '["2001:db8::9"]')"* ]]
	[[ $(grep -c '"type":"membership"' <<<"$output") == 1 ]]
}

@test "igmpquery: IGMPv2 and MLDv1 queries get v2/v1 reports (ASM)" {
	join j2 h2 239.1.2.3 ff3e::1234
	join j3 h3 239.7.7.7
	run -0 --separate-stderr q -V 2 -m 1 -j
	echo "$output"
	[[ $output == *"$(m 239.1.2.3 198.18.0.2 IGMPv2 ASM '[]')"* ]]
	[[ $output == *"$(m 239.7.7.7 198.18.0.3 IGMPv2 ASM '[]')"* ]]
	run -0 --separate-stderr q -6 -V 1 -m 1 -j
	echo "$output"
	[[ $output == *"$(m ff3e::1234 "$(ll h2)" MLDv1 ASM '[]')"* ]]
}

@test "igmpquery: IGMPv1 query gets v1 reports within 10 s" {
	join j2 h2 239.1.2.3
	run -0 --separate-stderr q -V 1 -j
	echo "$output"
	[[ $output == *"$(m 239.1.2.3 198.18.0.2 IGMPv1 ASM '[]')"* ]]
	run -2 --separate-stderr q -V 1 -m 2
	[[ $stderr == *"IGMPv1 has no max response time"* ]]
}

@test "igmpquery: a host that left is gone" {
	join j2 h2 239.1.2.3 ff3e::1234
	join j3 h3 239.1.2.3 ff3e::1234
	run -0 q -m 1 -g 239.1.2.3
	[[ $output == *198.18.0.2* && $output == *198.18.0.3* ]]
	gone j3
	run -0 q -m 1 -g 239.1.2.3
	echo "$output"
	[[ $output == *198.18.0.2* && $output != *198.18.0.3* ]]
	run -0 q -6 -m 1 -g ff3e::1234
	[[ $output == *"$(ll h2)"* && $output != *"$(ll h3)"* ]]
	# and with nobody left: exit 3
	gone j2
	run -3 q -m 1 -g 239.1.2.3
	[[ -z $output ]]
}

@test "igmpquery: no members: exit 3, a JSON summary with 0 memberships" {
	run -3 --separate-stderr q -m 0.5
	[[ -z $output && -z $stderr ]]
	run -3 --separate-stderr q -m 0.5 -j
	[[ ${#lines[@]} == 1 ]]
	[[ $output == *'"type":"summary"'*'"memberships":0,'* ]]
	run -3 q -6 -m 0.5 -g ff3e::99
}

@test "igmpquery: -v lists the other queriers on the link and their version" {
	bg main ip netns exec "$MCB_NS-h1" "$MCBOX" igmpquery -i eth0 -v -w 3 -m 0.5
	wait_for 5 bg_says main "sent IGMPv3 query"
	nsx h4 "$MCBOX" igmpquery -i eth0 -V 2 -m 0.5 -q || [[ $? == 3 ]]
	wait_for 10 bg_gone "$(bg_pid main)"
	cat "$BATS_TEST_TMPDIR/main.out"
	grep -q '^other querier 198.18.0.4 IGMPv2 (1 query)$' "$BATS_TEST_TMPDIR/main.out"
	no_sanitizer_report "$BATS_TEST_TMPDIR/main.err"
}

@test "igmpquery: -n sends that many queries, --interval apart, and says so" {
	join j2 h2 239.1.2.3
	run -0 --separate-stderr q -n 3 --interval 0.2 -m 0.5 -v -j
	echo "$stderr"
	[[ $(grep -c '^igmpquery: sent IGMPv3 query to 224.0.0.1 on eth0' <<<"$stderr") == 3 ]]
	[[ ${lines[-1]} == *'"queries_sent":3,'* ]]
	[[ $output == *"$(m 239.1.2.3 198.18.0.2 IGMPv3 EXCLUDE '[]')"* ]]
}

@test "igmpquery: tshark decodes every query: no malformed or bad checksum, Router Alert, TTL 1, fields as asked" {
	command -v tshark >/dev/null || skip "tshark not installed"
	bg cap ip netns exec "$MCB_NS-h2" tcpdump -Z root --immediate-mode -U -ni eth0 \
		-w "$BATS_TEST_TMPDIR/q.pcap" 'igmp or ip6'
	wait_for 5 bg_says cap "listening on"
	local a n=0
	for a in "-V 1" "-V 2 -m 2.5" "-m 20 --qrv 3 --qqi 200 --suppress" \
		"-g 239.1.2.3 -m 300" "-g 232.1.1.1 -s 198.18.0.9,198.18.0.10" \
		"--source 0.0.0.0" "-6 -V 1 -m 5" "-6 -m 60 --qqi 300" \
		"-6 -g ff3e::1 -s 2001:db8::9,2001:db8::a --suppress"; do
		# shellcheck disable=SC2086
		run q $a -w 0.3 -q
		# 3, or 0 when a host's solicited-node MLD report came early
		[[ $status == 3 || $status == 0 ]]
		n=$((n + 1))
	done
	wait_for 5 test "$(tcpdump -r "$BATS_TEST_TMPDIR/q.pcap" 2>/dev/null | grep -c -e 'igmp query' -e 'multicast listener query')" -ge $n
	bg_signal cap INT
	wait_for 5 bg_gone "$(bg_pid cap)"
	run -0 --separate-stderr tshark -o ip.check_checksum:TRUE -r "$BATS_TEST_TMPDIR/q.pcap" \
		-Y 'igmp.type == 0x11 or icmpv6.type == 130' -T fields -E separator='|' \
		-e ip.src -e ipv6.src -e ip.ttl -e ipv6.hlim -e ip.opt.ra -e ipv6.opt.router_alert \
		-e ip.checksum.status -e igmp.checksum.status -e icmpv6.checksum.status \
		-e igmp.version -e igmp.max_resp -e igmp.s -e igmp.qrv -e igmp.qqic \
		-e igmp.maddr -e igmp.saddr -e icmpv6.mld.maximum_response_delay \
		-e icmpv6.mld.maximum_response_code -e icmpv6.mld.flag.s \
		-e icmpv6.mld.flag.qrv -e icmpv6.mld.qqi -e icmpv6.mld.multicast_address \
		-e icmpv6.mld.source_address -e _ws.malformed -e _ws.expert
	echo "$output"
	[[ ${#lines[@]} == "$n" ]]
	# fields: IPv4 or IPv6 source | TTL, hop limit | Router Alert (0) |
	# IP, IGMP, ICMPv6 checksum status (1 = good) | IGMP version, max resp
	# (tenths, decoded), S, QRV, QQIC (raw code), group, sources | MLD
	# max resp delay (v1), code (v2, decoded), S, QRV, QQI, group, sources
	# | malformed | expert info (a bad checksum would show here)
	[[ ${lines[0]} == '198.18.0.1||1||0||1|1||1|||||0.0.0.0||||||||||' ]]
	[[ ${lines[1]} == '198.18.0.1||1||0||1|1||2|25||||0.0.0.0||||||||||' ]]
	# 20 s: code 200 as is; QQI 200 s: code 0x89 = (9|16) << 3 = 137
	[[ ${lines[2]} == '198.18.0.1||1||0||1|1||3|200|1|3|137|0.0.0.0||||||||||' ]]
	# 300 s does not fit exactly: rounded down to (7|16) << 7 = 294.4 s
	[[ ${lines[3]} == '198.18.0.1||1||0||1|1||3|2944|0|2|125|239.1.2.3||||||||||' ]]
	[[ ${lines[4]} == '198.18.0.1||1||0||1|1||3|20|0|2|125|232.1.1.1|198.18.0.9,198.18.0.10|||||||||' ]]
	[[ ${lines[5]} == '0.0.0.0||1||0||1|1||3|20|0|2|125|0.0.0.0||||||||||' ]]
	# MLD: link-local source, Hop-by-Hop Router Alert 0 (MLD), ICMPv6
	# checksum over the pseudo-header; 60 s = code 0x8d4c; QQI 300 -> 288
	local l1
	l1=$(ll h1)
	[[ ${lines[6]} == "|$l1||1||0|||1||||||||5000|||||::|||" ]]
	[[ ${lines[7]} == "|$l1||1||0|||1|||||||||60000|0|2|288|::|||" ]]
	[[ ${lines[8]} == "|$l1||1||0|||1|||||||||2000|1|2|125|ff3e::1|2001:db8::9,2001:db8::a||" ]]
	# the destinations: 224.0.0.1 / ff02::1, or the group itself
	run -0 --separate-stderr tshark -r "$BATS_TEST_TMPDIR/q.pcap" \
		-Y 'igmp.type == 0x11 or icmpv6.type == 130' -T fields -e ip.dst -e ipv6.dst
	[[ $(echo $output) == "224.0.0.1 224.0.0.1 224.0.0.1 239.1.2.3 232.1.1.1 224.0.0.1 ff02::1 ff02::1 ff3e::1" ]]
}

@test "igmpquery: without CAP_NET_RAW: one line naming it, exit 1" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	run -1 --separate-stderr nsx h1 setpriv --bounding-set -net_raw \
		"$MCBOX" igmpquery -i eth0 -m 0.5
	echo "$stderr"
	[[ -z $output ]]
	[[ $(wc -l <<<"$stderr") == 1 ]]
	[[ $stderr == "igmpquery: raw socket eth0: Operation not permitted (needs CAP_NET_RAW)" ]]
}

@test "igmpquery: bad options exit 2 and echo the value" {
	run -2 --separate-stderr q -g 10.1.2.3
	[[ $stderr == *"bad group '10.1.2.3'"* ]]
	run -2 --separate-stderr q -s 198.18.0.9
	[[ $stderr == *"-s needs -g GROUP"* ]]
	run -2 --separate-stderr q -g 239.1.2.3 -s 239.9.9.9
	[[ $stderr == *"bad source '239.9.9.9'"* ]]
	run -2 --separate-stderr q -g 239.1.2.3 -s ,
	[[ $stderr == *"bad -s ',': no source"* ]]
	run -2 --separate-stderr q -6 -V 3
	[[ $stderr == *"bad -V '3' for MLD (1-2)"* ]]
	run -2 --separate-stderr q -V 2 -m 30
	[[ $stderr == *"bad -m '30' for IGMPv2 (0.1-25.5)"* ]]
	run -2 --separate-stderr q -V 2 -g 239.1.2.3 -s 198.18.0.9
	[[ $stderr == *"-s needs IGMPv3"* ]]
	run -2 --separate-stderr q -6 --source 2001:db8::1
	[[ $stderr == *"--source '2001:db8::1' is not link-local"* ]]
	run -2 --separate-stderr q -g ff3e::1 --source 198.18.0.1
	[[ $stderr == *"--source '198.18.0.1' is not IPv6"* ]]
	run -2 --separate-stderr q -V 4
	[[ $stderr == *"bad -V '4' (1-3)"* ]]
	run -2 --separate-stderr nsx h1 "$MCBOX" igmpquery -i nosuch0
	[[ $stderr == *"no interface 'nosuch0'"* ]]
}
