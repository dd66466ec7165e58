/* recv.h - mcrecv's receive engine: operands x SSM sources into groups,
 * one socket per (group, port) joined on each source (RFC 3678 API,
 * RFC 4607 SSM), batched receive with UDP GRO trains split again, and
 * per-sender statistics, probes' included (probe/stats.h). Printing
 * stays with the caller, which gets each datagram through a callback. */
#ifndef MCBOX_PROBE_RECV_H
#define MCBOX_PROBE_RECV_H

#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>

#include "file/outfile.h"
#include "net/inet.h"
#include "net/sock.h"
#include "probe/diag.h"
#include "probe/stats.h"

/* Parses the GROUP operands and pairs each source-less one with every
 * -s source (ops[i] naming its own source keeps it). *gs gets at most
 * n * (nsrc + 1) groups (free it); returns the count, -1 with err_str()
 * as a usage message (a bad operand or source; *gs is NULL then), or -2
 * out of memory. */
int mcrx_groups(char **ops, int n, const char *const *sources, int nsrc,
		struct mc_group **gs);

/* A joined group: its socket, the interface it was joined on, and what
 * reaches that interface while nothing arrives (mcrx_ready). */
struct mcrx_group {
	struct mc_group g;
	int fd;
	char ifname[IF_NAMESIZE];	/* "" when unknown */
	struct mcdiag_watch watch;
};

/* One datagram, as the callback sees it. */
struct mcrx_dgram {
	const struct mcrx_group *rg;
	const struct sockaddr_storage *from;
	const uint8_t *p;
	size_t len;
	int ttl, tos;			/* -1: unknown */
	uint64_t rx_ns;			/* receive time (wall clock) */
	int probe;			/* a probe: h and verdict are set */
	struct probe_hdr h;
	enum probe_verdict verdict;
	const struct probe_flow *flow;	/* its sender; NULL: table full */
};

struct mcrx {
	struct mcrx_group *rg;
	int n;
	struct pollfd *pfd;
	struct sock_rx b;
	struct probe_table flows;
	unsigned long long count;	/* stop after count datagrams; 0: no */
	unsigned long long received, bytes;
	/* set by a signal handler (or the callback) to stop between batches */
	const volatile sig_atomic_t *stop;
	void (*on_datagram)(void *ctx, const struct mcrx_dgram *d);
	void *ctx;
	/* with mcrx_output(): payloads go to this file, not the callback */
	struct outfile of;
	off_t off;
	int writing, failed;		/* failed: a write failed (err_str()) */
	double secs;			/* mcrx_run()'s time */
	uint64_t t0_wall;		/* when mcrx_run() started */
	/* with interval_ns, mcrx_run() calls on_interval(ctx, from_s,
	 * to_s) at each multiple of it (s since the start) with loss
	 * worked out up to then, and marks every flow after it */
	uint64_t interval_ns;
	void (*on_interval)(void *ctx, double from_s, double to_s);
};

/* Sets x up empty; count, stop, on_datagram and ctx are the caller's. */
void mcrx_init(struct mcrx *x);
/* What mcrx_add did. */
struct mcrx_added {
	int fresh;		/* a new socket (else one more source joined) */
	int rcvbuf;		/* receive buffer the kernel granted */
	int meta_errno;		/* 0, or why TTL/timestamps are unavailable */
	int noroute;		/* failed: ENODEV and no interface given */
};

/* Joins g on ifindex (0: by route): another source of a (group, port) we
 * hold is one more join on its socket, anything else a new socket with
 * receive metadata, UDP GRO and a large receive buffer. Returns 0, or -1
 * with errno and err_str() ("join SOURCE,GROUP: reason" or "join GROUP:
 * reason"); *res says more either way. */
int mcrx_add(struct mcrx *x, const struct mc_group *g, int ifindex,
	     struct mcrx_added *res);
/* Allocates the receive buffers and poll set after the last mcrx_add,
 * and starts counting what reaches each group's interface until the first
 * datagram arrives (mcdiag_watch: with CAP_NET_RAW), for mcdiag_explain.
 * 0, or -1 with errno. */
int mcrx_ready(struct mcrx *x);
/* 1 once count datagrams arrived. */
int mcrx_done(const struct mcrx *x);
/* Waits for datagrams until deadline_ns (CLOCK_MONOTONIC; 0: none) and
 * hands what arrived to the callback. A single group blocks in recvmmsg
 * itself, waking every MCRX_TICK_MS to look at the deadline. Returns 1
 * when the deadline passed, 0 after a wakeup (datagrams or not), -1 with
 * errno and err_str() ("receive" or "poll": the step that failed). */
int mcrx_step(struct mcrx *x, uint64_t deadline_ns);
/* Joins every group of gs (mcrx_add); on_join(ctx, rg, res) hears of
 * each new socket. 0, or -1 with err_str() saying which join failed (and
 * naming -i when the group had no route). */
int mcrx_join(struct mcrx *x, const struct mc_group *gs, int n, int ifindex,
	      void (*on_join)(void *ctx, const struct mcrx_group *rg,
			      const struct mcrx_added *res));
/* Payloads are written, raw, to path ("-": stdout at the end) instead of
 * being handed to the callback. 0, or -1 with err_str(). */
int mcrx_output(struct mcrx *x, const char *path);
/* Receives until count datagrams, *stop or wait_ns have passed (0: no
 * limit), calling after(ctx) after each wakeup (to flush what the
 * callback printed) and on_interval at each interval; x->secs is how long
 * it took, and the flows' loss counts up to its end (probe_expect). 1
 * when the time was up, 0 otherwise, -1 with err_str() when receiving
 * failed. */
int mcrx_run(struct mcrx *x, uint64_t wait_ns, void (*after)(void *ctx));
/* Commits the output file (or removes it after a failed write). 0, or -1
 * after a failed write (err_str() told then) or commit (err_str()). */
int mcrx_output_end(struct mcrx *x);
/* Closes the sockets and frees everything. */
void mcrx_free(struct mcrx *x);

#endif
