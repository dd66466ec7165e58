#!/usr/bin/env bats
# ip2mac: the mapping checked against an independent computation, both
# directions, ranges, stdin, --explain, --check, scopes, JSON and errors.
bats_require_minimum_version 1.5.0
load helpers/common

# The RFC 1112 mapping computed in the shell, independently of mcbox.
v4mac() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	printf '01:00:5e:%02x:%02x:%02x\n' $((b & 127)) "$c" "$d"
}

@test "IPv4 groups map to 01:00:5e and their low 23 bits" {
	local g groups=() want=()
	for g in 224.0.0.1 224.0.0.251 239.255.255.250 232.1.2.3 225.129.7.200 \
		239.128.0.1 233.252.0.9 230.127.255.255; do
		groups+=("$g")
		want+=("$g $(v4mac "$g")")
	done
	# and some random ones
	for _ in $(seq 20); do
		g="$((224 + RANDOM % 16)).$((RANDOM % 256)).$((RANDOM % 256)).$((RANDOM % 256))"
		groups+=("$g")
		want+=("$g $(v4mac "$g")")
	done
	run -0 --separate-stderr "$MCBOX" ip2mac "${groups[@]}"
	[[ $output == "$(printf '%s\n' "${want[@]}")" ]]
	[[ -z $stderr ]]
}

@test "IPv6 groups map to 33:33 and their low 32 bits" {
	run -0 "$MCBOX" ip2mac ff02::1 ff02::1:ff12:3456 ff3e::8000:1234 ff05::1:3 \
		ff15:1234:5678:9abc:def0:1122:3344:5566
	[[ ${lines[0]} == "ff02::1 33:33:00:00:00:01" ]]
	[[ ${lines[1]} == "ff02::1:ff12:3456 33:33:ff:12:34:56" ]]
	[[ ${lines[2]} == "ff3e::8000:1234 33:33:80:00:12:34" ]]
	[[ ${lines[3]} == "ff05::1:3 33:33:00:01:00:03" ]]
	[[ ${lines[4]} == "ff15:1234:5678:9abc:def0:1122:3344:5566 33:33:33:44:55:66" ]]
}

@test "addresses come from stdin with no operand or '-', comments skipped" {
	run -0 bash -c 'printf "239.1.1.1\n\n  # a comment\n  ff02::2  # all-routers\n224.0.0.5\r\n" | "$MCBOX" ip2mac'
	[[ $output == $'239.1.1.1 01:00:5e:01:01:01\nff02::2 33:33:00:00:00:02\n224.0.0.5 01:00:5e:00:00:05' ]]
	run -0 bash -c 'echo 239.2.2.2 | "$MCBOX" ip2mac 239.1.1.1 - 239.3.3.3'
	[[ ${lines[*]} == "239.1.1.1 01:00:5e:01:01:01 239.2.2.2 01:00:5e:02:02:02 239.3.3.3 01:00:5e:03:03:03" ]]
}

