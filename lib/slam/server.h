/* server.h - the SLAM server state machine, sans I/O (PROTOCOLS.md §1.7,
 * §1.10, §1.11): merges every client's NACKs into one set of wanted blocks
 * sent once per round to the group; keeps each ping-driven client (iPXE:
 * one first-gap NACK of at most 4 blocks, only when pinged) busy by pinging
 * it as soon as what it asked for is out and by sending ahead of it; pings
 * the others in turn, forgets the silent ones, judges what each client
 * holds when it leaves, names a client that never gets the group's data,
 * paces the data (fixed, or adapted to the loss and delay that NACKs and
 * ping answers reveal) and clamps hostile NACKs. */
#ifndef MCBOX_SLAM_SERVER_H
#define MCBOX_SLAM_SERVER_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "slam/wire.h"
#include "file/bitmap.h"

#define SLAM_RING 65536	/* recent sends remembered (times, loss) */
#define SLAM_PING_Q 16	/* unanswered pings remembered per client */

struct slam_client {
	struct sockaddr_storage addr;
	uint64_t first_ns;	/* first NACK */
	uint64_t last_ns;	/* last datagram */
	uint64_t pinged_ns;	/* last ping, 0 when answered */
	uint64_t ping_seq;	/* data sends before that ping */
	/* pings not answered yet, oldest first, with the data sends before
	 * each: a client answers in order, so a NACK tells what arrived
	 * before the oldest (a loaded iPXE answers 10-300 ms late, while
	 * the next pings are out) */
	uint64_t pq_ns[SLAM_PING_Q], pq_seq[SLAM_PING_Q];
	unsigned pq_n;
	unsigned missed;	/* pings in a row left unanswered */
	uint64_t nacks;
	/* what its NACKs said (this transaction) */
	int pd;			/* ping-driven: first-gap NACKs of <= 4 */
	uint64_t gap;		/* first block it lacks, last NACK */
	uint64_t ask_end;	/* end of what its last NACK listed */
	uint64_t ahead;		/* sent ahead of it up to here (pd) */
	uint64_t win;		/* ... beyond its ask, for its own gaps */
	uint64_t first_seq;	/* sends before its first NACK */
	uint64_t known_seq;	/* sends its last NACK could know of */
	uint64_t judge_seq;	/* ... at the least (it may answer an older
				 * ping): what it lacks is judged by it */
	uint64_t served_ns;	/* its asks last added to the wanted set */
	int ping_now;		/* pd: ping once its asks are out */
	uint64_t hold_ns;	/* ... but not before (its resend was lost) */
	uint8_t *last;		/* its last NACK, for the verdict */
	uint16_t lastlen;
	int have_all;		/* its last NACK said it lacks nothing */
	/* a client that gets none of the group's data */
	uint64_t stuck_gap, stuck_seq, stuck_ns;
	unsigned stuck;		/* its gap sent this often, in vain */
	int progressed;		/* its gap ever moved */
	int deaf;		/* named: no group data reaches it */
	/* Trust. A client that never answered a ping is the first to go
	 * when room is short. Its reports steer the pace only once they
	 * showed it receives (credible); one that goes on claiming to lack
	 * every block sent to it is a suspect: lying, or not receiving the
	 * group. Its requests are then served only when nobody else wants
	 * anything, and it has no say in the pace. */
	int answered;		/* answered a ping at least once */
	int credible;		/* its reports showed blocks arriving */
	int suspect;
	uint64_t held;		/* most blocks it claimed to hold */
	uint64_t nothing;	/* blocks it claimed lost since any arrived */
	unsigned ping_skip;	/* a suspect's turns passed over */
};

struct slam_srv_cfg {
	double rate;		/* data packets per second; 0: adaptive */
	unsigned max_clients;	/* 0: SLAM_SRV_MAX_CLIENTS */
	uint64_t ping_timeout_ns; /* 0: 100 ms as mini-slamd */
	unsigned max_missed;	/* 0: 5 unanswered pings forget a client
				 * (3 one that never answered a ping) */
	unsigned max_per_addr;	/* 0: SLAM_SRV_MAX_PER_ADDR */
};

#define SLAM_SRV_MAX_CLIENTS 4096
/* clients (source ports) listed at once for one source address */
#define SLAM_SRV_MAX_PER_ADDR 64
/* blocks a client may claim lost in a row, every one sent after it
 * joined and none of its reports showing any arrival, before it is
 * suspected (a receiver losing 90% of the packets does that once in
 * 10^11 transfers) */
#define SLAM_SRV_SUSPECT_AFTER 256

/* What slam_srv_next() asks the driver to do. */
enum slam_act {
	SLAM_ACT_WAIT,		/* nothing until until_ns (0: a datagram) */
	SLAM_ACT_DATA,		/* send block `block` to the group */
	SLAM_ACT_PING,		/* send the header alone to `addr`, after
				 * the data already handed out */
	SLAM_ACT_LOST,		/* event: client `addr` forgotten; it
				 * lacked `missing` blocks as far as known */
	SLAM_ACT_ROUND,		/* event: round `round` finished */
};

