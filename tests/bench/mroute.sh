#!/bin/bash
# tests/bench/mroute.sh - install and remove 1,000 (S,G) routes with
# `mroute -b` and with `smcroutectl -b` (smcrouted holding the table), in one
# throwaway network namespace with three veth interfaces; best of 3 each,
# and the ratio. Goal: mroute 5x faster than smcroutectl. Needs root (or
# user namespaces) and Debian's smcroute, which it installs when root.
set -eu
cd "$(dirname "$0")/../.."
bin=$(realpath "${MCBOX:-./mcbox}")
N=${N:-1000}

if [[ $(id -u) != 0 && -z ${MCB_UNSHARED:-} ]]; then
	exec unshare -Urnm env MCB_UNSHARED=1 bash -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec bash tests/bench/mroute.sh'
fi
if ! command -v smcrouted >/dev/null; then
	if [[ $(id -u) == 0 ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq smcroute >/dev/null
	else
		echo "mroute bench: smcroute is not installed" >&2
		exit 1
	fi
fi

ns=mcb$$bench
tmp=$(mktemp -d)
smc_pid=
cleanup() {
	if [[ -n $smc_pid ]]; then
		kill "$smc_pid" 2>/dev/null || true
		wait "$smc_pid" 2>/dev/null || true
	fi
	ip netns exec "$ns" "$bin" mroute -q stop >/dev/null 2>&1 || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add a0 type veth peer name b0
ip -n "$ns" link add a1 type veth peer name b1
for l in a0 b0 a1 b1; do ip -n "$ns" link set "$l" up; done
on() { ip netns exec "$ns" "$@"; }

# N routes from 198.18.x.y to 239.1.x.y, a0 -> b0 a1
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "add a0 198.18.%d.%d 239.1.%d.%d b0 a1\n", i / 250, i % 250 + 1, i / 250, i % 250 + 1 }' >"$tmp/add"
sed 's/^add \(a0 [^ ]* [^ ]*\).*/del \1/' "$tmp/add" >"$tmp/del"
sed 's/^del /remove /' "$tmp/del" >"$tmp/remove"

count() {
	on ip mroute show | grep -c '^(198\.18' || true
}

ms() {
	awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'
}

# best of 3 install + remove; prints "add_ns del_ns"
run3() {
	local best_a=0 best_d=0 s m e
	for _ in 1 2 3; do
		s=$(date +%s%N)
		"$@" add
		m=$(date +%s%N)
		[[ $(count) == "$N" ]] || { echo "only $(count) of $N routes" >&2; exit 1; }
		"$@" del
		e=$(date +%s%N)
		[[ $(count) == 0 ]] || { echo "$(count) routes left" >&2; exit 1; }
		((best_a == 0 || m - s < best_a)) && best_a=$((m - s))
		((best_d == 0 || e - m < best_d)) && best_d=$((e - m))
	done
	echo "$best_a $best_d"
}

mroute_op() {
	on "$bin" mroute -q -b "$tmp/$1"
}

smc_op() {
	if [[ $1 == add ]]; then
		on smcroutectl -u "$tmp/smc.sock" -b <"$tmp/add" >/dev/null
	else
		on smcroutectl -u "$tmp/smc.sock" -b <"$tmp/remove" >/dev/null
	fi
}

# mroute: a holder is started by the first batch and kept
read -r ma md < <(run3 mroute_op)
on "$bin" mroute -q stop >/dev/null
on "$bin" mroute -q flush

: >"$tmp/smc.conf"
# not through on(): $! must be smcrouted itself (ip netns exec execs it)
ip netns exec "$ns" smcrouted -n -f "$tmp/smc.conf" -P "$tmp/smc.pid" \
	-u "$tmp/smc.sock" -l err </dev/null >"$tmp/smc.log" 2>&1 &
smc_pid=$!
for _ in $(seq 100); do [[ -S $tmp/smc.sock ]] && break; sleep 0.05; done
read -r sa sd < <(run3 smc_op)

printf '%-36s %10s %10s\n' "$N (S,G) routes, best of 3" "install" "remove"
printf '%-36s %8s ms %8s ms\n' "mroute -b" "$(ms "$ma")" "$(ms "$md")"
printf '%-36s %8s ms %8s ms\n' "smcroutectl -b (smcrouted)" "$(ms "$sa")" "$(ms "$sd")"
printf '%-36s %10s %10s\n' "ratio (smcroutectl / mroute)" \
	"$(awk -v a="$sa" -v b="$ma" 'BEGIN { printf "%.1fx", a / b }')" \
	"$(awk -v a="$sd" -v b="$md" 'BEGIN { printf "%.1fx", a / b }')"
