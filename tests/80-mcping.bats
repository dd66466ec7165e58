#!/usr/bin/env bats
# 80-mcping.bats - mcping (RFC 6450) across a namespaced star of four hosts:
# the client against mcping's responder and Debian's ssmpingd, ssmping and
# asmping against mcping's responder (IPv4, IPv6, SSM, ASM), the exit
# contract (0 multicast, 3 unicast only, 1 nothing), a responder under
# garbage and floods, and the mesh with one direction cut by nftables.
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
	local h
	for h in h1 h2 h3 h4; do
		nsx "$h" nft delete table inet mcpcut 2>/dev/null || true
	done
}

needs_ssmping() {
	command -v ssmpingd >/dev/null ||
		skip "ssmping is not installed (.ci/packages/mcping.txt)"
}

# responder NAME HOST ARGS...: mcping --respond, ready when listening.
responder() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$MCBOX" mcping -l "$@"
	wait_for 5 bg_says "$name" "listening on"
}

# ssmpingd on HOST, ready once its port 4321 is bound.
ssmpingd_on() {
	bg ssmpingd ip netns exec "$MCB_NS-$1" ssmpingd
	wait_for 5 udp_bound "$1" 4321
}

udp_bound() {
	[[ -n $(nsx "$1" ss -Hlun "sport = :$2") ]]
}

out() {
	cat "$BATS_TEST_TMPDIR/$1.out"
}

# cut HOST RULE: an nftables input rule on HOST (removed in teardown).
cut() {
	nsx "$1" nft -f - <<-EOF
	table inet mcpcut {
		chain in {
			type filter hook input priority 0;
			$2
		}
	}
	EOF
}

@test "mcping: bad options and operands exit 2 and name the value" {
	run -2 "$MCBOX" mcping
	[[ $output == *"one RESPONDER"* ]]
	run -2 "$MCBOX" mcping -g 10.1.2.3 198.18.0.1
	[[ $output == *"bad -g '10.1.2.3'"* ]]
	run -2 "$MCBOX" mcping -g ff3e::1 198.18.0.1
	[[ $output == *"bad -g 'ff3e::1' (a multicast group, IPv4)"* ]]
	run -2 "$MCBOX" mcping 198.18.0.1:99999
	[[ $output == *"bad port '99999'"* ]]
	run -2 "$MCBOX" mcping -c 0 198.18.0.1
	[[ $output == *"-c"*"'0'"* ]]
	run -2 "$MCBOX" mcping -l 198.18.0.1
	[[ $output == *"--respond takes no operand"* ]]
	run -2 "$MCBOX" mcping -l -g 239.1.2.0/33
	[[ $output == *"bad prefix length in '239.1.2.0/33'"* ]]
	run -2 "$MCBOX" mcping -l -g 10.0.0.0/8
	[[ $output == *"'10.0.0.0/8'"* ]]
	run -2 "$MCBOX" mcping --mesh 198.18.0.1
	[[ $output == *"--mesh takes 2 to 24 HOSTs, not 1"* ]]
	run -2 "$MCBOX" mcping --mesh 198.18.0.1 198.18.0.1
	[[ $output == *"host '198.18.0.1' is listed twice"* ]]
	run -2 "$MCBOX" mcping --mesh 198.18.0.1 198.18.0.2:5
	[[ $output == *"every host uses one port"* ]]
	run -2 nsx h1 "$MCBOX" mcping --mesh 198.18.0.7 198.18.0.8
	[[ $output == *"no HOST is an address of this host"* ]]
}

@test "mcping: client and responder, IPv4 SSM: both paths, hops, exit 0" {
	responder r h1
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -c 3 --interval 0.2 \
		198.18.0.1
	[[ $stderr == *"pinging 198.18.0.1 from 198.18.0.2, joined (198.18.0.1,232.43.211.234)"* ]]
	for s in 1 2 3; do
		[[ $output == *"  unicast from 198.18.0.1: seq=$s ttl=64 hops=0 time="* ]]
		[[ $output == *"multicast from 198.18.0.1: seq=$s ttl=64 hops=0 time="* ]]
	done
	[[ $output == *"group 232.43.211.234 (SSM)"* ]]
	[[ $output == *"3 requests sent"*"; responder: mcbox mcping"* ]]
	[[ $output == *"unicast:   3 received, 0.0% loss, rtt"*", 0 hops"* ]]
	[[ $output == *"multicast: 3 received, 0.0% loss (0.0% since the first, seq 1"* ]]
	[[ $(out r) == *"request from 198.18.0.2:"*" seq=3: answered to 232.43.211.234"* ]]
	bg_signal r TERM
	bg_wait r 5
	[[ $status == 0 ]]
	grep -q "answered 3, unicast only 0" "$BATS_TEST_TMPDIR/r.err"
	no_sanitizer_report "$BATS_TEST_TMPDIR/r.err"
}

