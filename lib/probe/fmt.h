/* fmt.h - a sender's statistics (lib/probe/stats.h) as one line of text or
 * as a JSON object with stable keys: mcrecv's summary and its interval
 * reports. */
#ifndef MCBOX_PROBE_FMT_H
#define MCBOX_PROBE_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
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

#endif
