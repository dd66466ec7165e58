#!/usr/bin/env bats
# Messages and exit codes of the transfer applets that misled (issue 15,
# items 9 and 14): URLs and servers, slam-serve -u, deadlines, and error
# exits that must end cleanly (no sanitizer report: the suite also runs on
# the ASan+UBSan build, where a leak is exit 86).
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v python3 >/dev/null || skip "python3 not installed"
	net_star 2
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
}

H() { echo "$TOP/tests/hostile/$1"; }

@test "tftm-get refuses a multicast or broadcast server, exit 2" {
	local s
	for s in 'tftp://[ff02::1%eth0]/x' tftp://224.0.0.1/x tftp://239.255.0.1/x \
		tftp://255.255.255.255/x tftp://0.0.0.0/x; do
		run -2 --separate-stderr nsx h2 "$MCBOX" tftm-get -w 2 "$s"
		[[ $stderr == *"bad URL '$s': a "*", not one host"* ]]
	done
	run -2 --separate-stderr nsx h2 "$MCBOX" tftm-get -w 2 ff02::1%eth0 x
	[[ $stderr == *"bad server 'ff02::1%eth0': a multicast address, not one host"* ]]
	run -2 --separate-stderr nsx h2 "$MCBOX" slam-get -w 2 -o x 239.255.1.1
	[[ $stderr == *"bad server '239.255.1.1': a multicast address, not one host"* ]]
}

