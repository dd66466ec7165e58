/* slam-serve.c - push a file to any number of Etherboot/iPXE SLAM clients
 * and slam-get receivers (SLAM, PROTOCOLS.md §1): options, then the driver
 * lib/slam/serve.c, and printing what it reports. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "base/units.h"
#include "file/progress.h"
#include "slam/fmt.h"
#include "slam/serve.h"

#define O_ONCE (OPT_LONGONLY + 1)
#define O_IDLE (OPT_LONGONLY + 2)
#define O_MAXCL (OPT_LONGONLY + 3)
#define O_CLIENTS (OPT_LONGONLY + 4)
#define O_HOSTS (OPT_LONGONLY + 5)
#define O_MAXHOST (OPT_LONGONLY + 6)

static const struct opt opts[] = {
	{ 'i', "interface", "IFACE", OPT_STR,
	  "send the data on IFACE (default: the route to the group)", 0, 0 },
	{ 'p', "port", "PORT", OPT_INT,
	  "UDP port for NACKs and pings (default 10000)", 1, 65535 },
	{ 'g', "group", "GROUP[:PORT]", OPT_STR,
	  "multicast group for the data (default 239.255.1.1:10000; current "
	  "iPXE only works with the default)", 0, 0 },
	{ 't', "ttl", "TTL", OPT_INT, "multicast TTL (default 1)", 0, 255 },
	{ 'b', "block-size", "BYTES", OPT_INT,
	  "data bytes per packet (default: fits the interface MTU)", 1, 65000 },
	{ 'r', "rate", "RATE", OPT_STR,
	  "fixed pace: packets/s, or bit/s with a bps suffix (default: adapt)", 0, 0 },
	{ 'u', "user", "USER", OPT_STR,
	  "drop root for USER[:GROUP] once the socket is bound", 0, 0 },
	{ O_ONCE, "once", NULL, OPT_FLAG,
	  "exit when every client is done and all is quiet for --idle", 0, 0 },
	{ O_IDLE, "idle", "SECONDS", OPT_SECS,
	  "time with no client mid-transfer that ends --once (default 3)",
	  0.1, 86400 },
	{ O_CLIENTS, "clients", "N", OPT_INT,
	  "--once waits until N clients have come (default 1)", 1, 1000000 },
	{ O_HOSTS, "hosts", "LIST|@FILE", OPT_STR,
	  "the machines expected: --once waits for each, the summary and the "
	  "exit status say which got the file", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "stop after SECONDS (exit 3 when expected clients are missing)",
	  0.001, 1e7 },
	{ O_MAXCL, "max-clients", "N", OPT_INT,
	  "clients served at once (default 4096)", 1, 1000000 },
	{ O_MAXHOST, "max-per-host", "N", OPT_INT,
	  "clients of one address served at once (default 64)", 1, 1000000 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print only errors", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG,
	  "print one JSON object per event and a summary", 0, 0 },
	{ 0 }
};

static int slam_serve_main(int argc, char **argv);

const struct applet slam_serve_applet = {
	.name = "slam-serve",
	.section = 8,
	.summary = "push a file to many receivers with SLAM",
	.operands = "FILE",
	.min_args = 1,
	.max_args = 1,
	.opts = opts,
	/* CAP_SETUID/SETGID only to switch to -u USER after binding; port
	 * 10000 needs no privilege */
	.privs = PRIV_SETID,
	.main = slam_serve_main,
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int json, quiet;
/* zero-initialised: the server's send history stays out of .data */
static struct slam_serve v;

/* A client no group data reaches: say so, and why it may be. */
static void deaf(const struct slam_serve *sv,
		 const struct sockaddr_storage *a)
{
	const struct slam_srv *s = &sv->s;
	char buf[INET_FMTLEN];

	warnx("client %s gets none of the group's data: it still asks for "
	      "block %llu, sent %llu times since%s", inet_fmt(a, buf, sizeof(buf)),
	      (unsigned long long)s->ev_block,
	      (unsigned long long)s->ev_sends,
	      s->ev_others ? ", while other clients progress; likely an "
	      "IGMP-snooping switch that keeps the group from its port (iPXE "
	      "sends no IGMP join: see BOOTING FIRMWARE in slam-serve(8))" :
	      "; no multicast reaches it (IGMP snooping, routing, firewall?)");
}

