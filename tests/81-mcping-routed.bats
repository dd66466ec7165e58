#!/usr/bin/env bats
# 81-mcping-routed.bats - mcping across the routed line src - rt - dst, the
# multicast forwarded by `mroute add` on rt: unicast works and multicast
# doesn't until the route exists, then both paths count one hop; IPv4 and
# IPv6, SSM and ASM; and Debian's ssmping tools across the router, both
# ways. Needs kernel multicast routing: tests/run runs it in the guest
# kernel (tests/vm) where the host has none.
# kernel: mroute mroute6
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

S4=198.18.1.1
S6=2001:db8:1::1

setup_file() {
	net_line || skip "cannot create network namespaces"
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
	local f
	for f in -4 -6; do
		nsx rt "$MCBOX" mroute -q "$f" stop 2>/dev/null
		nsx rt "$MCBOX" mroute -q "$f" flush 2>/dev/null
	done
	true
}

mr() {
	nsx rt "$MCBOX" mroute "$@"
}

needs_ssmping() {
	command -v ssmpingd >/dev/null ||
		skip "ssmping is not installed (.ci/packages/mcping.txt)"
}

# responder ARGS...: mcping --respond on src, ready when listening.
responder() {
	bg r ip netns exec "$MCB_NS-src" "$MCBOX" mcping -l "$@"
	wait_for 5 bg_says r "listening on"
}

udp_bound() {
	[[ -n $(nsx "$1" ss -Hlun "sport = :$2") ]]
}

@test "routed: unicast works, multicast doesn't until rt routes the channel; then one hop each way" {
	responder -4
	run -3 --separate-stderr nsx dst "$MCBOX" mcping -c 2 --interval 0.2 $S4
	[[ $stderr == *"unicast works, multicast doesn't: no answer from $S4 reached 232.43.211.234 (SSM)"* ]]
	[[ $output == *"  unicast from $S4: seq=2 ttl=63 hops=1"* ]]

	run -0 mr add eth0 $S4 232.43.211.234 eth1
	run -0 --separate-stderr nsx dst "$MCBOX" mcping -c 3 --interval 0.2 $S4
	[[ $output == *"  unicast from $S4: seq=3 ttl=63 hops=1"* ]]
	[[ $output == *"multicast from $S4: seq=3 ttl=63 hops=1"* ]]
	[[ $output == *"multicast: "*" received"*", 1 hop"* ]]
	# the route counted what crossed it
	run -0 mr -j show
	[[ $output == *'"source":"198.18.1.1","group":"232.43.211.234"'* ]]
}

@test "routed: IPv6 SSM through rt, one hop, JSON" {
	responder -6
	run -0 mr add eth0 $S6 ff3e::4321:1234 eth1
	run -0 --separate-stderr nsx dst "$MCBOX" mcping -j -c 3 --interval 0.2 $S6
	jq -e -s 'any(.[]; .type == "summary" and .verdict == "ok"
		and .unicast.hops == 1 and .multicast.hops == 1)' <<<"$output" >/dev/null
}

@test "routed: ASM through a (*,G) route, to a group the responder allows" {
	responder -4 -g 239.1.2.0/24
	run -0 mr add eth0 239.1.2.0/24 eth1
	run -0 --separate-stderr nsx dst "$MCBOX" mcping -c 3 --interval 0.2 \
		-g 239.1.2.3 $S4
	[[ $stderr == *"joined (*,239.1.2.3)"* ]]
	[[ $output == *"multicast from $S4: seq=3 ttl=63 hops=1"* ]]
}

@test "routed interop: mcping's client against ssmpingd across rt" {
	needs_ssmping
	bg ssmpingd ip netns exec "$MCB_NS-src" ssmpingd
	wait_for 5 udp_bound src 4321
	run -0 mr add eth0 $S4 232.43.211.234 eth1
	run -0 mr add eth0 $S6 ff3e::4321:1234 eth1
	run -0 nsx dst "$MCBOX" mcping -c 3 --interval 0.2 $S4
	[[ $output == *"multicast from $S4: seq=3 ttl=63 hops=1"* ]]
	run -0 nsx dst "$MCBOX" mcping -c 3 --interval 0.2 $S6
	[[ $output == *"multicast from $S6: seq=3 ttl=63 hops=1"* ]]
}

@test "routed interop: ssmping and asmping against mcping's responder across rt" {
	needs_ssmping
	responder
	run -0 mr add eth0 $S4 232.43.211.234 eth1
	run -0 mr add eth0 $S6 ff3e::4321:1234 eth1
	run -0 mr add eth0 239.1.2.0/24 eth1
	run -0 nsx dst timeout 10 ssmping -c 2 $S4
	[[ $output == *"multicast from $S4, seq=2 dist=1"* ]]
	run -0 nsx dst timeout 10 ssmping -6 -c 2 $S6
	[[ $output == *"multicast from $S6, seq=2 dist=1"* ]]
	run -0 nsx dst timeout 10 asmping -c 2 239.1.2.3 $S4
	[[ $output == *"multicast from $S4, seq=2 dist=1"* ]]
}
