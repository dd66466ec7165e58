#!/usr/bin/env bats
# 10-mcsend-mcrecv.bats - mcsend and mcrecv across a namespaced star of four
# hosts: delivery, TTL, SSM filtering, no cross-group leaks, IPv6, several
# groups, the exit-code contract, byte-exact payloads and a held rate.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

setup_file() {
	net_star 4 || skip "cannot create network namespaces"
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
}

# recv NAME HOST ARGS...: mcrecv in the background, ready when joined.
# ip netns exec execs mcbox, so bg's PID is mcrecv's (signals reach it).
recv() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$MCBOX" mcrecv "$@"
	wait_for 5 bg_says "$name" "listening on"
}

# bgw NAME SECS: bg_wait, whose `wait` would trip errexit on a non-zero
# exit; the exit status (124 on timeout) is in $status either way.
bgw() {
	bg_wait "$@" || true
}

out() {
	cat "$BATS_TEST_TMPDIR/$1.out"
}

# pcap_has FILE N: the capture holds N packets or more (tcpdump -U writes
# each one as it comes)
pcap_has() {
	(($(tshark -r "$1" 2>/dev/null | wc -l) >= $2))
}

@test "mcsend/mcrecv: stdin lines reach every receiver of the star" {
	for h in 2 3 4; do recv "r$h" "h$h" -c 3 -w 10 239.1.2.3:5000; done
	run -0 nsx h1 "$MCBOX" mcsend 239.1.2.3:5000 <<<$'one\ntwo\nthree'
	[[ $output == *"sent 3 datagrams"* ]]
	for h in 2 3 4; do
		bgw "r$h" 10
		[[ $status == 0 ]]
		[[ $(out "r$h") == $'one\ntwo\nthree' ]]
		no_sanitizer_report "$BATS_TEST_TMPDIR/r$h.err"
	done
}

@test "mcrecv: the TTL mcsend set is the TTL reported on arrival" {
	recv r2 h2 -j -c 2 -w 10 239.1.2.4:5000
	echo hi | nsx h1 "$MCBOX" mcsend -t 7 239.1.2.4:5000
	nsx h1 "$MCBOX" mcsend --probe -c 1 -t 42 239.1.2.4:5000
	bgw r2 10
	[[ $status == 0 ]]
	run jq -s -c '[.[] | select(.type == "datagram") | .ttl]' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "[7,42]" ]]
	run jq -r 'select(.type == "summary") | .senders[] |
		"\(.probe) \(.ttl_max) \(.hops)"' "$BATS_TEST_TMPDIR/r2.out"
	[[ $output == $'false 7 null\ntrue 42 0' ]]
}

@test "mcsend: -B, -p, --tos, --dscp and -i by index are what arrives" {
	recv r2 h2 -j -c 3 -w 10 239.1.2.5:5000
	ifidx=$(nsx h1 cat /sys/class/net/eth0/ifindex)
	echo a | nsx h1 "$MCBOX" mcsend -B 198.18.0.1 -p 4444 --tos 0x10 239.1.2.5:5000
	echo b | nsx h1 "$MCBOX" mcsend --dscp 46 -i "$ifidx" 239.1.2.5:5000
	run -0 nsx h1 "$MCBOX" mcsend -q --probe -c 1 --dscp 8 -i eth0 239.1.2.5:5000
	bgw r2 10
	[[ $status == 0 ]]
	run jq -s -c 'map(select(.type == "datagram") | [.source, .tos]), .[0].sport' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ ${lines[0]} == '[["198.18.0.1",16],["198.18.0.1",184],["198.18.0.1",32]]' ]]
	[[ ${lines[1]} == 4444 ]]
	# a bad source address is refused before anything is sent
	run -2 --separate-stderr nsx h1 "$MCBOX" mcsend -B 2001:db8::1 239.1.2.5 </dev/null
	[[ $stderr == *"differ in family"* ]]
}

@test "mcsend: what tshark decodes on the wire: TTL, DSCP, ports, payload" {
	command -v tshark >/dev/null || skip "tshark is not installed"
	local pcap=$BATS_TEST_TMPDIR/wire.pcap
	bg cap ip netns exec "$MCB_NS-h3" tcpdump -Z root --immediate-mode -U -n \
		-i eth0 -w "$pcap" udp port 5007
	wait_for 5 bg_says cap "listening on"
	printf 'one\ntwo\n' | nsx h1 "$MCBOX" mcsend -t 5 --dscp 46 -p 4007 \
		239.1.2.7:5007
	wait_for 5 pcap_has "$pcap" 2
	bg_signal cap INT
	bgw cap 5
	run -0 --separate-stderr tshark -r "$pcap" -T fields -E separator=' ' -e ip.dst -e ip.ttl \
		-e ip.dsfield.dscp -e udp.srcport -e udp.dstport -e data.text \
		-o data.show_as_text:TRUE
	[[ $output == $'239.1.2.7 5 46 4007 5007 one\n239.1.2.7 5 46 4007 5007 two' ]]
}

