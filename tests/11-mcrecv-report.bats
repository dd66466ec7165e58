#!/usr/bin/env bats
# 11-mcrecv-report.bats - what mcrecv reports, across a namespaced star of
# three hosts: loss of a stream cut partway (probe end markers, announced
# rate, start and count), statistics for any sender, the live view (-I), and
# a local firewall named when nothing arrives.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

setup_file() {
	net_star 3 || skip "cannot create network namespaces"
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
	local h
	for h in h1 h2 h3; do
		nsx "$h" nft delete table inet mcbcut 2>/dev/null || true
		nsx "$h" nft delete table inet mcbfw 2>/dev/null || true
	done
}

# recv NAME HOST ARGS...: mcrecv in the background, ready when joined.
recv() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$MCBOX" mcrecv "$@"
	wait_for 5 bg_says "$name" "listening on"
}

bgw() {
	bg_wait "$@" || true
}

# cut HOST RULE: HOST drops the UDP datagrams RULE matches (input hook).
cut() {
	nsx "$1" nft -f - <<-EOF
	table inet mcbcut {
		chain in {
			type filter hook input priority 0;
			$2 drop
		}
	}
	EOF
}

# summary NAME JQ: the jq expression on NAME's JSON summary.
summary() {
	jq -r "select(.type == \"summary\") | $2" "$BATS_TEST_TMPDIR/$1.out"
}

@test "mcrecv: a stream a quota cuts partway is loss, and fails --loss-max" {
	# 544 probes of 64 bytes are 544 IPv4 packets of 92 bytes; the end
	# markers are cut too
	cut h2 "udp dport 5010 quota over 50049 bytes"
	cut h3 "udp dport 5010 quota over 50049 bytes"
	recv r2 h2 -q -j -w 8 --loss-max 1 239.10.0.1:5010
	recv r3 h3 -q -w 8 --loss-max 1 239.10.0.1:5010
	# --no-gso: one probe, one packet through the quota
	run -0 nsx h1 "$MCBOX" mcsend --probe --no-gso -q -c 1000 -r 1000 \
		239.10.0.1:5010
	bgw r2 15
	[[ $status == 1 ]]
	grep -q 'exceeds --loss-max 1%' "$BATS_TEST_TMPDIR/r2.err"
	run summary r2 '.senders[0] | "\(.received) \(.expected) \(.lost) \(.ended)"'
	[[ $output == "544 1000 456 false" ]]
	bgw r3 15
	[[ $status == 1 ]]
	grep -q '544 received, 456 lost (45.60%)' "$BATS_TEST_TMPDIR/r3.err"
	grep -q 'no end marker' "$BATS_TEST_TMPDIR/r3.err"
}

@test "mcrecv: a cut stream without a count is counted from rate and stop" {
	cut h2 "udp dport 5011 numgen inc mod 1000000 >= 300"
	recv r2 h2 -q -j -w 6 239.10.0.2:5011
	run -0 --separate-stderr nsx h1 "$MCBOX" mcsend --probe --no-gso -j \
		-r 500 -w 2 239.10.0.2:5011
	sent=$(jq .sent <<<"$output")
	bgw r2 15
	# no --loss-max: loss alone is not a failure
	[[ $status == 0 ]]
	run summary r2 '.senders[0] | "\(.received) \(.lost) \(.rate_pps)"'
	read -r received lost rate <<<"$output"
	[[ $received == 300 && $rate == 500 ]]
	# what the rate and the stop time say: never more than 2 s at 500/s
	# allow; a loaded sender may fall behind the rate and catch up after
	# the cut (up to 50 ms here) or stall and restart its schedule
	((lost >= sent - 300 - 25 && lost <= 1000 - 300 + 2))
}

@test "mcrecv: the end marker counts the loss at the tail of an unpaced run" {
	cut h2 "udp dport 5012 numgen inc mod 1000000 900-999"
	recv r2 h2 -q -j -w 3 239.10.0.3:5012
	nsx h1 "$MCBOX" mcsend --probe --no-gso -q -c 1000 239.10.0.3:5012
	bgw r2 10
	[[ $status == 0 ]]
	run summary r2 '.senders[0] | "\(.received) \(.lost) \(.ended) \(.rate_pps)"'
	[[ $output == "900 100 true null" ]]
}

@test "mcrecv: version 1 probes (under 64 bytes) are still read" {
	recv r2 h2 -j -c 10 -w 10 239.10.0.4:5013
	nsx h1 "$MCBOX" mcsend --probe -q -s 40 -c 10 -r 1000 239.10.0.4:5013
	bgw r2 10
	[[ $status == 0 ]]
	run jq -s -c '[.[] | select(.type == "datagram") | .seq]' \
		"$BATS_TEST_TMPDIR/r2.out"
	[[ $output == "[0,1,2,3,4,5,6,7,8,9]" ]]
	run summary r2 '.senders[0] | "\(.bytes) \(.received) \(.lost) \(.ended) \(.rate_pps)"'
	[[ $output == "400 10 0 false null" ]]
}

