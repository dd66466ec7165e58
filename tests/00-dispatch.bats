#!/usr/bin/env bats
# The dispatcher: applet table, argv[0] dispatch, --list/--help/--version,
# --install, exit codes, stdout write errors.
bats_require_minimum_version 1.5.0
load helpers/common

@test "--list prints the nine applets, sorted and unique, one per line" {
	run -0 --separate-stderr "$MCBOX" --list
	[[ $output == "$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort -u)" ]]
	[[ ${#lines[@]} == 9 ]]
	for a in mcsend mcrecv mcping ip2mac igmpquery tftm-get slam-get slam-serve mroute; do
		printf '%s\n' "${lines[@]}" | grep -qx "$a"
	done
	[[ -z $stderr ]]
}

@test "mcbox APPLET runs the applet" {
	run -0 "$MCBOX" ip2mac 239.1.2.3
	[[ $output == "239.1.2.3 01:00:5e:01:02:03" ]]
}

@test "a link named after an applet runs that applet" {
	ln -s "$MCBOX" "$BATS_TEST_TMPDIR/ip2mac"
	run -0 "$BATS_TEST_TMPDIR/ip2mac" 224.0.0.251
	[[ $output == "224.0.0.251 01:00:5e:00:00:fb" ]]
	ln "$MCBOX" "$BATS_TEST_TMPDIR/mcsend"
	run -0 "$BATS_TEST_TMPDIR/mcsend" --help
	[[ ${lines[0]} == "usage: mcsend"* ]]
}

@test "unknown applet exits 127 and points to mcbox --list" {
	run -127 --separate-stderr "$MCBOX" nosuch
	[[ $stderr == "mcbox: unknown applet 'nosuch' (see mcbox --list)" ]]
	[[ -z $output ]]
}

@test "applet names match exactly, never by prefix" {
	run -127 "$MCBOX" ip2
	run -127 "$MCBOX" ip2macx 239.1.1.1
	run -127 "$MCBOX" IP2MAC 239.1.1.1
}

@test "mcbox with no arguments and --help print help to stdout, exit 0" {
	run -0 --separate-stderr "$MCBOX"
	[[ ${lines[0]} == "usage: mcbox APPLET"* ]]
	[[ $output == *"tftm-get"* && -z $stderr ]]
	run -0 --separate-stderr "$MCBOX" --help
	[[ $output == *"slam-serve"* && -z $stderr ]]
}

@test "mcbox --help APPLET prints that applet's help; unknown exits 127" {
	run -0 "$MCBOX" --help ip2mac
	[[ ${lines[0]} == "usage: ip2mac"* ]]
	run -127 "$MCBOX" --help nosuch
}

@test "--version names mcbox; APPLET --version names the applet" {
	run -0 "$MCBOX" --version
	[[ $output =~ ^mcbox\ [^\ ]+$ ]]
	run -0 "$MCBOX" ip2mac --version
	[[ $output =~ ^ip2mac\ \(mcbox\)\ [^\ ]+$ ]]
}

@test "an unknown mcbox option exits 2 with usage on stderr" {
	run -2 --separate-stderr "$MCBOX" --frobnicate
	[[ $stderr == *"unknown option '--frobnicate'"* && $stderr == *"usage: mcbox"* ]]
	[[ -z $output ]]
}

@test "--install DIR makes hard links; -s makes symbolic links" {
	mkdir "$BATS_TEST_TMPDIR/hard" "$BATS_TEST_TMPDIR/soft"
	run -0 "$MCBOX" --install "$BATS_TEST_TMPDIR/hard"
	run -0 "$MCBOX" --install -s "$BATS_TEST_TMPDIR/soft"
	for a in $("$MCBOX" --list); do
		[[ -f $BATS_TEST_TMPDIR/hard/$a && ! -L $BATS_TEST_TMPDIR/hard/$a ]]
		[[ $BATS_TEST_TMPDIR/hard/$a -ef $MCBOX ]]
		[[ -L $BATS_TEST_TMPDIR/soft/$a ]]
		[[ $(readlink -f "$BATS_TEST_TMPDIR/soft/$a") == $(readlink -f "$MCBOX") ]]
	done
	run -0 "$BATS_TEST_TMPDIR/soft/ip2mac" ff02::fb
	[[ $output == "ff02::fb 33:33:00:00:00:fb" ]]
	# again: links to mcbox are replaced, nothing fails
	run -0 "$MCBOX" --install -s "$BATS_TEST_TMPDIR/soft"
}

@test "--install never overwrites a file that is not mcbox" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo precious >"$BATS_TEST_TMPDIR/d/mcsend"
	run -1 --separate-stderr "$MCBOX" --install -s "$BATS_TEST_TMPDIR/d"
	[[ $stderr == *"d/mcsend exists and is not mcbox"* ]]
	[[ $(cat "$BATS_TEST_TMPDIR/d/mcsend") == precious ]]
	[[ -L $BATS_TEST_TMPDIR/d/mcrecv ]]
	run -2 "$MCBOX" --install "$BATS_TEST_TMPDIR/nonexistent"
	run -2 "$MCBOX" --install
}

@test "a write error on stdout is reported and exits 1" {
	run -1 --separate-stderr bash -c '"$MCBOX" --list >/dev/full'
	[[ $stderr == "mcbox: write stdout: No space left on device" ]]
	run -1 --separate-stderr bash -c '"$MCBOX" ip2mac 239.1.1.1 >/dev/full'
	[[ $stderr == "ip2mac: write stdout: No space left on device" ]]
}

@test "a reader that goes away (EPIPE) ends the writer quietly" {
	awk 'BEGIN { for (a = 0; a < 256; a++) for (b = 0; b < 100; b++) print "239.2." a "." b }' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr bash -c '"$MCBOX" ip2mac - <"$1" | head -n 1' _ "$BATS_TEST_TMPDIR/in"
	[[ $output == "239.2.0.0 01:00:5e:02:00:00" && -z $stderr ]]
	# also when SIGPIPE was ignored by whoever started us
	run -0 --separate-stderr bash -c 'trap "" PIPE; "$MCBOX" ip2mac - <"$1" | head -n 1' _ "$BATS_TEST_TMPDIR/in"
	[[ -z $stderr ]]
}
