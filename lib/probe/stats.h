/* stats.h - per-sender receive statistics of mcbox probes (probe/wire.h):
 * loss, duplicates, reordering, TTL, one-way delay and RFC 3550 (section
 * 6.4.1) interarrival jitter. Sans-I/O: probes and times in, counters
 * out. */
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
};

/* Statistics for one sender (source address, sender id) on one group. */
struct probe_flow {
	struct sockaddr_storage source;
	struct sockaddr_storage group;
	uint32_t id;
	int started;
	uint64_t base, top;	/* lowest and highest sequence counted */
	uint64_t received;	/* every probe, duplicates included */
	uint64_t unique;	/* distinct sequences in [base, top] */
	uint64_t duplicated, reordered, late, invalid;
	uint64_t badtime;	/* send times out of range: not timed */
	int ttl_last, ttl_min, ttl_max;	/* arrival TTL; -1: unknown */
	int ttl_sent;		/* as the sender says; 0: unknown */
	/* one-way delay (meaningful with synchronised clocks) and jitter */
	uint64_t ndelay;
	int64_t delay_min, delay_max, last_transit;
	double delay_sum;	/* ns */
	double jitter;		/* ns, RFC 3550 estimator */
	uint64_t win[PROBE_WINDOW / 64];
};

void probe_flow_init(struct probe_flow *f);
/* Accounts probe h that arrived at rx_ns (ns since the epoch, CLOCK_REALTIME
 * or the kernel's receive timestamp) with TTL ttl (-1: unknown). */
enum probe_verdict probe_account(struct probe_flow *f,
				 const struct probe_hdr *h, uint64_t rx_ns,
				 int ttl);
/* Probes missing in [base, top]: sent but not (yet) received. */
uint64_t probe_lost(const struct probe_flow *f);
/* Percentage lost of the sequences expected; 0 before any probe. */
double probe_loss_pct(const struct probe_flow *f);

/* The flows seen by a receiver, found by (source address, group, id). */
struct probe_table {
	struct probe_flow **v;
	size_t n, cap, max;	/* max: flows kept at most */
	size_t last;		/* index of the last hit */
	uint64_t overflow;	/* probes from flows beyond max */
};

void probe_table_init(struct probe_table *t, size_t max);
void probe_table_free(struct probe_table *t);
/* The flow, created when new; NULL when the table is full (counted in
 * overflow) or out of memory. Ports of source are ignored; the group's
 * port is compared. */
struct probe_flow *probe_table_get(struct probe_table *t,
				   const struct sockaddr_storage *source,
				   const struct sockaddr_storage *group,
				   uint32_t id);

struct probe_totals {
	uint64_t flows, received, unique, lost, duplicated, reordered, late;
	double worst_loss_pct;
};
void probe_table_totals(const struct probe_table *t, struct probe_totals *s);

#endif
