/* client.h - the SLAM client state machine, sans I/O (PROTOCOLS.md §1.8,
 * §1.10): header cache and restart on a new transaction, block bitmap,
 * NACKs with as many runs as fit, and the master/slave timers that keep
 * hundreds of receivers from flooding the server. */
#ifndef MCBOX_SLAM_CLIENT_H
#define MCBOX_SLAM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "slam/wire.h"
#include "file/bitmap.h"

/* Headers announcing more blocks are refused (SLAM_CLI_TOOBIG): 8 MiB of
 * bitmap, walked in milliseconds; 93 GB in blocks of 1450 bytes. */
#define SLAM_CLI_MAX_BLOCKS (UINT64_C(1) << 26)

struct slam_cli {
	uint64_t max_size;
	size_t nack_cap;	/* bytes a NACK may take */
	struct slam_hdr h;
	int have_hdr;
	struct bitmap got;
	uint64_t rot;		/* where the next long NACK starts */
	uint64_t slave_at;	/* NACK on multicast silence */
	uint64_t slave_ivl;
	uint64_t master_at;	/* re-NACK when a ping led to nothing */
	uint64_t master_ivl;
	uint64_t last_rx;	/* last packet of any kind from the server */
	uint64_t rng;
	int owe;		/* a ping awaits its answer */
	int pinged;		/* the server knows us */
	int nack_sent, done;
	unsigned restarts;
	uint64_t nacks, dups, bad;
};

/* What a packet did. */
struct slam_cli_ev {
	int newhdr;		/* header differs from before: (re)start */
	int restart;		/* ... and it replaced an earlier one */
	int block;		/* data at off, len bytes, is new */
	uint64_t off;
	const uint8_t *data;
	size_t len;
	int done;		/* every block is here (or the file is empty) */
	uint64_t total;		/* the header's size (also when refused) */
	const char *why;	/* reason a packet was dropped */
};

void slam_cli_init(struct slam_cli *c, uint64_t max_size, size_t nack_cap,
		   uint64_t seed, uint64_t now);
void slam_cli_free(struct slam_cli *c);

/* What a packet was, for the driver. */
enum slam_cli_rc {
	SLAM_CLI_NOMEM = -3,	/* the block bitmap cannot be allocated */
	SLAM_CLI_TOOBIG = -2,	/* the header announces more than max_size
				 * bytes, or SLAM_CLI_MAX_BLOCKS blocks
				 * (ev->why; a caller gives up) */
	SLAM_CLI_BAD = -1,	/* invalid (ev->why) */
	SLAM_CLI_NONE = 0,	/* a duplicate, or ignored */
	SLAM_CLI_EVENT = 1,	/* *ev says something */
};

/* A multicast datagram. from_server: its source is the server's address;
 * anything else is refused (SLAM_CLI_BAD, "not from the server"). */
enum slam_cli_rc slam_cli_data(struct slam_cli *c, uint64_t now,
			       const uint8_t *buf, size_t len, int from_server,
			       struct slam_cli_ev *ev);
/* A unicast datagram from the server (a status request): answer with a
 * NACK now (slam_cli_nack). */
enum slam_cli_rc slam_cli_ping(struct slam_cli *c, uint64_t now,
			       const uint8_t *buf, size_t len,
			       struct slam_cli_ev *ev);
/* When the next NACK is due (0: none). */
uint64_t slam_cli_wake(const struct slam_cli *c);
/* If a NACK is due at now, builds it into out and returns its length;
 * else 0. */
size_t slam_cli_nack(struct slam_cli *c, uint64_t now, uint8_t *out,
		     size_t cap);
/* The last NACK, sent just before the disconnect, so that the server
 * knows what this client holds as it ends (a disconnect alone does not
 * say: iPXE sends it on success, timeout and cancel alike): one have run
 * of every block when complete, else the plain list of what is missing.
 * Returns its length; 0 when there is nothing to say (no header yet). */
size_t slam_cli_final(const struct slam_cli *c, uint8_t *out, size_t cap);

#endif
