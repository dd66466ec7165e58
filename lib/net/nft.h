/* nft.h - just enough of the nftables netlink API (nfnetlink, subsystem
 * NFNL_SUBSYS_NFTABLES) to tell which rules and chains could drop a UDP
 * port: dump requests for chains and rules, and a decoder that reduces each
 * rule's expressions to what it matches on and what it does. Sans-I/O:
 * bytes in, summaries out; every length in a message is checked. */
#ifndef MCBOX_NET_NFT_H
#define MCBOX_NET_NFT_H

#include <stddef.h>
#include <stdint.h>

#define NFT_NAMELEN	64	/* longer names are cut (the kernel's: 256) */
#define NFT_MAXEXCL	4	/* "dport != X" conditions kept per rule */

/* A chain: a base chain has a hook (NF_INET_PRE_ROUTING...) and policy. */
struct nft_chain {
	uint8_t family;		/* NFPROTO_INET, _IPV4, _IPV6, _NETDEV... */
	char table[NFT_NAMELEN], name[NFT_NAMELEN];
	int hook;		/* -1: a regular chain */
	int policy;		/* NF_ACCEPT, NF_DROP; -1: none */
};

/* What a rule matches on and does, as far as a UDP destination port goes.
 * Conditions on anything else are only counted. */
struct nft_rule {
	uint8_t family;
	char table[NFT_NAMELEN], chain[NFT_NAMELEN];
	uint64_t handle;
	int l4;			/* 0: any protocol; 17: UDP only; -1: not UDP */
	int has_port;		/* a destination port condition */
	uint16_t port_lo, port_hi;	/* ... within this range */
	uint16_t excl_lo[NFT_MAXEXCL], excl_hi[NFT_MAXEXCL];
	int nexcl;
	int port_set;		/* ... and/or in a named set (not read) */
	int stateful;		/* numgen, quota, limit: match now and then */
	int others;		/* conditions on anything else */
	int verdict;		/* NF_DROP, NF_ACCEPT, NFT_JUMP...; */
#define NFT_V_NONE	(-100)	/* ... or none (counts, logs) */
	int reject;		/* a reject expression: drops */
	int has_counter;
	uint64_t packets, bytes;
};

/* The request for a dump of all chains (NFT_MSG_GETCHAIN) or rules
 * (NFT_MSG_GETRULE) of every family into buf (at least 20 bytes).
 * Returns its length. */
size_t nft_dump_request(uint8_t *buf, size_t size, int msg, uint32_t seq);

/* What one datagram of a dump reply held. */
struct nft_sink {
	void (*chain)(void *ctx, const struct nft_chain *c);
	void (*rule)(void *ctx, const struct nft_rule *r);
	void *ctx;
};

/* Decodes the netlink messages in buf: chains and rules go to the sink.
 * Returns 1 at the end of the dump (NLMSG_DONE), 0 when more is to come,
 * -1 with errno from an error reply (EPERM without CAP_NET_ADMIN) or
 * EBADMSG when buf is malformed. */
int nft_parse(const uint8_t *buf, size_t len, const struct nft_sink *s);

/* 1 when the rule's port condition lets port through: within the range
 * and not excluded (a set is not known: it counts as letting through). */
int nft_rule_port(const struct nft_rule *r, uint16_t port);

#endif
