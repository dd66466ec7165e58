# shellcheck shell=bash
# demo step: a multicast route across the router rt, without a daemon
# kernel: mroute
demo_mc_send() {	# GROUP COUNT TAG: from src, TTL 8
	nsx src python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
for i in range(int(sys.argv[2])):
    s.sendto(("%s %d\n" % (sys.argv[3], i)).encode(), (sys.argv[1], 5000))
' "$@"
}
demo_rx_has() {
	grep -q -- "$1" "$BATS_TEST_TMPDIR/mroute-rx.out"
}

demo_step "mroute: dst listens to 239.1.2.3, src sends with TTL 8; rt forwards nothing yet"
demo_bg mroute-rx dst socat -u UDP4-RECV:5000,ip-add-membership=239.1.2.3:eth0 STDOUT
demo_wait 30 bash -c "[[ -n \$(ip netns exec $MCB_NS-dst ss -Hlun 'sport = :5000') ]]"
demo_mc_send 239.1.2.3 3 before
demo_on rt mroute show
demo_step "mroute add: one command line; the holder starts by itself"
demo_on rt mroute add eth0 198.18.1.1 239.1.2.3 eth1
demo_mc_send 239.1.2.3 3 after
demo_wait 30 demo_rx_has "after 2"
echo "dst received:"
sed 's/^/  /' "$BATS_TEST_TMPDIR/mroute-rx.out"
demo_on rt mroute show
demo_on rt mroute status -4
demo_step "mroute: a (*,G) route serves any source; show -j for scripts"
demo_on rt mroute add eth0 239.2.0.0/16 eth1 eth2/4
demo_mc_send 239.2.3.4 2 star
demo_wait 30 bash -c "ip netns exec $MCB_NS-rt mroute show | grep -q 239.2.3.4"
demo_on rt mroute -j show
demo_step "mroute stop: the holder ends, static routes stay (inactive)"
demo_on rt mroute stop
demo_on rt mroute flush
