#!/usr/bin/env bats
# slam-serve against firmware: build/slamfw models iPXE (ping-driven, one
# first-gap NACK of at most 4 blocks, no IGMP join: it reads the group
# with a packet socket) and Etherboot (whole-bitmap NACKs, joins) clients,
# many in one process; slam-get runs beside them. A namespaced star: h1
# serves, h2..h4 receive; loss from nftables drops and the model's own
# per-client drops. Every copy is checked byte for byte (cmp, or the
# model's check of every block it takes against -x FILE).
bats_require_minimum_version 1.5.0
load helpers/common
load helpers/netns
load helpers/slam

FW=$TOP/build/slamfw

setup_file() {
	net_can || skip "cannot create network namespaces"
	command -v nft >/dev/null || skip "nft not installed"
	net_star 4
}

teardown_file() {
	net_down
}

setup() {
	[[ -x $FW ]] || skip "build/slamfw not built (make build/slamfw)"
}

teardown() {
	bg_kill_all
	for h in h2 h3 h4; do
		net_loss "$h" 0 || true
	done
	ip -n "$MCB_NS-sw" link set br0 type bridge mcast_snooping 0 2>/dev/null || true
}

# fw NAME HOST ARGS...: firmware clients in the background on HOST.
fw() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$FW" "$@" 198.18.0.1
}

get() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" "$MCBOX" slam-get "$@" 198.18.0.1
}

# ok NAME SECONDS: a background job ended with 0 (else show its stderr)
ok() {
	bg_wait "$1" "$2"
	[[ $status == 0 ]] || { cat "$(T "$1.err")" "$(T "$1.out")"; false; }
}

# same FILE DIR N: DIR/c0..c(N-1) are byte-exact copies of FILE
same() {
	local k
	for ((k = 0; k < $3; k++)); do
		cmp "$(T "$1")" "$2/c$k"
	done
}

summary() {
	grep '"event":"summary"' "$(T srv.out)"
}

