/* fmt.c - what mcrecv shows of datagrams and probe flows: text lines and
 * JSON objects with stable keys. */
#include "probe/fmt.h"

#include <stdio.h>

#include "base/dump.h"
#include "base/units.h"
#include "net/addr.h"
#include "probe/diag.h"

const char *probe_verdict_name(enum probe_verdict v)
{
	static const char *const name[] = {
		[PROBE_INORDER] = "ok", [PROBE_REORDERED] = "reordered",
		[PROBE_DUPLICATE] = "duplicate", [PROBE_LATE] = "late",
		[PROBE_INVALID] = "invalid", [PROBE_END] = "end",
	};

	return (unsigned)v < sizeof(name) / sizeof(name[0]) ? name[v] : "?";
}

void probe_fmt_dgram_json(struct json *j, const struct mcrx_dgram *d)
{
	const struct sockaddr_storage *group = &d->rg->g.group;
	char src[INET_FMTLEN], grp[INET_FMTLEN];
	int64_t transit;

	json_str(j, "type", "datagram");
	json_str(j, "group", inet_ntop_ss(group, grp, sizeof(grp)));
	json_int(j, "port", inet_port(group));
	json_str(j, "source", inet_ntop_ss(d->from, src, sizeof(src)));
	json_int(j, "sport", inet_port(d->from));
	d->ttl >= 0 ? json_int(j, "ttl", d->ttl) : json_null(j, "ttl");
	if (d->tos >= 0)
		json_int(j, "tos", d->tos);
	json_uint(j, "length", d->len);
	if (d->probe) {
		json_uint(j, "id", d->h.id);
		json_uint(j, "seq", d->h.seq);
		json_str(j, "status", probe_verdict_name(d->verdict));
		/* the send time is the peer's: range-checked first */
		if (probe_transit(&d->h, d->rx_ns, &transit) == 0)
			json_double(j, "delay_ms", (double)transit / 1e6, 3);
	} else if (dump_is_text(d->p, d->len)) {
		json_strn(j, "data", (const char *)d->p, d->len);
	} else {
		char hex[2 * 1500 + 1];

		dump_hexstr(hex, d->p, d->len, 1500);
		json_str(j, "hex", hex);
	}
}

/* Payload Mbit/s of bytes in secs. */
static double mbps(unsigned long long bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0;
}

