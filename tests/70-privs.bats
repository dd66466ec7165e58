#!/usr/bin/env bats
# Privileges (docs/ARCHITECTURE.md §3): an applet that declares none runs
# with no capability at all, even when started by root with ambient
# capabilities.
bats_require_minimum_version 1.5.0
load helpers/common

teardown() {
	exec 5>&- 2>/dev/null || true
	bg_kill_all
}

# The capability sets of a process, as "Prm Eff Inh Amb" hex words.
capsets() {
	awk '/^Cap(Prm|Eff|Inh|Amb):/ { printf "%s=%s ", $1, $2 }' "/proc/$1/status"
}

# Blocked in read(2) on its stdin: the dispatcher has long run.
in_read() {
	[[ $(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null) == 0 ]]
}

run_blocked_ip2mac() {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	bg ip2mac "$@" bash -c 'exec "$MCBOX" ip2mac - <"$1"' _ "$BATS_TEST_TMPDIR/fifo"
	exec 5>"$BATS_TEST_TMPDIR/fifo"
	wait_for 10 in_read "$(bg_pid ip2mac)"
}

@test "an applet that declares no privilege runs with none, even as root" {
	[[ $(id -u) == 0 ]] || skip "needs root to start with capabilities"
	grep -q '^CapEff:.*[1-9a-f]' /proc/self/status
	run_blocked_ip2mac
	run -0 capsets "$(bg_pid ip2mac)"
	[[ $output == "CapInh:=0000000000000000 CapPrm:=0000000000000000 CapEff:=0000000000000000 CapAmb:=0000000000000000 " ]] ||
		{ echo "$output"; false; }
	echo 239.1.1.1 >&5
	exec 5>&-
	bg_wait ip2mac 10
	[[ $status == 0 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/ip2mac.out") == "239.1.1.1 01:00:5e:01:01:01" ]]
}

@test "ambient and inheritable capabilities are cleared too" {
	[[ $(id -u) == 0 ]] || skip "needs root to start with capabilities"
	command -v setpriv || skip "setpriv is not installed"
	run_blocked_ip2mac setpriv --inh-caps +net_raw,+net_admin --ambient-caps +net_raw,+net_admin
	run -0 capsets "$(bg_pid ip2mac)"
	[[ $output == *"CapPrm:=0000000000000000 CapEff:=0000000000000000 CapAmb:=0000000000000000"* ]] ||
		{ echo "$output"; false; }
}