@test "mcsend: --no-loop keeps datagrams from the sender's own receivers" {
	recv own h1 -c 1 -w 1 239.1.2.6:5000
	echo x | nsx h1 "$MCBOX" mcsend --no-loop 239.1.2.6:5000
	bgw own 10
	[[ $status == 3 ]]
	recv own2 h1 -c 1 -w 10 239.1.2.6:5000
	echo y | nsx h1 "$MCBOX" mcsend --loop 239.1.2.6:5000
	bgw own2 10
	[[ $status == 0 ]]
	[[ $(out own2) == y ]]
}

@test "mcrecv: an SSM join filters out the wrong source (S,G and -s forms)" {
	recv r2 h2 -c 2 -w 10 "198.18.0.3,232.1.1.1:5000"
	recv r4 h4 -c 2 -w 10 -s 198.18.0.3 -s 198.18.0.9 232.1.1.1:5000
	echo wrong | nsx h1 "$MCBOX" mcsend 232.1.1.1:5000
	echo right1 | nsx h3 "$MCBOX" mcsend 232.1.1.1:5000
	echo wrong | nsx h1 "$MCBOX" mcsend 232.1.1.1:5000
	echo right2 | nsx h3 "$MCBOX" mcsend 232.1.1.1:5000
	for r in r2 r4; do
		bgw "$r" 10
		[[ $status == 0 ]]
		[[ $(out "$r") == $'right1\nright2' ]]
	done
}

@test "mcrecv: another group on the same port does not leak in" {
	recv a h2 -c 1 -w 10 239.5.5.1:5000
	recv b h2 -c 1 -w 10 239.5.5.2:5000
	echo leak | nsx h1 "$MCBOX" mcsend 239.5.5.2:5000
	bgw b 10
	[[ $(out b) == leak ]]
	echo mine | nsx h1 "$MCBOX" mcsend 239.5.5.1:5000
	bgw a 10
	[[ $status == 0 ]]
	[[ $(out a) == mine ]]
}

@test "mcsend/mcrecv: IPv6, ASM and SSM, hop limit reported" {
	recv r2 h2 -j -c 1 -w 10 -i eth0 "[ff15::4242]:5000"
	recv r3 h3 -c 1 -w 10 -i eth0 "2001:db8::1,[ff35::4242]:5000"
	echo v6 | nsx h4 "$MCBOX" mcsend -i eth0 -t 9 "[ff35::4242]:5000"
	echo v6 | nsx h1 "$MCBOX" mcsend -i eth0 -t 9 "[ff15::4242]:5000" \
		"[ff35::4242]:5000"
	bgw r2 10
	[[ $status == 0 ]]
	run jq -r '"\(.source) \(.group) \(.ttl) \(.data)"' <(head -n 1 "$BATS_TEST_TMPDIR/r2.out")
	[[ $output == "2001:db8::1 ff15::4242 9 v6" ]]
	bgw r3 10
	[[ $status == 0 ]]
	[[ $(out r3) == v6 ]]
	grep -q 'listening on \[ff15::4242\]:5000 (eth0)' "$BATS_TEST_TMPDIR/r2.err"
}

@test "mcsend/mcrecv: several groups in one run each" {
	recv r2 h2 -q -j -c 30 -w 10 239.7.0.1:5000 239.7.0.2:5001 239.7.0.3
	run -0 nsx h1 "$MCBOX" mcsend --probe -c 10 -r 1000 239.7.0.1:5000 \
		239.7.0.2:5001 239.7.0.3
	bgw r2 10
	[[ $status == 0 ]]
	run jq -r '.senders | map("\(.group):\(.port) \(.received) \(.lost)") | join(",")' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "239.7.0.1:5000 10 0,239.7.0.2:5001 10 0,239.7.0.3:5000 10 0" ]]
}

@test "mcrecv: -c N -w T exits 0 as soon as N arrived" {
	recv r2 h2 -c 2 -w 30 239.8.0.1:5000
	nsx h1 "$MCBOX" mcsend --probe -c 2 239.8.0.1:5000
	# long before the 30 s deadline
	bgw r2 10
	[[ $status == 0 ]]
}

