#!/bin/sh
# man/gen.sh BINARY DIR - writes DIR/NAME.S for every applet from DIR/NAME.S.in
# (hand-written mdoc) and the applet's option table (BINARY --spec NAME):
# @NAME@, @SYNOPSIS@, @OPTIONS@ and @EXIT_STATUS@ are replaced. An applet
# without a .in page gets DIR/template.in. Output is stable (no dates, no
# versions), so a test can regenerate and compare.
set -eu
bin=$1
dir=$2
for name in $("$bin" --list); do
	spec=$("$bin" --spec "$name")
	sec=$(printf '%s\n' "$spec" | awk -F '\t' '$1 == "section" { print $2 }')
	in=$dir/$name.$sec.in
	[ -f "$in" ] || in=$dir/template.in
	printf '%s\n' "$spec" | awk -F '\t' -v name="$name" -v sec="$sec" \
		-v exitfile="$dir/exit-status.mdoc" -v tmpl="$in" '
	function esc(s) {
		gsub(/\\/, "\\e", s)
		if (s ~ /^[.\047]/) s = "\\&" s
		return s
	}
	function flag(s, l) {
		return s != "-" ? "Fl " s : "Fl \\-" l
	}
	$1 == "summary" { summary = $2 }
	$1 == "operands" { operands = $2 }
	$1 == "privs" { privs = $2 }
	$1 == "opt" { n++; S[n] = $2; L[n] = $3; A[n] = $4; K[n] = $5
		MIN[n] = $6; MAX[n] = $7; H[n] = $8 }
	END {
		upper = toupper(name)
		while ((getline line < tmpl) > 0) {
			gsub(/@UNAME@/, upper, line)
			gsub(/@SECTION@/, sec, line)
			if (line == "@NAME@") {
				print ".Nm " name
				print ".Nd " esc(summary)
			} else if (line == "@SYNOPSIS@") {
				print ".Nm " name
				flags = ""
				for (i = 1; i <= n; i++)
					if (A[i] == "-" && S[i] != "-")
						flags = flags S[i]
				# style(9): one bracket of sorted flags
				m = split(flags, ch, "")
				for (i = 1; i <= m; i++)
					for (k = i + 1; k <= m; k++)
						if (ch[k] < ch[i]) { t = ch[i]; ch[i] = ch[k]; ch[k] = t }
				flags = ""
				for (i = 1; i <= m; i++) flags = flags ch[i]
				if (flags != "") print ".Op Fl " flags
				for (i = 1; i <= n; i++) {
					if (L[i] == "version") continue
					if (A[i] != "-")
						print ".Op " flag(S[i], L[i]) " Ar " A[i]
					else if (S[i] == "-")
						print ".Op Fl \\-" L[i]
				}
				if (operands != "") print ".Ar \"" operands "\""
			} else if (line == "@OPTIONS@") {
				print ".Bl -tag -width Ds"
				for (i = 1; i <= n; i++) {
					it = ".It "
					if (S[i] != "-") it = it "Fl " S[i] " , "
					it = it "Fl \\-" L[i]
					if (A[i] != "-") it = it " Ar " A[i]
					print it
					h = toupper(substr(H[i], 1, 1)) substr(H[i], 2)
					print esc(h) "."
					if (K[i] == "int" || K[i] == "size" || K[i] == "secs")
						print "Range: " MIN[i] "\\(en" MAX[i] \
						    (K[i] == "secs" ? " seconds." : \
						     K[i] == "size" ? " bytes; k, M, G and T suffixes multiply by powers of 1024." : ".")
				}
				print ".El"
			} else if (line == "@EXIT_STATUS@") {
				while ((getline e < exitfile) > 0) print e
				close(exitfile)
			} else if (line == "@PRIVILEGES@") {
				if (privs == "none")
					print ".Nm\nneeds no privileges; even when started as root it runs with no capabilities."
				else
					print ".Nm\nneeds " privs ", and keeps no other capability.\nThe dispatcher keeps it permitted but not effective; it is raised only\naround the call that needs it, and dropped once that is done.\nSee\n.Xr mcbox 1 ."
			} else {
				print line
			}
		}
	}' >"$dir/$name.$sec.tmp"
	mv "$dir/$name.$sec.tmp" "$dir/$name.$sec"
done