@test "mcping: the hop count follows the TTL the responder sends with" {
	responder r h1 -t 9 -4
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -j -q -c 2 \
		--interval 0.2 198.18.0.1
	[[ $(jq -r '.unicast.hops, .multicast.hops, .unicast.ttl' <<<"$output") == $'0\n0\n9' ]]
}

@test "mcping -j: JSON Lines with stable keys, IPv6 SSM" {
	responder r h1 -6
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -j -c 2 \
		--interval 0.2 2001:db8::1
	[[ $(jq -s 'map(select(.type == "reply")) | length' <<<"$output") == 4 ]]
	jq -e -s 'any(.[]; .type == "reply" and .path == "multicast"
		and .from == "2001:db8::1" and .hops == 0 and .rtt_ms > 0)' \
		<<<"$output" >/dev/null
	jq -e 'select(.type == "summary") | select(.verdict == "ok"
		and .mode == "ssm" and .group == "ff3e::4321:1234"
		and .sent == 2 and .unicast.received == 2
		and .multicast.received == 2 and .multicast.first_seq == 1
		and .legacy_server == false)' <<<"$output" >/dev/null
}

@test "mcping: a group the responder refuses: unicast works, multicast doesn't, exit 3" {
	responder r h1
	run -3 --separate-stderr nsx h2 "$MCBOX" mcping -c 2 --interval 0.2 \
		-g 239.1.2.3 198.18.0.1
	[[ $stderr == *"unicast works, multicast doesn't: no answer from 198.18.0.1 reached 239.1.2.3 (ASM)"* ]]
	[[ $stderr == *"check that the responder allows 239.1.2.3"* ]]
	[[ $output == *"unicast:   2 received"* && $output == *"multicast: 0 received, 100.0% loss"* ]]
	[[ $(out r) == *"unicast only: group 239.1.2.3 not allowed"* ]]
}

@test "mcping: ASM to a group the responder allows with -g, exit 0" {
	responder r h1 -g 239.1.2.0/24
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -c 2 --interval 0.2 \
		-g 239.1.2.3 198.18.0.1
	[[ $stderr == *"joined (*,239.1.2.3)"* ]]
	[[ $output == *"group 239.1.2.3 (ASM)"* ]]
	[[ $output == *"multicast: 2 received"* ]]
}

@test "mcping: multicast dropped by a firewall on the way in: exit 3" {
	responder r h1
	cut h2 "ip daddr 232.43.211.234 udp sport 4321 drop"
	run -3 --separate-stderr nsx h2 "$MCBOX" mcping -c 2 --interval 0.2 \
		198.18.0.1
	[[ $stderr == *"unicast works, multicast doesn't"* ]]
	# the responder did send to the group: it says so
	[[ $(out r) == *"seq=2: answered to 232.43.211.234"* ]]
}

@test "mcping: nobody answers: exit 1, neither unicast nor multicast" {
	run -1 --separate-stderr nsx h2 "$MCBOX" mcping -c 2 --interval 0.2 \
		198.18.0.3
	[[ $stderr == *"no answer from 198.18.0.3, neither unicast nor multicast"* ]]
	[[ $output == *"unicast:   0 received, 100.0% loss"* ]]
}

@test "mcping: SIGINT ends the client with its summary and the contract's status" {
	responder r h1
	bg c nsx h2 "$MCBOX" mcping --interval 0.1 198.18.0.1
	wait_for 10 grep -q "multicast from 198.18.0.1: seq=3" "$BATS_TEST_TMPDIR/c.out"
	bg_signal c INT
	bg_wait c 5
	[[ $status == 0 ]]
	[[ $(out c) == *"multicast: "*" received"* ]]
	no_sanitizer_report "$BATS_TEST_TMPDIR/c.err"
}