@test "mcrecv: -c N -w T exits 3 with fewer than N, and -w alone 0 with some" {
	recv r2 h2 -c 5 -w 1.5 239.8.0.2:5000
	recv r3 h3 -w 1.5 239.8.0.2:5000
	nsx h1 "$MCBOX" mcsend --probe -c 2 239.8.0.2:5000
	bgw r2 10
	[[ $status == 3 ]]
	grep -q '2 datagrams' "$BATS_TEST_TMPDIR/r2.err"
	bgw r3 10
	[[ $status == 0 ]]
}

@test "mcrecv: nothing arrived: exit 3 and the timeout names what it checked" {
	run -3 --separate-stderr nsx h2 "$MCBOX" mcrecv -w 0.3 239.8.0.3:5000
	[[ $stderr == *"nothing arrived in 0.3 s"* ]]
	[[ $stderr == *"joined on eth0"* ]]
	# strict reverse-path filtering on the interface is named
	nsx h3 sysctl -qw net.ipv4.conf.eth0.rp_filter=1
	run -3 --separate-stderr nsx h3 "$MCBOX" mcrecv -w 0.3 239.8.0.3:5000
	nsx h3 sysctl -qw net.ipv4.conf.eth0.rp_filter=0
	[[ $stderr == *"rp_filter is strict (1) on eth0"* ]]
	# and a missing route for the group's range
	ip -n "$MCB_NS-h4" route del 224.0.0.0/4
	run -3 --separate-stderr nsx h4 "$MCBOX" mcrecv -i eth0 -w 0.3 239.8.0.3:5000
	ip -n "$MCB_NS-h4" route add 224.0.0.0/4 dev eth0
	[[ $stderr == *"no route for the group's range"* ]]
}

@test "mcrecv: --loss-max exits 1 when probe loss exceeds it, 0 when not" {
	# every other probe to h2 is dropped, deterministically
	nsx h2 nft -f - <<-'EOF'
	table inet mcbloss {
		chain in {
			type filter hook input priority 0;
			udp dport 5009 numgen inc mod 2 0 drop
		}
	}
	EOF
	recv r2 h2 -q -j -c 50 -w 10 --loss-max 10 239.8.0.4:5009
	recv r3 h3 -q -c 100 -w 10 --loss-max 0 239.8.0.4:5009
	# --no-gso: nftables counts a train of probes on the veth as one packet
	nsx h1 "$MCBOX" mcsend --probe --no-gso -c 100 -r 2000 239.8.0.4:5009
	bgw r2 10
	nsx h2 nft delete table inet mcbloss
	[[ $status == 1 ]]
	grep -q 'exceeds --loss-max 10%' "$BATS_TEST_TMPDIR/r2.err"
	run jq -r '"\(.received) \(.lost) \(.duplicated) \(.reordered) \(.elapsed_s > 0)"' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "50 49 0 0 true" ]]
	bgw r3 10
	[[ $status == 0 ]]
}

@test "mcrecv: SIGTERM and SIGINT print the summary and exit 0" {
	recv r2 h2 -j 239.8.0.5:5000
	recv r3 h3 239.8.0.5:5000
	echo x | nsx h1 "$MCBOX" mcsend 239.8.0.5:5000
	wait_for 5 grep -q '"data":"x"' "$BATS_TEST_TMPDIR/r2.out"
	wait_for 5 grep -qx x "$BATS_TEST_TMPDIR/r3.out"
	bg_signal r2 TERM
	bg_signal r3 INT
	bgw r2 5
	[[ $status == 0 ]]
	grep -q '"type":"summary","received":1' "$BATS_TEST_TMPDIR/r2.out"
	bgw r3 5
	[[ $status == 0 ]]
	grep -q '1 datagram, 1 byte in' "$BATS_TEST_TMPDIR/r3.err"
}

@test "mcsend/mcrecv: stdin and files arrive byte-exact (lines, --raw, -f, -o)" {
	local f=$BATS_TEST_TMPDIR/data
	head -c 200000 /dev/urandom >"$f"
	# lines, including an empty one and UTF-8
	printf 'alpha\n\nbeta gamma\n\xc3\xa9t\xc3\xa9\n' >"$f.txt"
	recv l h2 -c 4 -w 10 239.9.0.1:5000
	nsx h1 "$MCBOX" mcsend 239.9.0.1:5000 <"$f.txt"
	bgw l 10
	cmp "$f.txt" "$BATS_TEST_TMPDIR/l.out"
	# binary stdin in 1000-byte chunks
	recv raw h3 -c 200 -w 20 -o "$f.raw" 239.9.0.2:5000
	nsx h1 "$MCBOX" mcsend --raw -s 1000 -r 4000 239.9.0.2:5000 <"$f"
	bgw raw 20
	[[ $status == 0 ]]
	cmp "$f" "$f.raw"
	# a file, last chunk short, written by -o -
	head -c 12345 "$f" >"$f.small"
	recv file h4 -c 13 -w 10 -o - 239.9.0.3:5000
	nsx h1 "$MCBOX" mcsend -f "$f.small" -s 1000 -r 2000 239.9.0.3:5000
	bgw file 10
	[[ $status == 0 ]]
	cmp "$f.small" "$BATS_TEST_TMPDIR/file.out"
}

