/* probe.h - mcbox probe datagrams (mcsend --probe, mcrecv) and per-sender
 * receive statistics: loss, duplicates, reordering, TTL, one-way delay and
 * RFC 3550 (section 6.4.1) interarrival jitter. Sans-I/O: bytes and times
 * in, counters out.
 *
 * Wire format, network byte order, PROBE_HDRLEN bytes then zero padding:
 *	0  magic "MCBP"       4  version (1)     5  flags (bit 0: tx time valid)
 *	6  TTL set by sender  7  reserved (0)
 *	8  sender id (u32, random per run)
 *	12 sequence (u64, from 0)
 *	20 send time (u64, ns since the Unix epoch, CLOCK_REALTIME)
 */
#ifndef MCBOX_PROBE_STATS_H
#define MCBOX_PROBE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROBE_MAGIC	0x4d434250u	/* "MCBP" */
#define PROBE_VERSION	1
#define PROBE_HDRLEN	28
#define PROBE_F_TIME	0x01

/* Duplicates are recognised among the last PROBE_WINDOW sequence numbers;
 * an older one is counted as late (neither new nor duplicate). */
#define PROBE_WINDOW	4096
/* A jump forward by more than this is not a plausible sequence: ignored. */
#define PROBE_MAX_JUMP	(1ull << 32)
/* A send time further than this from the receive time is not used for the
 * delay and jitter (a day: clocks that disagree by more tell nothing, and a
 * bound keeps every difference of transit times far from overflow). */
#define PROBE_MAX_SKEW	(86400ull * 1000000000ull)

struct probe_hdr {
	uint8_t flags;
	uint8_t ttl;		/* TTL/hop limit the sender set; 0: unknown */
	uint32_t id;
	uint64_t seq;
	uint64_t tx_ns;		/* valid when flags & PROBE_F_TIME */
};

/* Writes a probe of exactly size bytes (header, then zeros) into buf.
 * Returns size, or 0 when size < PROBE_HDRLEN. */
size_t probe_encode(void *buf, size_t size, const struct probe_hdr *h);
/* Rewrites sequence and send time in an encoded probe (the fast path for
 * senders that reuse buffers). */
void probe_stamp(void *buf, uint64_t seq, uint64_t tx_ns);
/* 0 and *h filled when buf is a probe of a version we read; -1 if not. */
int probe_decode(const void *buf, size_t len, struct probe_hdr *h);
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
