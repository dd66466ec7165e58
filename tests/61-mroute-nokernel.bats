#!/usr/bin/env bats
# mroute on a kernel without multicast routing (CONFIG_IP_MROUTE and
# CONFIG_IPV6_MROUTE not set): every command ends with one line naming the
# missing option and exits 1, before it does or says anything else. Runs on
# any host: where the kernel does route multicast, tests/helpers/nomroute.c
# (LD_PRELOAD) makes it answer as a kernel without it does (no
# /proc/net/ip*_mr_* files, ENOPROTOOPT for every MRT* option).
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

V4="this kernel has no IPv4 multicast routing (CONFIG_IP_MROUTE is not set)"
V6="this kernel has no IPv6 multicast routing (CONFIG_IPV6_MROUTE is not set)"
BOTH="this kernel has no multicast routing (CONFIG_IP_MROUTE and CONFIG_IPV6_MROUTE are not set)"

setup_file() {
	net_line
	if [[ -e /proc/net/ip_mr_vif || -e /proc/net/ip6_mr_vif ]]; then
		export LD_PRELOAD=$TOP/build/normal/nomroute.so
		# the ASan runtime would insist on coming first
		export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	fi
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
}

# mr ARGS...: mroute on the router; its whole stderr must be the one line.
mr() {
	nsx rt "$MCBOX" mroute "$@"
}

# only LINE: stdout empty and stderr exactly "mroute: LINE".
only() {
	[[ $status == 1 ]] || { echo "exit $status"; false; }
	[[ $output == "mroute: $1" ]] || { echo "got: $output"; false; }
}

@test "mroute without kernel routing: add, del, join, leave name CONFIG_IP_MROUTE" {
	run mr add eth0 198.18.1.1 239.1.2.3 eth1
	only "$V4"
	run mr add eth0 239.1.2.3 eth1 eth2
	only "$V4"
	run mr del eth0 198.18.1.1 239.1.2.3
	only "$V4"
	run mr join eth1 239.1.2.3
	only "$V4"
	run mr leave eth1 239.1.2.3
	only "$V4"
	run mr add eth0 2001:db8:1::1 ff3e::1234 eth1
	only "$V6"
	run mr join eth1 ff3e::1234
	only "$V6"
}

@test "mroute without kernel routing: show and status never show an empty table" {
	run mr show
	only "$BOTH"
	run mr status
	only "$BOTH"
	run mr -4 show
	only "$V4"
	run mr -6 status
	only "$V6"
	run mr -6 show
	only "$V6"
	run mr -T 10 show
	only "$BOTH"
}

@test "mroute without kernel routing: status -j carries it as a field" {
	run --separate-stderr mr -j status
	[[ $status == 1 ]]
	[[ $stderr == "mroute: $BOTH" ]]
	run jq -sc 'map([.family, .kernel_routing, .kernel_missing])' <<<"$output"
	[[ $output == '[["ipv4",false,"CONFIG_IP_MROUTE"],["ipv6",false,"CONFIG_IPV6_MROUTE"]]' ]] ||
		{ echo "$output"; false; }
	run --separate-stderr mr -6 -j status
	[[ $status == 1 && $(jq -c '[.family, .kernel_routing]' <<<"$output") == '["ipv6",false]' ]]
}

@test "mroute without kernel routing: hold says nothing before it fails" {
	run mr hold -f
	only "$V4"
	run mr -6 hold -f
	only "$V6"
	run mr hold
	only "$V4"
	run mr -q hold
	only "$V4"
}

@test "mroute without kernel routing: flush, stop, -T and -b end with the one line" {
	run mr flush
	only "$BOTH"
	run mr -4 flush
	only "$V4"
	run mr stop
	only "$BOTH"
	run mr -6 stop
	only "$V6"
	run mr -T 10 add eth0 239.1.2.3 eth1
	only "$V4"
	# a batch says it once, not once a line, and runs nothing after it
	printf 'show\nadd eth0 239.1.2.3 eth1\nadd eth0 239.1.2.4 eth1\nflush\n' \
		>"$BATS_TEST_TMPDIR/batch"
	run mr -b "$BATS_TEST_TMPDIR/batch"
	only "$BOTH"
	run mr -b - <<<"add eth0 239.1.2.3 eth1"
	only "$V4"
}
