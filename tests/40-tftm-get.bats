#!/usr/bin/env bats
# tftm-get against real servers from Debian in namespaces: atftpd 0.8 with
# RFC 2090 multicast (clients together, staggered, promoted), and tftpd-hpa,
# which has no multicast (fallback, blksize, windowsize, 40 MiB roll-over),
# plus the failures: not found, server down, refused options.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns
load helpers/peers

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v atftpd >/dev/null || skip "atftpd not installed (.ci/packages)"
	[[ $(id -u) == 0 ]] || skip "atftpd and in.tftpd need root to start"
	peers_hpa >/dev/null || skip "cannot fetch tftpd-hpa"
	net_star 4
	SRV=$BATS_FILE_TMPDIR/srv
	mkdir -p "$SRV/sub"
	chmod 0755 "$BATS_FILE_TMPDIR" "$SRV" "$SRV/sub"
	peers_mkfile "$SRV/a.bin" 1500000
	peers_mkfile "$SRV/sub/c.bin" 10000
	# an exact multiple of the block size: ends with an empty block
	peers_mkfile "$SRV/even.bin" $((1468 * 100))
	: >"$SRV/empty.bin"
	chmod 0644 "$SRV/empty.bin"
	export SRV
}

teardown_file() {
	net_down
}

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/cwd" && cd "$T/cwd" || return 1
}

teardown() {
	bg_kill_all
	nsx h1 tc qdisc del dev eth0 root 2>/dev/null || true
	nsx h3 nft delete table inet mcbloss 2>/dev/null || true
}


# ended NAME: exited 0, byte-exact file, no sanitizer report.
ended_ok() {
	local name=$1 file=$2
	bg_wait "$name" 60
	no_sanitizer_report "$T/$name.err"
	[[ $status == 0 ]] || { cat "$T/$name.err"; false; }
	cmp "$SRV/$file" "$T/$name/$file"
}

json_of() {
	tail -n 1 "$T/$1.out"
}

@test "atftpd: three clients started together all get the file by multicast" {
	peers_atftpd_start atftpd h1 "$SRV"
	# an independent witness: the data crosses the LAN to the group
	# (a 16 MiB buffer: the master answers without sleeping, and the
	# stream may outrun tcpdump for a while)
	bg cap ip netns exec "$MCB_NS-h4" tcpdump -Z root --immediate-mode -U -n -i eth0 \
		-B 16384 -w "$T/cap.pcap" udp and dst host 239.255.0.0 and dst port 1758
	wait_for 10 bg_says cap "listening on"
	# 8 Mbit/s from the server (1.5 s for the file): a fast first master
	# must not finish before the last client has asked, or that one
	# gets a session (and group) of its own
	nsx h1 tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 200ms
	# h2 names its interface, the others let the route choose
	peers_tftm_get ch2 h2 -j -v -i eth0 198.18.0.1 a.bin
	for h in h3 h4; do
		peers_tftm_get "c$h" "$h" -j -v 198.18.0.1 a.bin
	done
	for h in h2 h3 h4; do
		ended_ok "c$h" a.bin
		json_of "c$h" | grep -q '"mode":"multicast"'
		json_of "c$h" | grep -q '"group":"239.255.0.0:1758"'
		json_of "c$h" | grep -q '"fallback":null'
	done
	bg_signal cap INT
	bg_wait cap 10
	# 1500000 / 1468 -> 1022 blocks, each multicast at least once
	n=$(tcpdump -r "$T/cap.pcap" -n 2>/dev/null | wc -l)
	((n >= 1022))
	# one master OACK, the others joined passive
	grep -q 'sent OACK <.*multicast: 239.255.0.0,1758,1>' "$T/atftpd.log"
	grep -q 'sent OACK <.*multicast: 239.255.0.0,1758,0>' "$T/atftpd.log"
	# nobody made atftpd wait: passive clients ended with ERROR, not ACK
	run ! grep -q 'not responding' "$T/atftpd.log"
}