/* What slam_srv_input() saw. */
enum slam_ev {
	SLAM_EV_NACK,		/* a NACK from a known client */
	SLAM_EV_JOIN,		/* a NACK from a new client */
	SLAM_EV_DONE,		/* a disconnect: the client has it all */
	SLAM_EV_LEFT,		/* a disconnect with blocks missing
				 * (s->ev_missing of them) */
	SLAM_EV_BYE,		/* a disconnect from an unknown sender */
	SLAM_EV_BAD,		/* garbage; ignored */
	SLAM_EV_FULL,		/* new client refused: client list full, or
				 * its address has max_per_addr listed */
	SLAM_EV_DEAF,		/* a NACK that shows the client gets none of
				 * the group's data: it asks for block
				 * s->ev_block, sent s->ev_sends times since;
				 * s->ev_others: others progress meanwhile
				 * (an IGMP-snooping switch and a client that
				 * sends no join: iPXE) */
	SLAM_EV_SUSPECT,	/* a NACK that made its sender a suspect */
};

struct slam_out {
	enum slam_act act;
	uint64_t block;
	uint64_t until_ns;
	struct sockaddr_storage addr;
	uint64_t round;
	uint64_t missing;
};

struct slam_ring_ent {
	uint64_t idx, t;
};

struct slam_srv {
	struct slam_srv_cfg cfg;
	struct slam_hdr h;
	int have_file;
	struct bitmap want;		/* blocks some client asked for */
	uint32_t *sent_seq;		/* each block's last send (low bits of
					 * seq; 0: not in this transaction) */
	uint64_t seq;			/* data sends so far */
	uint64_t txn_seq;		/* ... when this transaction began */
	struct bitmap want_low;		/* ... some suspect asked for */
	uint64_t cursor_low;
	uint64_t cursor;		/* next block of the round */
	uint64_t round, round_sent;
	struct slam_client *cl;
	unsigned ncl, capcl;
	/* clients by source address: chains through next[], one per hash
	 * bucket of the address (all ports of an address share a chain) */
	int *head, *next;
	unsigned hmask;
	/* the client that slam_srv_input() last evicted to make room */
	int evicted_now;
	struct sockaddr_storage evicted_addr;
	unsigned ping_i;		/* next client to ping in turn */
	uint64_t ping_at;		/* time of the next ping in turn */
	double ping_tokens;		/* pd pings: a budget */
	uint64_t ping_tok_ns;
	int pd_wait;			/* pd clients waiting for a ping */
	uint64_t pd_scan_at;		/* ... looked for again then */
	/* pacing: token bucket at `rate` packets/s */
	double rate, tokens;
	uint64_t tok_ns;
	int limited;			/* the bucket ran dry lately */
	int slow_start;			/* no congestion seen yet */
	/* adaptation */
	double srtt, minrtt;		/* ns */
	double rtt_win;			/* fastest answer since the last step */
	uint64_t adj_ns;
	double loss;			/* last loss sample */
	uint64_t loss_seen, loss_lost;	/* iPXE evidence since the last step */
	double loss_max;		/* worst list client's since then */
	struct slam_ring_ent *ring;	/* send seq -> (block, time) */
	uint64_t t0;
	uint64_t progress_ns;		/* a client's gap moved, or one left */
	uint64_t hold_until;		/* no data before: silent clients
					 * may still speak up (gather()) */
	uint64_t tail_holds;		/* times a silence's asks were
					 * gathered that way */
	/* what the last slam_srv_input() event was about */
	uint64_t ev_missing, ev_block, ev_sends;
	int ev_others;
	/* totals */
	uint64_t sent, bytes, pings, nacks, bad, joined, done, left, lost,
		 full, deaf;
	uint64_t evicted, suspects;
	uint64_t served;		/* clients ever listed */
	double hostile_warn;
};

/* 0, or -1 (ENOMEM). The file is set with slam_srv_set_file(). */
int slam_srv_init(struct slam_srv *s, const struct slam_srv_cfg *cfg,
		  uint64_t now);
void slam_srv_free(struct slam_srv *s);
/* (Re)starts the transfer with a new header: clients restart when they
 * see it. When clients are listed every block becomes wanted. 0 or -1. */
int slam_srv_set_file(struct slam_srv *s, uint64_t txn, uint64_t total,
		      uint64_t bs, uint64_t now);
/* One datagram from a client. from is filled into *addr of events. A new
 * client that finds no room evicts one that never answered a ping (from
 * the address holding the most, when the table is full), or an answering
 * one of an address that holds several; s->evicted_now then says so. */
enum slam_ev slam_srv_input(struct slam_srv *s, uint64_t now,
			    const struct sockaddr_storage *from,
			    const uint8_t *buf, size_t len);
/* The next thing to do at time now. Call until it returns WAIT. */
void slam_srv_next(struct slam_srv *s, uint64_t now, struct slam_out *o);
/* The driver could not read block (short read): want it again later. */
void slam_srv_unsend(struct slam_srv *s, uint64_t block);
/* Blocks still wanted by someone. */
uint64_t slam_srv_outstanding(const struct slam_srv *s);
/* Clients that asked for blocks and have not been judged yet. */
static inline unsigned slam_srv_active(const struct slam_srv *s)
{
	return s->ncl;
}

#endif