@test "mcsend: -r holds the rate within 3% over 5 s (pps and bit/s forms)" {
	recv r2 h2 -q -j -w 8 239.9.1.1:5000
	# 4 Mbit/s of 500-byte payloads is 1000 datagrams per second
	run -0 --separate-stderr nsx h1 "$MCBOX" mcsend --probe -s 500 -r 4Mbps \
		-w 5 -j 239.9.1.1:5000
	run jq -r '"\(.sent) \(.bytes)"' <<<"$output"
	read -r sent bytes <<<"$output"
	((sent >= 4850 && sent <= 5150))
	((bytes == sent * 500))
	bg_signal r2 INT
	bgw r2 5
	run jq -r '"\(.received) \(.lost)"' "$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "$sent 0" ]]
	# pps form, bursts of 10
	run -0 --separate-stderr nsx h1 "$MCBOX" mcsend --probe -r 500 --burst 10 \
		-w 2 -j 239.9.1.1:5000
	sent=$(jq -r .sent <<<"$output")
	((sent >= 970 && sent <= 1030))
}

@test "mcsend/mcrecv: probe trains (UDP GSO/GRO) and single sends arrive whole" {
	recv r2 h2 -q -j -c 3000 -w 20 239.9.2.1:5000
	recv r3 h3 -x -c 3000 -w 20 239.9.2.1:5000
	# unpaced: trains of 64 probes per send, split again by the receivers
	nsx h1 "$MCBOX" mcsend --probe -q -c 2000 -s 200 239.9.2.1:5000
	nsx h1 "$MCBOX" mcsend --probe -q --no-gso -c 1000 -s 200 -r 20000 \
		239.9.2.1:5000
	bgw r2 20
	[[ $status == 0 ]]
	run jq -r '"\(.received) \(.lost) \(.duplicated) \(.reordered) " +
		(.senders | map("\(.received)/\(.lost)") | join(","))' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "3000 0 0 0 2000/0,1000/0" ]]
	bgw r3 20
	[[ $status == 0 ]]
	# -x: a header and 13 lines of 16 bytes for each 200-byte probe
	[[ $(grep -c ' len 200$' "$BATS_TEST_TMPDIR/r3.out") == 3000 ]]
	[[ $(wc -l <"$BATS_TEST_TMPDIR/r3.out") == $((3000 * 14)) ]]
	grep -q '^0000  4d 43 42 50 02 01 01 00 ' "$BATS_TEST_TMPDIR/r3.out"
}

@test "mcrecv: crafted probe send times are range-checked, never overflow" {
	recv r2 h2 -j -c 5 -w 10 239.9.2.2:5000
	recv r3 h3 -c 5 -w 10 239.9.2.2:5000
	# a hostile sender: probes (time flag set) whose send times swing
	# between the extremes of u64; the last one is 1.5 ms old
	nsx h1 python3 - <<-'EOF'
	import socket, struct, time
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	now = time.time_ns()
	for seq, tx in enumerate([0, 2**64 - 1, 0, 2**63 - 1, now - 1500000]):
	    p = b"MCBP" + struct.pack("!BBBBIQQ", 1, 1, 64, 0, 7, seq, tx)
	    s.sendto(p + bytes(36), ("239.9.2.2", 5000))
	EOF
	bgw r2 10
	[[ $status == 0 ]]
	no_sanitizer_report "$BATS_TEST_TMPDIR/r2.err"
	# only the last one carries a delay; the summary times only it
	run jq -sc '[.[] | select(.type == "datagram") | has("delay_ms")]' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "[false,false,false,false,true]" ]]
	run jq -r 'select(.type == "summary") | .senders[0] |
		(.delay_min_ms == .delay_max_ms and .delay_min_ms < 1000 and
		 .jitter_ms == 0)' "$BATS_TEST_TMPDIR/r2.out"
	[[ $output == true ]]
	bgw r3 10
	[[ $status == 0 ]]
	no_sanitizer_report "$BATS_TEST_TMPDIR/r3.err"
	[[ $(grep -c 'delay=' "$BATS_TEST_TMPDIR/r3.out") == 1 ]]
	! grep -E 'delay [-0-9.]{10,}' "$BATS_TEST_TMPDIR/r3.err"
}

