/* mesh.h - mcping --mesh, sans I/O: every listed host runs it, pings every
 * other over unicast (RFC 6450 Echo Requests), answers the others unicast
 * and to the group, and reports what it heard (wire.h, MCP_MESH) to all,
 * relaying the reports of others so that a host cut off from one peer
 * still learns what that peer heard. The result is a matrix, one cell per
 * ordered pair X -> Y: how many of X's requests (unicast) and of X's
 * multicast answers Y heard, of how many X sent.
 *
 * A run: WAIT until every host is heard of (or wait_ns passed), RUN count
 * rounds of requests, DONE, FINAL once every host is done, SETTLED two
 * intervals later (the last answers are in); it ends when every host it
 * knows of is settled and its own settled report went out twice. */
#ifndef MCBOX_MCPING_MESH_H
#define MCBOX_MCPING_MESH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mcping/client.h"
#include "mcping/wire.h"

#define MCP_MESH_RING	1024	/* requests per peer remembered */
#define MCP_MESH_KEYS	512	/* multicast answers per peer remembered */

struct mcp_mesh_cfg {
	int n;				/* hosts, self included */
	struct sockaddr_storage host[MCP_MESH_MAX];	/* and port */
	int self;			/* index of this host */
	struct sockaddr_storage group;	/* port: the hosts' port */
	uint64_t count;			/* rounds */
	uint64_t interval_ns;
	uint64_t wait_ns;		/* start anyway after this long */
	int ttl;			/* sent in the TTL option */
	uint8_t cid[8];
};

struct mcp_peer {
	/* what this host saw of the peer */
	uint32_t req_sent, req_rx, urep_rx, mrep_rx;
	struct mcp_stats st[2];		/* answers to our requests */
	struct mcp_slot ring[MCP_MESH_RING];	/* our requests to it */
	uint32_t req_seq[MCP_MESH_RING];	/* its requests seen */
	uint64_t keys[MCP_MESH_KEYS];	/* its multicast answers seen */
	unsigned nkeys;
	int heard;			/* anything came from it directly */
	/* the latest report it made, direct or relayed */
	int have;
	struct mcp_report rep;
};

/* A datagram to send: to host `to` (unicast), or to the group (to -1). */
struct mcp_send {
	int to;
	size_t len;
	uint8_t buf[MCP_MAXMSG];
};

/* What an arrival was, for a verbose caller. */
struct mcp_mesh_ev {
	int host;			/* sender's index; -1: not listed */
	int kind;			/* MCP_REQUEST, MCP_REPLY, MCP_MESH,
					 * or 0: ignored (see err_str()) */
	int mine;			/* a reply to our own request */
	int counted;			/* ...new: r is filled */
	struct mcp_reply_ev r;
};

#define MCP_MESH_QUEUE	4

struct mcp_mesh {
	struct mcp_mesh_cfg cfg;
	int state;
	uint32_t gen, mc_sent;
	uint64_t t0, final_ns, next_round, next_report;
	uint64_t rounds;
	unsigned round_i, report_i;	/* cursors of the burst under way */
	int in_round, in_report;
	unsigned settled_reports;
	struct mcp_peer peer[MCP_MESH_MAX];
	struct mcp_send q[MCP_MESH_QUEUE];
	unsigned nq;
};

/* m is large: allocate it. */
void mcp_mesh_init(struct mcp_mesh *m, const struct mcp_mesh_cfg *cfg,
		   uint64_t now);
/* Index of the listed host with address a, or -1. */
int mcp_mesh_host(const struct mcp_mesh *m, const struct sockaddr_storage *a);
/* The next datagram to send at now: 1 with *s filled, or 0 with *wake
 * set to when to call again. */
int mcp_mesh_next(struct mcp_mesh *m, uint64_t now, uint64_t wall_ns,
		  struct mcp_send *s, uint64_t *wake);
/* Pops an answer queued by mcp_mesh_input: 1 with *s filled, or 0. Send
 * them right after each input: the queue is short. */
int mcp_mesh_queued(struct mcp_mesh *m, struct mcp_send *s);
/* One arrival on path, from `from` with arrival TTL ttl (-1: unknown).
 * Answers it queues are sent by mcp_mesh_next. */
void mcp_mesh_input(struct mcp_mesh *m, uint64_t now, uint64_t wall_ns,
		    enum mcp_path path, const struct sockaddr_storage *from,
		    const uint8_t *p, size_t len, int ttl,
		    struct mcp_mesh_ev *ev);
/* 1 once the run is over (see above). */
int mcp_mesh_done(const struct mcp_mesh *m);

/* One cell of the matrix: what `to` heard from `from`. */
struct mcp_pair {
	int known;			/* `to`'s counts are known */
	uint32_t uc_rx, mc_rx;
	int64_t uc_exp, mc_exp;		/* -1: unknown */
	double rtt_uc_ms, rtt_mc_ms;	/* `to` pinging `from`; 0: none */
	int hops_uc, hops_mc;
	int uc_ok, mc_ok;
};

void mcp_mesh_pair(const struct mcp_mesh *m, int from, int to,
		   struct mcp_pair *p);
/* Loss in percent of rx out of exp; -1 when exp is unknown or 0. */
double mcp_pair_loss(uint32_t rx, int64_t exp);

/* The verdict: 0 when every pair works both ways on both paths, 3 when
 * every pair works on unicast and some not on multicast, 1 otherwise.
 * *broken counts the ordered pairs that do not work (or are unknown). */
int mcp_mesh_verdict(const struct mcp_mesh *m, int *broken);

#endif
