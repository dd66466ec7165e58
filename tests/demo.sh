#!/bin/bash
# tests/demo.sh - `make demo`: a short tour of mcbox inside throwaway network
# namespaces (a star of three hosts on a bridge, and a routed line
# src - rt - dst). Each applet adds its step as tests/demo.d/NN-name.sh,
# which may use: demo_step TITLE, demo_run CMD..., demo_on HOST CMD...,
# demo_bg NAME HOST CMD... (ended at exit), nsx, net_addr, wait_for.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

if [[ $(id -u) != 0 && -z ${MCB_UNSHARED:-} ]]; then
	exec unshare -Urnm env MCB_UNSHARED=1 bash -c \
		'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec bash tests/demo.sh'
fi

# shellcheck source=helpers/common.bash
. tests/helpers/common.bash
# shellcheck source=helpers/netns.bash
. tests/helpers/netns.bash

DEMO_TMP=$(mktemp -d)
export BATS_TEST_TMPDIR=$DEMO_TMP BATS_FILE_TMPDIR=$DEMO_TMP
mkdir -p "$DEMO_TMP/bin"
"$TOP/mcbox" --install -s "$DEMO_TMP/bin" || exit 1
ln -s "$TOP/mcbox" "$DEMO_TMP/bin/mcbox"
export PATH="$DEMO_TMP/bin:$PATH"

cleanup() {
	bg_kill_all
	net_down
	rm -rf "$DEMO_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)

demo_step() {
	printf '\n%s== %s%s\n' "$bold" "$1" "$plain"
}

demo_run() {
	printf '%s$ %s%s\n' "$bold" "$*" "$plain"
	"$@"
	local rc=$?
	[[ $rc == 0 ]] || printf '(exit %d)\n' "$rc"
	return 0
}

demo_on() {
	local h=$1
	shift
	printf '%s%s$ %s%s\n' "$bold" "$h" "$*" "$plain"
	nsx "$h" "$@"
	local rc=$?
	[[ $rc == 0 ]] || printf '(exit %d)\n' "$rc"
	return 0
}

demo_bg() {
	local name=$1 h=$2
	shift 2
	printf '%s%s$ %s &%s\n' "$bold" "$h" "$*" "$plain"
	bg "$name" nsx "$h" "$@"
}

demo_step "The hosts: h1, h2, h3 on one LAN; src - rt - dst routed"
net_star 3 || { echo "demo: cannot create network namespaces" >&2; exit 1; }
net_line || { echo "demo: cannot create network namespaces" >&2; exit 1; }
echo "namespaces: $(sed 's/^/ /' "$MCB_NS_LIST" | tr -d '\n')"

for step in tests/demo.d/*.sh; do
	# shellcheck source=/dev/null
	. "$step"
done
demo_step "Done: everything above ran in namespaces that are now removed"