@test "atftpd: staggered clients join mid-stream, get promoted and fill their holes" {
	peers_atftpd_start atftpd h1 "$SRV"
	# 8 Mbit/s from the server: the transfer lasts long enough to join late
	nsx h1 tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 200ms
	peers_tftm_get c1 h2 -j -v 198.18.0.1 a.bin
	wait_for 10 grep -q 'received ACK <block: 100>' "$T/atftpd.log"
	peers_tftm_get c2 h3 -j -v 198.18.0.1 a.bin
	wait_for 10 grep -q 'received ACK <block: 400>' "$T/atftpd.log"
	peers_tftm_get c3 h4 -j -v 198.18.0.1 a.bin
	for c in c1 c2 c3; do
		ended_ok "$c" a.bin
		json_of "$c" | grep -q '"mode":"multicast"'
	done
	# the late ones were passive, then promoted to fetch what they missed
	for c in c2 c3; do
		grep -q 'as passive client' "$T/$c.err"
		grep -q 'promoted to master' "$T/$c.err"
		json_of "$c" | grep -q '"promotions":1'
	done
	run ! grep -q 'not responding' "$T/atftpd.log"
}

@test "atftpd: a passive client losing 3% of the stream fills its holes when promoted" {
	peers_atftpd_start atftpd h1 "$SRV"
	nsx h1 tc qdisc add dev eth0 root tbf rate 20mbit burst 16kb latency 200ms
	nsx h3 nft -f - <<-'EOF'
		table inet mcbloss {
			chain in {
				type filter hook input priority 0;
				ip daddr 239.255.0.0 udp dport 1758 numgen random mod 100 < 3 counter drop
			}
		}
	EOF
	peers_tftm_get m h2 -j 198.18.0.1 a.bin
	wait_for 10 grep -q 'received ACK <block: 20>' "$T/atftpd.log"
	peers_tftm_get p h3 -j -v 198.18.0.1 a.bin
	ended_ok m a.bin
	ended_ok p a.bin
	cat "$T/p.out" "$T/m.out"
	# packets were really dropped, and the holes were asked for as master
	nsx h3 nft list table inet mcbloss | grep -Eq 'counter packets [1-9]'
	grep -q 'promoted to master' "$T/p.err"
	json_of p | grep -q '"mode":"multicast"'
}

@test "atftpd: multicast with windowsize, three clients, files exact" {
	peers_atftpd_start atftpd h1 "$SRV"
	for h in h2 h3 h4; do
		peers_tftm_get "w$h" "$h" -j -W 8 198.18.0.1 a.bin
	done
	for h in h2 h3 h4; do
		ended_ok "w$h" a.bin
		json_of "w$h" | grep -q '"mode":"multicast"'
		json_of "w$h" | grep -q '"windowsize":8'
	done
	grep 'received RRQ' "$T/atftpd.log"
	grep -q 'received RRQ <.*multicast: .*windowsize: 8' "$T/atftpd.log"
	# the first master ACKs once a window (1022 blocks, windows of 8): an
	# ACK inside atftpd's window restarts it, and about half of all blocks
	# went out twice. Only the master's ACKs are logged, and the first
	# "End of multicast transfer" is its end.
	local acks
	acks=$(sed '/End of multicast transfer/q' "$T/atftpd.log" |
		grep -c 'received ACK <block')
	echo "first master: $acks ACKs"
	((acks >= 128 && acks <= 200))
}

@test "atftpd: an empty file and an exact multiple of the block size" {
	peers_atftpd_start atftpd h1 "$SRV"
	peers_tftm_get e h2 -j 198.18.0.1 empty.bin
	peers_tftm_get m h3 -j -b 1468 198.18.0.1 even.bin
	ended_ok e empty.bin
	ended_ok m even.bin
	json_of m | grep -q '"mode":"multicast"'
	json_of m | grep -q '"blocks":101'
}

