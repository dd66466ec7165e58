/* client.h - the Multicast Ping client (RFC 6450), sans I/O: when to send
 * which Echo Request, and what each answer means. Requests go unicast to
 * the responder; it answers unicast and to the group, and each path keeps
 * its own count, round-trip times and hop counts. Also the per-path
 * statistics the mesh (mesh.h) keeps for every peer. */
#ifndef MCBOX_MCPING_CLIENT_H
#define MCBOX_MCPING_CLIENT_H

#include <stdint.h>
#include <sys/socket.h>

#include "mcping/wire.h"

#define MCP_RING	4096	/* requests remembered for RTT and dups */

enum mcp_path { MCP_UC, MCP_MC };

/* One path's answers. */
struct mcp_stats {
	uint64_t received;		/* distinct sequence numbers */
	uint64_t dups;
	uint64_t rtt_min, rtt_max, rtt_sum;	/* ns */
	double rtt_sq;
	uint64_t rtts;			/* answers with an RTT */
	int ttl;			/* last arrival TTL; -1: unknown */
	int hops_min, hops_max;		/* -1: unknown */
	uint32_t first_seq;		/* 0: nothing yet */
	uint64_t first_ns;		/* when it came, since the start */
};

void mcp_stats_init(struct mcp_stats *s);
/* Counts an answer: its RTT (rtt_ok 0 when unknown), arrival TTL and
 * hops (-1 when unknown), at now_rel ns since the start. */
void mcp_stats_add(struct mcp_stats *s, uint32_t seq, uint64_t rtt,
		   int rtt_ok, int ttl, int hops, uint64_t now_rel);
double mcp_stats_avg_ms(const struct mcp_stats *s);
double mcp_stats_mdev_ms(const struct mcp_stats *s);
/* Hops: the TTL the sender used (the TTL option; from a server without
 * one, 64, 128 or 255, whichever is the next above) less the TTL seen. */
int mcp_hops(int sent_ttl, int ttl);

struct mcp_client_cfg {
	uint64_t count;			/* requests; 0: until stopped */
	uint64_t interval_ns;
	uint64_t linger_ns;		/* wait for answers after the last */
	struct sockaddr_storage responder;	/* address (port ignored) */
	struct sockaddr_storage group;	/* port ignored */
	uint8_t cid[8];			/* Client ID: tells our answers apart */
};

struct mcp_slot {
	uint64_t tx_ns;
	uint32_t seq;
	uint8_t got;			/* 1 << path */
};

struct mcp_client {
	struct mcp_client_cfg cfg;
	uint64_t t0, next_ns, last_ns;
	uint32_t sent;
	struct mcp_slot ring[MCP_RING];
	struct mcp_stats path[2];
	int legacy;		/* the responder answers without a TTL option
				 * (ssmpingd 0.9): send the group in its form */
	int know_server;	/* an answer told us which kind it is */
	char info[128];		/* Server Information; "" until told */
	uint64_t foreign;	/* answers to someone else */
	uint64_t bad;		/* undecodable, not a reply, bogus sequence */
	uint64_t late;		/* older than the ring: no RTT */
};

void mcp_client_init(struct mcp_client *c, const struct mcp_client_cfg *cfg,
		     uint64_t now);
/* The next request, if one is due at now: written to buf, its length
 * returned (0: nothing due). *wake is when to call again. wall_ns goes
 * in the Client Timestamp. */
size_t mcp_client_poll(struct mcp_client *c, uint64_t now, uint64_t wall_ns,
		       uint8_t *buf, size_t cap, uint64_t *wake);
/* 1 once every request is sent and answered on both paths, or the last
 * one was sent linger_ns ago. */
int mcp_client_done(const struct mcp_client *c, uint64_t now);

/* What an answer was. */
enum mcp_in {
	MCP_IN_REPLY,		/* ev is filled */
	MCP_IN_DUP,		/* a duplicate: ev is filled, not counted */
	MCP_IN_FOREIGN,		/* an answer to another client */
	MCP_IN_BAD,		/* undecodable, not a reply, bogus: err_str() */
};

struct mcp_reply_ev {
	enum mcp_path path;
	uint32_t seq;
	uint64_t rtt_ns;
	int rtt_ok;		/* 0: the request was forgotten (late) */
	int ttl, hops;		/* -1: unknown */
	int sent_ttl;		/* the TTL option, or the one assumed */
	size_t len;
	int first;		/* the first answer on this path */
	int new_info;		/* c->info was just filled */
};

/* One datagram that arrived on path (from: its sender, ttl: its arrival
 * TTL or -1). A multicast answer must come from the responder. */
enum mcp_in mcp_client_input(struct mcp_client *c, uint64_t now,
			     enum mcp_path path,
			     const struct sockaddr_storage *from,
			     const uint8_t *p, size_t len, int ttl,
			     struct mcp_reply_ev *ev);

/* The exit contract: 0 when a multicast answer came, 3 when only unicast
 * ones did, 1 when nothing did. */
int mcp_client_verdict(const struct mcp_client *c);

/* Loss on path, in percent of the requests sent (0 when none were);
 * since_first: counting from the first answer on that path (the time a
 * multicast tree takes to build is not loss). */
double mcp_client_loss(const struct mcp_client *c, enum mcp_path path,
		       int since_first);

#endif
