#!/bin/bash
# tests/bench/boot.sh - a lab booting from one multicast stream: slam-serve
# against N firmware clients (build/slamfw: iPXE and Etherboot styles
# mixed, all in one process on one host, spread over 50 addresses as a
# room of machines would be) on a namespaced star, N = 1, 10, 100, 1000.
# Prints the time to the last client (from the clients' power-on: iPXE
# first asks 1 s later, Etherboot after 1/3 to 4/3 s) against N=1, and the
# server's data packets per block. Goals: 1000 clients within 2x of one,
# at most 1.5 sends per block at 0 % loss.
#
# Then, if MINI_SLAMD names a mini-slamd binary (Etherboot's
# contrib/mini-slamd, built by you: this repository neither ships nor
# builds it), 1 and 3 ping-driven (iPXE) clients against both servers,
# each client answering pings after DELAY_US (200: what iPXE firmware
# takes). The ratio compares the time from the first NACK to the last
# client done: the 1 s iPXE waits before it first asks is the client's,
# the same for any server. Goal: slam-serve at least 1.5x faster.
#
# Run as root (or it re-executes under unshare). Knobs: SIZE_MIB (8),
# COUNTS ("1 10 100 1000"), STYLE (mix: ipxe, etherboot or mix), LOSS
# (per-client drops in percent, 0), DELAY_US (200), MINI_SLAMD, TIMEOUT
# (s, 60).
set -u
exec 3>&2	# the helpers report to fd 3, as under bats
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD

if [[ $(id -u) != 0 && -z ${MCB_UNSHARED:-} ]]; then
	exec unshare -Urnm env MCB_UNSHARED=1 bash -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec bash tests/bench/boot.sh'
fi

SIZE_MIB=${SIZE_MIB:-8}
COUNTS=${COUNTS:-"1 10 100 1000"}
STYLE=${STYLE:-mix}
LOSS=${LOSS:-0}
DELAY_US=${DELAY_US:-200}
TIMEOUT=${TIMEOUT:-60}
NADDR=50
FW=$TOP/build/slamfw

[[ -x $TOP/mcbox ]] || { echo "boot.sh: build ./mcbox first" >&2; exit 1; }
[[ -x $FW ]] || { echo "boot.sh: make build/slamfw first" >&2; exit 1; }

# shellcheck source=../helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=../helpers/netns.bash
. tests/helpers/netns.bash

T=$(mktemp -d /dev/shm/mcb-boot.XXXXXX)
export BATS_TEST_TMPDIR=$T BATS_FILE_TMPDIR=$T
cleanup() {
	bg_kill_all
	net_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

net_star 2 || { echo "boot.sh: cannot create namespaces" >&2; exit 1; }
# the machines: 198.18.0.100 and up on h2
for ((k = 0; k < NADDR; k++)); do
	echo "addr add 198.18.0.$((100 + k))/24 dev eth0"
done | nsx h2 ip -batch -
head -c $((SIZE_MIB << 20)) /dev/urandom >"$T/file"

# field NAME FILE: a number from the last JSON line that has it
field() {
	sed -n "s/.*\"$1\":\\([0-9.]*\\).*/\\1/p" "$2" | tail -1
}

srv_up() {
	nsx h1 ss -Huln 'sport = :10000' | grep -q .
}

# storm N STYLE [SERVER-CMD...]: runs N clients against a server started
# on h1; prints "last_s first_nack_s packets blocks" (packets, blocks: -
# when the server is not slam-serve). Fails when a client failed.
storm() {
	local n=$1 style=$2
	shift 2
	rm -f "$T"/srv.* "$T"/fw.*
	bg srv ip netns exec "$MCB_NS-h1" "$@"
	wait_for 10 srv_up || return 1
	ip netns exec "$MCB_NS-h2" "$FW" -j -q -n "$n" -s "$style" \
		-a 198.18.0.100 -A "$NADDR" -l "$LOSS" -d "${DELAY:-0}" \
		-w "$TIMEOUT" -x "$T/file" 198.18.0.1 >"$T/fw.out" 2>"$T/fw.err"
	local rc=$?
	bg_signal srv TERM
	bg_wait srv 10
	if ((rc)); then
		echo "  $n clients: the model exited $rc: $(tail -1 "$T/fw.out")" >&2
		return 1
	fi
	echo "$(field last_s "$T/fw.out") $(field first_nack_s "$T/fw.out")" \
		"$(field packets "$T/srv.out") $(field blocks "$T/srv.out")"
}

printf 'boot storm: %d MiB, slam-serve, %s clients, %s%% loss each\n' \
	"$SIZE_MIB" "$STYLE" "$LOSS"
printf '%6s %12s %8s %15s\n' N "last client" "vs N=1" "packets/block"
one=
for n in $COUNTS; do
	r=$(storm "$n" "$STYLE" "$TOP/mcbox" slam-serve -q -j "$T/file") || {
		printf '%6s %12s\n' "$n" FAILED
		continue
	}
	read -r last _ pk bl <<<"$r"
	[[ -z $one ]] && one=$last
	awk -v n="$n" -v l="$last" -v o="$one" -v p="$pk" -v b="$bl" \
		'BEGIN { printf "%6d %10.3f s %7.2fx %15.3f\n", n, l, l / o, p / b }'
done

echo "mini-slamd comparison: iPXE clients answering pings after ${DELAY_US} us," \
	"first NACK to last client done:"
if [[ -z ${MINI_SLAMD:-} || ! -x ${MINI_SLAMD:-} ]]; then
	echo "  mini-slamd not available (set MINI_SLAMD=/path/to/mini-slamd)"
	exit 0
fi
for n in 1 3; do
	m=$(DELAY=$DELAY_US storm "$n" ipxe "$MINI_SLAMD" "$T/file") &&
		s=$(DELAY=$DELAY_US storm "$n" ipxe "$TOP/mcbox" slam-serve -q -j \
			"$T/file") || {
		echo "  N=$n: FAILED"
		continue
	}
	read -r ml mf _ <<<"$m"
	read -r sl sf _ <<<"$s"
	awk -v n="$n" -v m="$ml" -v mf="$mf" -v s="$sl" -v sf="$sf" 'BEGIN {
		a = m - mf; b = s - sf
		printf "  N=%d: mini-slamd %.3f s, slam-serve %.3f s: slam-serve %.1fx faster\n",
			n, a, b, a / b }'
done