@test "mcping: the responder survives garbage and floods (rate limit)" {
	responder r h1 -r 5 -v
	nsx h2 python3 - <<-'EOF'
	import socket, os
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	for p in [b"", b"Q", b"Q\x00\x02\x00\xff", b"Q\x00\x04\x00\x05\x01\x0a\x00\x00\x01",
	          b"A\x00\x02\x00\x04\x00\x00\x00\x01", b"M\x4d\x01\x00\x00",
	          b"Q\x00\x07\x00\x02\xff\xff\x00\x02\x00\x04\x00\x00\x00\x01"] + \
	         [os.urandom(n) for n in range(1, 40)]:
	    s.sendto(p, ("198.18.0.1", 4321))
	EOF
	wait_for 5 grep -q "bad: option 2 (sequence number): length 255 runs" "$BATS_TEST_TMPDIR/r.out"
	# a flood: 40 requests in 0.4 s, 5 a second allowed
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -q -c 40 --interval 0.01 198.18.0.1
	[[ $output =~ unicast:\ +([0-9]+)\ received ]]
	((BASH_REMATCH[1] >= 3 && BASH_REMATCH[1] <= 12))
	bg_signal r TERM
	bg_wait r 5
	[[ $status == 0 ]]
	[[ $(cat "$BATS_TEST_TMPDIR/r.err") =~ rate\ limited\ ([0-9]+) ]]
	((BASH_REMATCH[1] >= 25))
	# the padded answer to ssmping's -s 65535 stayed within 1472 bytes
	[[ $(out r) == *"rate limited"* ]]
	no_sanitizer_report "$BATS_TEST_TMPDIR/r.err"
}

@test "interop: mcping's client against ssmpingd, IPv4 and IPv6, SSM and ASM" {
	needs_ssmping
	ssmpingd_on h1
	run -0 --separate-stderr nsx h2 "$MCBOX" mcping -j -c 3 --interval 0.2 198.18.0.1
	jq -e 'select(.type == "summary") | select(.legacy_server and
		(.server | startswith("0.9.1")) and .multicast.received == 3
		and .unicast.hops == 0 and .multicast.hops == 0)' <<<"$output" >/dev/null
	run -0 nsx h2 "$MCBOX" mcping -c 3 --interval 0.2 2001:db8::1
	[[ $output == *"multicast: 3 received"* ]]
	# ASM: ssmpingd answers groups ending in .234 only, and reads the
	# group in its own form, which mcping speaks from the second request on
	run -0 nsx h2 "$MCBOX" mcping -c 4 --interval 0.2 -g 239.1.2.234 198.18.0.1
	[[ $output == *"group 239.1.2.234 (ASM)"* ]]
	[[ $output =~ multicast:\ ([34])\ received ]]
	[[ $output == *"multicast from 198.18.0.1: seq=4"* ]]
	run -0 nsx h2 "$MCBOX" mcping -c 4 --interval 0.2 -g ff0e::4321:1234 2001:db8::1
	[[ $output == *"multicast from 2001:db8::1: seq=4"* ]]
	# and a group it refuses is named in the hint
	run -3 --separate-stderr nsx h2 "$MCBOX" mcping -c 2 --interval 0.2 -g 239.1.2.3 198.18.0.1
	[[ $stderr == *"as ssmpingd 0.9 does, which answers only groups ending in .234"* ]]
}

@test "interop: ssmping and asmping against mcping's responder, IPv4 and IPv6" {
	needs_ssmping
	responder r h1
	run -0 nsx h2 timeout 10 ssmping -v -c 2 198.18.0.1
	[[ $output == *"Server version: mcbox mcping"* ]]
	[[ $output == *"multicast from 198.18.0.1, seq=2 dist=0"* ]]
	[[ $output == *"2 packets received, 0% packet loss since first mc packet"* ]]
	run -0 nsx h2 timeout 10 ssmping -6 -c 2 -s 300 2001:db8::1
	[[ $output == *"multicast from 2001:db8::1, seq=2 dist=0"* ]]
	[[ $output != *"Warning, requested packet size"* ]]
	# asmping makes the group end in .234 (:4321:1234)
	run -0 nsx h2 timeout 10 asmping -c 2 239.1.2.3 198.18.0.1
	[[ $output == *"(*,239.1.2.234)"* && $output == *"multicast from 198.18.0.1, seq=2"* ]]
	run -0 nsx h2 timeout 10 asmping -6 -c 2 ff0e::1 2001:db8::1
	[[ $output == *"multicast from 2001:db8::1, seq=2"* ]]
	[[ $(out r) == *"request from [2001:db8::2]:"*"seq=2: answered to ff0e::4321:1234"* ]]
	# -j says which kind of client it was
	bg_signal r TERM
	bg_wait r 5
	responder rj h1 -j
	run -0 nsx h2 timeout 10 ssmping -c 1 198.18.0.1
	wait_for 5 grep -q '"client":"ssmping"' "$BATS_TEST_TMPDIR/rj.out"
	no_sanitizer_report "$BATS_TEST_TMPDIR/r.err"
}

