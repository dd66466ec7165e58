/* get.h - the SLAM client driver (slam-get; PROTOCOLS.md §1): the data and
 * server sockets, batched receives, the output file and the clock around
 * the sans-I/O client machine (slam/client.h), for one file. It prints
 * nothing but the progress line on a terminal; notes go to a callback and
 * failures to g->err. */
#ifndef MCBOX_SLAM_GET_H
#define MCBOX_SLAM_GET_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "file/outfile.h"
#include "file/progress.h"
#include "net/inet.h"
#include "net/sock.h"
#include "slam/client.h"

/* A server silent this long ends the transfer (exit 3). */
#define SLAM_GET_SILENCE_NS	(30 * UINT64_C(1000000000))

struct slam_get {
	/* set by the caller before slam_get_open() */
	struct sockaddr_storage srv;	/* NACKs go here */
	struct mc_group g;		/* data arrives here */
	int ifindex;			/* join on it (0: by route) */
	const char *out;		/* output path, "-" for stdout */
	uint64_t max_size;		/* refuse larger files */
	struct outfile_want want;	/* --size, --sha256 */
	uint64_t deadline;		/* ns from slam_get_open(); 0: none */
	const volatile sig_atomic_t *stop;	/* nonzero: abort */
	void (*note)(const char *msg);	/* remarks (a restart); NULL: none */

	/* driver state; c holds the transfer's counts */
	struct slam_cli c;
	int uni, data;			/* the server's socket, the group's */
	int ssm;			/* data joined source-specific */
	uint64_t note_at;		/* no restart note before this */
	unsigned unsaid;		/* restarts since the last note */
	struct sock_rx rx;
	struct outfile of;
	struct progress pg;
	uint64_t t0;			/* start, CLOCK_MONOTONIC ns */

	/* results */
	char err[300];			/* why it failed, "" when it says no more
					 * than the exit status */
};

/* Operands of slam-get: x-slam://SERVER[:PORT][/GROUP[:PORT]] (Etherboot,
 * iPXE), or SERVER[:PORT] [GROUP[:PORT]] (n operands). 0, or -1 with
 * err_str(). */
int slam_get_target(int n, char **ops, struct sockaddr_storage *srv,
		    struct mc_group *g);

/* The sockets (then every capability is dropped), the receive buffers
 * and the output file. 0, or EXIT_FAILURE with g->err set. */
int slam_get_open(struct slam_get *g);
/* Receives the file and commits it, or removes it. Returns 0,
 * EXIT_FAILURE or EXIT_NOANSWER (the deadline, or a silent server), with
 * g->err set when there is more to say. */
int slam_get_run(struct slam_get *g);
void slam_get_close(struct slam_get *g);

#endif
