/* mcrecv.c - join IPv4/IPv6 multicast groups (ASM, or SSM per RFC 4607 via
 * RFC 3678 joins) and receive: payloads, probe statistics (lib/probe.h),
 * and exit codes a script can trust. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/dump.h"
#include "base/err.h"
#include "net/inet.h"
#include "base/json.h"
#include "probe/diag.h"
#include "probe/recv.h"
#include "base/opt.h"
#include "base/priv.h"
#include "probe/stats.h"
#include "probe/fmt.h"
#include "file/xfer.h"

enum { O_LOSSMAX = OPT_LONGONLY + 1 };

static const struct opt opts[] = {
	{ 'c', "count", "COUNT", OPT_INT,
	  "exit 0 once COUNT datagrams arrived", 1, 1e12 },
	{ 'i', "iface", "IFACE", OPT_STR,
	  "join on IFACE (name or index), not by route", 0, 0 },
	{ 'I', "interval", "SECONDS", OPT_SECS,
	  "report each sender every SECONDS (packets, Mbit/s, loss, jitter)",
	  0.01, 1e6 },
	{ 'j', "json", NULL, OPT_FLAG,
	  "one JSON object per datagram, then a summary object", 0, 0 },
	{ O_LOSSMAX, "loss-max", "PCT", OPT_STR,
	  "exit 1 if a sender's probe loss exceeds PCT percent", 0, 0 },
	{ 'o', "output", "FILE", OPT_STR,
	  "write the payloads, raw, to FILE (- for stdout)", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print nothing but the summary", 0, 0 },
	{ 's', "source", "SOURCE", OPT_STR,
	  "SSM: accept SOURCE only (repeatable)", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG, "say how each group was joined", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "stop after SECONDS; 3 if nothing or < COUNT came", 0.001, 1e9 },
	{ 'x', "hex", NULL, OPT_FLAG, "print payloads as a hex dump", 0, 0 },
	{ 0 }
};

static int mcrecv_main(int argc, char **argv);

const struct applet mcrecv_applet = {
	.name = "mcrecv",
	.section = 1,
	.summary = "join multicast groups and receive datagrams",
	.operands = "[SOURCE,]GROUP[:PORT]...",
	.min_args = 1,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NONE,	/* joins and UDP receive need no capability */
	.main = mcrecv_main,
};

#define MAX_SOURCES	64

enum out { OUT_TEXT, OUT_HEX, OUT_JSON, OUT_QUIET, OUT_FILE };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* What the printing callback needs besides the datagram. */
struct rx {
	enum out out;
	struct outfile of;
	off_t off;
	int failed;
};

static const char *verdict_name[] = {
	[PROBE_INORDER] = "ok", [PROBE_REORDERED] = "reordered",
	[PROBE_DUPLICATE] = "duplicate", [PROBE_LATE] = "late",
	[PROBE_INVALID] = "invalid", [PROBE_END] = "end",
};

