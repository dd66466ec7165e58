/* fmt.h - what mcrecv shows: a sender's statistics (probe/stats.h) as one
 * line of text or a JSON object, for the summary and for each interval, a
 * received datagram and the summary as JSON objects, all with stable keys.
 * Formatting only: the caller owns the stream. */
#ifndef MCBOX_PROBE_FMT_H
#define MCBOX_PROBE_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/json.h"
#include "probe/recv.h"
#include "probe/stats.h"

/* Hops travelled: the TTL the sender set less the TTL on arrival; -1 when
 * either is unknown. */
int probe_hops(const struct probe_flow *f);
/* Probes: "198.18.0.1 > 239.1.2.3:5000: 10 received, 0 lost (0.00%), ...";
 * other traffic: "198.18.0.1:4000 > 239.1.2.3:5000: 10 packets, 640 bytes,
 * ...", first and last seen in seconds since t0_ns (wall clock). */
const char *probe_fmt_line(const struct probe_flow *f, uint64_t t0_ns,
			   char *buf, size_t len);
/* One object (inside an array: the caller opened it) with the keys source,
 * sport, group, port, probe, packets, bytes, mbps, first_seen, last_seen
 * (s since the epoch), ttl, ttl_min, ttl_max, and for probes also id,
 * received, expected, lost, loss_pct, duplicated, reordered, late, ended,
 * rate_pps, hops and, with timestamps, delay_min_ms, delay_avg_ms,
 * delay_max_ms, jitter_ms. */
void probe_fmt_json(struct json *j, const struct probe_flow *f);
/* The interval from_s..to_s (s since the receiver started): packets and
 * Mbit/s since probe_flow_mark(), loss and jitter so far. */
const char *probe_fmt_interval(const struct probe_flow *f, double from_s,
			       double to_s, char *buf, size_t len);
/* The same as the members of an object of type "interval" (the caller
 * begins and ends it). */
void probe_fmt_interval_json(struct json *j, const struct probe_flow *f,
			     double from_s, double to_s);
/* mcrecv -I: the interval's report on out, for every sender of x: one
 * line each (probe_fmt_interval), or with json one object. */
void probe_fmt_intervals(FILE *out, int json, const struct mcrx *x,
			 double from_s, double to_s);
/* "ok", "reordered", "duplicate", "late", "invalid" */
const char *probe_verdict_name(enum probe_verdict v);
/* A probe as mcrecv shows it: "64 bytes from 198.18.0.1 to
 * 239.1.2.3:5000: seq=7 ttl=64 delay=0.120 ms (reordered)". */
const char *probe_fmt_dgram_line(const struct mcrx_dgram *d, char *buf,
				 size_t len);
/* -x's header line of a datagram: "SOURCE > GROUP ttl T tos 0xNN len N",
 * "?" for what the kernel did not say. */
const char *probe_fmt_dgram_head(const struct mcrx_dgram *d, char *buf,
				 size_t len);
/* The members of a datagram's object: type, group, port, source, sport,
 * ttl, tos, length, and id, seq, status, delay_ms for a probe, else data
 * (text) or hex. */
void probe_fmt_dgram_json(struct json *j, const struct mcrx_dgram *d);
/* "10 datagrams, 640 bytes in 1.002 s (0.005 Mbit/s); 0 lost, 0
 * duplicated, 0 reordered" */
const char *probe_fmt_totals_line(const struct mcrx *x, double secs,
				  char *buf, size_t len);
/* The summary as text on out, each line after "who: ": the totals
 * (probe_fmt_totals_line), then one line per sender (probe_fmt_line). */
void probe_fmt_summary_text(FILE *out, const char *who, const struct mcrx *x,
			    double secs);
/* Nothing arrived in secs: says so on out, then what mcdiag_explain found
 * for each group, each line after "who: GROUP: ". */
void probe_fmt_diagnosis(FILE *out, const char *who, struct mcrx *x,
			 double secs);
/* The members of the summary: type, received, bytes, lost, duplicated,
 * reordered, elapsed_s, mbps, loss_pct, senders (probe_fmt_json each). */
void probe_fmt_summary_json(struct json *j, const struct mcrx *x,
			    double secs);

#endif
