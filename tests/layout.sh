#!/bin/bash
# tests/layout.sh - checks the shape of the tree that docs/ARCHITECTURE.md
# describes, and prints each breach on one line; exits 1 when there is any:
#   - every lib/ROOM/NAME.c has its own lib/ROOM/NAME.h;
#   - no include circle among the lib modules (a module is NAME.c with
#     NAME.h; an edge is an #include "ROOM/OTHER.h" in either file);
#   - the sans-I/O modules (codecs, state machines) include only sans-I/O
#     modules;
#   - lib never prints to stdout, except base/opt.c (--help, --version)
#     and file/outfile.c (an output file of "-" is copied to stdout);
#   - no applet is over 250 lines.
# Run by `make layout` and tests/02-docs.bats.
set -u
shopt -s nullglob
cd "$(dirname "$0")/.." || exit 1

# codecs and state machines: bytes and time in, events out, no I/O
sans_io="base/err base/fmath base/num file/bitmap net/addr net/mac net/macset net/rate
	slam/wire slam/client slam/server tftp/wire tftp/client
	igmp/wire igmp/table igmp/querier probe/wire probe/stats
	mroute/parse mcping/wire mcping/client mcping/responder
	mcping/mesh net/nft"
max_applet=250
bad=0

breach() {
	echo "layout: $*"
	bad=1
}

for c in lib/*/*.c; do
	[[ -f ${c%.c}.h ]] || breach "$c has no header ${c%.c}.h"
done

# "module included-module" pairs, from both files of each module
edges() {
	local f m inc
	for f in lib/*/*.[ch]; do
		m=${f#lib/}
		m=${m%.[ch]}
		for inc in $(sed -n 's/^#include "\([a-z]*\/[a-z_]*\)\.h".*/\1/p' "$f"); do
			[[ $inc == "$m" ]] || echo "$m $inc"
		done
	done | sort -u
}

if ! loops=$(edges | tsort 2>&1 >/dev/null) || [[ -n $loops ]]; then
	breach "include circle: $(echo "$loops" | grep -v 'input contains a loop' |
		sed 's/^tsort: //' | tr '\n' ' ')"
fi

edges | while read -r m inc; do
	case " $(echo $sans_io) " in
	*" $m "*)
		case " $(echo $sans_io) " in
		*" $inc "*) ;;
		*) echo "layout: $m is sans-I/O but includes $inc" ;;
		esac ;;
	esac
done | grep . && bad=1

# printing to stdout: printf, puts, putchar, vprintf, or stdout named
# (outside strings and comment lines)
for f in lib/*/*.c; do
	[[ $f == lib/base/opt.c ]] && continue
	sed 's/"\([^"\\]\|\\.\)*"/""/g' "$f" | grep -nE \
		'(^|[^a-z_])(printf|puts|putchar|vprintf)[[:space:]]*\(|\bstdout\b|STDOUT_FILENO' |
		grep -v ':[[:space:]]*/\?\*' |
		{ [[ $f == lib/file/outfile.c ]] && grep -v STDOUT_FILENO || cat; } |
		sed "s|^|layout: lib prints to stdout: $f:|"
done | grep . && bad=1

for a in applets/*.c; do
	n=$(wc -l <"$a")
	((n <= max_applet)) || breach "$a has $n lines (at most $max_applet)"
done
exit $bad
