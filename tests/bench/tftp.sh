#!/bin/bash
# tests/bench/tftp.sh - tftm-get against the atftp client, fetching the same
# file from atftpd inside throwaway namespaces (h1 serves, h2..h5 fetch):
# unicast with the same options (blksize 1468 fits the MTU, windowsize 16:
# atftp 0.8 negotiates both), unicast with each client's best window of
# 16, 64, 256, 1024 blocks, and multicast to 4 clients at once, lock-step
# (RFC 2090 alone) and with windowsize 16 (atftpd sends a window to the
# group after each ACK of the master). Prints the best and the median of
# RUNS times for each and the ratio atftp/tftm-get (above 1: tftm-get is
# faster). Every run fetches the same file (in the page cache) into tmpfs;
# the two clients alternate. On a small VM the spread is wide (a lock-step
# round trip that has to wake an idle vCPU costs tens of microseconds, and
# where the scheduler puts the server decides it), hence the median: take
# RUNS=5 or more. Large unicast windows are bound by atftpd's cost per
# block (most of it in sendto(), including waking a client that sleeps on
# its socket), where both clients meet; atftp may lose a window of 128
# blocks and more when its socket overflows, and each loss costs a 1 s
# timeout (hence a 30 s cap on a run). Run as root: `make bench` or
#   SIZE=64M RUNS=5 bash tests/bench/tftp.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
SIZE=${SIZE:-64M}
RUNS=${RUNS:-5}
MCBOX=${MCBOX:-$TOP/mcbox}

[[ $(id -u) == 0 ]] || { echo "bench: needs root (namespaces, atftpd)" >&2; exit 1; }
for p in atftpd atftp; do
	command -v "$p" >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >&2 ||
		{ echo "bench: cannot install $p" >&2; exit 1; }
done

T=$(mktemp -d /tmp/mcb-bench-tftp.XXXXXX)
chmod 0755 "$T"
# the clients write to tmpfs: this measures the protocols, not the disk
# (tftm-get fsyncs before its rename, atftp does not)
O=$(mktemp -d /dev/shm/mcb-bench-tftp.XXXXXX)
export BATS_TEST_TMPDIR=$T BATS_FILE_TMPDIR=$T
# shellcheck source=../helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=../helpers/netns.bash
. tests/helpers/netns.bash
# shellcheck source=../helpers/peers.bash
. tests/helpers/peers.bash
trap 'bg_kill_all; net_down; rm -rf "$T" "$O"' EXIT
trap 'exit 130' INT TERM

net_star 5 || exit 1
mkdir -p "$T/srv"
chmod 0755 "$T/srv"
head -c "$SIZE" /dev/urandom >"$T/srv/f.bin"
chmod 0644 "$T/srv/f.bin"
bytes=$(stat -c %s "$T/srv/f.bin")
# --retry-timeout 1 as in the tests; trace off: logging every block would
# measure the log
PEERS_QUIET=1 peers_atftpd_start atftpd h1 "$T/srv" || exit 1

now() { date +%s%N; }

# run_clients NCLIENTS KIND[/WINDOW]: fetch into h2.. at once; prints ms
# or FAIL (also when a run takes more than 30 s)
run_clients() {
	local n=$1 kind=${2%/*} w=16 i t0 pids=() ok=1
	[[ $2 == */* ]] && w=${2#*/}
	rm -rf "$O"/c*
	t0=$(now)
	for ((i = 2; i < n + 2; i++)); do
		mkdir -p "$O/c$i"
		case $kind in
		tftm-uni) nsx "h$i" timeout 30 "$MCBOX" tftm-get -q --unicast \
			-b 1468 -W "$w" -o "$O/c$i/f.bin" 198.18.0.1 f.bin & ;;
		atftp-uni) nsx "h$i" timeout 30 atftp --get -r f.bin \
			-l "$O/c$i/f.bin" --option "blksize 1468" \
			--option "windowsize $w" 198.18.0.1 >/dev/null 2>&1 & ;;
		tftm-mc) nsx "h$i" "$MCBOX" tftm-get -q -b 1468 \
			-o "$O/c$i/f.bin" 198.18.0.1 f.bin & ;;
		atftp-mc) nsx "h$i" atftp --get -r f.bin -l "$O/c$i/f.bin" \
			--option "blksize 1468" --option tsize \
			--option multicast 198.18.0.1 >/dev/null 2>&1 & ;;
		tftm-mcw) nsx "h$i" "$MCBOX" tftm-get -q -b 1468 -W 16 \
			-o "$O/c$i/f.bin" 198.18.0.1 f.bin & ;;
		atftp-mcw) nsx "h$i" atftp --get -r f.bin -l "$O/c$i/f.bin" \
			--option "blksize 1468" --option tsize \
			--option "windowsize 16" \
			--option multicast 198.18.0.1 >/dev/null 2>&1 & ;;
		esac
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || ok=0
	done
	local ms=$((($(now) - t0) / 1000000))
	for ((i = 2; i < n + 2; i++)); do
		cmp -s "$T/srv/f.bin" "$O/c$i/f.bin" || ok=0
	done
	((ok)) && echo "$ms" || echo FAIL
}

