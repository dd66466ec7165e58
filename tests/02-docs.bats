#!/usr/bin/env bats
# Docs come from the option tables: the committed man pages and completions
# must match a fresh generation, every applet must be documented and tested,
# and the pages must lint clean.
bats_require_minimum_version 1.5.0
load helpers/common

@test "committed man pages match what man/gen.sh makes from the option tables" {
	cp -r "$TOP/man" "$BATS_TEST_TMPDIR/man"
	sh "$TOP/man/gen.sh" "$MCBOX" "$BATS_TEST_TMPDIR/man"
	run -0 diff -ru "$TOP/man" "$BATS_TEST_TMPDIR/man"
}

@test "committed completions match what completions/gen.sh makes" {
	mkdir "$BATS_TEST_TMPDIR/comp"
	sh "$TOP/completions/gen.sh" "$MCBOX" "$BATS_TEST_TMPDIR/comp"
	run -0 diff -u "$TOP/completions/mcbox.bash" "$BATS_TEST_TMPDIR/comp/mcbox.bash"
	run -0 diff -u "$TOP/completions/_mcbox" "$BATS_TEST_TMPDIR/comp/_mcbox"
	run -0 diff -u "$TOP/completions/mcbox.fish" "$BATS_TEST_TMPDIR/comp/mcbox.fish"
}

@test "every applet has a man page, completions and a test suite" {
	[[ -f $TOP/man/mcbox.1 ]]
	for a in $("$MCBOX" --list); do
		sec=$("$MCBOX" --spec "$a" | awk -F '\t' '$1 == "section" { print $2 }')
		[[ -f $TOP/man/$a.$sec ]] || { echo "no man/$a.$sec"; false; }
		grep -q "Xr $a $sec" "$TOP/man/mcbox.1" || { echo "mcbox.1 lacks $a"; false; }
		grep -q "_mcbox_opts_${a//-/_}=" "$TOP/completions/mcbox.bash"
		grep -q "^_mcbox_${a//-/_}()" "$TOP/completions/_mcbox"
		grep -q "^complete -c $a " "$TOP/completions/mcbox.fish"
		compgen -G "$TOP/tests/*$a*.bats" >/dev/null || { echo "no tests/*$a*.bats"; false; }
	done
}

@test "man pages lint clean with mandoc" {
	command -v mandoc || skip "mandoc is not installed"
	for p in "$TOP"/man/*.[18]; do
		run -0 --separate-stderr mandoc -Tlint -Wwarning "$p"
		[[ -z $output && -z $stderr ]] || { echo "$p: $output $stderr"; false; }
	done
}

@test "bash completion completes applets, options and interface names" {
	run -0 bash -c '
		. "$1"
		COMP_WORDS=(mcbox ip2) COMP_CWORD=1; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(ip2mac --ch) COMP_CWORD=1; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mcbox ip2mac --rev) COMP_CWORD=2; _mcbox; echo "${COMPREPLY[*]}"
	' _ "$TOP/completions/mcbox.bash"
	[[ ${lines[0]} == ip2mac ]]
	[[ ${lines[1]} == --check ]]
	[[ ${lines[2]} == --reverse ]]
}

@test "bash completion: mroute's first operand is a command, never a file name" {
	cd "$BATS_TEST_TMPDIR" && touch addfile showfile
	run -0 bash -c '
		. "$1"
		COMP_WORDS=(mroute "") COMP_CWORD=1; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mcbox mroute s) COMP_CWORD=2; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mroute -T 10 -4 a) COMP_CWORD=4; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mroute add "") COMP_CWORD=2; _mcbox; echo "[${COMPREPLY[*]}]"
		COMP_WORDS=(mroute -b "") COMP_CWORD=2; _mcbox; echo "${COMPREPLY[*]}"
		COMP_WORDS=(slam-serve s) COMP_CWORD=1; _mcbox; echo "${COMPREPLY[*]}"
	' _ "$TOP/completions/mcbox.bash"
	[[ ${lines[0]} == "add del show status join leave flush stop hold" ]]
	[[ ${lines[1]} == "show status stop" ]]
	[[ ${lines[2]} == add ]]
	[[ ${lines[3]} == "[]" ]]
	[[ ${lines[4]} == *addfile* ]]
	[[ ${lines[5]} == showfile ]]
}

@test "zsh completion and the shell scripts parse" {
	bash -n "$TOP/completions/mcbox.bash"
	if command -v zsh; then zsh -n "$TOP/completions/_mcbox"; fi
	for f in "$TOP"/tests/run "$TOP"/tests/demo.sh "$TOP"/tests/helpers/*.bash \
		"$TOP"/tests/vm/{run,features,guest-init,init}; do
		bash -n "$f"
	done
}

@test "shell scripts pass shellcheck" {
	command -v shellcheck || skip "shellcheck is not installed"
	cd "$TOP"
	run -0 shellcheck -S warning -x tests/run tests/fuzz/run tests/demo.sh tests/helpers/*.bash \
		tests/vm/run tests/vm/features tests/vm/guest-init tests/vm/init \
		tests/layout.sh man/gen.sh completions/gen.sh .ci/run .ci/deps.sh
}

@test "the tree keeps its shape: headers, no include circles, sans-I/O, no stdout in lib, small applets" {
	run -0 bash "$TOP/tests/layout.sh"
	[[ -z $output ]]
}

@test "layout.sh finds an include circle, a missing header and lib printing" {
	mkdir -p "$BATS_TEST_TMPDIR/t/tests" "$BATS_TEST_TMPDIR/t/lib/a" "$BATS_TEST_TMPDIR/t/applets"
	cp "$TOP/tests/layout.sh" "$BATS_TEST_TMPDIR/t/tests/"
	cd "$BATS_TEST_TMPDIR/t"
	printf '#include "a/y.h"\n' >lib/a/x.h
	printf '#include "a/x.h"\nint f(void) { return puts("hi"); }\n' >lib/a/x.c
	printf '#include "a/x.h"\n' >lib/a/y.h
	printf '#include "a/y.h"\n' >lib/a/y.c
	printf 'int z;\n' >lib/a/z.c
	run -1 bash tests/layout.sh
	[[ $output == *"lib/a/z.c has no header"* ]]
	[[ $output == *"include circle"* ]]
	[[ $output == *"lib prints to stdout: lib/a/x.c"* ]]
}
