#!/bin/bash
# tests/bench/startup.sh - start-up cost: `mcbox ip2mac 224.0.0.1` (the
# dispatcher, privilege setup, one mapping) against a busybox applet
# (`busybox true`, busybox-static), each run RUNS times, with hyperfine
# when installed, else `perf stat -r`. Prints CPU time (user + system, the
# mean) and wall time (hyperfine: the median) per run, and mcbox's ratios;
# the goal is 1.5 at most (exit 1 when the wall-time ratio is over it).
# On a busy machine both swing: run it on an idle one. No network is used.
set -eu
cd "$(dirname "$0")/../.."
bin=${MCBOX:-./mcbox}
bb=${BUSYBOX:-$(command -v busybox || true)}
runs=${RUNS:-300}
goal=1.5
[[ -x $bb ]] || { echo "startup: no busybox (apt-get install busybox-static)"; exit 0; }
if command -v hyperfine >/dev/null; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	hyperfine -N -w 20 -r "$runs" --export-json "$tmp/h.json" \
		"$bin ip2mac 224.0.0.1" "$bb true" /bin/true >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err"; exit 1; }
	# median wall time and mean user + system CPU time, in ms
	read -r mw mc bw bc tw tc < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.4f %.4f" % (x["median"] * 1e3, (x["user"] + x["system"]) * 1e3) for x in r))' "$tmp/h.json")
else
	command -v perf >/dev/null ||
		{ echo "startup: neither hyperfine nor perf (apt-get install hyperfine)"; exit 0; }
	# task-clock (CPU ms) and elapsed time (s) of perf stat's summary
	stat() {
		perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 >/dev/null |
			awk -F, '/task-clock/ { print $1 }'
	}
	wall() {
		local s e
		s=$(date +%s%N)
		for ((i = 0; i < runs; i++)); do "$@" >/dev/null; done
		e=$(date +%s%N)
		awk -v n=$((e - s)) -v r="$runs" 'BEGIN { printf "%.4f", n / r / 1e6 }'
	}
	mc=$(stat "$bin" ip2mac 224.0.0.1)
	bc=$(stat "$bb" true)
	tc=$(stat /bin/true)
	mw=$(wall "$bin" ip2mac 224.0.0.1)
	bw=$(wall "$bb" true)
	tw=$(wall /bin/true)
fi
# /bin/true (dynamically linked, like mcbox) shows what exec and ld.so
# cost by themselves on this machine
awk -v mc="$mc" -v bc="$bc" -v mw="$mw" -v bw="$bw" -v tc="$tc" -v tw="$tw" \
    -v g="$goal" 'BEGIN {
	printf "%-34s %8.3f ms CPU %8.3f ms wall\n", "mcbox ip2mac 224.0.0.1", mc, mw
	printf "%-34s %8.3f ms CPU %8.3f ms wall\n", "busybox true", bc, bw
	printf "%-34s %8.3f ms CPU %8.3f ms wall\n", "/bin/true (for reference)", tc, tw
	printf "%-34s %8.2fx CPU %8.2fx wall (goal: %.1fx)\n", "ratio", mc / bc, mw / bw, g
	exit mw / bw > g
}'