@test "a CIDR range expands to every group in it" {
	run -0 "$MCBOX" ip2mac 239.1.1.0/28
	[[ ${#lines[@]} == 16 && ${lines[0]} == "239.1.1.0 01:00:5e:01:01:00" ]]
	[[ ${lines[15]} == "239.1.1.15 01:00:5e:01:01:0f" ]]
	run -0 "$MCBOX" ip2mac ff15::/124
	[[ ${#lines[@]} == 16 && ${lines[15]} == "ff15::f 33:33:00:00:00:0f" ]]
	# host bits are cleared, as ip(8) does
	run -0 "$MCBOX" ip2mac 239.1.1.5/30
	[[ ${lines[0]} == "239.1.1.4 01:00:5e:01:01:04" && ${#lines[@]} == 4 ]]
	run -0 "$MCBOX" ip2mac 239.9.9.9/32
	[[ $output == "239.9.9.9 01:00:5e:09:09:09" ]]
}

@test "a range larger than the cap is refused, naming it; -n raises the cap" {
	run -2 --separate-stderr "$MCBOX" ip2mac 239.0.0.0/8
	[[ $stderr == "ip2mac: '239.0.0.0/8' expands to more than 65536 groups (see --limit)" ]]
	[[ -z $output ]]
	run -0 "$MCBOX" ip2mac -n 131072 239.0.0.0/15
	[[ ${#lines[@]} == 131072 ]]
	run -2 --separate-stderr "$MCBOX" ip2mac 192.0.0.0/2
	[[ $stderr == "ip2mac: '192.0.0.0/2' is not a multicast range" ]]
	run -2 --separate-stderr "$MCBOX" ip2mac 239.1.1.1/33
	[[ $stderr == "ip2mac: '239.1.1.1/33' is not an address range (GROUP/LEN)" ]]
}

@test "-r lists the 32 IPv4 groups behind a MAC, each mapping back to it" {
	run -0 "$MCBOX" ip2mac -r 01:00:5e:01:02:03
	[[ ${#lines[@]} == 32 ]]
	[[ ${lines[0]} == "01:00:5e:01:02:03 224.1.2.3" ]]
	[[ ${lines[1]} == "01:00:5e:01:02:03 224.129.2.3" ]]
	[[ ${lines[31]} == "01:00:5e:01:02:03 239.129.2.3" ]]
	for l in "${lines[@]}"; do
		g=${l#* }
		[[ $(v4mac "$g") == 01:00:5e:01:02:03 ]]
	done
	# every spelling of a MAC
	for m in 01-00-5E-01-02-03 0100.5e01.0203 01005e010203; do
		run -0 "$MCBOX" ip2mac -r "$m"
		[[ ${lines[0]} == "01:00:5e:01:02:03 224.1.2.3" ]]
	done
}

@test "-r gives the IPv6 form for 33:33 MACs" {
	run -0 "$MCBOX" ip2mac -r 33:33:ff:12:34:56
	[[ $output == "33:33:ff:12:34:56 ffxx:xxxx:xxxx:xxxx:xxxx:xxxx:ff12:3456" ]]
}

@test "-r says when a MAC is not an IP multicast MAC" {
	run -2 --separate-stderr "$MCBOX" ip2mac -r 00:11:22:33:44:55 01:00:5e:80:00:01 \
		01:80:c2:00:00:0e zz:zz 01:00:5e:00:00:01
	[[ ${stderr_lines[0]} == "ip2mac: '00:11:22:33:44:55' is not a multicast MAC" ]]
	[[ ${stderr_lines[1]} == "ip2mac: '01:00:5e:80:00:01' is not an IPv4 multicast MAC (01:00:5e:80:00:00 and up map no group)" ]]
	[[ ${stderr_lines[2]} == "ip2mac: '01:80:c2:00:00:0e' is a multicast MAC, but no IP group maps to it" ]]
	[[ ${stderr_lines[3]} == "ip2mac: 'zz:zz' is not a MAC address" ]]
	# the good operand is still processed
	[[ ${#lines[@]} == 32 && ${lines[0]} == "01:00:5e:00:00:01 224.0.0.1" ]]
}

@test "--explain shows the bits and why exactly 32 groups share a MAC" {
	run -0 "$MCBOX" ip2mac --explain 239.129.1.1
	[[ ${lines[0]} == "239.129.1.1 -> 01:00:5e:01:01:01" ]]
	[[ $output == *"1110 11111 0000001 00000001 00000001"* ]]
	[[ $output == *"23 low bits"* && $output == *"5 bits: dropped"* ]]
	[[ $output == *"2^5 = 32"* ]]
	[[ $output == *"224.1.1.1"* && $output == *"239.129.1.1"* ]]
	[[ $output != *"2^5 = 64"* && $output != *"16 groups"* ]]
	run -0 "$MCBOX" ip2mac -e ff02::1:ff00:1
	[[ $output == *"33:33"* && $output == *"2^88"* ]]
}

@test "--check reports every pair that shares a MAC and exits 1" {
	run -1 "$MCBOX" ip2mac --check 224.0.0.1 239.0.0.1 239.1.1.1 239.128.0.1 239.1.1.1
	[[ ${#lines[@]} == 3 ]]
	[[ ${lines[0]} == "224.0.0.1 239.0.0.1 share 01:00:5e:00:00:01" ]]
	[[ ${lines[1]} == "224.0.0.1 239.128.0.1 share 01:00:5e:00:00:01" ]]
	[[ ${lines[2]} == "239.0.0.1 239.128.0.1 share 01:00:5e:00:00:01" ]]
	run -0 "$MCBOX" ip2mac --check 239.1.1.1 239.1.1.2 239.1.1.1 ff02::1
	[[ $output == "no two of the 3 groups share a MAC" ]]
	run -1 bash -c 'echo 225.1.1.1 | "$MCBOX" ip2mac --check 239.1.1.0/24 -'
	[[ $output == "225.1.1.1 239.1.1.1 share 01:00:5e:01:01:01" ]]
}

@test "--check over no group: no qsort of nothing, no all-clear after a bad input" {
	# a range that is not multicast: one line naming it, exit 2, and no
	# "no two of the 0 groups" sentence (and no UBSan report: exit 87)
	run -2 --separate-stderr "$MCBOX" ip2mac --check 224.0.0.0/0
	[[ $stderr == "ip2mac: '224.0.0.0/0' is not a multicast range" ]]
	[[ $output == "" ]]
	run -2 --separate-stderr "$MCBOX" ip2mac --check 239.1.1.1 239.1.1.2 bogus
	[[ $stderr == "ip2mac: 'bogus' is not an IP address" ]]
	[[ $output == "" ]]
	run -0 --separate-stderr "$MCBOX" ip2mac --check </dev/null
	[[ $output == "no groups to check" && $stderr == "" ]]
	run -0 "$MCBOX" ip2mac --check 239.1.1.1 239.1.1.1
	[[ $output == "1 group: no other to share its MAC" ]]
}

@test "-v shows the scope and well-known names" {
	run -0 "$MCBOX" ip2mac -v 224.0.0.1 224.0.0.22 232.1.1.1 239.255.0.1 \
		239.192.1.1 233.1.1.1 224.0.1.1 ff02::1 ff3e::1234 ff05::2 ff0e::101 ff02::1:ff00:99
	[[ ${lines[0]} == "224.0.0.1 01:00:5e:00:00:01 link-local all-hosts" ]]
	[[ ${lines[1]} == "224.0.0.22 01:00:5e:00:00:16 link-local IGMPv3 reports" ]]
	[[ ${lines[2]} == "232.1.1.1 01:00:5e:01:01:01 ssm" ]]
	[[ ${lines[3]} == "239.255.0.1 01:00:5e:7f:00:01 admin-scoped" ]]
	[[ ${lines[4]} == "239.192.1.1 01:00:5e:40:01:01 admin-scoped" ]]
	[[ ${lines[5]} == "233.1.1.1 01:00:5e:01:01:01 glop" ]]
	[[ ${lines[6]} == "224.0.1.1 01:00:5e:00:01:01 internetwork-control NTP" ]]
	[[ ${lines[7]} == "ff02::1 33:33:00:00:00:01 link-local all-nodes" ]]
	[[ ${lines[8]} == "ff3e::1234 33:33:00:00:12:34 ssm" ]]
	[[ ${lines[9]} == "ff05::2 33:33:00:00:00:02 site-local all-routers" ]]
	[[ ${lines[10]} == "ff0e::101 33:33:00:00:01:01 global NTP" ]]
	[[ ${lines[11]} == "ff02::1:ff00:99 33:33:ff:00:00:99 link-local solicited-node" ]]
}

@test "--json prints one valid object per input line, errors included" {
	run -2 --separate-stderr "$MCBOX" ip2mac -j 239.1.1.1 10.1.2.3 ff02::fb
	[[ ${#lines[@]} == 3 ]]
	printf '%s\n' "${lines[@]}" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
assert objs[0] == {"group": "239.1.1.1", "mac": "01:00:5e:01:01:01", "family": 4,
    "scope": "admin-scoped", "range": "239.0.0.0/8 administratively scoped (RFC 2365)",
    "name": None, "dropped_bits": 5}, objs[0]
assert objs[1] == {"input": "10.1.2.3", "error": "is not a multicast address"}, objs[1]
assert objs[2]["mac"] == "33:33:00:00:00:fb" and objs[2]["name"] == "mDNS"
assert objs[2]["family"] == 6 and objs[2]["dropped_bits"] == 88
'
	run -0 "$MCBOX" ip2mac -j -r 01:00:5e:7f:ff:fa
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert len(o["groups"]) == 32 and "239.255.255.250" in o["groups"]' "$output"
	run -1 "$MCBOX" ip2mac -j --check 224.0.0.1 239.0.0.1
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o == {"mac": "01:00:5e:00:00:01", "groups": ["224.0.0.1", "239.0.0.1"]}' "$output"
}

@test "--json is valid UTF-8 whatever the bytes of the input" {
	# a raw \xff, an overlong '/', a cut sequence: each byte becomes U+FFFD
	run -2 --separate-stderr "$MCBOX" ip2mac -j $'239.1.1.\xff' $'\xc0\xaf' $'\xe2\x82' 239.1.1.1
	printf '%s\n' "${lines[@]}" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]
assert [o.get("input") for o in objs] == ["239.1.1.\ufffd", "\ufffd\ufffd", "\ufffd\ufffd", None], objs
assert objs[3]["mac"] == "01:00:5e:01:01:01"
'
}

@test "a non-multicast or malformed address names the value, exits 2, and the rest still run" {
	run -2 --separate-stderr "$MCBOX" ip2mac 10.1.2.3 239.1.1.1 foo 2001:db8::1 240.0.0.1 239.1.1.256
	[[ ${stderr_lines[0]} == "ip2mac: '10.1.2.3' is not a multicast address" ]]
	[[ ${stderr_lines[1]} == "ip2mac: 'foo' is not an IP address" ]]
	[[ ${stderr_lines[2]} == "ip2mac: '2001:db8::1' is not a multicast address" ]]
	[[ ${stderr_lines[3]} == "ip2mac: '240.0.0.1' is not a multicast address" ]]
	[[ ${stderr_lines[4]} == "ip2mac: '239.1.1.256' is not an IP address" ]]
	[[ $output == "239.1.1.1 01:00:5e:01:01:01" ]]
}

@test "-r, -e and --check exclude each other" {
	run -2 --separate-stderr "$MCBOX" ip2mac -r -e 01:00:5e:00:00:01
	[[ $stderr == *"exclude each other"* ]]
}

@test "a large list from stdin maps every line (bulk use)" {
	awk 'BEGIN { for (a = 0; a < 200; a++) for (b = 0; b < 250; b++) print "239." a "." b ".7" }' >"$BATS_TEST_TMPDIR/in"
	"$MCBOX" ip2mac <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	[[ $(wc -l <"$BATS_TEST_TMPDIR/out") == 50000 ]]
	[[ $(sed -n 50000p "$BATS_TEST_TMPDIR/out") == "239.199.249.7 01:00:5e:47:f9:07" ]]
}
