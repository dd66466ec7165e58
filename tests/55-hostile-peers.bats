#!/usr/bin/env bats
# Hostile peers on a namespaced star (issue 15): forgers, floods and liars
# from tests/hostile/*.py against slam-serve, slam-get and tftm-get. h1
# serves, h2 is the good client, h3 and h4 attack.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns
load helpers/slam

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v python3 >/dev/null || skip "python3 not installed"
	net_star 4
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
}

H() { echo "$TOP/tests/hostile/$1"; }

# srv_end: the server ends on SIGTERM with status 0 and no sanitizer
# report.
srv_end() {
	bg_signal srv TERM
	bg_wait srv 10
	[[ $status == 0 ]]
	no_sanitizer_report "$(T srv.err)"
}

# good NAME ARGS...: slam-get on h2 in the foreground; its JSON summary
# in NAME.json; fails unless it got the file byte-exact.
good() {
	local name=$1
	shift
	ip netns exec "$MCB_NS-h2" "$MCBOX" slam-get -j -w 60 -o "$(T "$name")" \
		"$@" 198.18.0.1 >"$(T "$name.json")" 2>"$(T "$name.err")" ||
		{ cat "$(T "$name.err")"; return 1; }
	no_sanitizer_report "$(T "$name.err")"
	cmp "$(T f)" "$(T "$name")"
}

# joined_at_least ADDR N: the server has listed N clients of ADDR so far
joined_at_least() {
	local n
	n=$(grep -c "\"event\":\"join\",\"client\":\"$1:" "$(T srv.out)")
	((n >= $2))
}

seconds_of() {
	sed 's/.*"seconds":\([0-9.]*\).*/\1/' "$(T "$1.json")"
}

# median A B C
median() {
	printf '%s\n' "$@" | sort -g | sed -n 2p
}

@test "slam-serve: a NACK from each of 400 ports of one host never locks out another host" {
	mkfile f 1000000
	# a table of 200: the flood alone would fill it twice over
	srv -j --max-clients 200 "$(T f)"
	run -0 nsx h3 python3 "$(H slam.py)" flood 198.18.0.1 --ports 400
	good g
	run -0 grep -c '"event":"join","client":"198.18.0.3' "$(T srv.out)"
	((output >= 200))
	grep -q '"event":"join","client":"198.18.0.2' "$(T srv.out)"
	# the flood's clients made room for it, and a line said so
	grep -q '"event":"evict","client":"198.18.0.3' "$(T srv.out)"
	srv_end
}

