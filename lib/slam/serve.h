/* serve.h - the SLAM server driver (slam-serve; PROTOCOLS.md §1): the file,
 * its socket, the clock and the event loop around the sans-I/O server
 * machine (slam/server.h). It reports through a callback and prints
 * nothing but the progress line on a terminal. */
#ifndef MCBOX_SLAM_SERVE_H
#define MCBOX_SLAM_SERVE_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "net/inet.h"
#include "net/rate.h"
#include "net/sock.h"
#include "slam/send.h"
#include "slam/server.h"

/* What the loop tells the caller. */
enum slam_serve_ev {
	SLAM_SERVE_JOIN,	/* a new client (addr) */
	SLAM_SERVE_DONE,	/* a client has it all (addr) */
	SLAM_SERVE_LOST,	/* a silent client forgotten (addr) */
	SLAM_SERVE_ROUND,	/* a round of sends finished */
	SLAM_SERVE_RESTART,	/* the file changed: a new transaction */
	SLAM_SERVE_BAD,		/* a bad NACK ignored (addr) */
	SLAM_SERVE_FULL,	/* a new client refused (addr): the list is
				 * full, or its address holds max_per_addr */
	SLAM_SERVE_EVICT,	/* a client made room for a new one (addr) */
	SLAM_SERVE_SUSPECT,	/* a client claims to lack every block sent
				 * to it (addr): lying, or deaf to the group */
	SLAM_SERVE_FILE_ERR,	/* the file cannot be read (err: errno);
				 * the old copy is served on */
	SLAM_SERVE_SEND_ERR,	/* sending to the group fails (err: errno),
				 * told once per reason */
};

struct slam_serve {
	/* set by the caller before slam_serve_file() */
	const char *path;
	struct mc_group g;		/* where the data goes */
	int port, ifindex, ttl;		/* NACK port; ifindex 0: by route */
	uint64_t bs;			/* block size; 0: fit the route's MTU */
	struct rate rate;		/* value 0: adaptive */
	struct slam_srv_cfg cfg;
	int once;			/* end when all is done and quiet */
	double idle;			/* ... for this many seconds */
	const volatile sig_atomic_t *stop;	/* nonzero: end the loop */
	void (*on_event)(struct slam_serve *v, enum slam_serve_ev ev,
			 const struct sockaddr_storage *addr, int err);

	/* driver state; s holds the transfer's totals */
	struct slam_srv s;
	int fd, sock;
	struct stat st;
	struct slam_tx tx;
	struct sock_rx rx;
	uint64_t t0;			/* start, CLOCK_MONOTONIC ns */
	int send_errno;			/* the last send error told */
	uint64_t evict_note, full_note;	/* not told again before these */
};

/* Sets up the server machine and opens the file. 0, or -1 with errno. */
int slam_serve_file(struct slam_serve *v);
/* The socket (bound to port, multicast TTL, loop on, no foreign groups,
 * interface, a 4 MB send buffer) and the batches. 0, or -1 with
 * err_str(). */
int slam_serve_open(struct slam_serve *v);
/* Serves until *stop, or with once until every client is done and all is
 * quiet for idle seconds. */
void slam_serve_run(struct slam_serve *v);
void slam_serve_close(struct slam_serve *v);

/* Transaction id from what tells file versions apart (size, mtime,
 * inode); under 2^32 so it stays a short Int. */
uint64_t slam_serve_txn(const struct stat *st);
/* The default block size for a file of size bytes in transaction txn:
 * data packets fit the MTU of the route to g, and the size is never an
 * exact multiple of it (Etherboot cannot finish such a file, PROTOCOLS.md
 * §1.9). 0 when none fits. */
uint64_t slam_serve_block_size(const struct mc_group *g, uint64_t txn,
			       uint64_t size);

#endif