# sendpy HOST GROUP PORT TTL N LEN: a sender that is not mcbox, one socket.
sendpy() {
	nsx "$1" python3 - "$2" "$3" "$4" "$5" "$6" <<-'EOF'
	import socket, sys
	g, port, ttl, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
		int(sys.argv[4]), int(sys.argv[5])
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
	s.bind(("0.0.0.0", 40000 + ttl))
	for i in range(n):
	    s.sendto(bytes([i % 256]) * size, (g, port))
	EOF
}

@test "mcrecv: every sender gets statistics, probes or not" {
	recv r2 h2 -q -j -c 35 -w 20 239.10.0.5:5014
	recv r3 h3 -c 35 -w 20 -q 239.10.0.5:5014
	sendpy h1 239.10.0.5 5014 3 10 100
	sendpy h3 239.10.0.5 5014 5 20 300
	nsx h1 "$MCBOX" mcsend --probe -q -c 5 -r 1000 239.10.0.5:5014
	bgw r2 20
	[[ $status == 0 ]]
	run summary r2 '.senders | map("\(.source):\(.sport) \(.probe) \(.packets) \(.bytes) \(.ttl_min)-\(.ttl_max) \(.first_seen <= .last_seen)") | join(",")'
	[[ $output == "198.18.0.1:40003 false 10 1000 3-3 true,198.18.0.3:40005 false 20 6000 5-5 true,198.18.0.1:"*" true 5 320 1-1 true" ]]
	# a rate between first and last seen (the probes may come as one train)
	run summary r2 '.senders[:2] | map(.mbps > 0) | all'
	[[ $output == true ]]
	run summary r2 '.senders[2] | "\(.received) \(.lost)"'
	[[ $output == "5 0" ]]
	run summary r2 '"\(.received) \(.bytes) \(.mbps > 0)"'
	[[ $output == "35 7320 true" ]]
	bgw r3 20
	[[ $status == 0 ]]
	grep -q '198.18.0.3:40005 > 239.10.0.5:5014: 20 packets, 6000 bytes, .* Mbit/s, ttl 5-5, seen ' \
		"$BATS_TEST_TMPDIR/r3.err"
	grep -q '35 datagrams, 7320 bytes in .* s (.* Mbit/s)' "$BATS_TEST_TMPDIR/r3.err"
}

@test "mcrecv: -I reports every sender each interval: packets, Mbit/s, loss, jitter" {
	# every other probe to h2 is dropped
	cut h2 "udp dport 5015 numgen inc mod 2 0"
	recv r2 h2 -q -j -I 0.5 -w 4 239.10.0.6:5015
	recv r3 h3 -q --interval 0.5 -w 4 239.10.0.6:5015
	nsx h1 "$MCBOX" mcsend --probe --no-gso -q -r 400 -w 2 239.10.0.6:5015
	bgw r2 10
	bgw r3 10
	local iv=$BATS_TEST_TMPDIR/iv
	jq -c 'select(.type == "interval")' "$BATS_TEST_TMPDIR/r2.out" >"$iv"
	# back to back up to the deadline, from the first with a sender: each
	# interval starts where the one before ended (a late wakeup merges
	# two, never drops one)
	run jq -s -r '[last.to_s == 4, length >= 3,
		([.[1:][].from_s] == [.[:-1][].to_s])] | all' "$iv"
	[[ $output == true ]]
	# the probes of all intervals add up to what arrived
	run jq -s 'map(.packets) | add' "$iv"
	sum=$output
	[[ $sum == $(summary r2 .received) ]]
	# Mbit/s is the interval's bytes over its length
	run jq -s -r 'map(select(.packets > 0) |
		(.bytes * 8 / (.to_s - .from_s) / 1e6) - .mbps |
		fabs < 1e-5) | all' "$iv"
	[[ $output == true ]]
	# loss so far: half, and jitter so far measured
	run jq -s -r 'last | "\(.loss_pct > 45 and .loss_pct < 55) \(.jitter_ms >= 0) \(.probe)"' "$iv"
	[[ $output == "true true true" ]]
	# text: one line per interval and sender (a sender that stalls shows
	# as loss so far until it goes on)
	run grep -c '^\[ *[0-9.]*- *[0-9.]* s\] 198.18.0.1 > 239.10.0.6:5015: [0-9]* packets, [0-9.]* Mbit/s, lost [0-9]* ([0-9.]*%), jitter [0-9.]* ms$' \
		"$BATS_TEST_TMPDIR/r3.out"
	((output >= 3))
	[[ $(wc -l <"$BATS_TEST_TMPDIR/r3.out") == "$output" ]]
}

