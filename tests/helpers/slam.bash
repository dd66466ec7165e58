# tests/helpers/slam.bash - what the SLAM suites share (load after
# helpers/common and helpers/netns).

# T NAME: a path in this test's own directory.
T() { echo "$BATS_TEST_TMPDIR/$1"; }

# mkfile NAME BYTES: random bytes to serve.
mkfile() {
	head -c "$2" /dev/urandom >"$(T "$1")"
}

# srv ARGS...: slam-serve on h1, ready when it says it is listening.
# (ip netns exec, not the nsx function: bg must see the real PID to end
# the process; a function would run in a subshell.)
srv() {
	bg srv ip netns exec "$MCB_NS-h1" "$MCBOX" slam-serve "$@"
	wait_for 10 grep -q "listening on" "$(T srv.err)"
}