static void datagram(void *ctx, const struct mcrx_dgram *d)
{
	struct rx *x = ctx;
	const struct sockaddr_storage *from = d->from;
	const struct mcrx_group *rg = d->rg;
	const uint8_t *p = d->p;
	size_t len = d->len;
	int ttl = d->ttl;
	char src[INET_FMTLEN], grp[INET_FMTLEN];
	enum probe_verdict v = d->verdict;
	struct json j;

	switch (x->out) {
	case OUT_QUIET:
		return;
	case OUT_FILE:
		if (!x->failed && outfile_pwrite(&x->of, p, len, x->off) < 0) {
			warnx("%s", err_str());
			x->failed = 1;
			stop = 1;
		}
		x->off += (off_t)len;
		return;
	case OUT_JSON:
		json_begin(&j, stdout);
		json_str(&j, "type", "datagram");
		json_str(&j, "group", inet_ntop_ss(&rg->g.group, grp, sizeof(grp)));
		json_int(&j, "port", inet_port(&rg->g.group));
		json_str(&j, "source", inet_ntop_ss(from, src, sizeof(src)));
		json_int(&j, "sport", inet_port(from));
		ttl >= 0 ? json_int(&j, "ttl", ttl) : json_null(&j, "ttl");
		if (d->tos >= 0)
			json_int(&j, "tos", d->tos);
		json_uint(&j, "length", len);
		if (d->probe) {
			json_uint(&j, "id", d->h.id);
			json_uint(&j, "seq", d->h.seq);
			json_str(&j, "status", verdict_name[v]);
			if (d->h.flags & PROBE_F_TIME)
				json_double(&j, "delay_ms", (double)(int64_t)
					    (d->rx_ns - d->h.tx_ns) / 1e6, 3);
		} else if (dump_is_text(p, len)) {
			json_strn(&j, "data", (const char *)p, len);
		} else {
			char hex[2 * 1500 + 1];

			dump_hexstr(hex, p, len, 1500);
			json_str(&j, "hex", hex);
		}
		json_end(&j);
		return;
	case OUT_HEX:
		printf("%s > %s ttl %d tos 0x%02x len %zu\n",
		       inet_fmt(from, src, sizeof(src)),
		       inet_fmt(&rg->g.group, grp, sizeof(grp)), ttl,
		       d->tos & 0xff, len);
		dump_hex(stdout, p, len);
		return;
	case OUT_TEXT:
		if (!d->probe) {
			fwrite(p, 1, len, stdout);
			putchar('\n');
			return;
		}
		printf("%zu bytes from %s to %s: seq=%llu ttl=%d", len,
		       inet_ntop_ss(from, src, sizeof(src)),
		       inet_fmt(&rg->g.group, grp, sizeof(grp)),
		       (unsigned long long)d->h.seq, ttl);
		if (d->h.flags & PROBE_F_TIME)
			printf(" delay=%.3f ms",
			       (double)(int64_t)(d->rx_ns - d->h.tx_ns) / 1e6);
		printf(v ? " (%s)\n" : "\n", verdict_name[v]);
		return;
	}
}

static void summary(struct mcrx *x, int json, double secs, uint64_t t0_wall)
{
	struct probe_totals t;
	struct json j;
	char line[512];
	double mbps = secs > 0 ? (double)x->bytes * 8 / secs / 1e6 : 0;

	probe_table_totals(&x->flows, &t);
	if (!json) {
		warnx("%llu datagrams, %llu bytes in %.3f s (%.3f Mbit/s); "
		      "%llu lost, %llu duplicated, %llu reordered", x->received,
		      x->bytes, secs, mbps, (unsigned long long)t.lost,
		      (unsigned long long)t.duplicated,
		      (unsigned long long)t.reordered);
		for (size_t i = 0; i < x->flows.n; i++)
			warnx("%s", probe_fmt_line(x->flows.v[i], t0_wall,
						   line, sizeof(line)));
		return;
	}
	json_begin(&j, stdout);
	json_str(&j, "type", "summary");
	json_uint(&j, "received", x->received);
	json_uint(&j, "bytes", x->bytes);
	json_uint(&j, "lost", t.lost);
	json_uint(&j, "duplicated", t.duplicated);
	json_uint(&j, "reordered", t.reordered);
	json_double(&j, "elapsed_s", secs, 3);
	json_double(&j, "mbps", mbps, 6);
	json_double(&j, "loss_pct", t.worst_loss_pct, 3);
	json_arr_begin(&j, "senders");
	for (size_t i = 0; i < x->flows.n; i++)
		probe_fmt_json(&j, x->flows.v[i]);
	json_arr_end(&j);
	json_end(&j);
}