static void event(struct slam_serve *sv, enum slam_serve_ev ev,
		  const struct sockaddr_storage *a, int e)
{
	char buf[INET_FMTLEN + 80];
	struct json j;

	errno = e;
	if (ev == SLAM_SERVE_DEAF && !quiet)
		deaf(sv, a);
	/* an event line on a line of its own, not after the progress */
	if (!json && !quiet)
		progress_clear();
	if (ev == SLAM_SERVE_BAD) {
		if (!quiet && !json)
			warnx("bad NACK from %s ignored",
			      inet_fmt(a, buf, sizeof(buf)));
	} else if (ev == SLAM_SERVE_FULL && !json) {
		warnx("refusing new client %s (%llu so far; --max-per-host, "
		      "--max-clients)", inet_fmt(a, buf, sizeof(buf)),
		      (unsigned long long)sv->s.full);
	} else if (ev == SLAM_SERVE_FILE_ERR) {
		warnx("%s", err_str());	/* the old copy is served on */
	} else if (ev == SLAM_SERVE_SEND_ERR) {
		warn("send to %s", inet_fmt(&sv->g.group, buf, sizeof(buf)));
	} else if (json) {
		json_begin(&j, stdout);
		json_double(&j, "time", (double)(clock_ns() - sv->t0) / 1e9, 3);
		json_str(&j, "event", slam_fmt_ev_name(ev));
		slam_fmt_event_json(&j, sv, ev, a);
		json_end(&j);
	} else if (!quiet && ev != SLAM_SERVE_ROUND && ev != SLAM_SERVE_DEAF) {
		printf("%s\n", slam_fmt_event_line(sv, ev, a, buf, sizeof(buf)));
		fflush(stdout);
	}
}

static void summary(void)
{
	double el = (double)(clock_ns() - v.t0) / 1e9;
	char buf[INET_FMTLEN + 200];
	struct json j;
	size_t i;

	if (json) {
		json_begin(&j, stdout);
		json_double(&j, "time", el, 3);
		json_str(&j, "event", "summary");
		slam_fmt_summary_json(&j, &v);
		json_end(&j);
		/* the clients that did not get the file, and the hosts */
		json_begin(&j, stdout);
		json_str(&j, "event", "clients");
		slam_fmt_clients_json(&j, &v);
		json_end(&j);
	} else if (!quiet) {
		printf("%s\n", slam_fmt_summary_line(&v, el, buf, sizeof(buf)));
		for (i = 0; slam_fmt_clients_line(&v, i, buf, sizeof(buf)); i++)
			printf("%s\n", buf);
	}
}

static int slam_serve_main(int argc, char **argv)
{
	const char *ifname = NULL, *group = SLAM_GROUP, *user = NULL;
	const char *rate = NULL, *hosts = NULL;
	int c, rc = EXIT_FAILURE;
	struct optstate st;
	char **ops, buf[INET_FMTLEN];

	v.port = SLAM_PORT;
	v.ttl = 1;
	v.idle = 3;
	opt_init(&st, &slam_serve_applet, argc, argv);
	while ((c = opt_next(&st)) > 0)
		switch (c) {
		case 'i': ifname = st.arg; break;
		case 'p': v.port = (int)st.num; break;
		case 'g': group = st.arg; break;
		case 't': v.ttl = (int)st.num; break;
		case 'b': v.bs = (uint64_t)st.num; break;
		case 'r': rate = st.arg; break;
		case 'u': user = st.arg; break;
		case O_ONCE: v.once = 1; break;
		case O_IDLE: v.idle = st.secs; break;
		case O_MAXCL: v.cfg.max_clients = (unsigned)st.num; break;
		case O_CLIENTS: v.min_clients = (unsigned)st.num; break;
		case O_HOSTS: hosts = st.arg; break;
		case 'w': v.deadline = st.secs; break;
		case O_MAXHOST: v.cfg.max_per_addr = (unsigned)st.num; break;
		case 'q': quiet = 1; break;
		case 'j': json = 1; break;
		}
	if (c < 0 || opt_operands(&st, &ops) < 0) {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);	/* ops point into argv */
	v.path = ops[0];
	if (inet_parse_group(group, SLAM_PORT, &v.g) ||
	    (rate && rate_parse(rate, &v.rate)) ||
	    (ifname && (v.ifindex = inet_ifindex(ifname)) < 0) ||
	    (user && priv_check_user(user)) ||
	    (hosts && slam_serve_hosts(&v, hosts))) {
		free(v.hosts);
		return opt_usage_error(&slam_serve_applet, "%s", err_str());
	}
	if (slam_serve_file(&v) < 0 || slam_serve_open(&v) < 0) {
		warnx("%s", err_str());
		goto out;
	}
	if (v.s.h.total > (UINT64_C(1) << 29) - 1 && !quiet)
		warnx("%s: over 512 MiB; 32-bit Etherboot/iPXE clients cannot "
		      "take it", v.path);
	if (user ? priv_drop_to_user(user) : priv_drop_all()) {
		warnx("%s", user ? err_str() : "cannot drop capabilities");
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!quiet)
		fprintf(stderr, "slam-serve: listening on port %d, serving %s "
			"(%llu byte%s, %llu block%s of %llu) to %s\n", v.port,
			v.path, (unsigned long long)v.s.h.total,
			units_s(v.s.h.total),
			(unsigned long long)v.s.h.nblocks,
			units_s(v.s.h.nblocks), (unsigned long long)v.s.h.bs,
			inet_fmt(&v.g.group, buf, sizeof(buf)));
	v.stop = &stop;
	v.on_event = event;
	slam_serve_run(&v);
	summary();
	/* a push (not a server stopped by a signal) says how it went */
	rc = v.once || v.deadline > 0 || v.nhosts || v.min_clients ?
	     slam_serve_status(&v) : EXIT_SUCCESS;
out:
	slam_serve_close(&v);
	return rc;
}