@test "mcrecv: bad -I values exit 2 and name the value" {
	run -2 --separate-stderr "$MCBOX" mcrecv -I 0 239.1.1.1
	[[ $stderr == *"'0'"* ]]
	run -2 --separate-stderr "$MCBOX" mcrecv --interval soon 239.1.1.1
	[[ $stderr == *"'soon'"* ]]
}

# fw HOST RULES...: HOST's input chain (table inet mcbfw) holds RULES.
fw() {
	local h=$1
	shift
	nsx "$h" nft -f - <<-EOF
	table inet mcbfw {
		chain in {
			type filter hook input priority 0;
			$(printf '%s\n' "$@")
		}
	}
	EOF
}

@test "mcrecv: a local firewall that drops the group is named, not the routers upstream" {
	fw h2 "udp dport 5020 counter drop"
	fw h3 "udp dport 5020 counter drop"
	recv r2 h2 -w 2 239.10.1.1:5020
	recv r3 h3 -w 2 -i eth0 "[ff15::1:5020]:5020"
	# --no-gso: 20 probes and 3 end markers are 23 packets
	nsx h1 "$MCBOX" mcsend --probe --no-gso -q -c 20 -r 400 239.10.1.1:5020
	nsx h1 "$MCBOX" mcsend --probe --no-gso -q -c 20 -r 400 -i eth0 \
		"[ff15::1:5020]:5020"
	bgw r2 10
	[[ $status == 3 ]]
	local err=$BATS_TEST_TMPDIR/r2.err
	grep -q '^mcrecv: 239.10.1.1: 23 packets for 239.10.1.1:5020 reached eth0 but not the socket: something on this host drops them, a local firewall or rp_filter$' "$err"
	grep -q '^mcrecv: 239.10.1.1: nftables: rule [0-9]* of table inet mcbfw, chain in (input hook), drops udp dport 5020, 23 packets counted$' "$err"
	! grep -q 'check the sender' "$err"
	bgw r3 10
	[[ $status == 3 ]]
	err=$BATS_TEST_TMPDIR/r3.err
	grep -q '23 packets for \[ff15::1:5020\]:5020 reached eth0 but not the socket' "$err"
	grep -q 'drops udp dport 5020, 23 packets counted' "$err"
	! grep -q 'check the sender' "$err"
}

@test "mcrecv: an input chain that drops by policy is named" {
	nsx h2 nft -f - <<-'EOF'
	table inet mcbfw {
		chain in {
			type filter hook input priority 0; policy drop;
			tcp dport 22 accept
			udp dport 5000-5020 accept
		}
	}
	EOF
	recv r2 h2 -w 1.5 239.10.1.2:5021
	nsx h1 "$MCBOX" mcsend --probe -q -c 5 -r 100 239.10.1.2:5021
	bgw r2 10
	[[ $status == 3 ]]
	local err=$BATS_TEST_TMPDIR/r2.err
	grep -q 'reached eth0 but not the socket' "$err"
	grep -q '^mcrecv: 239.10.1.2: nftables: chain in of table inet mcbfw (input hook) drops by policy, and no rule there accepts udp dport 5021$' "$err"
}

@test "mcrecv: nothing reached the interface: the diagnosis sends the user upstream" {
	# a firewall for another port is no suspect
	fw h2 "udp dport 5099 drop"
	run -3 --separate-stderr nsx h2 "$MCBOX" mcrecv -w 0.5 239.10.1.3:5022
	[[ $stderr == *"joined on eth0, route and rp_filter fine, and nothing for 239.10.1.3:5022 reached eth0: check the sender, its TTL and the routers between"* ]]
	[[ $stderr != *nftables* ]]
}

@test "mcrecv: without capabilities the diagnosis says what it could not see" {
	fw h2 "udp dport 5023 drop"
	bg r2 ip netns exec "$MCB_NS-h2" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$MCBOX" mcrecv -w 1.5 239.10.1.4:5023
	wait_for 5 bg_says r2 "listening on"
	nsx h1 "$MCBOX" mcsend --probe -q -c 5 -r 100 239.10.1.4:5023
	bgw r2 10
	[[ $status == 3 ]]
	grep -q 'rp_filter fine: check the sender, its TTL and the routers between (run with CAP_NET_RAW to see whether anything reaches eth0)$' \
		"$BATS_TEST_TMPDIR/r2.err"
}
