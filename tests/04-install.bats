#!/usr/bin/env bats
# make install / install-caps / uninstall into a DESTDIR.
bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	D=$BATS_TEST_TMPDIR/dest
}

@test "make install puts the binary, applet links, man pages and completions in place" {
	run -0 make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr/local
	[[ -x $D/usr/local/bin/mcbox ]]
	for a in $("$MCBOX" --list); do
		[[ -L $D/usr/local/bin/$a && $(readlink "$D/usr/local/bin/$a") == mcbox ]]
		sec=$("$MCBOX" --spec "$a" | awk -F '\t' '$1 == "section" { print $2 }')
		[[ -f $D/usr/local/share/man/man$sec/$a.$sec ]]
		[[ -L $D/usr/local/share/bash-completion/completions/$a ]]
		# fish looks for completions by command name
		[[ $(readlink "$D/usr/local/share/fish/vendor_completions.d/$a.fish") == mcbox.fish ]]
	done
	[[ -f $D/usr/local/share/fish/vendor_completions.d/mcbox.fish ]]
	[[ -f $D/usr/local/share/man/man1/mcbox.1 ]]
	[[ -f $D/usr/local/share/bash-completion/completions/mcbox ]]
	[[ -f $D/usr/local/share/zsh/site-functions/_mcbox ]]
	[[ ! -e $D/usr/local/share/man/man1/template.in ]]
	run -0 "$D/usr/local/bin/ip2mac" 239.1.2.3
	[[ $output == "239.1.2.3 01:00:5e:01:02:03" ]]
	# no file capabilities from a plain install
	if command -v getcap; then
		run -0 getcap "$D/usr/local/bin/mcbox"
		[[ -z $output ]]
	fi
}

@test "fish finds the installed completions: applets, options, interfaces, mroute's commands" {
	command -v fish || skip "fish is not installed (.ci/packages)"
	make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr/local
	mkdir -p "$BATS_TEST_TMPDIR/cwd" && cd "$BATS_TEST_TMPDIR/cwd" && touch addfile
	# a fresh user whose data dirs are the install's share/; fish loads
	# a command's completions when it finds the command on the PATH
	run -0 env HOME="$BATS_TEST_TMPDIR" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/cfg" \
		XDG_DATA_HOME="$BATS_TEST_TMPDIR/data" \
		XDG_DATA_DIRS="$D/usr/local/share" PATH="$D/usr/local/bin:$PATH" fish -c '
		echo (complete -C "mroute ")
		complete -C "mcbox mro"
		echo (complete -C "mcbox mroute st")
		complete -C "slam-get --max-s"
		complete -C "mcbox ip2mac --che"
		complete -C "mcrecv -i l"
		complete -C "ip2mac -" | count
		echo (complete -C "slam-serve add")'
	[[ ${lines[0]} == "add del flush hold join leave show status stop" ]]
	[[ ${lines[1]} == mroute$'\t'"add, show and hold static multicast routes" ]]
	[[ ${lines[2]} == "status stop" ]]
	[[ ${lines[3]} == --max-size$'\t'* ]]
	[[ ${lines[4]} == --check$'\t'* ]]
	[[ ${lines[5]} == lo$'\t'* ]]
	((lines[6] >= 10))
	# a FILE operand still completes file names
	[[ ${lines[7]} == addfile ]]
}

@test "make uninstall removes everything install put there" {
	make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr
	run -0 make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr
	run -0 find "$D" -not -type d
	[[ -z $output ]] || { echo "left: $output"; false; }
}

@test "make install-caps gives file capabilities in the permitted set only (+p)" {
	command -v setcap || skip "setcap is not installed"
	[[ $(id -u) == 0 ]] || skip "setcap needs root"
	run -0 make -s -C "$TOP" install-caps DESTDIR="$D" PREFIX=/usr/local
	run -0 getcap "$D/usr/local/bin/mcbox"
	# "PATH CAPS=p": only CAPS, as a temporary PATH may hold "ep"
	local caps=${output##* }
	[[ $caps == *=p ]] || { echo "$output"; false; }
	for c in cap_net_admin cap_net_raw cap_setgid cap_setuid; do
		[[ $caps == *"$c"* ]]
	done
	[[ $caps != *"ep"* && $caps != *"+e"* ]]
	[[ ! -u $D/usr/local/bin/mcbox ]]
}