@test "firmware: iPXE and Etherboot models beside slam-get, byte-exact, all judged done" {
	mkfile f 3000000
	mkdir "$(T out)"
	srv --once --idle 1 -j "$(T f)"
	fw fw h2 -n 8 -s mix -w 40 -o "$(T out)"
	fw fwx h4 -n 40 -s mix -w 40 -x "$(T f)"
	wait_for 10 grep -q "listening on" "$(T fw.err)"
	wait_for 10 grep -q "listening on" "$(T fwx.err)"
	get g h3 -w 40 -o "$(T g)"
	ok fw 45
	ok fwx 45
	ok g 45
	same f "$(T out)" 8
	cmp "$(T f)" "$(T g)"
	grep -q "clients 40: 40 ok" "$(T fwx.out)"
	ok srv 20
	run -0 summary
	[[ $output =~ \"clients\":([0-9]+),\"done\":([0-9]+),\"left\":0,\"lost\":0,\"incomplete\":0 ]]
	((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] == BASH_REMATCH[2]))
}

@test "firmware: 200 ping-driven clients at once, byte-exact, each block sent about once" {
	mkfile f 4000000
	# the model puts 200 machines behind one address: above the
	# per-host bound (--max-per-host, 64) that stops a port flood
	srv --once --idle 1 -j --max-per-host 200 "$(T f)"
	fw fw h2 -n 200 -s ipxe -w 60 -x "$(T f)"
	ok fw 65
	grep -q "clients 200: 200 ok" "$(T fw.out)"
	ok srv 20
	run -0 summary
	[[ $output =~ \"blocks\":([0-9]+),\"packets\":([0-9]+) ]]
	# no loss: resends are the server's own mistakes (at most 1.5x)
	((BASH_REMATCH[2] * 2 <= BASH_REMATCH[1] * 3))
	[[ $output =~ \"clients\":200,\"done\":200,\"left\":0,\"lost\":0 ]]
}

@test "firmware: models and slam-get at 10% loss per client and 5% per host" {
	mkfile f 2000000
	mkdir "$(T out)"
	# (no --once: a firmware client that collected the stream passively
	# asks for what it lost only after a silence of 1 s, or 2-6 s)
	srv -j "$(T f)"
	for h in h2 h3 h4; do
		net_loss "$h" 5
	done
	fw fw h2 -n 6 -s mix -l 10 -w 60 -o "$(T out)"
	fw fwx h4 -n 30 -s mix -l 10 -w 60 -x "$(T f)"
	get g h3 -w 60 -o "$(T g)"
	ok fw 65
	ok fwx 65
	ok g 65
	same f "$(T out)" 6
	cmp "$(T f)" "$(T g)"
	bg_signal srv TERM
	ok srv 20
	run -0 summary
	[[ $output =~ \"clients\":([0-9]+),\"done\":([0-9]+),\"left\":0,\"lost\":0,\"incomplete\":0 ]]
	((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] == BASH_REMATCH[2]))
}

@test "firmware: a late iPXE joins mid-transfer and gets the whole file" {
	mkfile f 3000000
	mkdir "$(T a)" "$(T b)"
	srv --once --idle 1.5 -j -r 1500 "$(T f)"
	fw early h2 -n 1 -s ipxe -w 40 -o "$(T a)"
	wait_for 10 grep -q '"event":"join"' "$(T srv.out)"
	fw late h3 -n 2 -s mix -w 40 -o "$(T b)"
	ok early 45
	ok late 45
	same f "$(T a)" 1
	same f "$(T b)" 2
	ok srv 20
	run -0 summary
	[[ $output =~ \"left\":0,\"lost\":0,\"incomplete\":0 ]]
}

@test "firmware: a changed file restarts the models and slam-get cleanly" {
	mkfile f 3000000
	mkdir "$(T out)"
	srv -j -r 1000 "$(T f)"
	fw fw h2 -n 4 -s mix -w 40 -o "$(T out)" -j
	get g h3 -w 40 -o "$(T g)"
	wait_for 10 grep -q '"event":"join"' "$(T srv.out)"
	mkfile f2 1200000
	mv "$(T f2)" "$(T f)"
	ok fw 45
	ok g 45
	same f "$(T out)" 4
	cmp "$(T f)" "$(T g)"
	grep -q '"event":"restart"' "$(T srv.out)"
	# every model client saw the new transaction and started over
	[[ $(grep -c '"restarts":[1-9]' "$(T fw.out)") == 4 ]]
}

@test "firmware: --once waits for --clients N: iPXE clients that ask late are served" {
	mkfile f 1000000
	srv --once --idle 0.3 --clients 4 -j "$(T f)"
	get g h2 -w 30 -o "$(T g)"
	ok g 35
	# firmware machines booting one after the other, each asking 1 s
	# after it starts: long after slam-get's goodbye and --idle
	for k in 1 2 3; do
		mkdir "$(T out$k)"
		fw "fw$k" h3 -n 1 -s ipxe -w 30 -o "$(T out$k)"
		ok "fw$k" 35
		same f "$(T out$k)" 1
	done
	ok srv 20
	run -0 summary
	[[ $output =~ \"clients\":4,\"done\":4 ]]
}

@test "firmware: truth about clients: interrupted and cancelled are left, switched off is lost; --once exits 1 and names them" {
	mkfile f 3000000
	srv --once --idle 0.3 -j -r 1000 "$(T f)"
	get g h2 -w 30 -o "$(T g)"
	wait_for 10 grep -q '"join","client":"198.18.0.2' "$(T srv.out)"
	bg_signal g INT
	bg_wait g 10
	[[ $status == 1 ]]
	bg_wait srv 10
	[[ $status == 1 ]]
	run -0 grep '"event":"left","client":"198.18.0.2' "$(T srv.out)"
	[[ $output =~ \"missing\":([0-9]+) ]] && ((BASH_REMATCH[1] > 0))
	! grep -q '"event":"done"' "$(T srv.out)"
	run -0 grep '"event":"clients"' "$(T srv.out)"
	[[ $output == *'{"client":"198.18.0.2:'*'"state":"left"'* ]]
	# an iPXE cancelled (by its deadline) says goodbye; an Etherboot
	# switched off does not. Each alone, each asking in silence.
	rm "$(T srv.out)"
	srv --once --idle 0.3 --clients 2 -r 200 "$(T f)"
	fw ipxe h3 -n 1 -s ipxe -w 2.5
	bg_wait ipxe 10
	[[ $status == 3 ]]
	wait_for 10 grep -q "^left 198.18.0.3" "$(T srv.out)"
	fw eb h4 -n 1 -s etherboot -w 2
	bg_wait eb 10
	[[ $status == 3 ]]
	bg_wait srv 20
	[[ $status == 1 ]]
	grep -q "^left 198.18.0.3:[0-9]*: [0-9]* blocks missing$" "$(T srv.out)"
	grep -q "^lost 198.18.0.4:10000: [0-9]* blocks missing$" "$(T srv.out)"
	grep -q "clients 2: 0 done, 1 left, 1 lost" "$(T srv.out)"
	grep -q "^incomplete: 198.18.0.3:[0-9]* left, [0-9]* blocks missing$" "$(T srv.out)"
	grep -q "^incomplete: 198.18.0.4:10000 lost, [0-9]* blocks missing$" "$(T srv.out)"
}

@test "firmware: --hosts and -w: who got the file, who did not, who never came; exits 3 or 1" {
	mkfile f 500000
	printf '# the lab\n198.18.0.2\n198.18.0.4 # off today\n' >"$(T hosts)"
	srv -w 4 --hosts "@$(T hosts)" "$(T f)"
	get g h2 -w 20 -o "$(T g)"
	ok g 25
	bg_wait srv 10
	[[ $status == 3 ]]
	grep -q '^host 198.18.0.2: got the file$' "$(T srv.out)"
	grep -q '^host 198.18.0.4: never showed up$' "$(T srv.out)"
	# a machine that gives up: --once ends when all are judged, exit 1
	mkfile f2 2000000
	srv --once --idle 0.2 -j -r 500 --hosts 198.18.0.2,198.18.0.3 "$(T f2)"
	get g2 h2 -w 20 -o "$(T g2)"
	get g3 h3 -w 1 -o "$(T g3)"
	ok g2 25
	bg_wait g3 10
	[[ $status == 3 ]]
	bg_wait srv 20
	[[ $status == 1 ]]
	run -0 grep '"event":"clients"' "$(T srv.out)"
	[[ $output == *'{"host":"198.18.0.2","state":"done"}'* ]]
	[[ $output == *'{"host":"198.18.0.3","state":"left","missing":'* ]]
	# bad lists are usage errors
	run -2 "$MCBOX" slam-serve --hosts 'x..y' "$(T f)"
	[[ $output == *"bad host 'x..y' in --hosts"* ]]
	run -2 "$MCBOX" slam-serve --hosts "@$(T nonexistent)" "$(T f)"
	[[ $output == *"--hosts $(T nonexistent): No such file"* ]]
	run -2 "$MCBOX" slam-serve --hosts ' , ' "$(T f)"
	[[ $output == *"no hosts in --hosts"* ]]
}

@test "firmware: --idle counts from the last client gone, not the last packet" {
	# 100 blocks of exactly -b: Etherboot waits for a last block of
	# 0 bytes (its bug) and never finishes; switched off, it is lost
	# once it has been silent 1.5 s. --idle runs from then: a machine
	# that reboots right after still finds the server.
	mkfile f 100000
	srv --once --idle 1.5 -j -b 1000 "$(T f)"
	fw eb h2 -n 1 -s etherboot -w 2
	bg_wait eb 10
	[[ $status == 3 ]]
	wait_for 15 grep -q '"event":"lost","client":"198.18.0.2:10000"' \
		"$(T srv.out)"
	get g h3 -w 10 -o "$(T g)"
	ok g 15
	cmp "$(T f)" "$(T g)"
	# (whether the server knew the lost one lacked block 99 depends on
	# when it last asked: 1 when it did, 0 when not)
	bg_wait srv 20
	[[ $status == 0 || $status == 1 ]]
	grep -q '"event":"done","client":"198.18.0.3' "$(T srv.out)"
}

@test "firmware: behind an IGMP-snooping switch iPXE gets nothing; the server names why; a static group entry fixes it" {
	command -v bridge >/dev/null || skip "no bridge(8)"
	mkfile f 3000000
	ip -n "$MCB_NS-sw" link set br0 type bridge mcast_snooping 1
	# a querier (h4) and a member (h2): the switch knows who wants the
	# group, and iPXE never says it does
	bg querier ip netns exec "$MCB_NS-h4" "$MCBOX" igmpquery -q -V 2 -n 60 \
		--interval 1 -m 1
	bg member ip netns exec "$MCB_NS-h2" "$MCBOX" mcrecv -q -w 60 \
		239.255.1.1:10000
	for h in h2 h3; do
		bg "dump$h" ip netns exec "$MCB_NS-$h" tcpdump -l -n \
			--immediate-mode -i eth0 \
			"udp and (dst 239.255.1.1 or dst $MARK)"
		wait_for 10 grep -q "listening on" "$(T "dump$h.err")"
	done
	wait_for 10 bridge_has p2
	# The bridge floods the group to every port until it knows a
	# querier, and for the query's max response time (1 s) after the
	# first one (the kernel's other-querier delay): wait until it no
	# longer does, or the first blocks reach h3.
	wait_for 15 isolated
	kill "$(bg_pid dumph2)" "$(bg_pid dumph3)"
	srv -j -r 1000 "$(T f)"
	get g h2 -w 30 -o "$(T g)"
	fw fw h3 -n 1 -s ipxe -w 5 -x "$(T f)"
	bg_wait fw 15
	[[ $status == 3 ]]
	grep -q "c0 ipxe 198.18.0.3:[0-9]* deadline 0/" "$(T fw.out)" ||
		{ cat "$(T fw.out)" "$(T srv.out)"; false; }
	run -0 grep '"event":"deaf","client":"198.18.0.3' "$(T srv.out)"
	[[ $output == *'"block":0'* && $output == *'"cause":"igmp-snooping"'* ]]
	grep -q "client 198.18.0.3:[0-9]* gets none of the group's data.*IGMP-snooping switch" \
		"$(T srv.err)"
	grep -q '"event":"left","client":"198.18.0.3' "$(T srv.out)"
	ok g 35
	cmp "$(T f)" "$(T g)"
	# the remedy slam-serve(8) gives: a static entry for the port
	bridge -n "$MCB_NS-sw" mdb add dev br0 port p3 grp 239.255.1.1 permanent
	fw fw2 h3 -n 1 -s ipxe -w 20 -x "$(T f)"
	ok fw2 25
	bridge -n "$MCB_NS-sw" mdb del dev br0 port p3 grp 239.255.1.1
}

# the switch lists the group on port $1
bridge_has() {
	bridge -n "$MCB_NS-sw" mdb show | grep -q "port $1 grp 239.255.1.1"
}

MARK=224.0.0.99	# link-local: the bridge floods it to every port

probes() {
	grep -c "> ${2:-239.255.1.1}\." "$(T "dump$1.out")"
}

# A probe to the group reaches the member on h2, and not h3. Proof that
# h3 missed it: a marker sent after it (every port gets that one) shows
# on h3 while the probe does not (tcpdump prints in arrival order).
isolated() {
	local a2 a3 m3
	a2=$(probes h2)
	a3=$(probes h3)
	m3=$(probes h3 $MARK)
	nsx h1 bash -c 'printf probe >/dev/udp/239.255.1.1/10000' || return 1
	wait_for 2 probes_above h2 "$a2" || return 1
	nsx h1 bash -c "printf mark >/dev/udp/$MARK/10000" || return 1
	wait_for 2 probes_above h3 "$m3" $MARK || return 1
	[[ $(probes h3) == "$a3" ]]
}

probes_above() {
	(($(probes "$1" "${3:-}") > $2))
}
