/* rate.h - the -r RATE grammar shared by senders (packets/s, or bit/s with
 * a k/M/G multiplier and a "bps" suffix) and a sans-I/O pacer that holds a
 * rate on an absolute schedule (packet k is due at t0 + k/pps). */
#ifndef MCBOX_NET_RATE_H
#define MCBOX_NET_RATE_H

#include <stddef.h>
#include <stdint.h>

struct rate {
	double value;	/* > 0 */
	int bits;	/* 1: value is bit/s of payload; 0: packets/s */
};

/* Parses RATE: a decimal number, an optional multiplier k, M or G (1000
 * based; K is accepted for k), and an optional unit: none or "pps" for
 * packets per second, "bps" (or "bit/s") for bits per second of UDP
 * payload. "1000", "2.5k", "10kpps", "64kbps", "1.5Mbps", "1G".
 * 0, or -1 with err_str() naming the value. */
int rate_parse(const char *s, struct rate *r);

/* Packets per second for datagrams of payload bytes (>= 1 byte counted). */
double rate_pps(const struct rate *r, size_t payload);

/* "10 pps", "1.5 Mbit/s" into buf. */
const char *rate_fmt(const struct rate *r, char *buf, size_t len);

/*
 * Pacer. Packets are due on an absolute schedule so that timer overshoot
 * is made up by the next wakeup rather than accumulating: the long-run
 * average holds the rate exactly. A caller that fell behind by more than
 * PACE_MAX_LAG_NS (suspended, descheduled) restarts the schedule instead
 * of sending a catch-up flood. burst > 1 groups packets: burst packets are
 * due together every burst/pps seconds.
 */
#define PACE_MAX_LAG_NS 200000000ull	/* 200 ms */

struct pacer {
	double pps;		/* 0: unpaced */
	unsigned burst;		/* >= 1 */
	uint64_t t0_ns;		/* schedule origin */
	uint64_t sent;		/* packets sent since t0 */
};

void pace_init(struct pacer *p, double pps, unsigned burst, uint64_t now_ns);
/* How many packets may go now (at most max); 0 means wait until
 * pace_next_ns(). Unpaced: always max. */
unsigned pace_due(struct pacer *p, uint64_t now_ns, unsigned max);
/* Record that n packets went out. */
void pace_sent(struct pacer *p, unsigned n);
/* Monotonic time at which the next packet (or burst) is due. */
uint64_t pace_next_ns(const struct pacer *p);

#endif
