#!/usr/bin/env bats
# slam-serve and slam-get across a namespaced star: h1 serves, h2..h4
# receive. Loss comes from nftables `numgen random` drops on the receivers'
# input hook (there is no netem here); every copy is checked with cmp.
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns
load helpers/slam

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v nft >/dev/null || skip "nft not installed"
	net_star 4
}

teardown_file() {
	net_down
}

teardown() {
	bg_kill_all
	for h in h2 h3 h4; do
		net_loss "$h" 0 || true
	done
}

# get NAME HOST ARGS...: slam-get in the background on HOST.
get() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$MCBOX" slam-get "$@"
}

# push FILE LOSS: the file to h2..h4, all byte-exact, server done after.
push() {
	local f=$1 h
	srv --once --idle 1 -j "$(T "$f")"
	for h in h2 h3 h4; do
		net_loss "$h" "$2"
		get "g$h" "$h" -w 60 -o "$(T "$f.$h")" 198.18.0.1
	done
	for h in h2 h3 h4; do
		bg_wait "g$h" 70
		[[ $status == 0 ]] || { cat "$(T "g$h.err")"; false; }
		cmp "$(T "$f")" "$(T "$f.$h")"
	done
	bg_wait srv 20
	[[ $status == 0 ]]
	# every receiver that made itself known finished (one that got it
	# all before its first NACK never had to)
	run -0 grep '"event":"summary"' "$(T srv.out)"
	[[ $output =~ \"clients\":([0-9]+),\"done\":([0-9]+),\"left\":0,\"lost\":0 ]]
	((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] == BASH_REMATCH[2]))
}

@test "slam: 3 receivers, no loss, byte-exact, join/done events" {
	mkfile f 3000000
	push f 0
	joins=$(grep -c '"event":"join"' "$(T srv.out)")
	((joins >= 1))
	[[ $(grep -c '"event":"done"' "$(T srv.out)") == "$joins" ]]
}

@test "slam: 3 receivers at 5% loss" {
	mkfile f 2000000
	push f 5
	# loss made the server send some blocks more than once
	run -0 grep '"event":"summary"' "$(T srv.out)"
	[[ $output =~ \"blocks\":([0-9]+),\"packets\":([0-9]+) ]]
	((BASH_REMATCH[2] > BASH_REMATCH[1]))
}

@test "slam: 3 receivers at 20% loss" {
	mkfile f 1000000
	push f 20
}

@test "slam: file sizes 0, 1, one block, an exact multiple of the block" {
	local n
	for n in 0 1 1000 3000; do
		mkfile "s$n" "$n"
		srv --once --idle 0.5 -b 1000 "$(T "s$n")"
		get g h2 -w 10 -o "$(T "s$n.out")" 198.18.0.1
		bg_wait g 15
		[[ $status == 0 ]] || { cat "$(T g.err)"; false; }
		cmp "$(T "s$n")" "$(T "s$n.out")"
		bg_wait srv 10
		[[ $status == 0 ]]
		# one byte is "1 byte", one block "1 block"; rates in B/s
		if ((n == 1)); then
			grep -q "(1 byte, 1 block of 1000)" "$(T srv.err)"
			# every count agrees with its noun in both summaries
			run -0 grep -Eo "\b[0-9]+ (packet|byte|round|NACK|restart)s?\b" \
				"$(T srv.out)" "$(T g.out)"
			run ! grep -E ":1 [a-zA-Z]+s$|:([02-9]|[0-9]{2,}) [a-zA-Z]+[^s]$" <<<"$output"
			grep -Eq ": 1 byte in [0-9.]+ s \([0-9.]+ (|Ki|Mi|Gi)B/s\), " "$(T g.out)"
		fi
	done
	# 3000 bytes in blocks of 1000: three full blocks, no empty fourth
	grep -q "3 blocks of 1000" "$(T srv.err)"
}

@test "slam-serve on a terminal: event lines never run into the progress line" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	mkfile f 3000000
	# stdout and stderr on one terminal, as a user sees them; at a fixed
	# 3000 packets/s the 2055 blocks take 0.7 s, so the progress line
	# (every 0.1 s) shows the client while it is served: at the adaptive
	# pace it may be gone within one tick
	bg srv ip netns exec "$MCB_NS-h1" script -qfec \
		"$MCBOX slam-serve -r 3000 --once --idle 0.5 $(T f)" "$(T tty)" </dev/null
	wait_for 10 grep -q "listening on" "$(T tty)"
	# the progress line is up before the client comes
	wait_for 10 grep -q "outstanding" "$(T tty)"
	get g h2 -w 30 -o "$(T f.out)" 198.18.0.1
	bg_wait g 35
	[[ $status == 0 ]]
	cmp "$(T f)" "$(T f.out)"
	bg_wait srv 20
	[[ $status == 0 ]]
	run -0 python3 "$TOP/tests/helpers/ttyrender.py" "$(T tty)"
	# every event on a line of its own, progress text on none of them
	[[ $output =~ (^|$'\n')"join 198.18.0.2:"[0-9]+($'\n'|$) ]]
	[[ $output =~ (^|$'\n')"done 198.18.0.2:"[0-9]+($'\n'|$) ]]
	run ! grep -E 'outstanding.*(join|done|sent)' <<<"$output"
	# the progress line counts in the singular, rates in B/s units
	grep -q "0 clients, 0 blocks outstanding" "$(T tty)"
	grep -Eq "1 client, [0-9]+ blocks? outstanding" "$(T tty)"
	grep -Eq "[0-9.]+ (|Ki|Mi|Gi)B/s" "$(T tty)"
}

@test "slam: blocks larger than the MTU (IP fragments, no UDP_SEGMENT)" {
	# runs of equal packets go out as one UDP_SEGMENT send; a packet
	# larger than the MTU cannot be segmented that way: the server
	# must fall back to plain datagrams (which IP fragments)
	mkfile big 400000
	srv --once --idle 1 -j -b 4000 "$(T big)"
	for h in h2 h3; do
		get "g$h" "$h" -w 30 -o "$(T "big.$h")" 198.18.0.1
	done
	for h in h2 h3; do
		bg_wait "g$h" 35
		[[ $status == 0 ]] || { cat "$(T "g$h.err")"; false; }
		cmp "$(T big)" "$(T "big.$h")"
	done
	bg_wait srv 20
	[[ $status == 0 ]]
	! grep -q "send to" "$(T srv.err)"
}

@test "slam: default block size never divides the file (Etherboot bug)" {
	mkfile f 100
	srv "$(T f)"
	bs=$(sed -n 's/.*blocks\{0,1\} of \([0-9]*\)).*/\1/p' "$(T srv.err)")
	[[ $bs -gt 1400 && $bs -le 1472 ]]
	bg_kill_all
	mkfile m $((bs * 5))
	rm -f "$(T srv.err)"
	srv "$(T m)"
	run -0 grep -o "blocks of [0-9]*" "$(T srv.err)"
	[[ $output != "blocks of $bs" ]]
}

@test "slam: a receiver that joins mid-transfer gets the whole file" {
	mkfile f 3000000
	srv --once --idle 1 -j -r 1500 "$(T f)"
	get early h2 -w 30 -o "$(T early)" 198.18.0.1
	wait_for 10 grep -q '"event":"join"' "$(T srv.out)"
	get late h3 -w 30 -o "$(T late)" -j 198.18.0.1
	bg_wait early 40
	[[ $status == 0 ]]
	bg_wait late 40
	[[ $status == 0 ]]
	cmp "$(T f)" "$(T early)"
	cmp "$(T f)" "$(T late)"
	# the late one joined after the early one and before it was done
	j2=$(grep -n '"join","client":"198.18.0.2' "$(T srv.out)" | head -1)
	j3=$(grep -n '"join","client":"198.18.0.3' "$(T srv.out)" | head -1)
	d2=$(grep -n '"done","client":"198.18.0.2' "$(T srv.out)" | head -1)
	((${j2%%:*} < ${j3%%:*} && ${j3%%:*} < ${d2%%:*}))
}

@test "slam: server killed mid-way: receiver exits 3 by its deadline, no file" {
	mkfile f 3000000
	srv -r 500 "$(T f)"
	mkdir "$(T out)"
	get g h2 -w 3 -o "$(T out/f)" 198.18.0.1
	wait_for 10 grep -q "^join" "$(T srv.out)"
	kill -KILL "$(bg_pid srv)"
	bg_wait g 10 || true	# (a non-zero exit is what we want here)
	[[ $status == 3 ]]
	grep -q "within -w 3 s" "$(T g.err)"
	[[ -z $(ls -A "$(T out)") ]]
}

@test "slam: hostile NACKs do not stop the server serving a good client" {
	mkfile f 500000
	srv -j --once --idle 1 "$(T f)"
	# send 0, past EOF, garbage, a huge run, a 1000-byte list of junk
	for p in '\x20\x20\x00' '\x40\xff\x21\x00' '\x1f\x1f\x1f' \
		'\x20\xff\xff\xff\xff\xff\xff\xff\x00' '\x00'; do
		nsx h3 bash -c "printf '$p' >/dev/udp/198.18.0.1/10000"
	done
	nsx h3 bash -c "head -c 1000 /dev/urandom >/dev/udp/198.18.0.1/10000"
	get g h2 -w 20 -o "$(T g)" 198.18.0.1
	for k in 1 2 3 4 5; do
		nsx h4 bash -c "printf '\x1f\x20\x20' >/dev/udp/198.18.0.1/10000"
	done
	bg_wait g 25
	[[ $status == 0 ]]
	cmp "$(T f)" "$(T g)"
	bg_wait srv 15
	[[ $status == 0 ]]
	run -0 grep '"event":"summary"' "$(T srv.out)"
	[[ $output =~ \"bad_nacks\":([0-9]+) ]]
	((BASH_REMATCH[1] >= 5))
}

@test "slam-get --max-size refuses a larger file, exit 1, no file" {
	mkfile f 5000
	srv "$(T f)"
	run -1 nsx h2 "$MCBOX" slam-get -w 10 --max-size 4k -o "$(T g)" 198.18.0.1
	[[ $output == *"refusing a 5000-byte file (--max-size 4096)"* ]]
	[[ ! -e $(T g) ]]
	run -0 nsx h2 "$MCBOX" slam-get -w 10 --max-size 5000 -o "$(T g)" 198.18.0.1
	cmp "$(T f)" "$(T g)"
}

@test "slam-serve -u drops root after binding and still serves" {
	id nobody >/dev/null || skip "no user nobody"
	mkfile f 100000
	chmod 644 "$(T f)"
	chmod 755 "$BATS_TEST_TMPDIR"
	srv -u nobody --once --idle 1 "$(T f)"
	pid=$(bg_pid srv)
	run -0 grep -E '^(Uid|CapEff|CapPrm):' "/proc/$pid/status"
	[[ $output == *"Uid:	$(id -u nobody)	$(id -u nobody)	$(id -u nobody)"* ]]
	[[ $output == *"CapEff:	0000000000000000"* ]]
	[[ $output == *"CapPrm:	0000000000000000"* ]]
	run -0 nsx h2 "$MCBOX" slam-get -w 10 -o "$(T g)" 198.18.0.1
	cmp "$(T f)" "$(T g)"
}

@test "slam: a changed file restarts the receivers cleanly" {
	mkfile f 1500000
	srv -j -r 1000 "$(T f)"
	get g h2 -w 30 -o "$(T g)" 198.18.0.1
	wait_for 10 grep -q '"event":"join"' "$(T srv.out)"
	mkfile f2 1200000
	mv "$(T f2)" "$(T f)"
	bg_wait g 35
	[[ $status == 0 ]] || { cat "$(T g.err)"; false; }
	cmp "$(T f)" "$(T g)"
	grep -q "restarting" "$(T g.err)"
	grep -q '"event":"restart"' "$(T srv.out)"
}

@test "slam: URL form, group and port options, IPv6 extension" {
	mkfile f 200000
	srv --once --idle 1 -p 10100 -g 239.255.7.7:10200 "$(T f)"
	run -0 nsx h2 "$MCBOX" slam-get -w 10 -o "$(T u)" \
		x-slam://198.18.0.1:10100/239.255.7.7:10200
	cmp "$(T f)" "$(T u)"
	bg_wait srv 10
	srv --once --idle 1 -g '[ff15::5a:1]:10000' "$(T f)"
	run -0 nsx h3 "$MCBOX" slam-get -w 10 -j -o "$(T v6)" 2001:db8::1 \
		'[ff15::5a:1]'
	cmp "$(T f)" "$(T v6)"
	[[ $output == *'"result":"ok"'* ]]
}

@test "slam-get -o - writes the file to stdout once complete" {
	mkfile f 50000
	srv --once --idle 1 "$(T f)"
	nsx h2 "$MCBOX" slam-get -q -w 10 -o - 198.18.0.1 >"$(T out)"
	cmp "$(T f)" "$(T out)"
}

@test "slam: bad operands and options" {
	run -2 "$MCBOX" slam-get x-tftm://1.2.3.4/f
	[[ $output == *"not an x-slam:// URL"* ]]
	run -2 "$MCBOX" slam-get 198.18.0.1
	[[ $output == *"no -o FILE"* ]]
	run -2 "$MCBOX" slam-get -o x 198.18.0.1 224.1.1.1:99999
	run -2 "$MCBOX" slam-get -o x 198.18.0.1 10.1.1.1
	[[ $output == *"not a multicast address"* ]]
	run -2 "$MCBOX" slam-serve -r fast /dev/null
	[[ $output == *"bad -r 'fast'"* ]]
	run -2 "$MCBOX" slam-serve -b 0 /dev/null
	run -1 "$MCBOX" slam-serve "$(T nonexistent)"
	[[ $output == *"No such file"* ]]
	run -1 "$MCBOX" slam-serve /dev/null
}
