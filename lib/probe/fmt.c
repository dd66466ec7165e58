/* probefmt.c - probe flow statistics as text or JSON for receivers. */
#include "probe/fmt.h"

#include <stdio.h>

#include "net/inet.h"

int probe_hops(const struct probe_flow *f)
{
	/* unknown when either TTL is, or when the sender's claim is below
	 * what arrived (a TTL only ever goes down) */
	if (!f->ttl_sent || f->ttl_last < 0 || f->ttl_last > f->ttl_sent)
		return -1;
	return f->ttl_sent - f->ttl_last;
}

static double avg_ms(const struct probe_flow *f)
{
	return f->ndelay ? f->delay_sum / (double)f->ndelay / 1e6 : 0;
}

const char *probe_fmt_line(const struct probe_flow *f, char *buf, size_t len)
{
	char src[INET_FMTLEN], grp[INET_FMTLEN], d[96] = "", ttl[24] = "?";
	char hops[12] = "?";
	int h = probe_hops(f);

	if (f->ndelay)
		snprintf(d, sizeof(d), ", delay %.3f/%.3f/%.3f ms, jitter "
			 "%.3f ms", (double)f->delay_min / 1e6, avg_ms(f),
			 (double)f->delay_max / 1e6, f->jitter / 1e6);
	/* unknown is "?" here, as it is null in JSON */
	if (f->ttl_min >= 0)
		snprintf(ttl, sizeof(ttl), "%d-%d", f->ttl_min, f->ttl_max);
	if (h >= 0)
		snprintf(hops, sizeof(hops), "%d", h);
	snprintf(buf, len, "%s > %s: %llu received, %llu lost (%.2f%%), %llu "
		 "duplicated, %llu reordered, ttl %s, hops %s%s",
		 inet_ntop_ss(&f->source, src, sizeof(src)),
		 inet_fmt(&f->group, grp, sizeof(grp)),
		 (unsigned long long)f->received,
		 (unsigned long long)probe_lost(f), probe_loss_pct(f),
		 (unsigned long long)f->duplicated,
		 (unsigned long long)f->reordered, ttl, hops, d);
	return buf;
}

void probe_fmt_json(struct json *j, const struct probe_flow *f)
{
	char a[INET_FMTLEN];
	int hops = probe_hops(f);

	json_obj_begin(j, NULL);
	json_str(j, "source", inet_ntop_ss(&f->source, a, sizeof(a)));
	json_str(j, "group", inet_ntop_ss(&f->group, a, sizeof(a)));
	json_int(j, "port", inet_port(&f->group));
	json_uint(j, "id", f->id);
	json_uint(j, "received", f->received);
	json_uint(j, "lost", probe_lost(f));
	json_double(j, "loss_pct", probe_loss_pct(f), 3);
	json_uint(j, "duplicated", f->duplicated);
	json_uint(j, "reordered", f->reordered);
	json_uint(j, "late", f->late);
	if (f->ttl_min >= 0) {
		json_int(j, "ttl_min", f->ttl_min);
		json_int(j, "ttl_max", f->ttl_max);
	} else {
		json_null(j, "ttl_min");
		json_null(j, "ttl_max");
	}
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
