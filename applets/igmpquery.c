/* igmpquery.c - send IGMP/MLD queries and list the group members on a link
 * (IGMPv1/v2/v3: RFC 1112, 2236, 9776; MLDv1/v2: RFC 2710, 9777). */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "clock.h"
#include "err.h"
#include "igmp.h"
#include "json.h"
#include "opt.h"
#include "priv.h"

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
	.implemented = 1,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct {
	const char *ifname_opt, *group_s, *source_s;
	int family, srcfam, version, count, qrv, qqi, suppress, json, verbose, quiet;
	double max_resp, interval, timeout;
	struct igmp_addr group, srcs[IGMP_MAXSRC];
	unsigned nsrc;
} o = { .count = 1, .qrv = 2, .qqi = 125, .interval = 1, .max_resp = -1,
	.timeout = -1 };

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Adds the comma-separated sources of one -s to o.srcs (-s may repeat). */
static int add_sources(const char *arg)
{
	char *list = strdup(arg), *tok, *save = NULL;
	struct igmp_addr a;
	int fam, rc = 0;

	if (!list)
		err(EXIT_FAILURE, "out of memory");
	for (tok = strtok_r(list, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		fam = igmp_pton(tok, &a);
		if (fam < 0 || igmp_is_multicast(fam, &a) ||
		    (o.nsrc && fam != o.srcfam))
			rc = opt_usage_error(&igmpquery_applet,
					     "bad source '%s'", tok);
		else if (o.nsrc >= IGMP_MAXSRC)
			rc = opt_usage_error(&igmpquery_applet,
					     "too many sources (max %d)",
					     IGMP_MAXSRC);
		else
			o.srcs[o.nsrc++] = a, o.srcfam = fam;
	}
	free(list);
	return rc;
}

/* Sets o.family from -4/-6, -g, -s and --source, which must agree. */
static int check_family(int fam, const char *what, const char *val)
{
	if (o.family && fam != o.family)
		return opt_usage_error(&igmpquery_applet, "%s '%s' is not %s",
				       what, val, fam_name(o.family));
	o.family = fam;
	return 0;
}

/* Checks the options against each other; 0 or the usage exit status. */
static int check_options(void)
{
	/* largest max response per family and version, in seconds */
	static const double max4[] = { 0, 10, 25.5, 3174.4 };
	static const double max6[] = { 0, 65.535, 8387.584 };
	const struct applet *app = &igmpquery_applet;
	struct igmp_addr a;
	char v[16];
	int fam;

	if (o.group_s) {
		fam = igmp_pton(o.group_s, &o.group);
		if (fam < 0 || !igmp_is_multicast(fam, &o.group))
			return opt_usage_error(app, "bad group '%s'",
					       o.group_s);
		if (check_family(fam, "group", o.group_s))
			return EXIT_USAGE;
	}
	if (o.source_s) {
		fam = igmp_pton(o.source_s, &a);
		if (fam < 0)
			return opt_usage_error(app, "bad --source '%s'",
					       o.source_s);
		if (check_family(fam, "--source", o.source_s))
			return EXIT_USAGE;
		/* RFC 9777 §5.1.14: hosts drop queries not from a
		 * link-local address */
		if (fam == AF_INET6 && !(a.b[0] == 0xfe &&
					 (a.b[1] & 0xc0) == 0x80))
			return opt_usage_error(app,
					       "--source '%s' is not link-local",
					       o.source_s);
	}
	if (o.nsrc && !o.group_s)
		return opt_usage_error(app, "-s needs -g GROUP");
	if (o.nsrc && o.srcfam != o.family)
		return opt_usage_error(app, "-s sources are not %s",
				       fam_name(o.family));
	if (!o.family)
		o.family = AF_INET;
	if (!o.version)
		o.version = o.family == AF_INET ? 3 : 2;
	if (o.family == AF_INET6 && o.version > 2)
		return opt_usage_error(app, "bad -V '%d' for MLD (1-2)",
				       o.version);
	snprintf(v, sizeof(v), "%s", igmp_version_name(o.family, o.version));
	if (o.nsrc && o.version != (o.family == AF_INET ? 3 : 2))
		return opt_usage_error(app, "-s needs %s",
				       o.family == AF_INET ? "IGMPv3" :
							     "MLDv2");
	if (o.family == AF_INET && o.version == 1) {
		if (o.group_s)
			return opt_usage_error(app, "IGMPv1 has no "
					       "group-specific query");
		if (o.max_resp >= 0)
			return opt_usage_error(app, "IGMPv1 has no max "
					       "response time (hosts use 10 s)");
		o.max_resp = 10;
	}
	if (o.max_resp < 0)
		o.max_resp = 2;
	/* IGMP counts tenths of a second: 0.1 is the least but zero */
	if ((o.family == AF_INET && o.max_resp < 0.1) ||
	    o.max_resp > (o.family == AF_INET ? max4 : max6)[o.version])
		return opt_usage_error(app, "bad -m '%g' for %s (%g-%g)",
				       o.max_resp, v,
				       o.family == AF_INET ? 0.1 : 0.001,
				       (o.family == AF_INET ? max4 :
							      max6)[o.version]);
	return 0;
}

static int maxw(int w, const char *s)
{
	return (int)strlen(s) > w ? (int)strlen(s) : w;
}

static void print_table(struct igmp_table *t, const char *ifname)
{
	char g[64], h[64], s[64];
	unsigned i, k, shown = 0;
	int gw = 5, hw = 4;

	for (i = 0; i < t->n; i++) {
		gw = maxw(gw, igmp_ntop(t->m[i].family, &t->m[i].group, g,
					sizeof(g)));
		hw = maxw(hw, igmp_ntop(t->m[i].family, &t->m[i].host, h,
					sizeof(h)));
	}
	for (i = 0; i < t->n; i++) {
		struct igmp_member *m = &t->m[i];
		struct json j;

		igmp_ntop(m->family, &m->group, g, sizeof(g));
		igmp_ntop(m->family, &m->host, h, sizeof(h));
		if (o.json) {
			json_begin(&j, stdout);
			json_str(&j, "type", "membership");
			json_str(&j, "interface", ifname);
			json_str(&j, "group", g);
			json_str(&j, "host", h);
			json_str(&j, "version",
				 igmp_version_name(m->family, m->version));
			json_str(&j, "mode", igmp_mode_name(m->mode));
			json_arr_begin(&j, "sources");
			for (k = 0; k < m->nsrc; k++)
				json_str(&j, NULL, igmp_ntop(m->family,
							     &m->srcs[k], s,
							     sizeof(s)));
			json_arr_end(&j);
			json_end(&j);
			continue;
		}
		if (!shown++)
			printf("%-*s  %-*s  %-7s %-8s%s\n", gw, "GROUP", hw,
			       "HOST", "VERSION", "MODE", "SOURCES");
		printf("%-*s  %-*s  %-7s %-8s", gw, g, hw, h,
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
	unsigned i;

	for (i = 0; i < t->nq; i++) {
		const struct igmp_querier *q = &t->q[i];

		igmp_ntop(q->family, &q->addr, a, sizeof(a));
		if (o.json) {
			json_begin(&j, stdout);
			json_str(&j, "type", "querier");
			json_str(&j, "address", a);
			json_str(&j, "version",
				 igmp_version_name(q->family, q->version));
			json_uint(&j, "queries", q->count);
			json_end(&j);
		} else {
			printf("other querier %s %s (%u %s)\n", a,
			       igmp_version_name(q->family, q->version),
			       q->count, q->count == 1 ? "query" : "queries");
		}
	}
}

/* Sends the queries on schedule and feeds every captured report to the
 * table until the deadline or a signal. 0, or -1 after a message. */
static int listen_loop(struct igmp_table *t, struct capture *cap, int fd,
		       int ifindex, const char *ifname, const uint8_t *pkt,
		       size_t plen, const struct igmp_addr *dst, int *sent,
		       unsigned long *malformed)
{
	uint64_t now, next, deadline, wait_ns, wake;
	struct pollfd pfd = { .fd = capture_fd(cap), .events = POLLIN };
	const uint8_t *p;
	struct igmp_msg m;
	char a[64];
	size_t len;
	int rc;

	wait_ns = (uint64_t)(((o.count - 1) * o.interval + o.max_resp + 1) *
			     1e9);
	if (o.timeout > 0)
		wait_ns = (uint64_t)(o.timeout * 1e9);
	next = clock_ns();
	deadline = next + wait_ns;
	while (!stop && (now = clock_ns()) < deadline) {
		if (*sent < o.count && now >= next) {
			if (capture_send(fd, ifindex, o.family, dst, pkt,
					 plen) < 0) {
				warn("send query on %s", ifname);
				return -1;
			}
			if (o.verbose)
				warnx("sent %s query to %s on %s "
				      "(max response %g s)",
				      igmp_version_name(o.family, o.version),
				      igmp_ntop(o.family, dst, a, sizeof(a)),
				      ifname, o.max_resp);
			(*sent)++;
			next += (uint64_t)(o.interval * 1e9);
			continue;
		}
		/* until the next query or the deadline */
		wake = *sent < o.count && next < deadline ? next : deadline;
		if (poll(&pfd, 1, clock_poll_ms(wake)) < 0 && errno != EINTR) {
			warn("poll");
			return -1;
		}
		while ((rc = capture_next(cap, &p, &len)) > 0) {
			if (igmp_parse(p, len, &m) < 0) {
				if (errno == EBADMSG) {
					(*malformed)++;
					if (o.verbose)
						warnx("ignored a packet: %s",
						      err_str());
				}
				continue;
			}
			if (igmp_table_update(t, &m) < 0 && o.verbose)
				warn("membership dropped");
		}
		if (rc < 0) {
			warnx("%s", err_str());
			return -1;
		}
	}
	return 0;
}

static int igmpquery_main(int argc, char **argv)
{
	struct optstate st;
	char ifname[IF_NAMESIZE], **ops;
	struct igmp_query q = { 0 };
	struct igmp_table t;
	struct igmp_addr dst;
	struct capture *cap;
	uint8_t pkt[2048];
	uint64_t start;
	unsigned long malformed = 0;
	int c, rc, fd, ifindex, sent = 0;
	ssize_t plen;

	opt_init(&st, &igmpquery_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'i': o.ifname_opt = st.arg; break;
		case '4': o.family = AF_INET; break;
		case '6': o.family = AF_INET6; break;
		case 'V': o.version = (int)st.num; break;
		case 'g': o.group_s = st.arg; break;
		case 's':
			if ((rc = add_sources(st.arg))) {
				opt_free(&st);
				return rc;
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
		case 'j': o.json = 1; break;
		case 'v': o.verbose = 1; break;
		case 'q': o.quiet = 1; break;
		}
	}
	if (c < 0 || opt_operands(&st, &ops) < 0) {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);
	if ((rc = check_options()))
		return rc;

	if (o.ifname_opt)
		snprintf(ifname, sizeof(ifname), "%s", o.ifname_opt);
	else if (capture_default_if(o.family, ifname) < 0)
		return opt_usage_error(&igmpquery_applet, "%s", err_str());
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return opt_usage_error(&igmpquery_applet, "no interface '%s'",
				       ifname);

	/* the query */
	q.family = o.family;
	q.version = o.version;
	q.group = o.group;
	q.srcs = o.srcs;
	q.nsrc = o.nsrc;
	q.qrv = o.qrv;
	q.qqi = (unsigned)o.qqi;
	q.s_flag = o.suppress;
	q.max_resp = o.family == AF_INET ?
			     (unsigned)(o.max_resp * 10 + 0.5) :
			     (unsigned)(o.max_resp * 1000 + 0.5);
	q.ip_id = (uint16_t)(getpid() ^ clock_wall_ns());
	if (o.source_s)
		igmp_pton(o.source_s, &q.src);
	else if (capture_if_addr(ifname, o.family, &q.src) < 0) {
		warnx("%s (give --source%s)", err_str(),
		      o.family == AF_INET ? " 0.0.0.0 to query anyway" : "");
		return EXIT_FAILURE;
	}
	plen = igmp_query_build(&q, pkt, sizeof(pkt), &dst);
	if (plen < 0)
		return opt_usage_error(&igmpquery_applet, "%s", err_str());

	/* privileged: the capture and the sending socket, then drop all */
	if (priv_raise(PRIV_NET_RAW) < 0 ||
	    (fd = capture_send_socket(ifindex)) < 0) {
		warnx("raw socket %s: %s%s", ifname, strerror(errno),
		      errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return EXIT_FAILURE;
	}
	cap = capture_open(ifname, o.family);
	if (!cap || priv_drop_all() < 0) {
		if (cap)
			warn("drop capabilities");
		else
			warnx("%s%s", err_str(),
			      errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return EXIT_FAILURE;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	igmp_table_init(&t);
	start = clock_ns();
	rc = listen_loop(&t, cap, fd, ifindex, ifname, pkt, (size_t)plen,
			 &dst, &sent, &malformed);
	capture_close(cap);
	close(fd);
	if (rc < 0) {
		igmp_table_free(&t);
		return EXIT_FAILURE;
	}
	igmp_table_keep_group(&t, o.group_s ? &o.group : NULL);
	igmp_table_sort(&t);
	if (!o.quiet) {
		print_table(&t, ifname);
		if (o.verbose)
			print_queriers(&t);
	}
	if (o.json && !o.quiet) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "type", "summary");
		json_str(&j, "interface", ifname);
		json_str(&j, "protocol",
			 igmp_version_name(o.family, o.version));
		json_uint(&j, "queries_sent", (unsigned)sent);
		json_uint(&j, "reports", t.reports);
		json_uint(&j, "leaves", t.leaves);
		json_uint(&j, "malformed", malformed);
		json_uint(&j, "memberships", t.n);
		json_uint(&j, "other_queriers", t.nq);
		json_double(&j, "seconds", (clock_ns() - start) / 1e9, 3);
		json_end(&j);
	}
	fflush(stdout);
	rc = t.n ? EXIT_SUCCESS : EXIT_NOANSWER;
	igmp_table_free(&t);
	return rc;
}