@test "slam-serve: a continuous NACK flood from 5000 ports does not stop a good client" {
	mkfile f 3000000
	srv -j "$(T f)"
	bg flood ip netns exec "$MCB_NS-h3" python3 "$(H slam.py)" flood 198.18.0.1 \
		--ports 5000 --seconds 30
	# the default table (4096) is full of flood clients before we ask
	wait_for 30 joined_at_least 198.18.0.3 4096
	good g
	srv_end
	run -0 grep '"event":"summary"' "$(T srv.out)"
	[[ $output =~ \"evicted\":([0-9]+) ]]
	((BASH_REMATCH[1] > 4000))
}

@test "slam-serve: 20 clients lying 'everything is missing' keep a good client within 2x, and are named" {
	local f t0 t1 k
	mkfile f $((10 << 20))
	srv -j "$(T f)"
	# the time without attack, here and now (a loaded machine varies)
	for k in 1 2 3; do
		good "n$k"
	done
	bg liars ip netns exec "$MCB_NS-h3" python3 "$(H slam.py)" liars 198.18.0.1 \
		--count 20 --seconds 100
	# every liar has answered pings: its lies are in effect
	wait_for 30 bg_says liars "pings answered"
	for k in 1 2 3; do
		good "a$k"
	done
	t0=$(median "$(seconds_of n1)" "$(seconds_of n2)" "$(seconds_of n3)")
	t1=$(median "$(seconds_of a1)" "$(seconds_of a2)" "$(seconds_of a3)")
	echo "# median of 3: ${t0} s without liars, ${t1} s with 20" >&3
	awk -v a="$t1" -v b="$t0" 'BEGIN { exit !(a <= 2 * b) }'
	# all 20 named
	run -0 grep -c '"event":"suspect","client":"198.18.0.3:' "$(T srv.out)"
	[[ $output == 20 ]]
	! grep -q '"event":"suspect","client":"198.18.0.2' "$(T srv.out)"
	srv_end
}

@test "slam-get: a forger's file (EVIL!) is never saved; data only from the server asked" {
	mkfile f 1000000
	# a slow server: the forger has all the time it wants
	srv -j -r 2000 "$(T f)"
	bg forge ip netns exec "$MCB_NS-h3" python3 "$(H slam.py)" forge 239.255.1.1:10000 \
		--mode evil --seconds 60
	wait_for 20 bg_says forge sending
	good g
	grep -q '"result":"ok"' "$(T g.json)"
	# the kernel filters by source (S,G) where it can
	grep -q '"source_specific":true' "$(T g.json)"
}

@test "slam-get: forged copies of the real header mid-transfer replace nothing" {
	mkfile f 2000000
	srv -j -r 500 "$(T f)"
	# it listens for a real data packet, then sends every block of that
	# header with forged content, as fast as it can
	bg forge ip netns exec "$MCB_NS-h3" python3 "$(H slam.py)" forge 239.255.1.1:10000 \
		--mode copy --seconds 60
	wait_for 20 bg_says forge listening
	bg g ip netns exec "$MCB_NS-h2" "$MCBOX" slam-get -j -w 60 -o "$(T g)" 198.18.0.1
	bg_wait g 70
	[[ $status == 0 ]] || { cat "$(T g.err)"; false; }
	cmp "$(T f)" "$(T g)"
	no_sanitizer_report "$(T g.err)"
	srv_end
}

@test "tftm-get: forged multicast DATA from another host is refused" {
	command -v atftpd >/dev/null || skip "atftpd not installed"
	[[ $(id -u) == 0 ]] || skip "atftpd needs root"
	local log=$BATS_TEST_TMPDIR/atftpd.log srv=$BATS_TEST_TMPDIR/srv
	mkdir -p "$srv" "$BATS_TEST_TMPDIR/c"
	chmod 0755 "$BATS_TEST_TMPDIR" "$srv"
	head -c 1500000 /dev/urandom >"$srv/a.bin"
	chmod 0644 "$srv/a.bin"
	: >"$log" && chmod 0666 "$log"
	bg atftpd ip netns exec "$MCB_NS-h1" atftpd --daemon --no-fork --user root \
		--group root --port 69 --bind-address 198.18.0.1 \
		--mcast-addr 239.255.0.0-3 --mcast-port 1758 --mcast-ttl 1 \
		--retry-timeout 1 --logfile "$log" "$srv"
	wait_for 5 sh -c "ip netns exec $MCB_NS-h1 ss -Hlun 'sport = :69' | grep -q ."
	# 8 Mbit/s from the server: the forger gets 1.5 s to spoil it
	nsx h1 tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 200ms
	bg forge ip netns exec "$MCB_NS-h3" python3 "$(H tftp.py)" forge 239.255.0.0:1758 \
		--blocks 1022 --seconds 60
	wait_for 20 bg_says forge sending
	bg c ip netns exec "$MCB_NS-h2" bash -c 'cd "$1" && shift && exec "$@"' _ \
		"$BATS_TEST_TMPDIR/c" "$MCBOX" tftm-get -j -w 60 198.18.0.1 a.bin
	bg_wait c 70
	nsx h1 tc qdisc del dev eth0 root
	[[ $status == 0 ]] || { cat "$(T c.err)"; false; }
	cmp "$srv/a.bin" "$BATS_TEST_TMPDIR/c/a.bin"
	grep -q '"mode":"multicast"' "$(T c.out)"
}

@test "slam-get: a new transaction in every packet makes a line a second, not hundreds" {
	bg fs ip netns exec "$MCB_NS-h1" python3 "$(H slam.py)" server --total 100000 \
		--bs 1000 --txn-each --seconds 60
	wait_for 20 bg_says fs listening
	run -3 --separate-stderr nsx h2 "$MCBOX" slam-get -j -w 4 -o "$(T x)" 198.18.0.1
	[[ $output =~ \"restarts\":([0-9]+) ]]
	echo "# ${BASH_REMATCH[1]} restarts in 4 s" >&3
	((BASH_REMATCH[1] >= 20))
	n=$(grep -c "new transaction from the server" <<<"$stderr")
	((n >= 1 && n <= 5))
	[[ ! -e $(T x) ]]
}