@test "tftm-get: URL escapes and -4/-6 say what is wrong, once" {
	run -2 --separate-stderr "$MCBOX" tftm-get 'tftp://198.18.0.1/a%00b'
	[[ $stderr == "tftm-get: bad URL 'tftp://198.18.0.1/a%00b': %00 (a NUL byte) in the path"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get 'tftp://198.18.0.1/a%zz'
	[[ $stderr == "tftm-get: bad URL 'tftp://198.18.0.1/a%zz': '%zz' is not a %XX escape"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get 'tftp://198.18.0.1/a%4'
	[[ $stderr == *"'%4' is not a %XX escape"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get 'tftp://198.18.0.1/'
	[[ $stderr == *"no file path"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get -4 -6 tftp://198.18.0.1/x
	[[ $stderr == "tftm-get: -4 and -6 exclude each other"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get -6 tftp://198.18.0.1/x
	[[ $stderr == "tftm-get: bad URL 'tftp://198.18.0.1/x': '198.18.0.1' is an IPv4 address, not IPv6"* ]]
	[[ $(grep -o "bad URL" <<<"$stderr" | wc -l) == 1 ]]
}

@test "slam-serve -u with an unknown user is a usage error, exit 2" {
	run -2 --separate-stderr nsx h1 "$MCBOX" slam-serve -u nosuchuser /etc/hostname
	[[ $stderr == *"unknown user 'nosuchuser'"* ]]
	run -2 --separate-stderr nsx h1 "$MCBOX" slam-serve -u "root:nosuchgroup" /etc/hostname
	[[ $stderr == *"nosuchgroup"* ]]
}

@test "a TFTP ERROR without its NUL shows the bytes it has" {
	bg tftpd ip netns exec "$MCB_NS-h1" python3 "$(H tftp.py)" error-nonul 198.18.0.1 \
		--seconds 60
	wait_for 20 bg_says tftpd listening
	run -1 --separate-stderr nsx h2 "$MCBOX" tftm-get -w 10 -o "$BATS_TEST_TMPDIR/x" 198.18.0.1 f
	[[ $stderr == *'error 1 (file not found): File not fou\x01nd (no NUL)'* ]]
	[[ ! -e $BATS_TEST_TMPDIR/x ]]
}

@test "slam-get: a deadline holds within 0.2 s, even against 2^26 1-byte blocks" {
	local t0 t1 ms
	bg fs ip netns exec "$MCB_NS-h1" python3 "$(H slam.py)" server --total $((1 << 26)) \
		--bs 1 --seconds 60
	wait_for 20 bg_says fs listening
	t0=$(date +%s%N)
	run -3 --separate-stderr nsx h2 "$MCBOX" slam-get -j -w 3 -o "$BATS_TEST_TMPDIR/x" 198.18.0.1
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	echo "# slam-get -w 3 ended after $ms ms" >&3
	[[ $output =~ \"seconds\":([0-9.]+) ]]
	awk -v s="${BASH_REMATCH[1]}" 'BEGIN { exit !(s >= 3 && s <= 3.2) }'
	[[ $stderr == *"within -w 3 s"* ]]
	no_sanitizer_report <(echo "$stderr")
	# more blocks than that: refused at once, not walked for seconds
	bg_kill_all
	bg fs ip netns exec "$MCB_NS-h1" python3 "$(H slam.py)" server --total $((4 << 30)) \
		--bs 1 --seconds 60
	wait_for 20 bg_says fs listening
	run -1 --separate-stderr nsx h2 "$MCBOX" slam-get -w 3 -o "$BATS_TEST_TMPDIR/x" 198.18.0.1
	[[ $stderr == *"refusing a 4294967296-byte file: blocks too small: more than 2^26 of them"* ]]
	[[ ! -e $BATS_TEST_TMPDIR/x ]]
}

@test "slam-get: a server that dies says so, not 'before the deadline', when no -w" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	bg srv ip netns exec "$MCB_NS-h1" "$MCBOX" slam-serve -j -r 300 "$BATS_TEST_TMPDIR/f"
	wait_for 10 bg_says srv "listening on"
	bg g ip netns exec "$MCB_NS-h2" "$MCBOX" slam-get -o "$BATS_TEST_TMPDIR/g" 198.18.0.1
	wait_for 10 grep -q '"event":"join"' "$BATS_TEST_TMPDIR/srv.out"
	kill -KILL "$(bg_pid srv)"
	# it gives up after 30 s of silence
	bg_wait g 45
	[[ $status == 3 ]]
	grep -q "server silent for 30 s: giving up" "$BATS_TEST_TMPDIR/g.err"
	! grep -q "deadline\|-w" "$BATS_TEST_TMPDIR/g.err"
	[[ ! -e $BATS_TEST_TMPDIR/g ]]
}

@test "error exits of the transfer applets end cleanly: status, one line, no leak" {
	local T=$BATS_TEST_TMPDIR/w
	mkdir "$T"
	# each: expected status, then the command (run on h2, no server)
	while IFS='|' read -r want cmd; do
		run --separate-stderr nsx h2 bash -c "exec $cmd" _ "$MCBOX"
		[[ $status == "$want" ]] || { echo "$cmd: $status: $stderr"; false; }
		no_sanitizer_report <(echo "$stderr")
	done <<-EOF
		1|"\$1" slam-get -w 2 -o $T/nonexistent/x 198.18.0.1
		1|"\$1" slam-get -w 2 -o $T 198.18.0.1
		2|"\$1" slam-get -w 2 -o '' 198.18.0.1
		2|"\$1" slam-get --sha256 xyz -o $T/x 198.18.0.1
		3|"\$1" slam-get -w 1 -o $T/x 198.18.0.1
		1|"\$1" tftm-get -w 2 -o $T/nonexistent/x 198.18.0.1 f
		2|"\$1" tftm-get -w 2 ftp://198.18.0.1/f
		3|"\$1" tftm-get -w 1 -o $T/x 198.18.0.1 f
		1|"\$1" slam-serve $T/nonexistent
		1|"\$1" slam-serve /dev/null
		1|"\$1" slam-serve $T
		2|"\$1" slam-serve -u nosuchuser /etc/hostname
		2|"\$1" slam-serve -r fast /etc/hostname
		1|"\$1" mcrecv -w 1 -o $T/nonexistent/x 239.1.1.1
	EOF
	# nothing left behind by any of them
	[[ -z $(ls -A "$T") ]]
}