@test "atftpd: the text summary counts in the singular, bytes in B/s units" {
	peers_atftpd_start atftpd h1 "$SRV"
	peers_tftm_get e h2 198.18.0.1 empty.bin
	peers_tftm_get c h3 198.18.0.1 sub/c.bin
	ended_ok e empty.bin
	bg_wait c 60
	[[ $status == 0 ]]
	cmp "$SRV/sub/c.bin" "$T/c/c.bin"
	run -0 cat "$T/e.out"
	[[ $output =~ ^"empty.bin: 0 bytes in "[0-9.]+" s ("[0-9.]+" "(|Ki|Mi|Gi)"B/s), "[a-z]+", 1 block of "[0-9]+", 0 retransmissions"$ ]]
	run -0 cat "$T/c.out"
	[[ $output =~ ^"c.bin: 10000 bytes in "[0-9.]+" s ("[0-9.]+" "(|Ki|Mi|Gi)"B/s), "[a-z]+", "[0-9]+" blocks of "[0-9]+", "[0-9]+" retransmission"s?$ ]]
}

@test "atftpd: windowsize negotiated by unicast" {
	peers_atftpd_start atftpd h1 "$SRV"
	peers_tftm_get w h2 -j --unicast -W 8 -b 1024 198.18.0.1 a.bin
	ended_ok w a.bin
	json_of w | grep -q '"mode":"unicast"'
	json_of w | grep -q '"windowsize":8'
	json_of w | grep -q '"blksize":1024'
	grep -q 'received RRQ <.*windowsize: 8' "$T/atftpd.log"
	[[ $(grep 'received RRQ' "$T/atftpd.log") != *multicast* ]]
}

# pinned PID: one of PID's threads may run on one CPU only, while PID
# itself may use more.
pinned() {
	local st
	[[ $(grep Cpus_allowed_list "/proc/$1/status") == *[,-]* ]] || return 1
	for st in /proc/"$1"/task/*/status; do
		[[ $(grep Cpus_allowed_list "$st" 2>/dev/null) != *[,-]* ]] &&
			return 0
	done
	return 1
}

@test "atftpd: the master polls on the CPU that takes in its blocks; a passive sleeps between reads" {
	(($(nproc) > 1)) || skip "one CPU: tftm-get never polls"
	[[ $(taskset -pc $$) == *[,-]* ]] || skip "allowed on one CPU only"
	peers_atftpd_start atftpd h1 "$SRV"
	# 8 Mbit/s from the server: 1.5 s for the file
	nsx h1 tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 200ms
	peers_tftm_get m h2 -j -v 198.18.0.1 a.bin
	wait_for 10 grep -q 'received ACK <block: 5>' "$T/atftpd.log"
	# the polling thread of the master is kept on one CPU
	wait_for 10 pinned "$(bg_pid m)"
	mkdir -p "$T/p"
	bg p ip netns exec "$MCB_NS-h3" bash -c 'cd "$1" && shift && exec "$@"' _ \
		"$T/p" /usr/bin/time -o "$T/p.time" -f '%w' \
		"$MCBOX" tftm-get -j -v 198.18.0.1 a.bin
	ended_ok m a.bin
	ended_ok p a.bin
	grep -q 'as passive client' "$T/p.err"
	# A passive woken by every block sleeps once per block or more (it
	# took in about 1000 of the 1022 as one, then the first ones as
	# master; 1174 times in a run without naps): napping, about a third
	# as often on a quiet machine, 0.55 per block with the machine's two
	# CPUs loaded by other tests; three quarters keeps the no-nap case out.
	local blocks waits
	blocks=$(json_of p | sed 's/.*"blocks":\([0-9]*\).*/\1/')
	waits=$(tail -n 1 "$T/p.time")
	echo "passive: $blocks blocks, $waits voluntary context switches"
	((blocks > 900 && waits < blocks * 3 / 4))
}

@test "atftpd: a unicast client polls on the CPU that takes in its blocks" {
	(($(nproc) > 1)) || skip "one CPU: tftm-get never polls"
	[[ $(taskset -pc $$) == *[,-]* ]] || skip "allowed on one CPU only"
	peers_atftpd_start atftpd h1 "$SRV"
	nsx h1 tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 200ms
	peers_tftm_get u h2 -j --unicast 198.18.0.1 a.bin
	wait_for 10 pinned "$(bg_pid u)"
	ended_ok u a.bin
	json_of u | grep -q '"mode":"unicast"'
}