/* -I: one line or object per sender for the interval from_s..to_s. */
static void interval(struct mcrx *x, int json, FILE *out, double from_s,
		     double to_s)
{
	struct json j;
	char line[512];

	probe_table_expect(&x->flows, clock_wall_ns());
	for (size_t i = 0; i < x->flows.n; i++) {
		struct probe_flow *f = x->flows.v[i];

		if (json) {
			json_begin(&j, out);
			probe_fmt_interval_json(&j, f, from_s, to_s);
			json_end(&j);
		} else {
			fprintf(out, "%s\n", probe_fmt_interval(f, from_s, to_s,
							       line,
							       sizeof(line)));
		}
		probe_flow_mark(f);
	}
	fflush(out);
}

/* Nothing arrived: say what we can check ourselves. */
static void diagnose(const struct mcrx_group *rg, int n, double secs)
{
	char a[INET_FMTLEN], why[4][MCDIAG_LINE];

	warnx("nothing arrived in %g s", secs);
	for (int i = 0; i < n; i++) {
		int k = mcdiag_explain(&rg[i].g.group, rg[i].ifname, why, 4);

		for (int l = 0; l < k; l++)
			warnx("%s: %s", inet_ntop_ss(&rg[i].g.group, a,
						     sizeof(a)), why[l]);
	}
}

/* Joins every group; 0, or -1 after a message. */
static int join_all(struct mcrx *m, const struct mc_group *gs, int ngs,
		    int ifindex, int verbose)
{
	char a[INET_FMTLEN], s[INET_FMTLEN];
	struct mcrx_added res;
	const struct mcrx_group *r;
	const struct mc_group *g;

	for (int i = 0; i < ngs; i++) {
		g = &gs[i];
		if (mcrx_add(m, g, ifindex, &res) < 0) {
			warnx("%s%s", err_str(), res.noroute ?
			      " (no route for the group: use -i IFACE)" : "");
			return -1;
		}
		if (!res.fresh)
			continue;
		inet_fmt(&g->group, a, sizeof(a));
		if (res.meta_errno) {
			errno = res.meta_errno;
			warn("receive TTL/timestamps on %s", a);
		}
		r = &m->rg[m->n - 1];
		if (!verbose)
			continue;
		warnx("joined %s%s%s on %s, receive buffer %d bytes",
		      g->source.ss_family ?
		      inet_ntop_ss(&g->source, s, sizeof(s)) : "",
		      g->source.ss_family ? "," : "", a,
		      r->ifname[0] ? r->ifname : "?", res.rcvbuf);
	}
	return 0;
}

