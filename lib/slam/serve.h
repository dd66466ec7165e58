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
	SLAM_SERVE_LEFT,	/* a client left without it all (addr;
				 * s.ev_missing blocks, as far as known) */
	SLAM_SERVE_LOST,	/* a silent client forgotten (addr;
				 * s.ev_missing: blocks it may lack) */
	SLAM_SERVE_DEAF,	/* a client gets none of the group's data
				 * (addr; s.ev_block, ev_sends, ev_others) */
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

/* A machine named with --hosts, and what became of it. */
enum slam_host_state {
	SLAM_HOST_ABSENT,	/* never showed up */
	SLAM_HOST_ACTIVE,	/* asked, not judged yet */
	SLAM_HOST_LEFT,		/* left without the whole file */
	SLAM_HOST_LOST,		/* went silent without it */
	SLAM_HOST_DONE,		/* got the whole file */
};

struct slam_host {
	struct sockaddr_storage addr;
	enum slam_host_state state;
	uint64_t missing;	/* LEFT, LOST: blocks it lacked */
};

/* A client that ended without the whole file. */
struct slam_failed {
	struct sockaddr_storage addr;
	int lost;		/* went silent (else: left) */
	uint64_t missing;
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
	unsigned min_clients;		/* ... and this many have come */
	struct slam_host *hosts;	/* ... and these are judged */
	unsigned nhosts;
	double deadline;		/* seconds; 0: none */
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
	uint64_t quiet_ns;		/* since when no client is listed */
	/* how it ended */
	uint64_t incomplete;		/* clients left or lost without it */
	struct slam_failed *failed;	/* ... as many as memory allows */
	size_t nfailed;
	int timed_out;			/* the deadline came first */
	int missing_expected;		/* ... with expected clients missing */
	uint64_t evict_note, full_note;	/* not told again before these */
};

/* Parses --hosts: addresses (or names) separated by commas or blanks, or
 * @FILE with one or more a line ('#' starts a comment). 0, or -1 with
 * err_str(). */
int slam_serve_hosts(struct slam_serve *v, const char *arg);

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
/* The exit status of a run that ended: 1 when a client left or was lost
 * without the whole file (or a --hosts machine did not get it), 3 when
 * the deadline came with expected clients missing, else 0. */
int slam_serve_status(const struct slam_serve *v);

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
