#!/bin/bash
# tests/bench/ipxe.sh - real iPXE firmware against slam-serve and against
# mini-slamd, on the same image: 1 and 3 iPXE clients at once, each a QEMU
# guest (TCG) whose only NIC is a tap on a bridge inside our namespaces.
#
# Needs an iPXE image and, for the comparison, a mini-slamd binary, both
# built by you from their public sources; this repository neither ships nor
# builds them:
#   IPXE=path/to/ipxe.lkrn    iPXE's bin/ipxe.lkrn (https://ipxe.org/download,
#                             https://ipxe.org/appnote/buildtargets) built
#                             with DOWNLOAD_PROTO_SLAM, DIGEST_CMD and PING_CMD
#                             in src/config/local/general.h, CONSOLE_SERIAL
#                             in src/config/local/console.h, and no EMBED=:
#                             the script each guest runs is passed as its
#                             initrd.
#   MINI_SLAMD=path           Etherboot's contrib/mini-slamd, compiled.
# Without IPXE (or qemu-system-x86_64) this prints "iPXE not available" and
# exits 0; without MINI_SLAMD it measures slam-serve alone.
#
# Method. The guests boot, configure a static address and wait at a gate
# (they ping the server host, whose nft rule drops the pings); the server
# starts, the gate opens and every guest runs imgfetch x-slam://SERVER/
# (current iPXE takes no group in the URL: the default group), then prints
# the image's length and md5sum and powers off. Time: from the first NACK
# of any guest to the last guest's end, on the host's clock: tcpdump on the
# server's interface stamps the NACKs and the 1-byte disconnect iPXE sends
# when it ends; a guest that never asked (it got every block while another
# guest drove the server) sends no disconnect, and its end is the host's
# stamp on its console line closing imgfetch. iPXE's own 1 s wait before
# its first NACK is outside the time.
# Per run it prints: the time; byte-exact guests (length and md5sum on the
# console); slam-serve's done/left/lost verdicts from its JSON events, and
# how many contradict the consoles (done for a guest without the image,
# left/lost for one that has it); data packets per block and pings (the
# JSON summary: slam-serve may send with UDP GSO, which per-skb counters
# undercount; for mini-slamd, nft counters on the server's output); the
# lowest adaptive rate (rate_pps of the "round" events); each guest's
# drops (frames its tap could not hand to QEMU: the guest's real losses).
# Then a table of medians over the runs and the speed-up of slam-serve.
#
# Run as root. Knobs: IPXE, MINI_SLAMD, SIZE_MIB (8), COUNTS ("1 3"), RUNS
# (3), TIMEOUT (s per run, 90), KEEP=DIR (copy every run's logs and
# captures there), NIC (virtio-net-pci), SERVE_ARGS (more slam-serve
# options, e.g. "-r 8000"), MINI=0 (skip mini-slamd), CAPTURE=all (with
# KEEP: every UDP datagram on the server's interface, not only the
# guests' packets to the server, in cap.pcap, and what each guest's tap
# carried in tapK.pcap; perturbs the timing).
set -u
exec 3>&2	# the helpers report to fd 3, as under bats
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD

if [[ -z ${IPXE:-} || ! -f ${IPXE:-} ]]; then
	echo "iPXE not available (set IPXE=/path/to/ipxe.lkrn, built by you)"
	exit 0
fi
QEMU=$(command -v qemu-system-x86_64) || {
	echo "iPXE not available: no qemu-system-x86_64"
	exit 0
}
if [[ $(id -u) != 0 ]]; then
	echo "ipxe.sh: run as root (the guests' tap devices)" >&2
	exit 1
fi
[[ -x $TOP/mcbox ]] || { echo "ipxe.sh: build ./mcbox first" >&2; exit 1; }
for t in tcpdump nft; do
	command -v "$t" >/dev/null || { echo "ipxe.sh: needs $t" >&2; exit 1; }
done

SIZE_MIB=${SIZE_MIB:-8}
COUNTS=${COUNTS:-"1 3"}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-90}
NIC=${NIC:-virtio-net-pci}
SRV=198.18.0.1
GROUP=239.255.1.1

# shellcheck source=../helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=../helpers/netns.bash
. tests/helpers/netns.bash

