#!/usr/bin/env bats
# mroute: static and (*,G) multicast routes on the routed line
# kernel: mroute mroute6 mroute-tables
# src - rt - dst (dst2): traffic crosses only while a route exists, the
# holder starts and stops as documented, counters grow, IPv6, coexistence
# with smcrouted holding the table, capabilities and bad operands.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

S4=198.18.1.1
S6=2001:db8:1::1

setup_file() {
	net_line
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
	nsx rt ip mrule del iif eth0 lookup 10 2>/dev/null
	nsx rt ip -6 mrule del iif eth0 lookup 10 2>/dev/null
	local f t
	for t in "" 10; do
		for f in -4 -6; do
			nsx rt "$MCBOX" mroute -q ${t:+-T $t} "$f" stop 2>/dev/null
			nsx rt "$MCBOX" mroute -q ${t:+-T $t} "$f" flush 2>/dev/null
		done
	done
	true
}

# send HOST GROUP PORT COUNT TAG [SOURCE]: COUNT datagrams "TAGi" with
# TTL 8 from HOST's eth0 (socat 1.7 cannot set an IPv6 hop limit).
send() {
	nsx "$1" python3 - "$2" "$3" "$4" "$5" "${6:-}" <<'EOF'
import socket, sys
g, port, n, tag, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
fam = socket.AF_INET6 if ':' in g else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
else:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 8)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('eth0'))
if src:
    s.bind((src, 0))
for i in range(n):
    s.sendto(('%s%d\n' % (tag, i)).encode(), (g, port))
EOF
}

# recv NAME HOST GROUP PORT: a receiver writing to $BATS_TEST_TMPDIR/NAME.
recv() {
	local name=$1 h=$2 g=$3 port=$4 addr
	if [[ $g == *:* ]]; then
		addr="UDP6-RECV:$port,ipv6-join-group=[$g]:eth0"
	else
		addr="UDP4-RECV:$port,ip-add-membership=$g:eth0"
	fi
	: >"$BATS_TEST_TMPDIR/$name"
	bg "$name-socat" ip netns exec "$MCB_NS-$h" socat -u "$addr" \
		"OPEN:$BATS_TEST_TMPDIR/$name,append"
	wait_for 5 listening "$h" "$port"
}

listening() {
	[[ -n $(nsx "$1" ss -Hlun "sport = :$2") ]]
}

got() {
	grep -q -- "$2" "$BATS_TEST_TMPDIR/$1"
}

mr() {
	nsx rt "$MCBOX" mroute "$@"
}

@test "an (S,G) route forwards only after add, and stops after del" {
	recv g1 dst 239.1.2.3 5001
	recv g2 dst 239.1.2.4 5002
	# the marker route: its traffic proves the path is up and in order
	run -0 --separate-stderr mr add eth0 "$S4" 239.1.2.4 eth1
	[[ $stderr == *"started holder (pid "*") for IPv4 table default"* ]]
	send src 239.1.2.3 5001 3 before
	send src 239.1.2.4 5002 3 mark1-
	wait_for 5 got g2 mark1-2
	run ! got g1 before

	# (the kernel queues a few packets of an unknown (S,G) for up to 10 s
	# while it asks the table's owner, and sends them once a route comes:
	# "before" may arrive now, and that is right)
	run -0 mr add eth0 "$S4" 239.1.2.3 eth1
	send src 239.1.2.3 5001 3 after
	wait_for 5 got g1 after2

	run -0 mr del eth0 "$S4" 239.1.2.3
	send src 239.1.2.3 5001 3 gone
	send src 239.1.2.4 5002 3 mark2-
	wait_for 5 got g2 mark2-2
	run ! got g1 gone
	# deleting it again says so
	run -1 mr del eth0 "$S4" 239.1.2.3
	[[ $output == *"no such route"* ]]
}

