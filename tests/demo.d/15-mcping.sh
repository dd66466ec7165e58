# shellcheck shell=bash
# demo step: unicast and multicast both ways, from one end or from all (mcping)
demo_step "mcping: h1 answers (RFC 6450, like ssmpingd); h2 pings it, unicast and SSM"
demo_bg mcpr h1 mcping --respond -q
demo_wait 5 bg_says mcpr "listening on"
demo_on h2 mcping -c 3 --interval 0.3 198.18.0.1

demo_step "mcping: a group h1 does not answer for: unicast works, multicast doesn't"
demo_on -x 3 h2 mcping -c 2 --interval 0.3 -g 239.1.2.3 198.18.0.1
bg_signal mcpr TERM
bg_wait mcpr 5 || true

demo_step "mcping --mesh: every host pings every other; h3 drops what h1 sends it"
nsx h3 nft -f - <<-NFT
table inet demo_mcping {
	chain in {
		type filter hook input priority 0;
		ip saddr 198.18.0.1 udp dport 4321 drop
	}
}
NFT
demo_bg mesh1 h1 mcping --mesh -c 3 --interval 0.3 198.18.0.1 198.18.0.2 198.18.0.3
demo_bg mesh2 h2 mcping --mesh -c 3 --interval 0.3 198.18.0.1 198.18.0.2 198.18.0.3
demo_on -x 1 h3 mcping --mesh -c 3 --interval 0.3 198.18.0.1 198.18.0.2 198.18.0.3
bg_wait mesh1 30 || true
bg_wait mesh2 30 || true
nsx h3 nft delete table inet demo_mcping
