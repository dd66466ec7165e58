/* send.h - mcsend's send engine: a batch of datagram buffers (numbered
 * probes, lib/probe/wire.h, or one chunk of input), sent to every group's
 * connected socket with sendmmsg or, for probe trains, one UDP_SEGMENT
 * send (udp(7)); falls back to sendmmsg when the route's device cannot
 * segment. Pacing comes from lib/rate.h. */
#ifndef MCBOX_PROBE_SEND_H
#define MCBOX_PROBE_SEND_H

#include <stddef.h>
#include <stdint.h>

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
	struct probe_hdr ph;	/* the probes' header (id, TTL, rate...) */
	struct mmsghdr msgs[SOCK_BATCH];
	struct iovec iov[SOCK_BATCH];
};

/* Sets t up for the n sockets of fds and datagrams of size bytes. With a
 * probe header ph (its id: random when 0), every slot holds that probe
 * (version 2 when size allows, else 1: lib/probe/wire.h) and a round may
 * carry SOCK_BATCH of them, as one UDP_SEGMENT train unless nogso; with
 * ph NULL a round is one datagram, given by mctx_payload. 0, or -1 with
 * errno ENOMEM. */
int mctx_init(struct mctx *t, int *fds, int n, size_t size,
	      const struct probe_hdr *ph, int nogso);
void mctx_free(struct mctx *t);
/* Numbers the first k probes seq, seq + 1, ... and stamps the send time. */
void mctx_stamp(struct mctx *t, unsigned k, uint64_t seq);
/* The one datagram of the next round: len bytes at p (not copied). */
void mctx_payload(struct mctx *t, const void *p, size_t len);
/* Sends the first k datagrams to group g. 0 with *done = k, or -1 with
 * errno (*done: how many went out). */
int mctx_send(struct mctx *t, int g, unsigned k, unsigned *done);
/* The run is over after count probes to each group: sends the end marker
 * (lib/probe/wire.h) MCTX_END_COPIES times, MCTX_END_GAP_NS apart, to
 * every group. Version 1 probes have none. Errors are ignored: the
 * receiver counts a missing end from the announced rate. */
void mctx_end(struct mctx *t, uint64_t count);
/* Bytes in the first k datagrams. */
unsigned long long mctx_bytes(const struct mctx *t, unsigned k);
/* How many datagrams are due at now (at most t->kmax); when none is,
 * sleeps until the next one is or the deadline (0: none) and returns 0.
 * A signal ends the sleep early. */
unsigned mctx_due(const struct mctx *t, struct pacer *pace, uint64_t now,
		  uint64_t deadline);

#endif