@test "atftpd: a CPU hog beside the client starves the polling thread; it sleeps and ends" {
	(($(nproc) > 1)) || skip "one CPU: tftm-get never polls"
	peers_atftpd_start atftpd h1 "$SRV"
	local cpu
	cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
	# a normal-class busy loop on the one CPU the client may use: the
	# client's idle-class polling thread hardly runs there
	bg hog taskset -c "$cpu" timeout 120 sh -c 'while :; do :; done'
	mkdir -p "$T/s"
	bg s ip netns exec "$MCB_NS-h2" taskset -c "$cpu" bash -c \
		'cd "$1" && shift && exec "$@"' _ "$T/s" \
		"$MCBOX" tftm-get -v --unicast -w 50 198.18.0.1 a.bin
	ended_ok s a.bin
	grep -q 'polling thread starved by other work' "$T/s.err"
}

@test "atftpd: ERROR 8 for multicast, then for options: retried, file exact" {
	peers_atftpd_start atftpd h1 "$SRV"
	# blksize 16 is shorter than atftpd's OACK text: it refuses (bug 7)
	peers_tftm_get r h2 -j -v -b 16 198.18.0.1 a.bin
	ended_ok r a.bin
	grep -q 'refused the multicast option (ERROR 8)' "$T/r.err"
	json_of r | grep -q '"mode":"unicast"'
	json_of r | grep -q '"fallback":"server refused the multicast option (ERROR 8)"'
}

@test "atftpd: an unusable multicast answer (port above 32767) falls back" {
	peers_atftpd_start atftpd h1 "$SRV" --mcast-port 40000
	peers_tftm_get b h2 -j -v 198.18.0.1 sub/c.bin
	bg_wait b 30
	[[ $status == 0 ]]
	cmp "$SRV/sub/c.bin" "$T/b/c.bin"
	grep -q "unusable multicast answer '239.255.0.[0-3],-25536,1'" "$T/b.err"
	json_of b | grep -q '"mode":"unicast"'
}

@test "tftpd-hpa: no multicast, falls back to unicast and says so once" {
	peers_hpa_start hpa h1 "$SRV"
	peers_tftm_get u h2 -j -v -b 1024 198.18.0.1 a.bin
	ended_ok u a.bin
	[[ $(grep -c 'did not acknowledge the multicast option' "$T/u.err") == 1 ]]
	json_of u | grep -q '"mode":"unicast"'
	json_of u | grep -q '"fallback":"server did not acknowledge the multicast option"'
	json_of u | grep -q '"blksize":1024'
	json_of u | grep -q '"tsize":1500000'
}

@test "tftpd-hpa: blksize capped by the server, windowsize not supported" {
	peers_hpa_start hpa h1 "$SRV" --blocksize 800
	peers_tftm_get u h2 -j --unicast -W 16 -b 1400 198.18.0.1 a.bin
	ended_ok u a.bin
	json_of u | grep -q '"blksize":800'
	json_of u | grep -q '"windowsize":1'
	json_of u | grep -q '"fallback":null'
}

@test "tftpd-hpa: 40 MiB at blksize 512 (block numbers roll over)" {
	peers_mkfile "$BATS_FILE_TMPDIR/srv/big.bin" $((40 << 20))
	peers_hpa_start hpa h1 "$SRV"
	peers_tftm_get big h2 -j -b 512 198.18.0.1 big.bin
	ended_ok big big.bin
	json_of big | grep -q '"blocks":81921'
	rm -f "$SRV/big.bin"
}

@test "atftpd: 40 MiB at blksize 512 is too big for multicast: unicast" {
	peers_mkfile "$SRV/big.bin" $((40 << 20))
	peers_atftpd_start atftpd h1 "$SRV"
	peers_tftm_get big h2 -j -v -b 512 198.18.0.1 big.bin
	ended_ok big big.bin
	rm -f "$SRV/big.bin"
	# atftpd says "Undefined error code" (ERROR 0); one retry by unicast
	grep -q 'refused the multicast request (ERROR 0' "$T/big.err"
	json_of big | grep -q '"mode":"unicast"'
	json_of big | grep -q '"blocks":81921'
}

