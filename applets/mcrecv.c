/* mcrecv.c - join IPv4/IPv6 multicast groups (ASM, or SSM per RFC 4607 via
 * RFC 3678 joins) and receive: payloads, probe statistics (lib/probe/), and
 * exit codes a script can trust. The receive loop is lib/probe/recv.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dump.h"
#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "probe/fmt.h"
#include "probe/recv.h"

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
	/* joins and UDP receive need none; when nothing arrives, the
	 * diagnosis counts what reaches the interface (CAP_NET_RAW) and reads
	 * the firewall's rules (CAP_NET_ADMIN) if it may */
	.privs = PRIV_NET_RAW | PRIV_NET_ADMIN,
	.main = mcrecv_main,
};

#define MAX_SOURCES	64

enum out { OUT_TEXT, OUT_HEX, OUT_JSON, OUT_QUIET, OUT_FILE };

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }
static enum out out = OUT_TEXT;
static int verbose, json;
static FILE *ivout;	/* -I reports: stdout, unless -o - owns it */

static void datagram(void *ctx, const struct mcrx_dgram *d)
{
	char line[2 * INET_FMTLEN + 128];
	struct json j;

	(void)ctx;
	if (out == OUT_JSON) {
		json_begin(&j, stdout);
		probe_fmt_dgram_json(&j, d);
		json_end(&j);
	} else if (out == OUT_HEX) {
		puts(probe_fmt_dgram_head(d, line, sizeof(line)));
		dump_hex(stdout, d->p, d->len);
	} else if (out == OUT_TEXT && d->probe) {
		puts(probe_fmt_dgram_line(d, line, sizeof(line)));
	} else if (out == OUT_TEXT) {
		fwrite(d->p, 1, d->len, stdout);
		putchar('\n');
	}	/* OUT_FILE: lib/probe/recv.c writes the file */
}

static void summary(struct mcrx *x, int json, double secs)
{
	struct json j;

	if (!json) {
		probe_fmt_summary_text(stderr, program_invocation_short_name, x,
				       secs);
		return;
	}
	json_begin(&j, stdout);
	probe_fmt_summary_json(&j, x, secs);
	json_end(&j);
}

/* A new socket joined: what it could not do, and with -v, how. */
static void joined(void *ctx, const struct mcrx_group *r,
		   const struct mcrx_added *res)
{
	const struct mc_group *g = &r->g;
	char a[INET_FMTLEN], s[INET_FMTLEN];

	(void)ctx;
	inet_fmt(&g->group, a, sizeof(a));
	if (res->meta_errno) {
		errno = res->meta_errno;
		warn("receive TTL/timestamps on %s", a);
	}
	if (verbose)
		warnx("joined %s%s%s on %s, receive buffer %d bytes",
		      g->source.ss_family ?
		      inet_ntop_ss(&g->source, s, sizeof(s)) : "",
		      g->source.ss_family ? "," : "", a,
		      r->ifname[0] ? r->ifname : "?", res->rcvbuf);
}

/* -I: one line or object per sender for the interval. */
static void interval(void *ctx, double from_s, double to_s)
{
	probe_fmt_intervals(ivout, json, ctx, from_s, to_s);
}

static void flush_stdout(void *ctx)
{
	(void)ctx;
	fflush(stdout);
}

#define usage(...) opt_usage_error(&mcrecv_applet, __VA_ARGS__)

static int mcrecv_main(int argc, char **argv)
{
	struct optstate st;
	struct mcrx m;
	struct sigaction sa;
	const char *iface = NULL, *path = NULL, *sources[MAX_SOURCES];
	double wsecs = 0, lossmax = -1, ivsecs = 0;
	int c, n, nsrc = 0, ifindex = 0, hex = 0, quiet = 0;
	int status = 0, timedout, ngs;
	struct mc_group *gs = NULL;
	struct probe_totals t;
	char **ops, a[INET_FMTLEN];

	mcrx_init(&m);
	opt_init(&st, &mcrecv_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'c': m.count = (unsigned long long)st.num; break;
		case 'i': iface = st.arg; break;
		case 'I': ivsecs = st.secs; break;
		case 'j': json = 1; break;
		case O_LOSSMAX:
			if (parse_secs(st.arg, 0, 100, &lossmax) < 0)
				goto bad;
			break;
		case 'o': path = st.arg; break;
		case 'q': quiet = 1; break;
		case 's':
			if (nsrc == MAX_SOURCES)
				goto bad;
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
	out = path ? OUT_FILE : quiet ? OUT_QUIET : json ? OUT_JSON
	    : hex ? OUT_HEX : OUT_TEXT;
	/* parse everything before joining anything: a bad operand is exit 2 */
	if (iface && (ifindex = inet_ifindex(iface)) < 0)
		ngs = -1;
	else if ((ngs = mcrx_groups(ops, n, sources, nsrc, &gs)) == -2)
		err(1, "malloc");
	opt_free(&st);
	if (ngs < 0)
		return usage("%s", err_str());
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	c = mcrx_join(&m, gs, ngs, ifindex, joined);
	free(gs);
	if (c < 0) {
		warnx("%s", err_str());
		mcrx_free(&m);
		return 1;
	}
	if (path && mcrx_output(&m, path) < 0)
		errx(1, "%s", err_str());
	if (mcrx_ready(&m) < 0)
		err(1, "malloc");
	for (int i = 0; i < m.n; i++)
		fprintf(stderr, "%s: listening on %s (%s)\n",
			program_invocation_short_name,
			inet_fmt(&m.rg[i].g.group, a, sizeof(a)),
			m.rg[i].ifname[0] ? m.rg[i].ifname : "?");
	m.stop = &stop;
	m.on_datagram = datagram;
	m.ctx = &m;
	m.interval_ns = (uint64_t)(ivsecs * 1e9);
	m.on_interval = interval;
	ivout = path && !strcmp(path, "-") ? stderr : stdout;
	timedout = mcrx_run(&m, (uint64_t)(wsecs * 1e9), flush_stdout);
	if (timedout < 0)
		errx(1, "%s", err_str());
	if (mcrx_output_end(&m) < 0) {
		warnx("%s", err_str());
		status = 1;
	}
	summary(&m, json, m.secs);
	if (timedout && !m.received)
		probe_fmt_diagnosis(stderr, program_invocation_short_name, &m,
				    wsecs);
	probe_table_totals(&m.flows, &t);
	if (stop || status) {
		/* interrupted (the summary says how far it got), or failed */
	} else if (timedout && (m.count || !m.received)) {
		status = EXIT_NOANSWER;
	} else if (lossmax >= 0 && t.worst_loss_pct > lossmax) {
		warnx("loss %.3f%% exceeds --loss-max %g%%",
		      t.worst_loss_pct, lossmax);
		status = 1;
	}
	mcrx_free(&m);
	return status;
bad:	/* -s once too often, or --loss-max's argument */
	opt_free(&st);
	if (c == 's')
		return usage("more than %d sources", MAX_SOURCES);
	return usage("bad --loss-max '%s' (0-100)", st.arg);
}
