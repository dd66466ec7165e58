/* igmpquery.c - send IGMP/MLD queries and list the group members on a link
 * (IGMPv1/v2/v3: RFC 1112, 2236, 9776; MLDv1/v2: RFC 2710, 9777): options,
 * the driver lib/igmp/listen.c, and the table it builds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "igmp/fmt.h"
#include "igmp/listen.h"

enum {
	O_SOURCE = OPT_LONGONLY + 1,
	O_INTERVAL,
	O_QRV,
	O_QQI,
	O_SUPPRESS,
};

static const struct opt opts[] = {
	{ 'i', "interface", "IFACE", OPT_STR,
	  "link to query (default: the only multicast one)", 0, 0 },
	{ '4', "ipv4", NULL, OPT_FLAG, "IGMP (the default)", 0, 0 },
	{ '6', "ipv6", NULL, OPT_FLAG, "MLD", 0, 0 },
	{ 'V', "query-version", "N", OPT_INT,
	  "query version: IGMP 1-3 (default 3), MLD 1-2 (2)", 1,
	  3 },
	{ 'g', "group", "GROUP", OPT_STR,
	  "group-specific query, and list only this group", 0, 0 },
	{ 's', "sources", "ADDR[,ADDR...]", OPT_STR,
	  "group-and-source-specific query (v3, MLDv2; repeatable)", 0, 0 },
	{ O_SOURCE, "source", "ADDR", OPT_STR,
	  "query from ADDR (default: the interface's)", 0, 0 },
	{ 'm', "max-resp", "SECONDS", OPT_SECS,
	  "max response time (default 2; IGMPv1: 10)", 0.001,
	  8387.584 },
	{ 'n', "count", "N", OPT_INT, "send N queries (default 1)", 1, 1000 },
	{ O_INTERVAL, "interval", "SECONDS", OPT_SECS,
	  "time between queries (default 1)", 0.01, 3600 },
	{ O_QRV, "qrv", "N", OPT_INT,
	  "querier's robustness variable (default 2)", 0, 7 },
	{ O_QQI, "qqi", "SECONDS", OPT_INT,
	  "querier's query interval (default 125)", 0, 31744 },
	{ O_SUPPRESS, "suppress", NULL, OPT_FLAG,
	  "set the S flag (suppress router-side processing)", 0, 0 },
	{ 'w', "timeout", "SECONDS", OPT_SECS,
	  "deadline (default: last query + max resp + 1)",
	  0.01, 86400 },
	{ 'j', "json", NULL, OPT_FLAG,
	  "one JSON object per membership, then a summary", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG,
	  "say what is sent; list other queriers seen", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG,
	  "print nothing; the exit status tells", 0, 0 },
	{ 0 }
};

static int igmpquery_main(int argc, char **argv);

const struct applet igmpquery_applet = {
	.name = "igmpquery",
	.section = 8,
	.summary = "send IGMP/MLD queries and list the group members on a link",
	.operands = "",
	.min_args = 0,
	.max_args = 0,
	.opts = opts,
	/* CAP_NET_RAW: the AF_PACKET socket that sends the query (a raw IP
	 * socket cannot send from 0.0.0.0) and the libpcap capture; both
	 * are opened first and every capability is dropped before the
	 * listen loop. */
	.privs = PRIV_NET_RAW,
	.main = igmpquery_main,
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

/* zero-initialised (its source list stays out of .data); main sets the
 * defaults */
static struct igmpq_opts o;
static int json, verbose, quiet;	/* what to print */

static void print_table(struct igmp_table *t, const char *ifname)
{
	char g[64], h[64], s[64];
	unsigned i, k;
	int gw, hw;
	struct json j;

	igmp_fmt_widths(t, &gw, &hw);
	for (i = 0; i < t->n; i++) {
		struct igmp_member *m = &t->m[i];

		if (json) {
			json_begin(&j, stdout);
			igmp_fmt_member_json(&j, m, ifname);
			json_end(&j);
			continue;
		}
		if (!i)
			printf("%-*s  %-*s  %-7s %-8s%s\n", gw, "GROUP", hw,
			       "HOST", "VERSION", "MODE", "SOURCES");
		printf("%-*s  %-*s  %-7s %-8s", gw,
		       igmp_ntop(m->family, &m->group, g, sizeof(g)), hw,
		       igmp_ntop(m->family, &m->host, h, sizeof(h)),
		       igmp_version_name(m->family, m->version),
		       igmp_mode_name(m->mode));
		for (k = 0; k < m->nsrc; k++)
			printf("%s%s", k ? "," : "",
			       igmp_ntop(m->family, &m->srcs[k], s, sizeof(s)));
		printf("%s\n", m->nsrc ? "" : "-");
	}
}