# mesh NAME ARGS...: mcping --mesh on every host, waited for.
mesh() {
	local h
	for h in 1 2 3 4; do
		bg "m$h" ip netns exec "$MCB_NS-h$h" "$MCBOX" mcping --mesh -c 5 \
			--interval 0.2 "$@" 198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.4
	done
	for h in 1 2 3 4; do
		bg_wait "m$h" 60 || true
		echo "h$h: exit $status" >>"$BATS_TEST_TMPDIR/mesh.status"
		no_sanitizer_report "$BATS_TEST_TMPDIR/m$h.err"
	done
}

@test "mcping --mesh: four hosts, every pair works both ways: exit 0 everywhere" {
	mesh
	[[ $(cat "$BATS_TEST_TMPDIR/mesh.status") == $'h1: exit 0\nh2: exit 0\nh3: exit 0\nh4: exit 0' ]]
	for h in 1 2 3 4; do
		[[ $(grep -c ': ok$' "$BATS_TEST_TMPDIR/m$h.out") == 12 ]]
		grep -q '^ 2 198.18.0.2  UM  .   UM  UM$' "$BATS_TEST_TMPDIR/m$h.out"
		grep -q '198.18.0.3 -> 198.18.0.1: unicast 5/5 (0.0% lost) rtt [0-9.]* ms, multicast 15/15 (0.0% lost)' \
			"$BATS_TEST_TMPDIR/m$h.out"
	done
}

@test "mcping --mesh: one direction cut (h1 -> h2): exit 1, exactly that pair broken, on every host" {
	cut h2 "ip saddr 198.18.0.1 udp dport 4321 drop"
	mesh
	[[ $(cat "$BATS_TEST_TMPDIR/mesh.status") == $'h1: exit 1\nh2: exit 1\nh3: exit 1\nh4: exit 1' ]]
	for h in 1 2 3 4; do
		local o="$BATS_TEST_TMPDIR/m$h.out"
		grep -q '^ 1 198.18.0.1  .   --  UM  UM$' "$o"
		grep -q '^ 2 198.18.0.2  UM  .   UM  UM$' "$o"
		[[ $(grep -c BROKEN "$o") == 1 ]]
		grep -q '^198.18.0.1 -> 198.18.0.2: unicast 0/5 (100.0% lost), multicast 0/15 (100.0% lost): BROKEN (unicast and multicast)$' "$o"
		# the way back works: h2's requests reach h1
		grep -q '^198.18.0.2 -> 198.18.0.1: unicast 5/5 .*: ok$' "$o"
		grep -q '1 of 12 ordered pairs do not work$' "$BATS_TEST_TMPDIR/m$h.err"
	done
}

@test "mcping --mesh -j: multicast cut one way (h4 -> h3): exit 3, JSON says which" {
	cut h3 "ip saddr 198.18.0.4 ip daddr 232.43.211.234 drop"
	mesh -j
	[[ $(cat "$BATS_TEST_TMPDIR/mesh.status") == $'h1: exit 3\nh2: exit 3\nh3: exit 3\nh4: exit 3' ]]
	for h in 1 2 3 4; do
		local o="$BATS_TEST_TMPDIR/m$h.out"
		[[ $(jq -c 'select(.type == "pair" and .ok == false) | [.from, .to, .unicast.ok, .multicast.ok, .multicast.received]' "$o") == '["198.18.0.4","198.18.0.3",true,false,0]' ]]
		jq -e 'select(.type == "summary") | select(.pairs == 12 and .broken == 1 and .settled)' "$o" >/dev/null
	done
}
