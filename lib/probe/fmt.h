/* fmt.h - what mcrecv shows: a probe flow's statistics (probe/stats.h) as
 * one line of text or a JSON object, a received datagram and the summary
 * as JSON objects, all with stable keys. Formatting only: the caller owns
 * the stream. */
#ifndef MCBOX_PROBE_FMT_H
#define MCBOX_PROBE_FMT_H

#include <stddef.h>

#include "base/json.h"
#include "probe/recv.h"
#include "probe/stats.h"

/* Hops travelled: the TTL the sender set less the TTL on arrival; -1 when
 * either is unknown. */
int probe_hops(const struct probe_flow *f);
/* "198.18.0.1 > 239.1.2.3:5000: 10 received, 0 lost (0.00%), ..." */
const char *probe_fmt_line(const struct probe_flow *f, char *buf, size_t len);
/* One object (inside an array: the caller opened it) with the keys source,
 * group, port, id, received, lost, loss_pct, duplicated, reordered, late,
 * ttl_min, ttl_max, hops and, with timestamps, delay_min_ms, delay_avg_ms,
 * delay_max_ms, jitter_ms. */
void probe_fmt_json(struct json *j, const struct probe_flow *f);
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
/* "10 datagrams, 640 bytes in 1.002 s; 0 lost, 0 duplicated, 0
 * reordered" */
const char *probe_fmt_totals_line(const struct mcrx *x, double secs,
				  char *buf, size_t len);
/* The members of the summary: type, received, bytes, lost, duplicated,
 * reordered, elapsed_s, loss_pct, senders (probe_fmt_json each). */
void probe_fmt_summary_json(struct json *j, const struct mcrx *x,
			    double secs);

#endif
