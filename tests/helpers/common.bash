# common.bash - shared by every bats suite: the binary under test, waiting
# with a deadline, and background processes that are always ended by PID.
# shellcheck shell=bash

# Beware: bats' run (1.8) changes a global variable i; loop with other names.

# make check sets MCBOX (./mcbox, then the ASan+UBSan build); default for
# running one suite by hand.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${MCBOX:=$TOP/mcbox}"
export MCBOX TOP
# A sanitizer report must fail the test, never pass as "exit 1".
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=87:print_stacktrace=1}"

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds; 1 when the
# deadline passes first.
wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s%N) + secs * 1000000000))
	while ! "$@"; do
		if (($(date +%s%N) > end)); then
			echo "# wait_for: '$*' not true after ${secs}s" >&3 2>/dev/null ||
				echo "# wait_for: '$*' not true after ${secs}s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# bg NAME CMD...: start CMD in the background, stdout and stderr in
# $BATS_TEST_TMPDIR/NAME.out and NAME.err; fd 3 closed so bats does not wait.
bg() {
	local name=$1
	shift
	# nsx is a function: run the command through ip netns exec directly, so
	# that the PID recorded is the command's own (signals must reach it)
	if [[ $1 == nsx ]]; then
		set -- ip netns exec "$MCB_NS-$2" "${@:3}"
	fi
	"$@" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
	echo "$!" >"$BATS_TEST_TMPDIR/$name.pid"
	echo "$name $!" >>"$BATS_TEST_TMPDIR/bg.pids"
}

bg_pid() {
	cat "$BATS_TEST_TMPDIR/$1.pid"
}

# bg_wait NAME SECONDS: wait for NAME to exit; its exit status in $status.
# shellcheck disable=SC2034  # status is for the caller, as with bats run
# Fails (and kills it) when it has not ended by the deadline.
bg_wait() {
	local pid
	pid=$(bg_pid "$1")
	if ! wait_for "$2" bg_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		status=124
		return 1
	fi
	status=0
	wait "$pid" || status=$?
	return 0
}

bg_gone() {
	! kill -0 "$1" 2>/dev/null
}

# bg_signal NAME SIG: send SIG to NAME (by PID).
bg_signal() {
	kill "-$2" "$(bg_pid "$1")"
}

# End every background process this test started: TERM, then KILL.
bg_kill_all() {
	local name pid
	[[ -f $BATS_TEST_TMPDIR/bg.pids ]] || return 0
	while read -r name pid; do
		kill -TERM "$pid" 2>/dev/null || continue
		wait_for 3 bg_gone "$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	done <"$BATS_TEST_TMPDIR/bg.pids"
	rm -f "$BATS_TEST_TMPDIR/bg.pids"
}

# The stderr of a bg process contains a pattern (for wait_for).
bg_says() {
	grep -q -- "$2" "$BATS_TEST_TMPDIR/$1.err"
}

# No sanitizer report in a file (stderr of a background run).
no_sanitizer_report() {
	! grep -E 'Sanitizer|runtime error:' "$1"
}