@test "add starts the holder (pid file), stop ends it and says what remains" {
	local ino pidfile pid
	ino=$(nsx rt stat -L -c %i /proc/self/ns/net)
	run -0 --separate-stderr mr --no-hold add eth0 "$S4" 239.1.3.1 eth1
	[[ $stderr == *"nobody holds IPv4 table default"* ]]
	run -0 mr status -4
	[[ $output == *"table default: not held"* ]]
	[[ $output == *"warning: nobody holds the table"* ]]

	run -0 --separate-stderr mr add eth0 "$S4" 239.1.3.2 eth1
	[[ $stderr =~ started\ holder\ \(pid\ ([0-9]+)\) ]]
	pid=${BASH_REMATCH[1]}
	kill -0 "$pid"
	if [[ $(id -u) == 0 ]]; then
		pidfile=/run/mcbox/mroute@net$ino.pid
		[[ $(cat "$pidfile") == "$pid" ]]
	fi
	# a second add finds it and starts nothing
	run -0 --separate-stderr mr add eth0 "$S4" 239.1.3.3 eth1
	[[ -z $stderr ]]
	run -0 mr status -4
	[[ $output == *"held by mroute holder (pid $pid)"* ]]
	[[ $output == *"routes: 3 static"* ]]

	run -0 mr stop
	[[ $output == *"stopped holder (pid $pid) of IPv4 table default"* ]]
	[[ $output == *"remaining: 3 static routes, 2 VIFs"* ]]
	run ! kill -0 "$pid" 2>/dev/null
	[[ -z ${pidfile:-} || ! -e $pidfile ]]
	run -1 mr stop
	[[ $output == *"no mroute holder runs"* ]]

	# without a holder the static routes stay but do not forward: the
	# packets reach rt (its eth0 counts them) and the route counts none
	local rx
	rx=$(nsx rt cat /sys/class/net/eth0/statistics/rx_packets)
	send src 239.1.3.2 5008 3 inert
	wait_for 5 rx_grew "$rx" 3
	[[ $(pkts 239.1.3.2) == 0 ]]

	# hold -f: in the foreground until SIGTERM; the same routes forward
	bg hold nsx rt "$MCBOX" mroute hold -f --pid-file "$BATS_TEST_TMPDIR/h.pid"
	wait_for 5 bg_says hold "holding IPv4 table default"
	wait_for 5 test -s "$BATS_TEST_TMPDIR/h.pid"
	run -0 mr status -4
	[[ $output == *"held by mroute holder (pid $(cat "$BATS_TEST_TMPDIR/h.pid"))"* ]]
	send src 239.1.3.2 5008 3 live
	wait_for 5 pkts_atleast 239.1.3.2 3
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/h.pid")"
	wait_for 5 bash -c "! test -e $BATS_TEST_TMPDIR/h.pid"
	no_sanitizer_report "$BATS_TEST_TMPDIR/hold.err"
}

@test "a (*,G) route installs (S,G) for each new source" {
	nsx src ip addr add 198.18.1.2/24 dev eth0
	recv g dst 239.2.3.4 5003
	run -0 mr add eth0 239.2.0.0/16 eth1
	run -0 mr show
	[[ $output == *"(*, 239.2.0.0/16)"*"(*,G)"*eth1* ]]
	send src 239.2.3.4 5003 3 one
	wait_for 5 got g one2
	send src 239.2.3.4 5003 3 two 198.18.1.2
	wait_for 5 got g two2
	run -0 mr -j show
	[[ $output == *'"source":"198.18.1.1","group":"239.2.3.4","iif":"eth0","oifs":[{"interface":"eth1","ttl":1}]'*'"origin":"dynamic"'* ]]
	[[ $output == *'"source":"198.18.1.2","group":"239.2.3.4"'* ]]
	[[ $output == *'"source":null,"group":"239.2.0.0/16"'*'"origin":"template"'* ]]
	# a holder with --expire 5 drops them once idle (about 5 s after a
	# burst: slack for loaded machines and QEMU guests without KVM, where
	# the `mr show` below alone can take 2 s); traffic brings them back
	run -0 mr stop
	run -0 mr --expire 5 add eth0 239.2.0.0/16 eth1
	send src 239.2.3.4 5003 3 three
	wait_for 5 got g three2
	run -0 mr show
	[[ $output == *"(198.18.1.1, 239.2.3.4)"*dynamic* ]]
	wait_for 20 bash -c "! ip netns exec $MCB_NS-rt $MCBOX mroute show | grep -q '239.2.3.4)'"
	send src 239.2.3.4 5003 3 four
	wait_for 5 got g four2
	# del of the (*,G) removes what it installed
	run -0 mr del eth0 239.2.0.0/16
	run -0 mr show
	[[ $output != *239.2.* ]]
	nsx src ip addr del 198.18.1.2/24 dev eth0
}

