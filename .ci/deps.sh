#!/bin/sh
# .ci/deps.sh check|install - the Debian packages mcbox needs to build and
# test, listed one per line in .ci/packages/*.txt. `check` exits 1 when any is
# missing; `install` installs them with apt-get when root, and otherwise
# prints the exact command to run.
set -eu
cd "$(dirname "$0")/.."
pkgs=$(cat .ci/packages/*.txt | sed 's/#.*//' | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u)
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "${1:-check}" = check ] && exit 1
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
else
	echo "deps: missing packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
