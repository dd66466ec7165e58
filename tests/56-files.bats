#!/usr/bin/env bats
# Files (issue 15, items 1-4 and 6): every applet that writes with -o goes
# through the one writer, lib/file/outfile.c. Nothing lost, nothing silently
# missing, nothing half-written left anywhere, devices and FIFOs written in
# place, symbolic links followed, and --sha256/--size checked before a file
# gets its name. slam-serve (h1) and the plain TFTP server of
# tests/hostile/tftp.py (h1) serve; h2 receives.
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

setup() {
	T=$BATS_TEST_TMPDIR
	head -c 300000 /dev/urandom >"$T/f"
	SHA=$(sha256sum "$T/f" | cut -d' ' -f1)
	mkdir -p "$T/out"
}

teardown() {
	bg_kill_all
}

H() { echo "$TOP/tests/hostile/$1"; }

# srv ARGS...: slam-serve on h1 serving $T/f.
srv() {
	bg srv ip netns exec "$MCB_NS-h1" "$MCBOX" slam-serve "$@" "$T/f"
	wait_for 10 bg_says srv "listening on"
}

# tftpd: the plain TFTP server on h1, serving $T.
tftpd() {
	bg tftpd ip netns exec "$MCB_NS-h1" python3 "$(H tftp.py)" serve 198.18.0.1 "$T" \
		--seconds 100
	wait_for 20 bg_says tftpd listening
}

sget() { nsx h2 "$MCBOX" slam-get -w 20 "$@" 198.18.0.1; }
tget() { nsx h2 "$MCBOX" tftm-get -w 20 "$@" 198.18.0.1 f; }

@test "tftm-get: an output that cannot be created is exit 1, one line naming it" {
	local o
	mkdir "$T/ro"
	# nothing is sent before the output is open: no server needed
	for o in "$T/nonexistent/x" "$T/out" /proc/x; do
		run -1 --separate-stderr tget -o "$o"
		[[ $stderr == *"$o"* ]]
		[[ $(wc -l <<<"$stderr") == 1 ]]
		no_sanitizer_report <(echo "$stderr")
	done
	# a read-only filesystem (mounted in a mount namespace of its own)
	run -1 --separate-stderr nsx h2 unshare -m sh -c \
		'mount -t tmpfs -o ro none "$1" && exec "$2" tftm-get -w 20 -o "$1/x" 198.18.0.1 f' \
		_ "$T/ro" "$MCBOX"
	[[ $stderr == *"$T/ro/x: Read-only file system"* ]]
	[[ -z $(ls -A "$T/ro") ]]
}

@test "-o a device or a FIFO writes it in place, for slam-get, tftm-get and mcrecv" {
	# a null device of our own: if this failed, the host's /dev/null
	# must not be the one replaced by a plain file
	mknod "$T/null" c 1 3
	mkfifo "$T/fifo"
	srv --once --idle 2
	run -0 sget -o "$T/null"
	[[ -c $T/null ]]
	bg cat sh -c 'cat "$1" >"$2"' _ "$T/fifo" "$T/from-fifo"
	run -0 sget -o "$T/fifo"
	bg_wait cat 10
	[[ -p $T/fifo ]]
	cmp "$T/f" "$T/from-fifo"
	bg_kill_all
	tftpd
	run -0 tget -o "$T/null"
	[[ -c $T/null ]]
	bg cat sh -c 'cat "$1" >"$2"' _ "$T/fifo" "$T/from-fifo2"
	run -0 tget -o "$T/fifo"
	bg_wait cat 10
	[[ -p $T/fifo ]]
	cmp "$T/f" "$T/from-fifo2"
	# mcrecv: the payloads
	bg mcr ip netns exec "$MCB_NS-h2" "$MCBOX" mcrecv -q -c 3 -w 10 -o "$T/null" 239.9.9.1:5000
	wait_for 10 bg_says mcr "listening on"
	nsx h1 "$MCBOX" mcsend -c 3 239.9.9.1:5000 <<<$'a\nb\nc'
	bg_wait mcr 15
	[[ $status == 0 ]]
	[[ -c $T/null ]]
}

@test "-o a symbolic link: the file it points to is replaced; one to nothing is refused" {
	srv --once --idle 2
	echo old >"$T/out/real"
	ln -s real "$T/out/link"
	run -0 sget -o "$T/out/link"
	[[ -L $T/out/link ]]
	cmp "$T/f" "$T/out/real"
	[[ $(ls -A "$T/out" | sort | tr '\n' ' ') == "link real " ]]
	ln -s nowhere "$T/out/dangling"
	run -1 --separate-stderr sget -o "$T/out/dangling"
	[[ $stderr == *"'$T/out/dangling' is a symbolic link to nothing"* ]]
	[[ ! -e $T/out/nowhere ]]
}