@test "tftpd-hpa: refused tsize and blksize: plain 512-byte blocks" {
	peers_hpa_start hpa h1 "$SRV" --refuse tsize --refuse blksize
	peers_tftm_get u h2 -j 198.18.0.1 a.bin
	ended_ok u a.bin
	json_of u | grep -q '"blksize":512'
	json_of u | grep -q '"tsize":null'
}

@test "URLs, the default name stays in the cwd, -o - writes stdout" {
	peers_hpa_start hpa h1 "$SRV"
	peers_tftm_get u1 h2 tftp://198.18.0.1/sub/c.bin
	bg_wait u1 30
	[[ $status == 0 ]]
	cmp "$SRV/sub/c.bin" "$T/u1/c.bin"
	[[ ! -e $T/u1/sub ]]
	peers_tftm_get u2 h2 x-tftm://198.18.0.1:69//sub/c.bin
	bg_wait u2 30
	[[ $status == 0 ]]
	cmp "$SRV/sub/c.bin" "$T/u2/c.bin"
	nsx h2 "$MCBOX" tftm-get -q -o - tftm://198.18.0.1/sub/c.bin >"$T/stdout.bin"
	cmp "$SRV/sub/c.bin" "$T/stdout.bin"
	[[ -z $(ls -A) ]]
	# a name the server or the user chose never escapes the cwd
	peers_tftm_get u3 h2 198.18.0.1 sub/../sub/c.bin
	bg_wait u3 30
	[[ $status == 0 ]]
	cmp "$SRV/sub/c.bin" "$T/u3/c.bin"
	[[ $(ls "$T/u3") == c.bin ]]
}

@test "tftpd-hpa over IPv6: unicast, no multicast asked" {
	bin=$(peers_hpa)
	bg hpa6 ip netns exec "$MCB_NS-h1" "$bin" --foreground \
		--address "[2001:db8::1]:69" --user root --permissive --secure "$SRV"
	wait_for 5 peers_listening h1 69
	peers_tftm_get v6 h2 -j -6 "[2001:db8::1]" a.bin
	ended_ok v6 a.bin
	json_of v6 | grep -q '"server":"\[2001:db8::1\]:69"'
	json_of v6 | grep -q '"mode":"unicast"'
	json_of v6 | grep -q '"fallback":null'
}

@test "file not found: the server's code and message, exit 1, no file left" {
	peers_hpa_start hpa h1 "$SRV"
	run -1 --separate-stderr nsx h2 "$MCBOX" tftm-get -j 198.18.0.1 nothere.bin
	[[ $stderr == *"error 1 (file not found)"* ]]
	[[ $output == *'"ok":false'* ]]
	[[ ! -e nothere.bin ]]
	[[ -z $(ls -A) ]]
}

@test "server down: exit 3 by the deadline" {
	run -3 --separate-stderr nsx h2 "$MCBOX" tftm-get -w 2 198.18.0.1 a.bin
	[[ $stderr == *"no answer within 2 s"* ]]
	[[ -z $(ls -A) ]]
}

@test "--max-size: refused before any byte is kept" {
	peers_atftpd_start atftpd h1 "$SRV"
	run -1 --separate-stderr nsx h2 "$MCBOX" tftm-get --max-size 1k 198.18.0.1 a.bin
	[[ $stderr == *"larger than --max-size 1024"* ]]
	[[ -z $(ls -A) ]]
}

@test "bad operands: usage errors with exit 2" {
	run -2 "$MCBOX" tftm-get ftp://198.18.0.1/a.bin
	[[ $output == *"scheme must be tftp, tftm or x-tftm"* ]]
	run -2 "$MCBOX" tftm-get 198.18.0.1 dir/
	[[ $output == *"no file name in 'dir/'"* ]]
	run -2 "$MCBOX" tftm-get tftp://198.18.0.1/
	run -2 "$MCBOX" tftm-get -b 70000 198.18.0.1 a.bin
	[[ $output == *"bad -b '70000'"* ]]
	run -2 "$MCBOX" tftm-get -i nosuchif0 198.18.0.1 a.bin
}
