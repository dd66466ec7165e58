/* send.h - mcsend's send engine: a batch of datagram buffers (numbered
 * probes, probe/wire.h, or one chunk of input), sent to every group's
 * connected socket with sendmmsg or, for probe trains, one UDP_SEGMENT
 * send (udp(7)); falls back to sendmmsg when the route's device cannot
 * segment. Pacing comes from net/rate.h. */
#ifndef MCBOX_PROBE_SEND_H
#define MCBOX_PROBE_SEND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "net/inet.h"
#include "net/rate.h"
#include "net/sock.h"
#include "probe/wire.h"

/* 65535 less the IPv4 and UDP headers: the largest UDP payload */
#define MCTX_MAX_PAYLOAD 65507
/* End markers: sent this many times, this far apart, so that one lost
 * datagram does not hide the end of a run. */
#define MCTX_END_COPIES	3
#define MCTX_END_GAP_NS	5000000ull

struct mctx {
	int *fds;		/* one connected socket per group (caller's) */
	int n;
	size_t size;		/* bytes per datagram */
	size_t gso;		/* UDP_SEGMENT size; 0: off */
	unsigned kmax;		/* datagrams per round at most */
	uint8_t *bufs;		/* SOCK_BATCH slots of size bytes */
	struct probe_hdr ph;	/* the probes' header: id, TTL, announcements */
	struct mmsghdr msgs[SOCK_BATCH];
	struct iovec iov[SOCK_BATCH];
};

/* Sets t up for the n sockets of fds and datagrams of size bytes. probe:
 * every slot holds a probe header (id random, ttl as sent) and a round
 * may carry SOCK_BATCH of them, as one UDP_SEGMENT train unless nogso;
 * else a round is one datagram, given by mctx_payload. 0, or -1 with
 * errno ENOMEM. */
int mctx_init(struct mctx *t, int *fds, int n, size_t size, int probe,
	      int nogso, int ttl);
/* What the probes announce (version 2, lib/probe/wire.h): pps (0:
 * unpaced), count (0: until stopped), burst, and the wall-clock start and
 * stop (0: none) of the run; rewrites every slot. mctx_run calls it. */
void mctx_announce(struct mctx *t, double pps, uint64_t count,
		   unsigned burst, uint64_t start_ns, uint64_t stop_ns);
/* The run is over after count probes to each group: sends the end marker
 * MCTX_END_COPIES times, MCTX_END_GAP_NS apart, to every group (version 1
 * probes have none). Errors are ignored: without the marker, a receiver
 * counts from the announced rate. mctx_run calls it. */
void mctx_end(struct mctx *t, uint64_t count);
void mctx_free(struct mctx *t);
/* Numbers the first k probes seq, seq + 1, ... and stamps the send time. */
void mctx_stamp(struct mctx *t, unsigned k, uint64_t seq);
/* The one datagram of the next round: len bytes at p (not copied). */
void mctx_payload(struct mctx *t, const void *p, size_t len);
/* Sends the first k datagrams to group g. 0 with *done = k, or -1 with
 * errno (*done: how many went out). */
int mctx_send(struct mctx *t, int g, unsigned k, unsigned *done);
/* Bytes in the first k datagrams. */
unsigned long long mctx_bytes(const struct mctx *t, unsigned k);
/* How many datagrams are due at now (at most t->kmax); when none is,
 * sleeps until the next one is or the deadline (0: none) and returns 0.
 * A signal ends the sleep early. */
unsigned mctx_due(const struct mctx *t, struct pacer *pace, uint64_t now,
		  uint64_t deadline);

/* mcsend's driver: what to send, how fast, for how long. */
enum mctx_mode { MCTX_LINES, MCTX_RAW, MCTX_PROBE };

struct mctx_run {
	/* set by the caller */
	enum mctx_mode mode;
	const struct mc_group *groups;	/* t->n of them, for messages */
	const char *file;		/* input; NULL: stdin */
	unsigned long long count;	/* datagrams to each group; 0: all */
	double pps;			/* 0: unpaced */
	unsigned burst;
	double deadline_s;		/* 0: none */
	const volatile sig_atomic_t *stop;	/* nonzero: end */
	/* results */
	unsigned long long sent, bytes;	/* over all groups */
	double secs;
	char err[300];
};

/* Reads the input (lines, or chunks of t->size bytes) or stamps probes,
 * and sends each datagram to every group at the pace asked, until count,
 * the deadline, the end of input or *stop; probes announce the run and
 * end with a marker. 0; 1 when reading or sending
 * failed (r->err says why; the totals hold); -1 when it could not start
 * (r->err). */
int mctx_run(struct mctx *t, struct mctx_run *r);
/* The summary line of a run to ngroups groups: "sent 1 datagram, 1 byte
 * to 1 group in 0.001 s (1000 pps, 8.0 kbit/s)". */
const char *mctx_fmt_summary(const struct mctx_run *r, int ngroups,
			     char *buf, size_t len);

#endif
