#!/bin/bash
# tests/bench/startup.sh - start-up cost: `mcbox ip2mac 224.0.0.1` (the
# dispatcher, privilege setup, one mapping, one line out) against a busybox
# applet (`busybox true`, busybox-static). /bin/true (dynamically linked
# glibc, like mcbox) is measured beside them: it shows what exec, ld.so and
# libc's own start cost by themselves on this machine.
#
# Noise on a shared machine comes in bursts of seconds, so timing one
# command for a while and then the other (as hyperfine and perf stat do)
# compares a quiet moment with a busy one. Here the three commands are
# interleaved in blocks of 5 runs (the order rotating), each block after
# one untimed run, so that every command runs with its caches as warm as
# hyperfine's back-to-back runs leave them (run by run, busybox, which
# shares no code with the other two, would always start cold: a ratio
# 0.1 too kind to mcbox). Each run is spawned with posix_spawn and timed
# from spawn to reaped exit, as hyperfine -N times it; CPU time (user +
# system) comes from wait4.
# ROUNDS rounds (default 7) of RUNS runs of each (default 200), after 20
# warm-up runs of each. Per round: each command's median wall time and
# mcbox's ratio to busybox. The verdict is the median of the rounds'
# ratios (exit 1 when it is over the goal, 1.5); the lowest and highest
# round ratios are printed beside it, and so is the ratio of the fastest
# single runs (the floor this machine allows). No network is used.
set -eu
cd "$(dirname "$0")/../.."
bin=${MCBOX:-./mcbox}
bb=${BUSYBOX:-$(command -v busybox || true)}
runs=${RUNS:-200}
rounds=${ROUNDS:-7}
[[ -x $bb ]] || { echo "startup: no busybox (apt-get install busybox-static)"; exit 0; }
[[ -x $bin ]] || { echo "startup: no $bin (make)"; exit 1; }
command -v python3 >/dev/null || { echo "startup: needs python3"; exit 0; }
[[ $runs =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] ||
	{ echo "startup: RUNS and ROUNDS must be positive integers"; exit 2; }
exec python3 - "$runs" "$rounds" 1.5 "$bin" "$bb" <<'EOF'
import os, statistics as st, sys, time

runs, rounds, goal = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
block = 5
cmds = [[sys.argv[4], "ip2mac", "224.0.0.1"], [sys.argv[5], "true"], ["/bin/true"]]
names = ["mcbox ip2mac 224.0.0.1", "busybox true", "/bin/true"]
null = os.open(os.devnull, os.O_WRONLY)
acts = [(os.POSIX_SPAWN_DUP2, null, 1)]

def one(c):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(c[0], c, os.environ, file_actions=acts)
    _, status, ru = os.wait4(pid, 0)
    t = time.perf_counter_ns() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("startup: %s exited with %d" % (" ".join(c), os.waitstatus_to_exitcode(status)))
    return t / 1e6, (ru.ru_utime + ru.ru_stime) * 1e3

for i in range(20):
    for c in cmds:
        one(c)
wall = [[] for _ in cmds]	# every run, ms
ratios, cpus = [], []
print("%-6s %14s %14s %14s %8s" % ("round", "mcbox ms", "busybox ms", "/bin/true ms", "ratio"))
for r in range(rounds):
    w = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    for i in range(0, runs, block):
        for k in range(3):
            j = (i // block + k) % 3
            one(cmds[j])	# its caches warm again after the others
            for n in range(min(block, runs - i)):
                a, b = one(cmds[j])
                w[j].append(a)
                cpu[j].append(b)
    med = [st.median(x) for x in w]
    ratios.append(med[0] / med[1])
    cpus.append(st.mean(cpu[0]) / st.mean(cpu[1]))
    for j in range(3):
        wall[j] += w[j]
    print("%-6d %14.3f %14.3f %14.3f %7.2fx" % (r + 1, med[0], med[1], med[2], ratios[-1]))
ratio = st.median(ratios)
print("mcbox / busybox, wall: median of %d rounds %.2fx (rounds %.2f-%.2fx, fastest runs %.2fx; goal %.1fx)"
      % (rounds, ratio, min(ratios), max(ratios), min(wall[0]) / min(wall[1]), goal))
print("mcbox / busybox, CPU:  median of %d rounds %.2fx" % (rounds, st.median(cpus)))
print("/bin/true / busybox, wall: %.2fx; mcbox / /bin/true: %.2fx (%d runs of each per round)"
      % (st.median(wall[2]) / st.median(wall[1]), st.median(wall[0]) / st.median(wall[2]), runs))
sys.exit(1 if ratio > goal else 0)
EOF
