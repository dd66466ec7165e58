# netns.bash - namespaced test hosts: a star LAN (hosts on a bridge) and a
# routed line (src - rt - dst, dst2). Names carry a per-run id, so runs by
# other users of the host never collide; net_down removes only ours.
# As root this uses `ip netns add`; without root, tests/run re-executes the
# suites under `unshare -Urnm` with a private /run (see tests/run).
# shellcheck shell=bash
#
# Addresses: 198.18.0.0/15 (RFC 2544, benchmarking) and 2001:db8::/32
# (RFC 3849, documentation), never routed outside our namespaces.
#   star: hN eth0 198.18.0.N/24, 2001:db8::N/64; the bridge lives in "sw".
#   line: src eth0 198.18.1.1/24 - rt eth0 198.18.1.254
#         rt eth1 198.18.2.254 - dst  eth0 198.18.2.1/24
#         rt eth2 198.18.3.254 - dst2 eth0 198.18.3.1/24
#         IPv6 likewise in 2001:db8:1::/64, :2::/64, :3::/64 (rt is ::fe).
#   rt forwards unicast (v4 and v6); multicast forwarding is mroute's job.

# A per-file id: set in setup_file so that every test of the file shares it.
net_id() {
	if [[ -z ${MCB_NS:-} ]]; then
		MCB_NS="mcb$$x${RANDOM}"
		export MCB_NS
	fi
}

# nsx HOST CMD...: run CMD in host HOST of this run's topology.
nsx() {
	local h=$1
	shift
	ip netns exec "$MCB_NS-$h" "$@"
}

net_can() {
	ip netns add "$MCB_NS-probe" 2>/dev/null || return 1
	ip netns del "$MCB_NS-probe"
}

_ns_add() {
	ip netns add "$MCB_NS-$1" || return 1
	echo "$MCB_NS-$1" >>"${MCB_NS_LIST:?}"
	ip -n "$MCB_NS-$1" link set lo up
	# tests see every host's sysctls as in a fresh namespace
	ip netns exec "$MCB_NS-$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# _host_if HOST IF ADDR4/LEN ADDR6/LEN: addresses and multicast routes.
_host_if() {
	local h=$1 ifc=$2
	ip -n "$MCB_NS-$h" addr add "$3" brd + dev "$ifc"
	ip -n "$MCB_NS-$h" -6 addr add "$4" dev "$ifc" nodad
	ip -n "$MCB_NS-$h" link set "$ifc" up
}

_mcast_routes() {
	ip -n "$MCB_NS-$1" route add 224.0.0.0/4 dev "$2"
	ip -n "$MCB_NS-$1" -6 route add ff00::/8 dev "$2" table main 2>/dev/null || true
}

# net_star N: hosts h1..hN on a bridge in namespace "sw".
net_star() {
	local n=${1:-3} i
	net_id
	MCB_NS_LIST=${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/$MCB_NS.list
	export MCB_NS_LIST
	_ns_add sw || return 1
	ip -n "$MCB_NS-sw" link add br0 type bridge mcast_snooping 0
	ip -n "$MCB_NS-sw" link set br0 up
	for ((i = 1; i <= n; i++)); do
		_ns_add "h$i" || return 1
		ip -n "$MCB_NS-h$i" link add eth0 type veth peer name "p$i" \
			netns "$MCB_NS-sw"
		ip -n "$MCB_NS-sw" link set "p$i" master br0 up
		_host_if "h$i" eth0 "198.18.0.$i/24" "2001:db8::$i/64"
		_mcast_routes "h$i" eth0
	done
	wait_for 5 _star_ready "$n"
}

# The veth pairs are up at both ends and the bridge forwards.
_star_ready() {
	local i
	for ((i = 1; i <= $1; i++)); do
		ip -n "$MCB_NS-h$i" link show eth0 | grep -q 'state UP' || return 1
	done
}

# net_line: src - rt - dst, and dst2 on rt's third interface.
net_line() {
	net_id
	MCB_NS_LIST=${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/$MCB_NS.list
	export MCB_NS_LIST
	local h n=1
	for h in src rt dst dst2; do
		_ns_add "$h" || return 1
	done
	ip netns exec "$MCB_NS-rt" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	for h in src dst dst2; do
		ip -n "$MCB_NS-$h" link add eth0 type veth peer name "eth$((n - 1))" \
			netns "$MCB_NS-rt"
		_host_if "$h" eth0 "198.18.$n.1/24" "2001:db8:$n::1/64"
		_host_if rt "eth$((n - 1))" "198.18.$n.254/24" "2001:db8:$n::fe/64"
		ip -n "$MCB_NS-$h" route add default via "198.18.$n.254"
		ip -n "$MCB_NS-$h" -6 route add default via "2001:db8:$n::fe"
		_mcast_routes "$h" eth0
		n=$((n + 1))
	done
	wait_for 5 _line_ready
}

_line_ready() {
	local h
	for h in src dst dst2; do
		ip -n "$MCB_NS-$h" link show eth0 | grep -q 'state UP' || return 1
	done
}

# net_down: end the processes left in our namespaces, then delete them.
net_down() {
	local ns pid
	[[ -n ${MCB_NS_LIST:-} && -f $MCB_NS_LIST ]] || return 0
	while read -r ns; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done <"$MCB_NS_LIST"
	rm -f "$MCB_NS_LIST"
}

# net_addr HOST [6]: the host's address on eth0.
net_addr() {
	case "$1:${2:-4}" in
	h*:4) echo "198.18.0.${1#h}" ;;
	h*:6) echo "2001:db8::${1#h}" ;;
	src:4) echo 198.18.1.1 ;;
	dst:4) echo 198.18.2.1 ;;
	dst2:4) echo 198.18.3.1 ;;
	src:6) echo 2001:db8:1::1 ;;
	dst:6) echo 2001:db8:2::1 ;;
	dst2:6) echo 2001:db8:3::1 ;;
	*) return 1 ;;
	esac
}

# net_loss HOST PERCENT: HOST drops that share of the UDP datagrams it
# receives (nftables `numgen random`: netem is not in these kernels);
# 0 takes the rule away again.
net_loss() {
	nsx "$1" nft delete table inet mcbloss 2>/dev/null || true
	[[ $2 == 0 ]] && return 0
	nsx "$1" nft -f - <<-EOF
	table inet mcbloss {
		chain in {
			type filter hook input priority 0;
			meta l4proto udp numgen random mod 100 < $2 drop
		}
	}
	EOF
}