void probe_fmt_summary_json(struct json *j, const struct mcrx *x,
			    double secs)
{
	struct probe_totals t;

	probe_table_totals(&x->flows, &t);
	json_str(j, "type", "summary");
	json_uint(j, "received", x->received);
	json_uint(j, "bytes", x->bytes);
	json_uint(j, "lost", t.lost);
	json_uint(j, "duplicated", t.duplicated);
	json_uint(j, "reordered", t.reordered);
	json_double(j, "elapsed_s", secs, 3);
	json_double(j, "mbps", mbps(x->bytes, secs), 6);
	json_double(j, "loss_pct", t.worst_loss_pct, 3);
	json_arr_begin(j, "senders");
	for (size_t i = 0; i < x->flows.n; i++)
		probe_fmt_json(j, x->flows.v[i]);
	json_arr_end(j);
}

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
	char src[INET_FMTLEN], grp[INET_FMTLEN], d[96] = "", ttl[24] = "?";
	char hops[12] = "?";
	int h = probe_hops(f);

	/* unknown is "?" here, as it is null in JSON */
	if (f->ttl_min >= 0)
		snprintf(ttl, sizeof(ttl), "%d-%d", f->ttl_min, f->ttl_max);
	if (!f->probe) {
		snprintf(buf, len, "%s > %s: %llu packets, %llu bytes, %.3f "
			 "Mbit/s, ttl %s, seen %.3f-%.3f s",
			 inet_fmt(&f->source, src, sizeof(src)),
			 inet_fmt(&f->group, grp, sizeof(grp)),
			 (unsigned long long)f->packets,
			 (unsigned long long)f->bytes,
			 probe_flow_bps(f) / 1e6, ttl,
			 rel_s(f->first_ns, t0_ns), rel_s(f->last_ns, t0_ns));
		return buf;
	}
	if (f->ndelay)
		snprintf(d, sizeof(d), ", delay %.3f/%.3f/%.3f ms, jitter "
			 "%.3f ms", (double)f->delay_min / 1e6, avg_ms(f),
			 (double)f->delay_max / 1e6, f->jitter / 1e6);
	if (h >= 0)
		snprintf(hops, sizeof(hops), "%d", h);
	snprintf(buf, len, "%s > %s: %llu received, %llu lost (%.2f%%), %llu "
		 "duplicated, %llu reordered, ttl %s, hops %s, %.3f "
		 "Mbit/s%s%s",
		 inet_ntop_ss(&f->source, src, sizeof(src)),
		 inet_fmt(&f->group, grp, sizeof(grp)),
		 (unsigned long long)f->received,
		 (unsigned long long)probe_lost(f), probe_loss_pct(f),
		 (unsigned long long)f->duplicated,
		 (unsigned long long)f->reordered, ttl, hops,
		 probe_flow_bps(f) / 1e6, d,
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
	if (f->ttl_min >= 0) {
		json_int(j, "ttl_min", f->ttl_min);
		json_int(j, "ttl_max", f->ttl_max);
	} else {
		json_null(j, "ttl_min");
		json_null(j, "ttl_max");
	}
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

const char *probe_fmt_dgram_line(const struct mcrx_dgram *d, char *buf,
				 size_t len)
{
	char src[INET_FMTLEN], grp[INET_FMTLEN], delay[48] = "", v[24] = "";
	char ttl[16] = "?";
	int64_t transit;

	if (probe_transit(&d->h, d->rx_ns, &transit) == 0)
		snprintf(delay, sizeof(delay), " delay=%.3f ms",
			 (double)transit / 1e6);
	if (d->ttl >= 0)
		snprintf(ttl, sizeof(ttl), "%d", d->ttl);
	if (d->verdict != PROBE_INORDER)
		snprintf(v, sizeof(v), " (%s)", probe_verdict_name(d->verdict));
	snprintf(buf, len, "%zu bytes from %s to %s: seq=%llu ttl=%s%s%s",
		 d->len, inet_ntop_ss(d->from, src, sizeof(src)),
		 inet_fmt(&d->rg->g.group, grp, sizeof(grp)),
		 (unsigned long long)d->h.seq, ttl, delay, v);
	return buf;
}

/* A TTL or TOS as text: "?" when the kernel did not say. */
static const char *num_or_q(int v, const char *fmt, char buf[16])
{
	if (v < 0)
		return "?";
	snprintf(buf, 16, fmt, v);
	return buf;
}

const char *probe_fmt_dgram_head(const struct mcrx_dgram *d, char *buf,
				 size_t len)
{
	char src[INET_FMTLEN], grp[INET_FMTLEN], tb[16], sb[16];

	snprintf(buf, len, "%s > %s ttl %s tos %s len %zu",
		 inet_fmt(d->from, src, sizeof(src)),
		 inet_fmt(&d->rg->g.group, grp, sizeof(grp)),
		 num_or_q(d->ttl, "%d", tb), num_or_q(d->tos, "0x%02x", sb),
		 d->len);
	return buf;
}

const char *probe_fmt_totals_line(const struct mcrx *x, double secs,
				  char *buf, size_t len)
{
	struct probe_totals t;

	probe_table_totals(&x->flows, &t);
	snprintf(buf, len, "%llu datagram%s, %llu byte%s in %.3f s (%.3f "
		 "Mbit/s); %llu lost, %llu duplicated, %llu reordered",
		 x->received, units_s(x->received), x->bytes,
		 units_s(x->bytes), secs, mbps(x->bytes, secs),
		 (unsigned long long)t.lost,
		 (unsigned long long)t.duplicated,
		 (unsigned long long)t.reordered);
	return buf;
}

static double iv_mbps(const struct probe_flow *f, double secs)
{
	return mbps(f->bytes - f->mark_bytes, secs);
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

void probe_fmt_intervals(FILE *out, int json, const struct mcrx *x,
			 double from_s, double to_s)
{
	struct json j;
	char line[512];

	for (size_t i = 0; i < x->flows.n; i++) {
		if (json) {
			json_begin(&j, out);
			probe_fmt_interval_json(&j, x->flows.v[i], from_s, to_s);
			json_end(&j);
		} else {
			fprintf(out, "%s\n", probe_fmt_interval(x->flows.v[i],
				from_s, to_s, line, sizeof(line)));
		}
	}
	fflush(out);
}

void probe_fmt_summary_text(FILE *out, const char *who, const struct mcrx *x,
			    double secs)
{
	char line[512];

	fprintf(out, "%s: %s\n", who, probe_fmt_totals_line(x, secs, line,
							   sizeof(line)));
	for (size_t i = 0; i < x->flows.n; i++)
		fprintf(out, "%s: %s\n", who, probe_fmt_line(x->flows.v[i],
			x->t0_wall, line, sizeof(line)));
}

void probe_fmt_diagnosis(FILE *out, const char *who, struct mcrx *x,
			 double secs)
{
	char a[INET_FMTLEN], why[8][MCDIAG_LINE];

	fprintf(out, "%s: nothing arrived in %g s\n", who, secs);
	for (int i = 0; i < x->n; i++) {
		struct mcrx_group *rg = &x->rg[i];
		int k = mcdiag_explain(&rg->g.group, rg->ifname, &rg->watch,
				       why, 8);

		for (int l = 0; l < k; l++)
			fprintf(out, "%s: %s: %s\n", who, inet_ntop_ss(
				&rg->g.group, a, sizeof(a)), why[l]);
	}
}