T=$(mktemp -d /dev/shm/mcb-ipxe.XXXXXX)
export BATS_TEST_TMPDIR=$T BATS_FILE_TMPDIR=$T
GUESTS=()	# the QEMU PIDs of the current run (in run's subshell)
cleanup() {
	local p
	for p in "${GUESTS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	bg_kill_all
	net_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# h1 is the server (198.18.0.1); the guests' taps hang on the bridge in sw
net_star 1 || { echo "ipxe.sh: cannot create namespaces" >&2; exit 1; }
head -c $((SIZE_MIB << 20)) /dev/urandom >"$T/file"
SUM=$(md5sum <"$T/file" | cut -d' ' -f1)
LEN=$(stat -c %s "$T/file")

# The guests' script: static address, the gate, the fetch, the proof.
guest_script() {
	cat <<-EOF
	#!ipxe
	ifopen net0 || goto fail
	set net0/ip 198.18.0.$((10 + $1))
	set net0/netmask 255.255.255.0
	echo IPXEBENCH wait
	:gate
	ping -q -c 1 -t 100 $SRV || goto gate
	echo IPXEBENCH go
	imgfetch -n img x-slam://$SRV/ || goto fail
	echo IPXEBENCH got
	imgstat img
	md5sum img
	echo IPXEBENCH end
	poweroff
	:fail
	echo IPXEBENCH fail
	poweroff
	EOF
}

# stamp: prefix each line with the host's time (the serial console's log).
stamp() {
	local l
	while IFS= read -r l; do
		printf '%s %s\n' "$EPOCHREALTIME" "${l//$'\r'/}"
	done
}

gate() {	# gate close|open: h1 drops or answers the guests' pings
	nsx h1 nft delete table inet ipxegate 2>/dev/null
	[[ $1 == open ]] && return 0
	nsx h1 nft -f - <<-EOF
	table inet ipxegate {
		chain in {
			type filter hook input priority 0;
			icmp type echo-request drop
		}
	}
	EOF
}

counters() {	# the server's data packets (to the group) and pings
	nsx h1 nft delete table inet ipxecount 2>/dev/null
	nsx h1 nft -f - <<-EOF
	table inet ipxecount {
		counter data {}
		counter ping {}
		chain out {
			type filter hook output priority 0;
			ip daddr $GROUP udp dport 10000 counter name data
			ip daddr != $GROUP udp sport 10000 counter name ping
		}
	}
	EOF
}

count() {	# count NAME: packets through counter NAME
	nsx h1 nft list counter inet ipxecount "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

all_say() {	# all_say N WORD: every guest's console said IPXEBENCH WORD
	local k
	for ((k = 1; k <= $1; k++)); do
		grep -qE "IPXEBENCH ($2)\$" "$T/c$k.log" || return 1
	done
}

guests_gone() {
	local p
	for p in "${GUESTS[@]}"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

srv_up() {
	nsx h1 ss -Huln 'sport = :10000' | grep -q .
}

# start N NAME CMD...: boots N guests, starts the server CMD and the
# captures, opens the gate and waits until every guest has powered off.
start() {
	local n=$1 k
	shift 2
	rm -f "$T"/c*.log "$T"/c*.err "$T"/srv.* "$T"/cap.* "$T"/tap*.pcap
	gate close
	for ((k = 1; k <= n; k++)); do
		guest_script "$k" >"$T/c$k.ipxe"
		nsx sw ip tuntap add dev "tap$k" mode tap || return 1
		nsx sw ip link set "tap$k" master br0 up
		ip netns exec "$MCB_NS-sw" "$QEMU" -nodefaults -no-user-config \
			-machine pc,accel=tcg -m 128 -display none -no-reboot \
			-serial stdio -kernel "$IPXE" -initrd "$T/c$k.ipxe" \
			-netdev "tap,id=n0,ifname=tap$k,script=no,downscript=no" \
			-device "$NIC,netdev=n0,mac=52:54:00:00:18:$((10 + k))" \
			</dev/null 2>"$T/c$k.err" > >(stamp >"$T/c$k.log") &
		GUESTS+=($!)
	done
	if ! wait_for 60 all_say "$n" 'wait|fail'; then
		echo "  the guests did not boot: $(tail -qn2 "$T"/c*.log "$T"/c*.err)" >&2
		return 1
	fi
	counters
	bg srv ip netns exec "$MCB_NS-h1" "$@"
	local filt="udp and dst host $SRV and dst port 10000"
	[[ ${CAPTURE:-} == all ]] && filt=udp
	bg cap ip netns exec "$MCB_NS-h1" tcpdump -i eth0 -n -s 96 \
		-w "$T/cap.pcap" "$filt"
	wait_for 10 srv_up && wait_for 10 bg_says cap 'listening on' || return 1
	if [[ ${CAPTURE:-} == all ]]; then	# what each guest's tap carried
		for ((k = 1; k <= n; k++)); do
			bg "tap$k" ip netns exec "$MCB_NS-sw" tcpdump -i "tap$k" -n \
				-s 96 -w "$T/tap$k.pcap" udp
			wait_for 10 bg_says "tap$k" 'listening on' || return 1
		done
	fi
	gate open
	wait_for "$TIMEOUT" guests_gone ||
		echo "  some guest still ran after ${TIMEOUT}s" >&2
	DATA=$(count data) PING=$(count ping)
}

# stop N: ends the server (TERM: its summary) and the captures (TERM:
# flushed), then the guests; DROPS: the frames each guest's tap could not hand to it
# (QEMU reads the tap only while the guest has receive buffers free: the
# guest's losses), comma-separated.
stop() {
	local k
	bg_kill_all	# TERM, then KILL after 3 s
	DROPS=
	for ((k = 1; k <= $1; k++)); do
		DROPS+="${DROPS:+,}$(nsx sw cat "/sys/class/net/tap$k/statistics/tx_dropped" 2>/dev/null)"
	done
	for k in "${!GUESTS[@]}"; do
		kill -KILL "${GUESTS[k]}" 2>/dev/null
		wait "${GUESTS[k]}" 2>/dev/null
		nsx sw ip link del "tap$((k + 1))" 2>/dev/null
	done
	GUESTS=()
}

# run N NAME CMD...: one measurement; prints "secs exact data pings drops"
# and leaves the server's output in $T/srv.out.
run() {
	local n=$1 name=$2 k secs exact=0
	if ! start "$@"; then
		stop "$n"
		return 1
	fi
	stop "$n"
	tcpdump -r "$T/cap.pcap" -n -tt "udp and dst host $SRV and dst port 10000" \
		>"$T/cap.out" 2>/dev/null
	if [[ -n ${KEEP:-} ]]; then
		mkdir -p "$KEEP/$name"
		cp "$T"/c*.log "$T"/srv.out "$T"/srv.err "$T"/cap.out "$T"/*.pcap \
			"$KEEP/$name/"
	fi
	# from the first NACK (any guest) to the last guest's end: its 1-byte
	# disconnect, or, for a guest that never had to ask (it got every
	# block while another drove the server, so it sends no disconnect),
	# the console line that closes its imgfetch (" ok")
	secs=$(cat "$T/cap.out" <(sed -n 's/^\([0-9.]*\) x-slam:.* ok$/\1 END/p' \
		"$T"/c*.log) | awk '
		/UDP, length/ { if (first == "" || $1 < first) first = $1
			if ($NF == 1 && $1 > last) last = $1 }
		/ END$/ { if ($1 > last) last = $1 }
		END { if (first == "" || last == "") print "-"
		      else printf "%.3f", last - first }')
	for ((k = 1; k <= n; k++)); do
		grep -q "$SUM" "$T/c$k.log" && grep -q "\\b$LEN bytes" "$T/c$k.log" &&
			exact=$((exact + 1))
	done
	echo "$secs $exact $DATA $PING $DROPS"
}

# field NAME FILE: a number from the last JSON line that has it
field() {
	sed -n "s/.*\"$1\":\\([0-9.]*\\).*/\\1/p" "$2" | tail -1
}

median() {
	tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "-"
			else if (NR % 2) print v[(NR + 1) / 2]
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# verdicts N: slam-serve's verdicts against the guests' consoles: prints
# "done left lost wrong" (wrong: done for a guest without the exact image,
# or left/lost for one that has it; a guest that never asked is unknown to
# the server and not counted)
verdicts() {
	local k ip ev ok d=0 l=0 o=0 w=0
	for ((k = 1; k <= $1; k++)); do
		ip=198.18.0.$((10 + k))
		ev=$(sed -n "s/.*\"event\":\"\\(done\\|left\\|lost\\)\",\"client\":\"$ip:.*/\\1/p" \
			"$T/srv.out" | tail -1)
		ok=0
		grep -q "$SUM" "$T/c$k.log" && ok=1
		case $ev in
		done) d=$((d + 1)); ((ok)) || w=$((w + 1)) ;;
		left) l=$((l + 1)); ((ok)) && w=$((w + 1)) ;;
		lost) o=$((o + 1)); ((ok)) && w=$((w + 1)) ;;
		esac
	done
	echo "$d $l $o $w"
}

MINI_OK=0
[[ -n ${MINI_SLAMD:-} && -x ${MINI_SLAMD:-} && ${MINI:-1} != 0 ]] && MINI_OK=1
printf 'iPXE (%s) against slam-serve%s: %d MiB, %d run(s) each\n' \
	"$(basename "$IPXE")" "$( ((MINI_OK)) && echo " and mini-slamd")" \
	"$SIZE_MIB" "$RUNS"
echo "time: first NACK to the last guest's end; drops: frames each guest's tap could not deliver"
ROWS=()
for n in $COUNTS; do
	st=() mt=() spb=() sx=0 mx=0 wrong=0 td=0 tl=0 to=0
	for ((r = 1; r <= RUNS; r++)); do
		# shellcheck disable=SC2086  # SERVE_ARGS: words
		if out=$(run "$n" "n$n-slam-serve-$r" "$TOP/mcbox" slam-serve -j \
			${SERVE_ARGS:-} "$T/file"); then
			read -r secs exact _ _ drops <<<"$out"
			read -r vd vl vo vw <<<"$(verdicts "$n")"
			pb=$(awk -v p="$(field packets "$T/srv.out")" \
				-v b="$(field blocks "$T/srv.out")" \
				'BEGIN { if (b > 0) printf "%.3f", p / b; else print "-" }')
			lo=$(sed -n 's/.*"rate_pps":\([0-9.]*\).*/\1/p' "$T/srv.out" |
				sort -g | head -1)
			printf '  N=%d slam-serve %d: %s s, exact %d/%d, %d done %d left %d lost (%d wrong), %s packets/block, %s pings, rate >= %s pps, drops %s\n' \
				"$n" "$r" "$secs" "$exact" "$n" "$vd" "$vl" "$vo" "$vw" \
				"$pb" "$(field pings "$T/srv.out")" "${lo:--}" "$drops"
			st+=("$secs") spb+=("$pb")
			sx=$((sx + exact)) wrong=$((wrong + vw))
			td=$((td + vd)) tl=$((tl + vl)) to=$((to + vo))
		else
			echo "  N=$n slam-serve $r: FAILED"
		fi
		((MINI_OK)) || continue
		if out=$(run "$n" "n$n-mini-slamd-$r" "$MINI_SLAMD" "$T/file"); then
			read -r secs exact data ping drops <<<"$out"
			printf '  N=%d mini-slamd %d: %s s, exact %d/%d, %s data packets, %s pings, drops %s\n' \
				"$n" "$r" "$secs" "$exact" "$n" "$data" "$ping" "$drops"
			mt+=("$secs")
			mx=$((mx + exact))
		else
			echo "  N=$n mini-slamd $r: FAILED"
		fi
	done
	ROWS+=("$n $(echo "${st[*]:-}" | median) $(echo "${mt[*]:-}" | median) $(echo "${spb[*]:-}" | median) $sx $mx $td/$tl/$to $wrong")
done
echo
echo "medians over $RUNS run(s); exact: byte-exact downloads (slam-serve, mini-slamd);"
echo "verdicts: slam-serve's done/left/lost over all runs, and how many were wrong"
printf '%3s %11s %11s %8s %13s %9s %9s %10s %6s\n' N slam-serve mini-slamd \
	faster packets/block "exact(s)" "exact(m)" verdicts wrong
for row in "${ROWS[@]}"; do
	read -r n s m pb sx mx verd wrong <<<"$row"
	awk -v n="$n" -v s="$s" -v m="$m" -v pb="$pb" -v sx="$sx/$((n * RUNS))" \
		-v mx="$( ((MINI_OK)) && echo "$mx/$((n * RUNS))" || echo -)" \
		-v v="$verd" -v w="$wrong" 'BEGIN {
		r = (s + 0 > 0 && m + 0 > 0) ? sprintf("%.2fx", m / s) : "-"
		printf "%3d %9s s %9s s %8s %13s %9s %9s %10s %6d\n",
			n, s, m, r, pb, sx, mx, v, w }'
done
((MINI_OK)) || echo "mini-slamd not available (set MINI_SLAMD=/path/to/mini-slamd)"