# stats TIMES...: "BEST MEDIAN" of run times in ms, or "FAIL FAIL" if a
# run failed
stats() {
	local t
	for t; do [[ $t == FAIL ]] && { echo "FAIL FAIL"; return; }; done
	printf '%s\n' "$@" | sort -n |
		awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)] }'
}

# best KIND-A KIND-B NCLIENTS: RUNS rounds, A then B in each round (so that
# a change in the host's load hits both): "BEST-A MEDIAN-A BEST-B MEDIAN-B".
best() {
	local a=() b=() k
	for ((k = 0; k < RUNS; k++)); do
		a+=("$(run_clients "$3" "$1")")
		b+=("$(run_clients "$3" "$2")")
	done
	echo "$(stats "${a[@]}") $(stats "${b[@]}")"
}

# best_window KIND: each window of 16, 64, 256, 1024 blocks RUNS times
# (windows interleaved); the window whose median run is fastest (the one a
# user would pick: a window that is fast once and loses blocks the other
# times is not): "BEST MEDIAN WINDOW", or "FAIL FAIL -" when none fetched
# the file every time.
best_window() {
	local -A t=()
	local k w out=(FAIL FAIL -) st
	for ((k = 0; k < RUNS; k++)); do
		for w in 16 64 256 1024; do
			t[$w]+=" $(run_clients 1 "$1/$w")"
		done
	done
	for w in 16 64 256 1024; do
		# shellcheck disable=SC2086
		read -r -a st <<<"$(stats ${t[$w]})"
		[[ ${st[1]} != FAIL && ( ${out[1]} == FAIL || ${st[1]} -lt ${out[1]} ) ]] &&
			out=("${st[0]}" "${st[1]}" "$w")
	done
	echo "${out[*]}"
}

# row LABEL A B [MEDIAN-A MEDIAN-B]: lines of the table
row() {
	if [[ $2 == FAIL || $3 == FAIL ]]; then
		printf '%-34s %10s %10s %8s\n' "$1" "$2" "$3" "-"
		return
	fi
	printf '%-34s %8d ms %7d ms %7.2fx\n' "$1" "$2" "$3" \
		"$(awk -v a="$2" -v b="$3" 'BEGIN { print b / (a ? a : 1) }')"
	printf '%-34s %7.1f MB/s %5.1f MB/s\n' "  throughput per client" \
		"$(awk -v s="$bytes" -v t="$2" 'BEGIN { print s / t / 1000 }')" \
		"$(awk -v s="$bytes" -v t="$3" 'BEGIN { print s / t / 1000 }')"
	[[ -n ${4:-} && $4 != FAIL && $5 != FAIL ]] &&
		printf '%-34s %8d ms %7d ms %7.2fx\n' "  median of $RUNS" "$4" "$5" \
			"$(awk -v a="$4" -v b="$5" 'BEGIN { print b / (a ? a : 1) }')"
	return 0
}

printf 'file %s bytes, atftpd 0.8, best (and median) of %d runs\n' "$bytes" "$RUNS"
printf '%-34s %10s %10s %8s\n' case "tftm-get" atftp ratio
for c in "unicast, 1 client, window 16:uni:1" \
	"multicast, 4 clients:mc:4" "multicast, 4 clients, window 16:mcw:4"; do
	IFS=: read -r label kind n <<<"$c"
	read -r a am b bm < <(best "tftm-$kind" "atftp-$kind" "$n")
	row "$label" "$a" "$b" "$am" "$bm"
	if [[ $kind == uni ]]; then
		read -r a am aw < <(best_window tftm-uni)
		read -r b bm bw < <(best_window atftp-uni)
		row "unicast, best window (${aw} / ${bw})" "$a" "$b" "$am" "$bm"
	fi
done
