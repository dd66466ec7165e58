/* fw.h - is a firewall on this host in the way of a UDP port? Reads the
 * nftables ruleset (lib/net/nft.h; iptables-nft rules are nftables rules
 * too) and names the rules that may drop datagrams for the port on their
 * way in (netdev ingress, prerouting, input, and the chains they may jump
 * to), with their counters, and the input chains that drop by policy with
 * no rule accepting the port. */
#ifndef MCBOX_PROBE_FW_H
#define MCBOX_PROBE_FW_H

#include <stdint.h>

#include "net/nft.h"

#define FW_LINE		384
#define FW_MAXCHAINS	256

/* The judgement, sans-I/O: chains first, then rules, then fw_end. */
struct fw_scan {
	int nfproto;		/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	uint16_t port;
	struct nft_chain chain[FW_MAXCHAINS];
	int accepts[FW_MAXCHAINS];	/* a rule there lets the port in */
	int nchains;
	char (*out)[FW_LINE];
	int n, max;
};

/* For datagrams of family (AF_INET, AF_INET6) to port; findings go to
 * out[0..max-1]. */
void fw_init(struct fw_scan *s, int family, uint16_t port,
	     char out[][FW_LINE], int max);
void fw_chain(void *scan, const struct nft_chain *c);
void fw_rule(void *scan, const struct nft_rule *r);
/* The policy findings; returns how many lines out holds. */
int fw_end(struct fw_scan *s);

/* Reads the ruleset through netlink, raising CAP_NET_ADMIN while it does
 * when permitted, and judges it as above. Returns the number of findings,
 * or -1 with err_str() when it could not be read ("needs CAP_NET_ADMIN"
 * without the capability). */
int fw_explain(int family, uint16_t port, char out[][FW_LINE], int max);

#endif
