#!/bin/bash
# tests/bench/push.sh - file push benchmark: slam-serve/slam-get against
# udpcast (udp-sender/udp-receiver) and uftp/uftpd, in one run, on one
# namespaced star: a server and 8 receivers whose links are shaped to
# 1 Gbit/s with tbf; random loss from nftables `numgen random` drops on the
# receivers' input (there is no netem on these kernels). Every copy is
# checked by checksum. Prints time-to-last-receiver, throughput and ratios.
# Prints slam-serve's data packets per block too (goal at 0 % loss: at
# most 1.05 for every N).
# Run as root (or it re-executes under unshare). Knobs: SIZE_MIB (64),
# RECEIVERS (8; a list such as "1 4 8" runs each count), LOSSES ("0 2"),
# TOOLS ("slam udpcast uftp"),
# UFTP_RATE (kbit/s for uftp -R, default 950000), TIMEOUT (s, 60: every
# tool takes seconds; udp-receiver sometimes never ends at 2 % loss, and
# that run then counts as failed), REPEAT (runs of each case, the best
# one counts; default 1).
set -u
exec 3>&2	# the helpers report to fd 3, as under bats
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD

if [[ $(id -u) != 0 && -z ${MCB_UNSHARED:-} ]]; then
	exec unshare -Urnm env MCB_UNSHARED=1 bash -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec bash tests/bench/push.sh'
fi

SIZE_MIB=${SIZE_MIB:-64}
NRS=${RECEIVERS:-8}
NR=0
for n in $NRS; do
	((n > NR)) && NR=$n
done
LOSSES=${LOSSES:-"0 2"}
TOOLS=${TOOLS:-"slam udpcast uftp"}
UFTP_RATE=${UFTP_RATE:-950000}
TIMEOUT=${TIMEOUT:-60}
REPEAT=${REPEAT:-1}

