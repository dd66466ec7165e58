#!/bin/bash
# tests/demo.sh - `make demo`: a short tour of mcbox inside throwaway network
# namespaces (a star of three hosts on a bridge, and a routed line
# src - rt - dst). Each applet adds its step as tests/demo.d/NN-name.sh,
# which may use: demo_step TITLE, demo_run CMD..., demo_on HOST CMD...,
# demo_bg NAME HOST CMD... (ended at exit), demo_wait SECONDS CMD..., nsx,
# net_addr. demo_run and demo_on take -x STATUS first for a step that is
# meant to fail so; any other failure makes the demo exit 1, naming it.
# A scene that needs a kernel feature names it on a line "# kernel:
# FEATURE..." (see tests/vm/features): where the host lacks it, the scene
# runs in the guest kernel of tests/vm, or is named as not run, and why.
#   bash tests/demo.sh [SCENE.sh...]   only these scenes
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
	local rc=$?
	bg_kill_all
	net_down
	rm -rf "$DEMO_TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)

demo_step() {
	printf '\n%s== %s%s\n' "$bold" "$1" "$plain"
}

# A failed step, remembered in a file: steps may run in subshells.
demo_failed() {
	echo "$*" >>"$DEMO_TMP/failed"
	printf '(demo: step failed: %s)\n' "$*"
}

# demo_status WANT RC CMD...: print a non-zero status; remember it when it
# is not the one the step is meant to end with.
demo_status() {
	local want=$1 rc=$2
	shift 2
	[[ $rc == 0 ]] || printf '(exit %d)\n' "$rc"
	[[ $rc == "$want" ]] || demo_failed "$* (exit $rc)"
	return 0
}

demo_run() {
	local want=0
	[[ $1 == -x ]] && { want=$2; shift 2; }
	printf '%s$ %s%s\n' "$bold" "$*" "$plain"
	"$@"
	demo_status "$want" $? "$@"
}

demo_on() {
	local want=0 h
	[[ $1 == -x ]] && { want=$2; shift 2; }
	h=$1
	shift
	printf '%s%s$ %s%s\n' "$bold" "$h" "$*" "$plain"
	nsx "$h" "$@"
	demo_status "$want" $? "$h: $*"
}

demo_wait() {
	wait_for "$@" || demo_failed "not ready: ${*:2}"
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

scenes=("$@")
((${#scenes[@]})) || scenes=(tests/demo.d/*.sh)
notrun=""
for step in "${scenes[@]}"; do
	need=$(sed -n 's/^# kernel: *//p' "$step" | head -n 1)
	# shellcheck disable=SC2086
	if [[ -z $need || -n ${MCB_GUEST:-} ]] || tests/vm/features $need 2>/dev/null; then
		# shellcheck source=/dev/null
		. "$step"
	elif why=$(tests/vm/run --probe 2>&1); then
		demo_step "${step##*/}: this kernel lacks $need; the scene runs in the guest kernel (tests/vm)"
		tests/vm/run "MCB_GUEST=1 bash tests/demo.sh $step" ||
			demo_failed "${step##*/} in the guest kernel"
	else
		notrun="$notrun${notrun:+; }${step##*/} (needs kernel $need: $why)"
	fi
done
if [[ -s $DEMO_TMP/failed ]]; then
	demo_step "Failed steps:"
	sed 's/^/  /' "$DEMO_TMP/failed"
	exit 1
fi
if [[ -n $notrun ]]; then
	demo_step "Not run here: $notrun"
fi
demo_step "Done: everything above ran in namespaces that are now removed"
