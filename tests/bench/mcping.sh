#!/bin/bash
# tests/bench/mcping.sh - the mcping responder against Debian's ssmpingd on
# one namespaced link: N ssmping-format requests at a fixed rate from h2,
# how many unicast and multicast answers came back, and the round-trip
# times mcping's client measures against each. Printed side by side.
# Goal: the mcping responder (-r 0, no rate limit) answers as many as
# ssmpingd at every rate, with the same round-trip times.
set -eu
cd "$(dirname "$0")/../.."
export MCBOX=${MCBOX:-$PWD/mcbox}
BATS_TEST_TMPDIR=$(mktemp -d)
BATS_FILE_TMPDIR=$BATS_TEST_TMPDIR
export BATS_TEST_TMPDIR BATS_FILE_TMPDIR
# shellcheck source=../helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=../helpers/netns.bash
. tests/helpers/netns.bash
command -v ssmpingd >/dev/null || { echo "bench: needs ssmpingd (apt-get install ssmping)"; exit 1; }
trap 'bg_kill_all; net_down; rm -rf "$BATS_TEST_TMPDIR"' EXIT
net_star 2 >/dev/null

# flood RATE COUNT: ssmping-format requests from h2 to h1, answers counted
flood() {
	nsx h2 python3 - "$1" "$2" <<'PY'
import socket, struct, sys, time
rate, n = int(sys.argv[1]), int(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
u.connect(("198.18.0.1", 4321))
port = u.getsockname()[1]
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
m.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
m.bind(("232.43.211.234", port))
mreq = socket.inet_aton("232.43.211.234") + socket.inet_aton("0.0.0.0") + socket.inet_aton("198.18.0.1")
m.setsockopt(socket.IPPROTO_IP, 39, mreq)  # IP_ADD_SOURCE_MEMBERSHIP
def opt(t, v): return struct.pack("!HH", t, len(v)) + v
t0 = time.monotonic()
for i in range(1, n + 1):
    u.send(b"Q" + opt(1, b"\0\0\0\1") + opt(2, struct.pack("!I", i)) +
           opt(3, b"\0" * 8) + opt(4, b"\x01" + socket.inet_aton("232.43.211.234")))
    while time.monotonic() < t0 + i / rate:
        pass
for s in (u, m):
    s.setblocking(False)
time.sleep(0.5)
got = []
for s in (u, m):
    k = 0
    while True:
        try:
            s.recv(2048); k += 1
        except BlockingIOError:
            break
    got.append(k)
print("%d %d" % tuple(got))
PY
}

rtt() {
	nsx h2 "$MCBOX" mcping -q -j -c 50 --interval 0.02 198.18.0.1 2>/dev/null |
		python3 -c 'import json,sys; s=[json.loads(l) for l in sys.stdin][-1]; print("%.3f %.3f" % (s["unicast"]["rtt_avg_ms"], s["multicast"]["rtt_avg_ms"]))'
}

run() {
	local who=$1 rate n=4000 r
	shift
	bg resp ip netns exec "$MCB_NS-h1" "$@"
	wait_for 5 bash -c "[[ -n \$(ip netns exec $MCB_NS-h1 ss -Hlun 'sport = :4321') ]]"
	for rate in 1000 5000 20000; do
		r=$(flood "$rate" "$n")
		printf '%-9s %6d req/s: %5s of %d unicast, %5s multicast answers\n' \
			"$who" "$rate" "${r% *}" "$n" "${r#* }"
	done
	r=$(rtt)
	printf '%-9s rtt avg (mcping -c 50): unicast %s ms, multicast %s ms\n' \
		"$who" "${r% *}" "${r#* }"
	bg_kill_all
}

run ssmpingd ssmpingd
run mcping "$MCBOX" mcping -l -q -r 0 -4