static int mcrecv_main(int argc, char **argv)
{
	struct optstate st;
	struct rx x = { .out = OUT_TEXT };
	struct mcrx m;
	struct sigaction sa;
	const char *iface = NULL, *out = NULL, *sources[MAX_SOURCES];
	double wsecs = 0, lossmax = -1, secs, ivsecs = 0;
	int c, n, nsrc = 0, ifindex = 0, json = 0, hex = 0, quiet = 0;
	int verbose = 0, status = 0, timedout = 0, r;
	uint64_t t0, t0_wall, deadline = 0, iv_ns, next_iv;
	struct mc_group *gs = NULL;
	char **ops;
	int ngs;

	mcrx_init(&m);
	opt_init(&st, &mcrecv_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'c': m.count = (unsigned long long)st.num; break;
		case 'i': iface = st.arg; break;
		case 'I': ivsecs = st.secs; break;
		case 'j': json = 1; break;
		case O_LOSSMAX:
			if (parse_secs(st.arg, 0, 100, &lossmax) < 0) {
				opt_free(&st);
				return opt_usage_error(&mcrecv_applet,
					"bad --loss-max '%s' (0-100)", st.arg);
			}
			break;
		case 'o': out = st.arg; break;
		case 'q': quiet = 1; break;
		case 's':
			if (nsrc == MAX_SOURCES) {
				opt_free(&st);
				return opt_usage_error(&mcrecv_applet,
					"more than %d sources", MAX_SOURCES);
			}
			sources[nsrc++] = st.arg;
			break;
		case 'v': verbose = 1; break;
		case 'w': wsecs = st.secs; break;
		case 'x': hex = 1; break;
		}
	}
	if (c < 0 || (n = opt_operands(&st, &ops)) < 0) {
		opt_free(&st);
		return st.status;
	}
	x.out = quiet ? OUT_QUIET : out ? OUT_FILE : json ? OUT_JSON
	      : hex ? OUT_HEX : OUT_TEXT;
	/* parse everything before joining anything: a bad operand is exit 2 */
	if (iface && (ifindex = inet_ifindex(iface)) < 0) {
		status = opt_usage_error(&mcrecv_applet, "%s", err_str());
		goto usage;
	}
	ngs = mcrx_groups(ops, n, sources, nsrc, &gs);
	if (ngs == -2)
		err(1, "malloc");
	if (ngs < 0) {
		status = opt_usage_error(&mcrecv_applet, "%s", err_str());
		goto usage;
	}
	opt_free(&st);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (join_all(&m, gs, ngs, ifindex, verbose) < 0) {
		mcrx_free(&m);
		free(gs);
		return 1;
	}
	free(gs);
	if (x.out == OUT_FILE && outfile_open(&x.of, out) < 0)
		errx(1, "%s", err_str());
	if (mcrx_ready(&m) < 0)
		err(1, "malloc");
	for (int i = 0; i < m.n; i++) {
		char a[INET_FMTLEN];

		fprintf(stderr, "%s: listening on %s (%s)\n",
			program_invocation_short_name,
			inet_fmt(&m.rg[i].g.group, a, sizeof(a)),
			m.rg[i].ifname[0] ? m.rg[i].ifname : "?");
	}

	m.stop = &stop;
	m.on_datagram = datagram;
	m.ctx = &x;
	t0 = clock_ns();
	t0_wall = clock_wall_ns();
	if (wsecs > 0)
		deadline = t0 + (uint64_t)(wsecs * 1e9);
	iv_ns = (uint64_t)(ivsecs * 1e9);
	next_iv = t0 + iv_ns;
	while (!stop && !mcrx_done(&m)) {
		uint64_t until = deadline, now;

		if (iv_ns && (!until || next_iv < until))
			until = next_iv;
		r = mcrx_step(&m, until);
		if (r < 0)
			errx(1, "%s", err_str());
		now = clock_ns();
		if (iv_ns && now >= next_iv) {
			/* late by more than one: one report up to the last
			 * boundary passed */
			uint64_t from = next_iv - iv_ns;

			while (next_iv + iv_ns <= now)
				next_iv += iv_ns;
			/* the payload may own stdout (-o -) */
			interval(&m, json, x.out == OUT_FILE && !strcmp(out,
				 "-") ? stderr : stdout, (double)(from - t0) /
				 1e9, (double)(next_iv - t0) / 1e9);
			next_iv += iv_ns;
		}
		if (deadline && now >= deadline) {
			timedout = 1;
			break;
		}
		fflush(stdout);
	}
	secs = (double)(clock_ns() - t0) / 1e9;
	probe_table_expect(&m.flows, clock_wall_ns());
	if (x.out == OUT_FILE) {
		if (x.failed) {
			outfile_abort(&x.of);
			status = 1;
		} else if (outfile_commit(&x.of, x.off) < 0) {
			warnx("%s", err_str());
			status = 1;
		}
	}
	summary(&m, json, secs, t0_wall);
	if (timedout && !m.received)
		diagnose(m.rg, m.n, wsecs);
	if (!stop && !status) {
		struct probe_totals t;

		probe_table_totals(&m.flows, &t);
		if (timedout && (m.count || !m.received))
			status = EXIT_NOANSWER;
		else if (lossmax >= 0 && t.worst_loss_pct > lossmax) {
			warnx("loss %.3f%% exceeds --loss-max %g%%",
			      t.worst_loss_pct, lossmax);
			status = 1;
		}
	}
	mcrx_free(&m);
	return status;
usage:
	opt_free(&st);
	mcrx_free(&m);
	free(gs);
	return status;
}