@test "mcrecv: unknown hops read '?' in text, null in JSON; singular counts" {
	recv r2 h2 -c 1 -w 10 239.9.2.3:5000
	recv r3 h3 -j -c 1 -w 10 239.9.2.3:5000
	# a probe whose sender TTL byte is 0: it does not say what it set
	nsx h1 python3 - <<-'EOF'
	import socket, struct
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	p = b"MCBP" + struct.pack("!BBBBIQQ", 1, 0, 0, 0, 9, 0, 0)
	s.sendto(p, ("239.9.2.3", 5000))
	EOF
	bgw r2 10
	[[ $status == 0 ]]
	run -0 grep -F '239.9.2.3:5000: 1 received' "$BATS_TEST_TMPDIR/r2.err"
	[[ $output == *", ttl 1-1, hops ?, "* ]]
	grep -qF 'mcrecv: 1 datagram, 28 bytes in ' "$BATS_TEST_TMPDIR/r2.err"
	bgw r3 10
	[[ $status == 0 ]]
	run jq -c 'select(.type == "summary") | .senders[0] | [.ttl_min, .hops]' \
		"$BATS_TEST_TMPDIR/r3.out"
	[[ $output == "[1,null]" ]]
	# mcsend: one datagram, one group, and bits in bit/s
	run -0 --separate-stderr nsx h1 "$MCBOX" mcsend 239.9.2.3:5000 <<<x
	[[ $stderr =~ ^"mcsend: sent 1 datagram, 1 byte to 1 group in "[0-9.]+" s ("[0-9]+" pps, "[0-9.]+" "(|k|M|G)"bit/s)"$ ]]
}

@test "mcrecv: the IPv6 diagnosis names no rp_filter (IPv6 has none)" {
	run -3 --separate-stderr nsx h2 "$MCBOX" mcrecv -i eth0 -w 0.3 "[ff15::8:3]:5000"
	[[ $stderr == *"nothing arrived in 0.3 s"* ]]
	[[ $stderr == *"joined on eth0, route fine, and nothing for [ff15::8:3]:5000 reached eth0: check the sender, its hop limit"* ]]
	[[ $stderr != *rp_filter* ]]
	run -3 --separate-stderr nsx h2 "$MCBOX" mcrecv -i eth0 -w 0.3 239.8.0.13:5000
	[[ $stderr == *"joined on eth0, route and rp_filter fine, and nothing for 239.8.0.13:5000 reached eth0: check the sender, its TTL"* ]]
}

@test "mcsend/mcrecv: bad values exit 2 and name the value" {
	run -2 --separate-stderr "$MCBOX" mcsend -r 5furlongs 239.1.1.1
	[[ $stderr == *"bad -r '5furlongs'"* ]]
	run -2 --separate-stderr "$MCBOX" mcsend -t 300 239.1.1.1
	[[ $stderr == *"'300'"* ]]
	run -2 --separate-stderr "$MCBOX" mcsend 10.1.2.3:5000
	[[ $stderr == *"10.1.2.3"* ]]
	run -2 --separate-stderr "$MCBOX" mcsend --probe -s 10 239.1.1.1
	[[ $stderr == *"bad -s '10'"* ]]
	run -2 --separate-stderr "$MCBOX" mcsend --tos 4 --dscp 1 239.1.1.1
	run -2 --separate-stderr "$MCBOX" mcsend --probe -f /dev/null 239.1.1.1
	[[ $stderr == *"--probe excludes"* ]]
	run -2 --separate-stderr "$MCBOX" mcsend 198.18.0.1,232.1.1.1
	run -2 --separate-stderr "$MCBOX" mcrecv --loss-max 101 239.1.1.1
	[[ $stderr == *"bad --loss-max '101'"* ]]
	run -2 --separate-stderr "$MCBOX" mcrecv -s 239.9.9.9 232.1.1.1
	[[ $stderr == *"bad source '239.9.9.9'"* ]]
	run -2 --separate-stderr "$MCBOX" mcrecv -s 2001:db8::1 232.1.1.1
	run -2 --separate-stderr "$MCBOX" mcrecv -i nosuchif0 232.1.1.1
	[[ $stderr == *"nosuchif0"* ]]
	run -2 --separate-stderr "$MCBOX" mcrecv "[ff15::1"
}