# The peers come from Debian; installed here, not by make check.
need=()
command -v udp-sender >/dev/null || need+=(udpcast)
command -v uftp >/dev/null || need+=(uftp)
if ((${#need[@]})); then
	if [[ $(id -u) == 0 && -z ${MCB_UNSHARED:-} ]]; then
		# policy-rc.d keeps the packaged uftpd service from starting
		DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" \
			>/dev/null || exit 1
	else
		echo "push.sh: install ${need[*]} first" >&2
		exit 1
	fi
fi
for t in nft tc sha256sum; do
	command -v $t >/dev/null || { echo "push.sh: needs $t" >&2; exit 1; }
done
[[ -x $TOP/mcbox ]] || { echo "push.sh: build ./mcbox first" >&2; exit 1; }

# shellcheck source=../helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=../helpers/netns.bash
. tests/helpers/netns.bash

# tmpfs: the receivers write 8 copies at once, and this measures the
# protocols, not the disk (slam-get fsyncs before its rename; udp-receiver
# and uftpd do not)
T=$(mktemp -d /dev/shm/mcb-push.XXXXXX)
export BATS_TEST_TMPDIR=$T BATS_FILE_TMPDIR=$T
cleanup() {
	bg_kill_all
	net_down
	[[ -n ${KEEP:-} ]] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# h1 serves; h2..h(NR+1) receive; each receiver's bridge port is shaped
net_star $((NR + 1)) || { echo "push.sh: cannot create namespaces" >&2; exit 1; }
# udpcast finds its sender by the interface's broadcast address: give
# every host one (net_star adds addresses without it)
for ((k = 1; k <= NR + 1; k++)); do
	nsx "h$k" ip addr del "198.18.0.$k/24" dev eth0
	nsx "h$k" ip addr add "198.18.0.$k/24" brd + dev eth0
	# (removing the last address flushed the routes through eth0)
	nsx "h$k" ip route replace 224.0.0.0/4 dev eth0
done
ALLRX=()
for ((k = 2; k <= NR + 1; k++)); do
	ALLRX+=("h$k")
	nsx sw tc qdisc add dev "p$k" root tbf rate 1gbit burst 256kb latency 20ms
done
RX=("${ALLRX[@]}")

head -c $((SIZE_MIB << 20)) /dev/urandom >"$T/file"
SUM=$(sha256sum <"$T/file" | cut -d' ' -f1)

now() { date +%s%N; }

set_loss() { # PERCENT
	local h
	for h in "${RX[@]}"; do
		net_loss "$h" "$1"
	done
}

# rx NAME HOST CMD...: a receiver that records when it ended.
rx() {
	local name=$1 h=$2
	shift 2
	bg "$name" ip netns exec "$MCB_NS-$h" sh -c \
		'"$@"; echo "$? $(date +%s%N)" > "'"$T/$name"'.end"' sh "$@"
}

# last_end NAMES...: the latest end time; fails if one failed or is late.
wait_all() {
	local n last=0 rc t
	for n in "$@"; do
		wait_for "$TIMEOUT" test -s "$T/$n.end" || return 1
		read -r rc t <"$T/$n.end"
		[[ $rc == 0 ]] || { echo "  $n exit $rc" >&2; return 1; }
		((t > last)) && last=$t
	done
	echo "$last"
}

check_copies() { # FILE-PATTERN with %h for the host
	local h f bad=0
	for h in "${RX[@]}"; do
		f=${1//%h/$h}
		[[ $(sha256sum <"$f" | cut -d' ' -f1) == "$SUM" ]] || {
			echo "  bad copy $f" >&2
			bad=1
		}
		rm -rf "$f"	# eight copies of each tool need not pile up in RAM
	done
	return $bad
}

run_slam() {
	local h t0 end names=()
	rm -f "$T"/*.end "$T"/slam.*
	for h in "${RX[@]}"; do
		rx "s$h" "$h" "$TOP/mcbox" slam-get -w "$TIMEOUT" \
			-o "$T/slam.$h" 198.18.0.1
		names+=("s$h")
	done
	for h in "${RX[@]}"; do
		wait_for 10 grep -q listening "$T/s$h.err" || return 1
	done
	t0=$(now)
	bg slamsrv ip netns exec "$MCB_NS-h1" "$TOP/mcbox" slam-serve -q \
		--once --idle 1 -j "$T/file"
	end=$(wait_all "${names[@]}") || return 1
	check_copies "$T/slam.%h" || return 1
	bg_wait slamsrv 30
	# data packets sent per block of the file
	sed -n 's/.*"blocks":\([0-9]*\),"packets":\([0-9]*\).*/\1 \2/p' \
		"$T/slamsrv.out" >"$T/slam.ppb"
	echo $((end - t0))
}

run_udpcast() {
	local h t0 end names=()
	rm -f "$T"/*.end "$T"/udpc.*
	for h in "${RX[@]}"; do
		rx "u$h" "$h" udp-receiver --nokbd --no-progress --interface eth0 \
			--file "$T/udpc.$h"
		names+=("u$h")
	done
	t0=$(now)
	bg udpsnd ip netns exec "$MCB_NS-h1" udp-sender --nokbd --no-progress \
		--interface eth0 --min-receivers "${#RX[@]}" --max-wait 30 \
		--file "$T/file"
	end=$(wait_all "${names[@]}") || return 1
	check_copies "$T/udpc.%h" || return 1
	bg_wait udpsnd 30
	echo $((end - t0))
}

run_uftp() {
	local h t0 end
	rm -rf "$T"/uftp.* "$T"/uftptmp.*
	for h in "${RX[@]}"; do
		mkdir -p "$T/uftp.$h" "$T/uftptmp.$h"
		bg "uftpd$h" ip netns exec "$MCB_NS-$h" uftpd -d -I eth0 \
			-D "$T/uftp.$h" -L "$T/uftpd.$h.log"
	done
	for h in "${RX[@]}"; do
		wait_for 10 nsx "$h" ss -Huln 'sport = :1044' | grep -q . || true
	done
	t0=$(now)
	# uftp exits when every receiver has the file (or gave up)
	ip netns exec "$MCB_NS-h1" timeout "$TIMEOUT" uftp -I eth0 \
		-R "$UFTP_RATE" -H "$(printf '0xC61200%02X,' $(seq 2 $((${#RX[@]} + 1))) | sed 's/,$//')" \
		-E "$T/" -L "$T/uftp.log" "$T/file" >/dev/null 2>&1 || return 1
	end=$(now)
	check_copies "$T/uftp.%h/file" || return 1
	for h in "${RX[@]}"; do
		kill "$(bg_pid "uftpd$h")" 2>/dev/null
	done
	echo $((end - t0))
}

declare -A RES PPB
for nr in $NRS; do
RX=("${ALLRX[@]:0:nr}")
printf '%d MiB to %d receivers, each link tbf 1 Gbit/s\n' "$SIZE_MIB" "$nr"
for loss in $LOSSES; do
	set_loss "$loss"
	for tool in $TOOLS; do
		ns=FAIL
		for ((rep = 0; rep < REPEAT; rep++)); do
			rm -f "$T/slam.ppb"
			t=$("run_$tool") || t=FAIL
			bg_kill_all
			[[ $t == FAIL ]] && continue
			if [[ $ns == FAIL ]] || ((t < ns)); then
				ns=$t
				[[ -s $T/slam.ppb ]] && PPB[$nr:$loss]=$(cat "$T/slam.ppb")
			fi
		done
		RES[$tool:$loss]=$ns
		RES[$tool:$loss:$nr]=$ns
		if [[ $ns == FAIL ]]; then
			printf '%-8s %3s%% loss: FAILED\n' "$tool" "$loss"
		else
			awk -v t="$ns" -v s="$SIZE_MIB" -v tool="$tool" -v l="$loss" \
				-v ppb="${PPB[$nr:$loss]:-}" \
				'BEGIN { printf "%-8s %3s%% loss: %7.2f s  %7.1f Mbit/s", tool, l, t / 1e9, s * 8 * 1.048576 / (t / 1e9)
					if (tool == "slam" && split(ppb, v, " ") == 2)
						printf "  %d packets for %d blocks: %.3f per block", v[2], v[1], v[2] / v[1]
					printf "\n" }'
		fi
	done
done
set_loss 0
# Link payload capacity: what 1 Gbit/s Ethernet carries as UDP payload in
# full 1500-byte frames: 1472 of every 1538 bytes on the wire (preamble,
# header, FCS and gap 38, IP 20, UDP 8). A stricter bar than the shaper's
# own (tbf counts 1514 bytes a frame), and no tool's payload is larger.
echo "ratios (time of the peer / time of slam; > 1: slam is faster):"
for loss in $LOSSES; do
	s=${RES[slam:$loss]:-FAIL}
	for tool in $TOOLS; do
		[[ $tool == slam ]] && continue
		o=${RES[$tool:$loss]:-FAIL}
		if [[ $s == FAIL || $o == FAIL ]]; then
			printf '  %s vs slam at %s%%: n/a\n' "$tool" "$loss"
		else
			awk -v a="$o" -v b="$s" -v tool="$tool" -v l="$loss" \
				'BEGIN { printf "  %s / slam at %s%%: %.2f\n", tool, l, a / b }'
		fi
	done
	[[ $s == FAIL ]] || awk -v t="$s" -v sz="$SIZE_MIB" -v l="$loss" 'BEGIN {
		cap = 1e9 * 1472 / 1538
		printf "  slam at %s%%: %.0f%% of the link payload capacity\n", l,
			100 * sz * 8 * 1048576 / (t / 1e9) / cap }'
done
done
# the growth curve of slam over the receiver counts
if [[ $(wc -w <<<"$NRS") -gt 1 && " $TOOLS " == *" slam "* ]]; then
	echo "slam by receivers (time, packets per block):"
	for loss in $LOSSES; do
		for nr in $NRS; do
			t=${RES[slam:$loss:$nr]:-FAIL}
			[[ $t == FAIL ]] && { printf '  N=%-3s %s%%: FAILED\n' "$nr" "$loss"; continue; }
			awk -v t="$t" -v n="$nr" -v l="$loss" -v ppb="${PPB[$nr:$loss]:-}" \
				'BEGIN { split(ppb, v, " "); printf "  N=%-3s %s%%: %6.2f s  %.3f packets per block\n", n, l, t / 1e9, v[2] / v[1] }'
		done
	done
fi
