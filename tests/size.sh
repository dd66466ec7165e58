#!/bin/bash
# tests/size.sh [BINARY] - the size goal of issue 14: the stripped binary
# under 250,000 bytes. Prints its stripped size and how far code and data
# may grow before the next 4 KiB step and before the goal; exits 1 when it
# is over. Run by `make size` (and so by .ci/run).
#
# The stripped size moves in steps: ld pads the file so that the RELRO
# part (pointer tables, .dynamic, .got) ends on a page boundary, so the
# file is roundup(headers + code + rodata + relro, 4096) + a tail (.got.plt,
# .data, the section headers), about 3.6 kB here.
set -eu
bin=${1:-mcbox}
goal=250000
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
strip -o "$tmp" "$bin"
size=$(stat -c %s "$tmp")
# end of the first (R E) segment in the file, RELRO's size and end
rx=0 relro=0 rend=0 loads=0
while read -r type off _ _ filesz _; do
	case $type in
	LOAD) loads=$((loads + 1)); ((rx)) || rx=$((filesz)) ;;
	GNU_RELRO) relro=$((filesz)) rend=$((off + filesz)) ;;
	esac
done < <(readelf -lW "$tmp" | awk '$1 == "LOAD" || $1 == "GNU_RELRO"')
# (the reckoning below holds for the layout the Makefile links: one
# segment for headers, code and rodata, then the writable one)
if ((rend > 0 && loads == 2)); then
	tail=$((size - rend))
	used=$((rx + relro))
	# the largest page-aligned RELRO end that keeps the file under the goal
	limit=$(((goal - 1 - tail) / 4096 * 4096))
	printf 'stripped %s: %d bytes (goal: under %d); code and data may grow %d bytes before the next 4 KiB step, %d before the goal\n' \
		"$bin" "$size" "$goal" $((rend - used)) $((limit - used))
else
	printf 'stripped %s: %d bytes (goal: under %d)\n' "$bin" "$size" "$goal"
fi
((size < goal)) || { echo "size: over the goal" >&2; exit 1; }
