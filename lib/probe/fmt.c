/* fmt.c - sender statistics as text or JSON for receivers. */
#include "probe/fmt.h"

#include <stdio.h>

#include "net/inet.h"

int probe_hops(const struct probe_flow *f)
{
	return f->ttl_sent && f->ttl_last >= 0 ? f->ttl_sent - f->ttl_last : -1;
}

static double avg_ms(const struct probe_flow *f)
{
	return f->ndelay ? f->delay_sum / (double)f->ndelay / 1e6 : 0;
}

/* Seconds from t0 to t (either may be 0: then 0). */
static double rel_s(uint64_t t, uint64_t t0)
{
	return t && t0 ? ((double)t - (double)t0) / 1e9 : 0;
}

/* The probes' expected count: lost plus the distinct ones that came. */
static uint64_t expected(const struct probe_flow *f)
{
	return probe_lost(f) + f->unique;
}

const char *probe_fmt_line(const struct probe_flow *f, uint64_t t0_ns,
			   char *buf, size_t len)
{
	char src[INET_FMTLEN], grp[INET_FMTLEN], d[96] = "";

	if (!f->probe) {
		snprintf(buf, len, "%s > %s: %llu packets, %llu bytes, %.3f "
			 "Mbit/s, ttl %d-%d, seen %.3f-%.3f s",
			 inet_fmt(&f->source, src, sizeof(src)),
			 inet_fmt(&f->group, grp, sizeof(grp)),
			 (unsigned long long)f->packets,
			 (unsigned long long)f->bytes,
			 probe_flow_bps(f) / 1e6, f->ttl_min, f->ttl_max,
			 rel_s(f->first_ns, t0_ns), rel_s(f->last_ns, t0_ns));
		return buf;
	}
	if (f->ndelay)
		snprintf(d, sizeof(d), ", delay %.3f/%.3f/%.3f ms, jitter "
			 "%.3f ms", (double)f->delay_min / 1e6, avg_ms(f),
			 (double)f->delay_max / 1e6, f->jitter / 1e6);
	snprintf(buf, len, "%s > %s: %llu received, %llu lost (%.2f%%), %llu "
		 "duplicated, %llu reordered, ttl %d-%d, hops %d, %.3f "
		 "Mbit/s%s%s",
		 inet_ntop_ss(&f->source, src, sizeof(src)),
		 inet_fmt(&f->group, grp, sizeof(grp)),
		 (unsigned long long)f->received,
		 (unsigned long long)probe_lost(f), probe_loss_pct(f),
		 (unsigned long long)f->duplicated,
		 (unsigned long long)f->reordered, f->ttl_min, f->ttl_max,
		 probe_hops(f), probe_flow_bps(f) / 1e6, d,
		 f->ended ? "" : f->rate_mpps || f->count
			 ? ", no end marker" : "");
	return buf;
}

void probe_fmt_json(struct json *j, const struct probe_flow *f)
{
	char a[INET_FMTLEN];
	int hops = probe_hops(f);

	json_obj_begin(j, NULL);
	json_str(j, "source", inet_ntop_ss(&f->source, a, sizeof(a)));
	json_int(j, "sport", inet_port(&f->source));
	json_str(j, "group", inet_ntop_ss(&f->group, a, sizeof(a)));
	json_int(j, "port", inet_port(&f->group));
	json_bool(j, "probe", f->probe);
	json_uint(j, "packets", f->packets);
	json_uint(j, "bytes", f->bytes);
	json_double(j, "mbps", probe_flow_bps(f) / 1e6, 6);
	if (f->packets) {
		json_double(j, "first_seen", (double)f->first_ns / 1e9, 6);
		json_double(j, "last_seen", (double)f->last_ns / 1e9, 6);
	} else {
		json_null(j, "first_seen");
		json_null(j, "last_seen");
	}
	f->ttl_last >= 0 ? json_int(j, "ttl", f->ttl_last)
			 : json_null(j, "ttl");
	json_int(j, "ttl_min", f->ttl_min);
	json_int(j, "ttl_max", f->ttl_max);
	if (!f->probe) {
		json_obj_end(j);
		return;
	}
	json_uint(j, "id", f->id);
	json_uint(j, "received", f->received);
	json_uint(j, "expected", expected(f));
	json_uint(j, "lost", probe_lost(f));
	json_double(j, "loss_pct", probe_loss_pct(f), 3);
	json_uint(j, "duplicated", f->duplicated);
	json_uint(j, "reordered", f->reordered);
	json_uint(j, "late", f->late);
	json_bool(j, "ended", f->ended);
	if (f->rate_mpps)
		json_double(j, "rate_pps", (double)f->rate_mpps / 1000, 3);
	else
		json_null(j, "rate_pps");
	if (hops >= 0)
		json_int(j, "hops", hops);
	else
		json_null(j, "hops");
	if (f->ndelay) {
		json_double(j, "delay_min_ms", (double)f->delay_min / 1e6, 3);
		json_double(j, "delay_avg_ms", avg_ms(f), 3);
		json_double(j, "delay_max_ms", (double)f->delay_max / 1e6, 3);
		json_double(j, "jitter_ms", f->jitter / 1e6, 3);
	}
	json_obj_end(j);
}

static double iv_mbps(const struct probe_flow *f, double secs)
{
	return secs > 0 ? (double)(f->bytes - f->mark_bytes) * 8 / secs / 1e6
			: 0;
}

const char *probe_fmt_interval(const struct probe_flow *f, double from_s,
			       double to_s, char *buf, size_t len)
{
	char src[INET_FMTLEN], grp[INET_FMTLEN], l[96] = "";

	if (f->probe)
		snprintf(l, sizeof(l), ", lost %llu (%.2f%%), jitter %.3f ms",
			 (unsigned long long)probe_lost(f), probe_loss_pct(f),
			 f->jitter / 1e6);
	snprintf(buf, len, "[%7.1f-%7.1f s] %s > %s: %llu packets, %.3f "
		 "Mbit/s%s", from_s, to_s,
		 f->probe ? inet_ntop_ss(&f->source, src, sizeof(src))
			  : inet_fmt(&f->source, src, sizeof(src)),
		 inet_fmt(&f->group, grp, sizeof(grp)),
		 (unsigned long long)(f->packets - f->mark_packets),
		 iv_mbps(f, to_s - from_s), l);
	return buf;
}

void probe_fmt_interval_json(struct json *j, const struct probe_flow *f,
			     double from_s, double to_s)
{
	char a[INET_FMTLEN];

	json_str(j, "type", "interval");
	json_double(j, "from_s", from_s, 3);
	json_double(j, "to_s", to_s, 3);
	json_str(j, "source", inet_ntop_ss(&f->source, a, sizeof(a)));
	json_int(j, "sport", inet_port(&f->source));
	json_str(j, "group", inet_ntop_ss(&f->group, a, sizeof(a)));
	json_int(j, "port", inet_port(&f->group));
	json_bool(j, "probe", f->probe);
	if (f->probe)
		json_uint(j, "id", f->id);
	json_uint(j, "packets", f->packets - f->mark_packets);
	json_uint(j, "bytes", f->bytes - f->mark_bytes);
	json_double(j, "mbps", iv_mbps(f, to_s - from_s), 6);
	if (f->probe) {
		json_uint(j, "lost", probe_lost(f));
		json_double(j, "loss_pct", probe_loss_pct(f), 3);
	} else {
		json_null(j, "lost");
		json_null(j, "loss_pct");
	}
	if (f->probe && f->ndelay > 1)
		json_double(j, "jitter_ms", f->jitter / 1e6, 3);
	else
		json_null(j, "jitter_ms");
}
