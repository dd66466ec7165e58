#!/bin/bash
# tests/bench/ip2mac.sh - ip2mac in bulk: map one million addresses (IPv4 and
# IPv6 mixed) from stdin, best of 3, and the same through --check and -j.
# No network is used. Goal: well under a second for the plain mapping.
set -eu
cd "$(dirname "$0")/../.."
bin=${MCBOX:-./mcbox}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(1); for (i = 0; i < 1000000; i++)
	if (i % 10) printf "%d.%d.%d.%d\n", 224 + int(rand() * 16), int(rand() * 256), int(rand() * 256), int(rand() * 256)
	else printf "ff%02x::%x:%x\n", int(rand() * 256) % 16 + 16, int(rand() * 65536), int(rand() * 65536) }' >"$tmp/in"
best() {
	local b=999 t s e
	for _ in 1 2 3; do
		s=$(date +%s%N)
		"$@" <"$tmp/in" >/dev/null || [[ $? == 1 ]]
		e=$(date +%s%N)
		t=$(awk -v n=$((e - s)) 'BEGIN { printf "%.3f", n / 1e9 }')
		b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (t < a) ? t : a }')
	done
	echo "$b"
}
printf '%-34s %s\n' "ip2mac, 1,000,000 lines" "$(best "$bin" ip2mac) s"
printf '%-34s %s\n' "ip2mac -v (scopes)" "$(best "$bin" ip2mac -v) s"
printf '%-34s %s\n' "ip2mac -j" "$(best "$bin" ip2mac -j) s"
printf '%-34s %s\n' "ip2mac --check" "$(best "$bin" ip2mac --check) s"