# open_tmp PID DIR: PID has a file open in DIR (its temp file, nameless
# or not).
open_tmp() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd") == "$2"/* ]] && return 0
	done
	return 1
}

@test "a SIGKILLed transfer leaves nothing behind: slam-get and tftm-get" {
	local pid
	srv -j -r 100
	bg g ip netns exec "$MCB_NS-h2" "$MCBOX" slam-get -q -w 60 -o "$T/out/f" 198.18.0.1
	pid=$(bg_pid g)
	# killed mid-way: it asked, and data flows
	wait_for 20 grep -q '"event":"join"' "$T/srv.out"
	wait_for 20 open_tmp "$pid" "$T/out"
	kill -KILL "$pid"
	bg_wait g 10 || true
	[[ -z $(ls -A "$T/out") ]]
	bg_kill_all
	# tftm-get: 512-byte blocks in lock-step, the server slowed down
	nsx h1 tc qdisc add dev eth0 root tbf rate 400kbit burst 4kb latency 400ms
	tftpd
	bg t ip netns exec "$MCB_NS-h2" "$MCBOX" tftm-get -q -w 60 -o "$T/out/f" 198.18.0.1 f
	pid=$(bg_pid t)
	wait_for 20 open_tmp "$pid" "$T/out" ||
		{ cat "$T/t.err" "$T/tftpd.err"; ls -la "$T/out" /proc/"$pid"/fd; false; }
	kill -KILL "$pid"
	bg_wait t 10 || true
	nsx h1 tc qdisc del dev eth0 root
	ls -la "$T/out"
	[[ -z $(ls -A "$T/out") ]]
}

@test "mcrecv -q -o FILE: -q quiets the terminal, never the file" {
	bg mcr ip netns exec "$MCB_NS-h2" "$MCBOX" mcrecv -q -c 20 -w 10 -o "$T/out/m" 239.9.9.2:5000
	wait_for 10 bg_says mcr "listening on"
	seq 1 20 | nsx h1 "$MCBOX" mcsend 239.9.9.2:5000
	bg_wait mcr 15
	[[ $status == 0 ]]
	[[ $(cat "$T/out/m") == "$(seq 1 20 | tr -d '\n')" ]]
	[[ ! -s $T/mcr.out ]]
}

@test "--sha256 and --size: published only when they match, else exit 1 and nothing left" {
	local bad=${SHA/a/b}
	[[ $bad != "$SHA" ]] || bad=${SHA/0/1}
	srv
	run -0 sget --sha256 "$SHA" --size 300000 -o "$T/out/ok"
	cmp "$T/f" "$T/out/ok"
	rm "$T/out/ok"
	run -1 --separate-stderr sget --sha256 "$bad" -o "$T/out/x"
	[[ $stderr == *"SHA-256 $SHA, not the $bad expected: not saved"* ]]
	run -1 --separate-stderr sget --size 299999 -o "$T/out/x"
	[[ $stderr == *"300000 bytes, not the 299999 expected: not saved"* ]]
	# to stdout: nothing at all written there
	run -1 --separate-stderr sget --sha256 "$bad" -o -
	[[ -z $output ]]
	[[ -z $(ls -A "$T/out") ]]
	bg_kill_all
	tftpd
	run -0 tget --sha256 "${SHA^^}" -o "$T/out/ok"
	cmp "$T/f" "$T/out/ok"
	run -1 --separate-stderr tget --sha256 "$bad" -o "$T/out/x"
	[[ $stderr == *"not the $bad expected: not saved"* ]]
	run -1 --separate-stderr tget --size 1 -o "$T/out/x"
	[[ $stderr == *"not the 1 expected"* ]]
	[[ $(ls -A "$T/out") == ok ]]
	run -2 --separate-stderr tget --sha256 123 -o "$T/out/x"
	[[ $stderr == *"bad --sha256 '123' (64 hex digits)"* ]]
}

@test "-o - with a full TMPDIR names the temporary copy, not stdout" {
	mkdir "$T/full"
	srv
	run -1 --separate-stderr nsx h2 unshare -m sh -c \
		'mount -t tmpfs -o size=64k none "$1" && TMPDIR="$1" exec "$2" slam-get -w 20 -o - 198.18.0.1' \
		_ "$T/full" "$MCBOX"
	[[ $stderr == *"write temporary copy in $T/full (for stdout): No space left on device"* ]]
	[[ -z $output ]]
}

@test "-o '' is a usage error (exit 2), not a directory" {
	run -2 --separate-stderr "$MCBOX" slam-get -o '' 198.18.0.1
	[[ $stderr == *"bad -o '': an empty file name"* ]]
	run -2 --separate-stderr "$MCBOX" tftm-get -o '' 198.18.0.1 f
	[[ $stderr == *"bad -o '': an empty file name"* ]]
	run -2 --separate-stderr "$MCBOX" mcrecv -o '' 239.1.1.1
	[[ $stderr == *"bad -o '': an empty file name"* ]]
}
