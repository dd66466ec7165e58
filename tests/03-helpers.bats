#!/usr/bin/env bats
# Self-test of tests/helpers/netns.bash: a datagram crosses the star LAN
# (multicast, IPv4 and IPv6) and the routed line (unicast through rt), and
# teardown leaves no namespace behind. socat is the independent peer here.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

setup_file() {
	net_can || skip "cannot create network namespaces"
	net_star 3
	net_line
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
}

udp_bound() { # HOST PORT
	nsx "$1" ss -Huln "sport = :$2" | grep -q .
}

@test "star: hosts have their addresses and multicast routes" {
	# (not "i": bats' run changes a global i)
	for h in h1 h2 h3; do
		run -0 nsx "$h" ip -4 addr show dev eth0
		[[ $output == *"198.18.0.${h#h}/24"* ]] || { echo "$h: $output"; false; }
		run -0 nsx "$h" ip route show 224.0.0.0/4
		[[ $output == *"dev eth0"* ]]
	done
}

@test "star: an IPv4 multicast datagram from h1 reaches h2 and h3" {
	for h in h2 h3; do
		bg "rx$h" nsx "$h" socat -u \
			"UDP4-RECV:5000,ip-add-membership=239.1.2.3:$(net_addr "$h")" \
			"OPEN:$BATS_TEST_TMPDIR/$h.got,creat"
		wait_for 5 udp_bound "$h" 5000
	done
	echo "hello star" | nsx h1 socat -u - \
		"UDP4-DATAGRAM:239.1.2.3:5000,ip-multicast-if=$(net_addr h1)"
	for h in h2 h3; do
		wait_for 5 grep -q "hello star" "$BATS_TEST_TMPDIR/$h.got"
	done
}

@test "star: an IPv6 multicast datagram from h1 reaches h3" {
	bg rx nsx h3 socat -u "UDP6-RECV:5002,ipv6-join-group=[ff3e::1234]:eth0" \
		"OPEN:$BATS_TEST_TMPDIR/got6,creat"
	wait_for 5 udp_bound h3 5002
	# a few tries: the group join may reach the kernel after the bind
	for _ in 1 2 3 4 5; do
		echo "hello v6" | nsx h1 socat -u - "UDP6-DATAGRAM:[ff3e::1234]:5002"
		wait_for 1 grep -q "hello v6" "$BATS_TEST_TMPDIR/got6" && break
	done
	grep -q "hello v6" "$BATS_TEST_TMPDIR/got6"
}

@test "line: a unicast datagram from src crosses rt to dst and dst2" {
	for h in dst dst2; do
		bg "rx$h" nsx "$h" socat -u UDP4-RECV:5001 "OPEN:$BATS_TEST_TMPDIR/$h.got,creat"
		wait_for 5 udp_bound "$h" 5001
		echo "hello $h" | nsx src socat -u - "UDP4-DATAGRAM:$(net_addr "$h"):5001"
		wait_for 5 grep -q "hello $h" "$BATS_TEST_TMPDIR/$h.got"
	done
	run -0 nsx rt sysctl -n net.ipv4.ip_forward
	[[ $output == 1 ]]
}

@test "bg through nsx records the command's own PID, so signals reach it" {
	bg sleeper nsx h1 sleep 30
	wait_for 5 grep -qx sleep "/proc/$(bg_pid sleeper)/comm"
	run -0 ip netns identify "$(bg_pid sleeper)"
	[[ $output == "$MCB_NS-h1" ]]
	bg_signal sleeper TERM
	bg_wait sleeper 5
	[[ $status == 143 ]]
}

@test "names are per run, and net_down removes every namespace it made" {
	local saved=$MCB_NS saved_list=$MCB_NS_LIST
	MCB_NS= MCB_NS_LIST=
	net_star 2
	[[ $MCB_NS != "$saved" && $MCB_NS == mcb* ]]
	run -0 ip netns list
	[[ $output == *"$MCB_NS-h2"* ]]
	net_down
	run -0 ip netns list
	[[ $output != *"$MCB_NS-"* ]]
	[[ $output == *"$saved-h1"* ]]
	MCB_NS=$saved MCB_NS_LIST=$saved_list
}
