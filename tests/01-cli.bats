#!/usr/bin/env bats
# Every applet's command line, driven by its own option table (mcbox --spec):
# --help, unknown options, and range checks that echo the bad value.
bats_require_minimum_version 1.5.0
load helpers/common

applets() { "$MCBOX" --list; }

@test "every applet: --help exits 0 with usage on stdout and nothing on stderr" {
	for a in $(applets); do
		run -0 --separate-stderr "$MCBOX" "$a" --help
		[[ ${lines[0]} == "usage: $a"* ]] || { echo "$a: ${lines[0]}"; false; }
		[[ -z $stderr ]]
		run -0 --separate-stderr "$MCBOX" "$a" -h
		[[ ${lines[0]} == "usage: $a"* ]]
	done
}

@test "every applet: --help lists every option of its table" {
	for a in $(applets); do
		help=$("$MCBOX" "$a" --help)
		while IFS=$'\t' read -r kind short long _; do
			[[ $kind == opt ]] || continue
			[[ $help == *"--$long"* ]] || { echo "$a: --$long missing"; false; }
			[[ $short == - || $help == *"-$short, --$long"* ]] || { echo "$a: -$short"; false; }
		done < <("$MCBOX" --spec "$a")
	done
}

@test "every applet: an unknown option exits 2 with usage on stderr" {
	for a in $(applets); do
		run -2 --separate-stderr "$MCBOX" "$a" --no-such-option
		[[ $stderr == *"$a: unknown option '--no-such-option'"* ]]
		[[ $stderr == *"usage: $a"* ]]
		[[ -z $output ]]
		run -2 --separate-stderr "$MCBOX" "$a" -Z
		[[ $stderr == *"$a: unknown option '-Z'"* ]]
	done
}

@test "every applet: an option missing its argument exits 2 and names it" {
	for a in $(applets); do
		while IFS=$'\t' read -r kind short long arg _; do
			[[ $kind == opt && $arg != - ]] || continue
			run -2 --separate-stderr "$MCBOX" "$a" "--$long"
			[[ $stderr == *"'--$long'"* || $stderr == *"'-$short' needs"* ]] ||
				{ echo "$a --$long: $stderr"; false; }
		done < <("$MCBOX" --spec "$a")
	done
}

@test "every applet: every numeric option rejects out-of-range values, echoing them" {
	local n=0
	for a in $(applets); do
		while IFS=$'\t' read -r kind short long arg type min max _; do
			[[ $kind == opt ]] || continue
			[[ $type == int || $type == size || $type == secs ]] || continue
			name="-$short"
			[[ $short == - ]] && name="--$long"
			for bad in "$(awk -v m="$max" 'BEGIN { printf "%.0f", m + 1 }')" \
				"$(awk -v m="$min" 'BEGIN { printf "%.0f", m - 1 }')" \
				"12abc" "" "nan"; do
				run -2 --separate-stderr "$MCBOX" "$a" "$name" "$bad"
				[[ $stderr == *"$a: bad $name '$bad' ("*")"* ]] ||
					{ echo "$a $name '$bad': $stderr"; false; }
				n=$((n + 1))
			done
			# the long form is checked the same way
			run -2 --separate-stderr "$MCBOX" "$a" "--$long=12abc"
			[[ $stderr == *"'12abc'"* ]]
		done < <("$MCBOX" --spec "$a")
	done
	((n > 0))
}

@test "every applet: missing or extra operands exit 2 with usage" {
	local n=0
	for a in $(applets); do
		read -r _ min max < <("$MCBOX" --spec "$a" | grep '^args')
		if ((min > 0)); then
			run -2 --separate-stderr "$MCBOX" "$a"
			[[ $stderr == *"$a: missing operand"* && $stderr == *"usage: $a"* ]] ||
				{ echo "$a: $stderr"; false; }
			n=$((n + 1))
		fi
		if ((max >= 0)); then
			extra=()
			for ((i = 0; i <= max; i++)); do extra+=("x$i"); done
			run -2 --separate-stderr "$MCBOX" "$a" "${extra[@]}"
			[[ $stderr == *"$a: extra operand 'x$max'"* ]] ||
				{ echo "$a: $stderr"; false; }
			n=$((n + 1))
		fi
	done
	((n >= 8))
}