static void print_queriers(const struct igmp_table *t)
{
	char a[64];
	struct json j;

	for (unsigned i = 0; i < t->nq; i++) {
		const struct igmp_querier *q = &t->q[i];

		if (json) {
			json_begin(&j, stdout);
			igmp_fmt_querier_json(&j, q);
			json_end(&j);
		} else {
			printf("other querier %s %s (%u %s)\n",
			       igmp_ntop(q->family, &q->addr, a, sizeof(a)),
			       igmp_version_name(q->family, q->version),
			       q->count, q->count == 1 ? "query" : "queries");
		}
	}
}

/* -v: what the listen loop did. */
static void on_event(enum igmpq_event ev, const struct igmpq_run *r)
{
	char a[64];

	if (!verbose)
		return;
	switch (ev) {
	case IGMPQ_SENT:
		warnx("sent %s query to %s on %s (max response %g s)",
		      igmp_version_name(o.family, o.version),
		      igmp_ntop(o.family, &r->dst, a, sizeof(a)), r->ifname,
		      o.max_resp);
		break;
	case IGMPQ_MALFORMED:
		warnx("ignored a packet: %s", err_str());
		break;
	case IGMPQ_DROPPED:
		warn("membership dropped");
		break;
	}
}

static int igmpquery_main(int argc, char **argv)
{
	struct optstate st;
	const char *ifname = NULL;
	char **ops;
	struct igmp_table t;
	struct igmpq_run run = { .o = &o, .stop = &stop, .on_event = on_event };
	struct json j;
	int c, rc;

	o = (struct igmpq_opts)IGMPQ_OPTS_INIT;
	opt_init(&st, &igmpquery_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'i': ifname = st.arg; break;
		case '4': o.family = AF_INET; break;
		case '6': o.family = AF_INET6; break;
		case 'V': o.version = (int)st.num; break;
		case 'g': o.group_s = st.arg; break;
		case 's':
			if ((rc = igmpq_add_sources(&o, st.arg)) == -2)
				err(EXIT_FAILURE, "out of memory");
			if (rc < 0) {
				opt_free(&st);
				return opt_usage_error(&igmpquery_applet, "%s",
						       err_str());
			}
			break;
		case O_SOURCE: o.source_s = st.arg; break;
		case 'm': o.max_resp = st.secs; break;
		case 'n': o.count = (int)st.num; break;
		case O_INTERVAL: o.interval = st.secs; break;
		case O_QRV: o.qrv = (int)st.num; break;
		case O_QQI: o.qqi = (int)st.num; break;
		case O_SUPPRESS: o.suppress = 1; break;
		case 'w': o.timeout = st.secs; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		}
	}
	if (c < 0 || opt_operands(&st, &ops) < 0) {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);
	if (igmpq_check(&o) < 0)
		return opt_usage_error(&igmpquery_applet, "%s", err_str());
	rc = igmpq_open(&run, ifname);
	if (rc) {
		igmpq_close(&run);
		if (rc == EXIT_USAGE)
			return opt_usage_error(&igmpquery_applet, "%s",
					       err_str());
		warnx("%s", err_str());
		return rc;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	igmp_table_init(&t);
	rc = igmpq_listen(&run, &t);
	igmpq_close(&run);
	if (rc < 0) {
		warnx("%s", err_str());
		igmp_table_free(&t);
		return EXIT_FAILURE;
	}
	igmp_table_keep_group(&t, o.group_s ? &o.group : NULL);
	igmp_table_sort(&t);
	if (!quiet) {
		print_table(&t, run.ifname);
		if (verbose)
			print_queriers(&t);
	}
	if (json && !quiet) {
		json_begin(&j, stdout);
		igmp_fmt_summary_json(&j, &run, &t,
				      (clock_ns() - run.t0) / 1e9);
		json_end(&j);
	}
	fflush(stdout);
	rc = t.n ? EXIT_SUCCESS : EXIT_NOANSWER;
	igmp_table_free(&t);
	return rc;
}
