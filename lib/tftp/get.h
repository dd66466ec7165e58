/* get.h - the I/O driver around the sans-I/O TFTP client (tftp.h):
 * sockets, group joins, batched reads, the output file and the clock, for
 * one download (RFC 1350/2347-2349/7440 and RFC 2090 multicast). */
#ifndef MCBOX_TFTP_GET_H
#define MCBOX_TFTP_GET_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/idlespin.h"
#include "net/inet.h"
#include "net/sock.h"
#include "file/outfile.h"
#include "file/progress.h"
#include "tftp/client.h"

struct tftp_get {
	/* set by the caller before tftp_get_run() */
	int ifindex;			/* join groups here (0: any) */
	const char *ifname;		/* for messages, or NULL */
	const char *out;		/* output path, "-" for stdout */
	uint64_t deadline;		/* CLOCK_MONOTONIC ns, 0: none */
	double deadline_s;		/* the same, for the message */
	const volatile sig_atomic_t *stop;	/* nonzero: abort */
	struct outfile_want want;	/* --size, --sha256 */
	/* -v lines (fallback, joins, promotion); NULL: none */
	void (*note)(const char *msg);

	/* driver state */
	char server_s[INET_FMTLEN];
	int ufd, mfd;
	struct sock_rx rx;		/* the batch drain() reads into */
	struct outfile of;
	struct progress pg;
	uint64_t spin_until;		/* read without sleeping until then */
	uint64_t spin_hold;		/* and not again before this */
	int can_spin, sent;
	int connected;			/* ufd, to the server's TID */
	struct idlespin helper;		/* polls on the idle class */
	struct tftp_client *c;
	unsigned starved;		/* times the helper was starved */
	uint64_t pin_check;		/* when to look at the incoming CPU */
	uint64_t nap;			/* a passive's sleep, ns (0: none) */

	/* results */
	int failed, rc;			/* rc: 0, EXIT_FAILURE, EXIT_NOANSWER */
	char err[300];			/* what went wrong, when failed */
	uint64_t t0;			/* start, CLOCK_MONOTONIC ns */
};

/* Opens the socket and the output file, runs c (already initialised) to
 * its end, and commits or removes the file. Returns g->rc (0 on success;
 * on failure g->err says why, nothing printed). */
int tftp_get_run(struct tftp_get *g, struct tftp_client *c,
		 const struct sockaddr_storage *srv);

/* Applies the events c has queued: packets out on g->ufd, group joins and
 * leaves, blocks into g->of, notes, and failures into g->failed, g->rc
 * and g->err. tftp_get_run() calls it after every input and tick; the
 * fuzz harness drives it directly. */
void tftp_get_events(struct tftp_get *g, struct tftp_client *c);

/* tftp://, tftm:// (port 69) or x-tftm:// (Etherboot: port 1758)
 * SERVER[:PORT]/PATH; *file points into *buf (free it), %XX decoded, and
 * x-tftm://srv//dir/f asks for "/dir/f". 0 or -1 + err_str(). */
int tftp_parse_url(const char *url, int family, struct sockaddr_storage *srv,
		   char **file, char **buf);
/* Operands of tftm-get: SERVER[:PORT] FILE, or a URL (n operands); the
 * server is one host (inet_parse_server). *file points into ops or into
 * *buf (free it). 0, or -1 with err_str(). */
int tftp_get_target(int n, char **ops, int family,
		    struct sockaddr_storage *srv, char **file, char **buf);
/* The largest block that fits the path MTU towards srv (1468 when it
 * cannot be known). */
unsigned tftp_mtu_blksize(const struct sockaddr_storage *srv);

/* A passive client's next sleep between reads, given the last (ns) and
 * how full its socket was on waking (thousandths): half as long when over
 * half full, a quarter longer when under an eighth, within bounds. */
uint64_t tftp_nap_next(uint64_t nap, int fill);

#endif
