# shellcheck shell=bash
# demo step: one file, two clients, one multicast stream from atftpd
# shellcheck source=../helpers/peers.bash
. tests/helpers/peers.bash
if command -v atftpd >/dev/null; then
	demo_step "tftm-get: two clients share one RFC 2090 multicast stream"
	mkdir -p "$DEMO_TMP/tftp" "$DEMO_TMP/h2" "$DEMO_TMP/h3"
	chmod 0755 "$DEMO_TMP" "$DEMO_TMP/tftp"
	peers_mkfile "$DEMO_TMP/tftp/boot.img" 2000000
	echo "h1\$ atftpd --mcast-addr 239.255.0.0-3 --mcast-port 1758 ... $DEMO_TMP/tftp &"
	peers_atftpd_start atftpd h1 "$DEMO_TMP/tftp"
	(cd "$DEMO_TMP/h2" && demo_on h2 tftm-get -v 198.18.0.1 boot.img) &
	tftm_p1=$!
	(cd "$DEMO_TMP/h3" && demo_on h3 tftm-get -v -j 198.18.0.1 boot.img) &
	wait "$tftm_p1" "$!"
	demo_run cmp "$DEMO_TMP/h2/boot.img" "$DEMO_TMP/h3/boot.img"
	grep -o 'sent OACK <.*multicast: [^>]*>' "$DEMO_TMP/atftpd.log"
	demo_step "tftm-get: the server's errors, as it sent them"
	demo_on -x 1 h2 tftm-get 198.18.0.1 no-such-file
else
	demo_step "tftm-get: skipped (atftpd is not installed)"
fi
