#!/usr/bin/env bats
# tftm-get against atftpd over a path with delay, reordering and loss
# (netem: 20 ms each way on every host, so 40 ms round trips, 1% of the
# datagrams reordered, 2% lost). netem is not in every kernel: tests/run
# runs this suite in the guest kernel of tests/vm where the host lacks it.
# kernel: netem
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns
load helpers/peers

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v atftpd >/dev/null || skip "atftpd not installed (.ci/packages)"
	[[ $(id -u) == 0 ]] || skip "atftpd needs root to start"
	net_star 3
	SRV=$BATS_FILE_TMPDIR/srv
	mkdir -p "$SRV"
	chmod 0755 "$BATS_FILE_TMPDIR" "$SRV"
	peers_mkfile "$SRV/a.bin" 300000
	export SRV
}

teardown_file() {
	net_down
}

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	bg_kill_all
	for h in h1 h2 h3; do
		nsx "$h" tc qdisc del dev eth0 root 2>/dev/null || true
	done
}


# round TAG: atftpd on h1, tftm-get on h2 and h3 together (multicast,
# windows of 8); both files exact. Prints the milliseconds it took.
round() {
	local t0 h
	peers_atftpd_start "atftpd$1" h1 "$SRV" >&2
	t0=$(date +%s%N)
	for h in h2 h3; do
		peers_tftm_get "$1$h" "$h" -j -W 8 -w 120 198.18.0.1 a.bin
	done
	for h in h2 h3; do
		bg_wait "$1$h" 130
		no_sanitizer_report "$T/$1$h.err"
		[[ $status == 0 ]] || { cat "$T/$1$h.err" >&2; return 1; }
		cmp "$SRV/a.bin" "$T/$1$h/a.bin" >&2 || return 1
	done
	echo $((($(date +%s%N) - t0) / 1000000))
	kill "$(bg_pid "atftpd$1")"
}

@test "tftm-get under netem (40 ms RTT, 1% reorder, 2% loss): two clients, files exact, time bounded" {
	local plain slow h
	plain=$(round plain)
	for h in h1 h2 h3; do
		nsx "$h" tc qdisc add dev eth0 root netem delay 20ms reorder 1% loss 2%
	done
	nsx h2 tc qdisc show dev eth0 | grep -q netem
	slow=$(round netem)
	echo "# no delay: $plain ms; netem: $slow ms" >&3
	# The bound: 205 blocks in windows of 8 are 26 round trips (about 1 s
	# at 40 ms); 2% loss of blocks and ACKs costs one 1-s retransmission
	# timeout for about one window in six (about 5 s). Three times the
	# no-delay run plus 20 s is room for both and for an emulated CPU; a
	# client that stalls on a reordered or lost datagram until a deadline
	# (120 s) does not fit in it.
	((slow <= 3 * plain + 20000))
}
