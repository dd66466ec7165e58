/* stats.h - per-sender receive statistics: for any datagram, packets,
 * bytes, first and last seen and TTL; for mcbox probes (lib/probe/wire.h)
 * also loss, duplicates, reordering, one-way delay and RFC 3550 (section
 * 6.4.1) interarrival jitter, with loss counted up to what the sender's
 * end marker, or its announced rate, start, count and stop say should have
 * arrived. Sans-I/O: bytes and times in, counters out. */
#ifndef MCBOX_PROBE_STATS_H
#define MCBOX_PROBE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "probe/wire.h"

/* Duplicates are recognised among the last PROBE_WINDOW sequence numbers;
 * an older one is counted as late (neither new nor duplicate). */
#define PROBE_WINDOW	4096
/* A jump forward by more than this is not a plausible sequence: ignored. */
#define PROBE_MAX_JUMP	(1ull << 32)
/* Probes sent this long before "now" (plus the delay spread seen) may
 * still be on their way: not yet expected. */
#define PROBE_GRACE_NS	20000000ull
/* A send time further than this from the receive time is not used for the
 * delay and jitter (a day: clocks that disagree by more tell nothing, and a
 * bound keeps every difference of transit times far from overflow). */
#define PROBE_MAX_SKEW	(86400ull * 1000000000ull)

/* The transit time rx_ns - send time of probe h, in *ns: 0 when the probe
 * carries a send time within PROBE_MAX_SKEW of rx_ns, -1 otherwise (no
 * time, or one from a peer whose number would not be a delay). */
int probe_transit(const struct probe_hdr *h, uint64_t rx_ns, int64_t *ns);

/* What probe_account() made of a probe. */
enum probe_verdict {
	PROBE_INORDER = 0,	/* new, the highest sequence so far */
	PROBE_REORDERED,	/* new, but a higher one arrived before it */
	PROBE_DUPLICATE,	/* seen before */
	PROBE_LATE,		/* older than the duplicate window: not counted */
	PROBE_INVALID,		/* implausible jump: ignored */
	PROBE_END,		/* the sender's end marker */
};

/* One sender on one group: a run of probes (source address, group, id),
 * or any other traffic (source address and port, group). */
struct probe_flow {
	struct sockaddr_storage source;	/* with its first datagram's port */
	struct sockaddr_storage group;
	int probe;			/* probes: the fields below count */
	uint32_t id;
	/* every datagram (end markers aside) */
	uint64_t packets, bytes;
	uint64_t first_ns, last_ns;	/* receive times, wall clock; 0: none */
	int ttl_last, ttl_min, ttl_max;	/* arrival TTL; -1: unknown */
	uint64_t mark_packets, mark_bytes;	/* at probe_flow_mark() */
	/* probes */
	int started;
	uint64_t base, top;	/* lowest and highest sequence counted */
	uint64_t received;	/* every probe, duplicates included */
	uint64_t unique;	/* distinct sequences in [base, top] */
	uint64_t duplicated, reordered, late, invalid;
	uint64_t badtime;	/* send times out of range: not timed */
	int ttl_sent;		/* as the sender says; 0: unknown */
	/* as the sender announced (version 2 probes; 0: not said) */
	uint64_t rate_mpps, start_ns, count, stop_ns;
	uint32_t burst;
	uint64_t top_tx_ns;	/* send time of top; 0: unknown */
	int ended;		/* an end marker arrived: count is final */
	uint64_t expect;	/* sequences expected below, at probe_expect */
	/* one-way delay (meaningful with synchronised clocks) and jitter */
	uint64_t ndelay;
	int64_t delay_min, delay_max, last_transit;
	double delay_sum;	/* ns */
	double jitter;		/* ns, RFC 3550 estimator */
	uint64_t win[PROBE_WINDOW / 64];
};

void probe_flow_init(struct probe_flow *f);
/* Counts a datagram of len bytes that arrived at rx_ns (ns since the
 * epoch) with TTL ttl (-1: unknown): probe or not. */
void probe_flow_seen(struct probe_flow *f, size_t len, uint64_t rx_ns,
		     int ttl);
/* Accounts probe h that arrived at rx_ns (ns since the epoch, CLOCK_REALTIME
 * or the kernel's receive timestamp); an end marker (PROBE_END) only says
 * how many were sent. */
enum probe_verdict probe_account(struct probe_flow *f,
				 const struct probe_hdr *h, uint64_t rx_ns);
/* Works out how many probes should have arrived by now_ns (the receiver's
 * wall clock), from the end marker, or else from the announced rate past
 * the highest probe's send time, up to the announced stop and count; the
 * sender's clock is mapped by the smallest transit seen, and probes sent
 * within PROBE_GRACE_NS plus the delay spread of now are not yet due.
 * probe_lost() counts against it until the next call. */
void probe_expect(struct probe_flow *f, uint64_t now_ns);
/* Probes missing: sequences from the first that arrived up to what is
 * expected (probe_expect), or to the highest seen, that never arrived. */
uint64_t probe_lost(const struct probe_flow *f);
/* Percentage lost of the sequences expected; 0 before any probe. */
double probe_loss_pct(const struct probe_flow *f);
/* Bits per second between first and last seen; 0 with fewer than two. */
double probe_flow_bps(const struct probe_flow *f);
/* Notes packets and bytes so far, for the next interval's deltas. */
void probe_flow_mark(struct probe_flow *f);

/* The flows seen by a receiver. */
struct probe_table {
	struct probe_flow **v;
	size_t n, cap, max;	/* max: flows kept at most */
	size_t last;		/* index of the last hit */
	uint64_t overflow;	/* datagrams from flows beyond max */
};

void probe_table_init(struct probe_table *t, size_t max);
void probe_table_free(struct probe_table *t);
/* The flow, created when new; NULL when the table is full (counted in
 * overflow) or out of memory. A probe run is found by source address,
 * group (with port) and id; other traffic by source address and port and
 * group (with port). */
struct probe_flow *probe_table_get(struct probe_table *t,
				   const struct sockaddr_storage *source,
				   const struct sockaddr_storage *group,
				   int probe, uint32_t id);
/* probe_expect() on every flow. */
void probe_table_expect(struct probe_table *t, uint64_t now_ns);

struct probe_totals {
	uint64_t flows, received, unique, lost, duplicated, reordered, late;
	double worst_loss_pct;
};
void probe_table_totals(const struct probe_table *t, struct probe_totals *s);

#endif