pkts() {
	mr -j show | grep "\"group\":\"$1\"" | sed 's/.*"packets":\([0-9]*\).*/\1/'
}

pkts_atleast() {
	(($(pkts "$1") >= $2))
}

rx_grew() {
	(($(nsx rt cat /sys/class/net/eth0/statistics/rx_packets) >= $1 + $2))
}

@test "show: counters grow with traffic, per route and per VIF" {
	recv g dst 239.1.4.1 5004
	run -0 mr add eth0 "$S4" 239.1.4.1 eth1 eth2/4
	[[ $(pkts 239.1.4.1) == 0 ]]
	send src 239.1.4.1 5004 5 a
	wait_for 5 got g a4
	[[ $(pkts 239.1.4.1) -ge 5 ]]
	send src 239.1.4.1 5004 5 b
	wait_for 5 got g b4
	[[ $(pkts 239.1.4.1) -ge 10 ]]
	run -0 mr show
	[[ $output == *"($S4, 239.1.4.1)"*eth0*static*"eth1 eth2/4"* ]]
	run -0 mr -j show
	[[ $output == *'"type":"vif","family":"ipv4","table":253,"vif":'*'"interface":"eth1","static":true'* ]]
	[[ $output =~ \"interface\":\"eth0\",\"static\":true,\"pkts_in\":([0-9]+) ]]
	((BASH_REMATCH[1] >= 10))
}

@test "IPv6: (S,G) and (*,G) routes forward" {
	recv g6 dst ff0e::1:3 5006
	recv h6 dst2 ff0e::2:5 5007
	run -0 --separate-stderr mr add eth0 "$S6" ff0e::1:3 eth1
	[[ $stderr == *"started holder (pid "*") for IPv6 table default"* ]]
	send src ff0e::1:3 5006 3 six
	wait_for 5 got g6 six2
	run -0 mr add eth0 ff0e::2:0/112 eth2
	send src ff0e::2:5 5007 3 star
	wait_for 5 got h6 star2
	run -0 mr -6 show
	[[ $output == *"($S6, ff0e::1:3)"*static*eth1* ]]
	[[ $output == *"($S6, ff0e::2:5)"*dynamic*eth2* ]]
	run -2 mr add eth0 "$S6" ff0e::1:3 eth1/4
	[[ $output == *"IPv6 routes take no TTL threshold"* ]]
	run -0 mr del eth0 "$S6" ff0e::1:3
	run -0 mr -6 show
	[[ $output != *"ff0e::1:3"* ]]
}

@test "coexistence: mroute's routes forward while smcrouted holds the table" {
	local d=$BATS_TEST_TMPDIR
	: >"$d/smcroute.conf"
	bg smcrouted ip netns exec "$MCB_NS-rt" smcrouted -n -f "$d/smcroute.conf" \
		-P "$d/smc.pid" -u "$d/smc.sock" -l debug
	wait_for 5 test -s "$d/smc.pid"
	wait_for 5 test -S "$d/smc.sock"
	recv g dst 239.1.5.1 5005
	run -0 --separate-stderr mr add eth0 "$S4" 239.1.5.1 eth1
	[[ $stderr == *"IPv4 table default is held by smcrouted (pid $(cat "$d/smc.pid"))"* ]]
	[[ $stderr != *"started holder"* ]]
	send src 239.1.5.1 5005 3 smc
	wait_for 5 got g smc2
	run -0 mr status -4
	[[ $output == *"held by smcrouted (pid "* ]]
	# (*,G) needs our holder, and the table is taken
	run -1 mr add eth0 239.3.0.0/16 eth1
	[[ $output == *"(*,G) routes need the mroute holder, but IPv4 table default is held by smcrouted"* ]]
	# smcroutectl still works next to us
	run -0 nsx rt smcroutectl -u "$d/smc.sock" add eth0 "$S4" 239.1.5.2 eth2
	run -0 mr show
	[[ $output == *"($S4, 239.1.5.1)"*static* ]]
	[[ $output == *"($S4, 239.1.5.2)"*dynamic* ]]
	bg_signal smcrouted TERM
	bg_wait smcrouted 5
	# smcrouted's own routes went with it; ours stay
	run -0 mr show
	[[ $output == *"($S4, 239.1.5.1)"*static* ]]
	[[ $output != *239.1.5.2* ]]
}

@test "join and leave keep a membership on an interface" {
	run -0 mr join eth1 239.1.6.1
	run -0 mr join eth1 "$S4,232.1.6.2"
	run -0 nsx rt cat /proc/net/igmp
	[[ $output == *"010601EF"* && $output == *"020601E8"* ]]
	run -0 mr show
	[[ $output == *"member of 239.1.6.1 on eth1"* ]]
	[[ $output == *"member of $S4,232.1.6.2 on eth1"* ]]
	run -0 mr leave eth1 239.1.6.1
	run -0 nsx rt cat /proc/net/igmp
	[[ $output != *"010601EF"* ]]
	run -1 mr leave eth1 239.1.6.1
	[[ $output == *"not a member"* ]]
	# IPv6: MLD, kept by the IPv6 holder
	run -0 mr join eth1 ff0e::6:1
	run -0 nsx rt cat /proc/net/igmp6
	[[ $output == *"eth1"*"ff0e0000000000000000000000060001"* ]]
	run -0 mr -6 show
	[[ $output == *"member of ff0e::6:1 on eth1"* ]]
	run -1 mr -6 hold
	[[ $output == *"an mroute holder (pid "*") already runs for IPv6 table default"* ]]
}

@test "batch: -b runs one command per line, names bad lines, keeps going" {
	local f=$BATS_TEST_TMPDIR/routes i
	{
		echo "# a comment, then a blank line"
		echo
		for i in $(seq 1 200); do
			echo "add eth0 $S4 239.10.$((i / 250)).$((i % 250)) eth1 eth2"
		done
		echo "add eth0 $S4 10.0.0.1 eth1"
		echo "del eth0 $S4 239.10.0.1"
	} >"$f"
	run -2 --separate-stderr mr -q -b "$f"
	[[ $stderr == *"$f:203: bad group '10.0.0.1'"* ]]
	run -0 mr show
	[[ $(grep -c 'static' <<<"$output") == $((199 + 3)) ]]
	# stdin, and IPv6 lines in the same batch
	run -0 --separate-stderr mr -q -b - <<<"add eth0 $S6 ff0e::10 eth1
del eth0 $S4 239.10.0.2"
	run -0 mr -6 show
	[[ $output == *"ff0e::10"* ]]
	run -2 mr -b "$f" add eth0 "$S4" 239.1.1.1 eth1
	[[ $output == *"-b takes no command"* ]]
}

@test "batch: a line over 4095 bytes is refused whole, the next keep their numbers" {
	local f=$BATS_TEST_TMPDIR/long
	# the tail of line 1, past byte 4096, once ran as a command
	python3 -c 'print("#" + "x" * 4094 + " frobnicate"); print("bogus")' >"$f"
	run -2 --separate-stderr mr -q -b "$f"
	[[ ${stderr_lines[0]} == "mroute: $f:1: line longer than 4095 bytes" ]]
	[[ ${stderr_lines[1]} == "mroute: $f:2: unknown command 'bogus'" ]]
	[[ ${#stderr_lines[@]} == 2 && $stderr != *frobnicate* ]]
}

@test "-T: routes go to the table named" {
	run mr -T 10 add eth0 "$S4" 239.1.7.1 eth1
	if [[ $output == *"multiple multicast routing tables"* ]]; then
		skip "kernel without CONFIG_IP_MROUTE_MULTIPLE_TABLES"
	fi
	[[ $status == 0 && $output == *"IPv4 table 10"* ]]
	run -0 mr -T 10 show
	[[ $output == *"IPv4 table 10"*"($S4, 239.1.7.1)"* ]]
	run -0 mr show
	[[ $output != *239.1.7.1* ]]
	run -0 mr -T 10 status -4
	[[ $output == *"IPv4 table 10: held by mroute holder"* ]]
	# traffic from eth0 looks up table 10 (ip mrule), in both families;
	# the second IPv6 route must reuse the VIFs the first one made
	nsx rt ip mrule add iif eth0 lookup 10
	nsx rt ip -6 mrule add iif eth0 lookup 10
	recv t4 dst 239.1.7.1 5010
	send src 239.1.7.1 5010 3 ten
	wait_for 5 got t4 ten2
	run -0 mr -T 10 add eth0 "$S6" ff0e::7:1 eth1
	run -0 mr -T 10 add eth0 "$S6" ff0e::7:2 eth2 eth1
	run -0 mr -T 10 -6 show
	[[ $output == *"VIF"*"eth0"*"eth1"*"eth2"* ]]
	[[ $(grep -c '^ *[0-9]  eth' <<<"$output") == 3 ]]
	recv t6 dst2 ff0e::7:2 5011
	send src ff0e::7:2 5011 3 six
	wait_for 5 got t6 six2
	run -0 mr show
	[[ $output != *ff0e::7* ]]
}

@test "status warns about rp_filter and a missing route back to the source" {
	nsx rt sysctl -qw net.ipv4.conf.eth0.rp_filter=1
	run -0 mr add eth0 198.51.100.7 239.1.8.1 eth1
	run -0 mr status -4
	[[ $output == *"VIF "*" eth0: rp_filter 1 (strict)"* ]]
	[[ $output == *"warning: no route back to source 198.51.100.7: rp_filter drops its traffic"* ]]
	[[ $output == *"hint: "*"TTL"* ]]
	run -0 mr -j status -4
	[[ $output == *'"held":true,"holder_pid":'*'"warnings":["no route back to source 198.51.100.7'* ]]
	nsx rt sysctl -qw net.ipv4.conf.eth0.rp_filter=0
}

@test "a missing capability is named" {
	run -1 nsx rt setpriv --bounding-set -net_admin "$MCBOX" mroute add eth0 "$S4" 239.1.9.1 eth1
	[[ $output == *"(needs CAP_NET_ADMIN)"* ]]
	run -1 nsx rt setpriv --bounding-set -net_raw "$MCBOX" mroute add eth0 "$S4" 239.1.9.1 eth1
	[[ $output == *"raw IGMP socket: Operation not permitted (needs CAP_NET_RAW)"* ]]
	# show needs no privilege at all
	run -0 nsx rt setpriv --bounding-set -net_admin,-net_raw "$MCBOX" mroute show
}

@test "bad interfaces, groups and commands give clear errors (exit 2)" {
	run -2 mr add nope0 "$S4" 239.1.9.1 eth1
	[[ $output == *"mroute: no interface 'nope0'"* ]]
	run -2 mr add eth0 "$S4" 239.1.9.1 nope1
	[[ $output == *"no interface 'nope1'"* ]]
	run -2 mr add eth0 "$S4" 239.1.9.1 eth0
	[[ $output == *"outgoing interface eth0 is the inbound one"* ]]
	run -2 mr add eth0 "$S4" 10.1.2.3 eth1
	[[ $output == *"bad group '10.1.2.3'"* ]]
	run -2 mr add eth0 "$S4" 239.1.9.1 eth1/300
	[[ $output == *"bad outgoing interface 'eth1/300'"* ]]
	run -2 mr add eth0 "$S4" ff0e::1 eth1
	[[ $output == *"bad group 'ff0e::1'"* ]]
	run -2 mr frobnicate
	[[ $output == *"unknown command 'frobnicate'"* ]]
	run -2 mr add eth0
	[[ $output == *"add: missing operands"* ]]
	run -2 mr
	[[ $output == *"no command"* ]]
	run -1 mr -4 stop
	[[ $output == *"no mroute holder runs for IPv4 table default"* ]]
}
