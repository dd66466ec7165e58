/* probefmt.h - a probe flow's statistics (lib/probe.h) as one line of text
 * or as a JSON object with stable keys (mcrecv's summary). */
#ifndef MCBOX_PROBE_FMT_H
#define MCBOX_PROBE_FMT_H

#include <stddef.h>

#include "base/json.h"
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

#endif
