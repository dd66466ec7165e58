/* slam-serve.c - push a file to any number of Etherboot/iPXE SLAM clients
 * and slam-get receivers (SLAM, PROTOCOLS.md §1): options, then the driver
 * lib/slam/serve.c, and printing what it reports. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "base/units.h"
#include "file/progress.h"
#include "slam/serve.h"

#define O_ONCE (OPT_LONGONLY + 1)
#define O_IDLE (OPT_LONGONLY + 2)
#define O_MAXCL (OPT_LONGONLY + 3)
#define O_MAXHOST (OPT_LONGONLY + 4)

static const struct opt opts[] = {
	{ 'i', "interface", "IFACE", OPT_STR,
	  "send the data on IFACE (default: the route to the group)", 0, 0 },
	{ 'p', "port", "PORT", OPT_INT,
	  "UDP port for NACKs and pings (default 10000)", 1, 65535 },
	{ 'g', "group", "GROUP[:PORT]", OPT_STR,
	  "multicast group for the data (default 239.255.1.1:10000)", 0, 0 },
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
	  "quiet time that ends --once (default 3)", 0.1, 86400 },
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

static const char *const ev_name[] = {
	[SLAM_SERVE_JOIN] = "join", [SLAM_SERVE_DONE] = "done",
	[SLAM_SERVE_LOST] = "lost", [SLAM_SERVE_ROUND] = "round",
	[SLAM_SERVE_RESTART] = "restart", [SLAM_SERVE_EVICT] = "evict",
	[SLAM_SERVE_FULL] = "refuse", [SLAM_SERVE_SUSPECT] = "suspect",
};

static void event(struct slam_serve *sv, enum slam_serve_ev ev,
		  const struct sockaddr_storage *a, int e)
{
	const struct slam_srv *s = &sv->s;
	char buf[INET_FMTLEN];
	struct json j;

	errno = e;
	/* an event line on a line of its own, not after the progress */
	if (!json && !quiet)
		progress_clear();
	if (ev == SLAM_SERVE_BAD) {
		if (!quiet && !json)
			warnx("bad NACK from %s ignored",
			      inet_fmt(a, buf, sizeof(buf)));
		return;
	} else if (ev == SLAM_SERVE_FULL && !json) {
		warnx("refusing new client %s (%llu so far; --max-per-host, "
		      "--max-clients)", inet_fmt(a, buf, sizeof(buf)),
		      (unsigned long long)s->full);
		return;
	} else if (ev == SLAM_SERVE_FILE_ERR) {
		warnx("%s", err_str());	/* the old copy is served on */
		return;
	} else if (ev == SLAM_SERVE_SEND_ERR) {
		warn("send to %s", inet_fmt(&sv->g.group, buf, sizeof(buf)));
		return;
	} else if (json) {
		json_begin(&j, stdout);
		json_double(&j, "time", (double)(clock_ns() - sv->t0) / 1e9, 3);
		json_str(&j, "event", ev_name[ev]);
		if (a)
			json_str(&j, "client", inet_fmt(a, buf, sizeof(buf)));
		if (ev == SLAM_SERVE_ROUND) {
			json_uint(&j, "round", s->round);
			json_uint(&j, "outstanding", slam_srv_outstanding(s));
			json_double(&j, "rate_pps", s->cfg.rate > 0 ?
				    s->cfg.rate : s->rate, 0);
			json_double(&j, "loss", s->loss, 3);
			json_double(&j, "rtt_ms", s->srtt / 1e6, 2);
		} else if (ev == SLAM_SERVE_EVICT || ev == SLAM_SERVE_FULL) {
			json_uint(&j, "so_far", ev == SLAM_SERVE_FULL ?
				  s->full : s->evicted);
		}
		json_end(&j);
	} else if (!quiet && ev != SLAM_SERVE_ROUND) {
		printf("%s", ev_name[ev]);
		if (a)
			printf(" %s", inet_fmt(a, buf, sizeof(buf)));
		if (ev == SLAM_SERVE_RESTART)
			printf(": file changed, %llu byte%s, new transaction",
			       (unsigned long long)s->h.total,
			       units_s(s->h.total));
		printf("%s\n", ev == SLAM_SERVE_SUSPECT ? ": lacks every block "
		       "sent to it (lying, or deaf to the group)" : "");
		fflush(stdout);
	}
}

static void summary(void)
{
	const struct slam_srv *s = &v.s;
	double el = (double)(clock_ns() - v.t0) / 1e9;
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_double(&j, "time", el, 3);
		json_str(&j, "event", "summary");
		json_str(&j, "file", v.path);
		json_uint(&j, "size", s->h.total);
		json_uint(&j, "block_size", s->h.bs);
		json_uint(&j, "blocks", s->h.nblocks);
		json_uint(&j, "packets", s->sent);
		json_uint(&j, "bytes", s->bytes);
		json_uint(&j, "rounds", s->round);
		json_uint(&j, "pings", s->pings);
		json_uint(&j, "nacks", s->nacks);
		json_uint(&j, "bad_nacks", s->bad);
		json_uint(&j, "clients", s->served);
		json_uint(&j, "done", s->done);
		json_uint(&j, "lost", s->lost);
		json_uint(&j, "refused", s->full);
		json_uint(&j, "evicted", s->evicted);
		json_uint(&j, "suspects", s->suspects);
		json_end(&j);
	} else if (!quiet) {
		printf("sent %llu packet%s (%llu byte%s) in %.2f s, %llu "
		       "round%s; clients %llu: %llu done, %llu lost; %llu "
		       "NACK%s, %llu bad\n", (unsigned long long)s->sent,
		       units_s(s->sent), (unsigned long long)s->bytes,
		       units_s(s->bytes), el, (unsigned long long)s->round,
		       units_s(s->round), (unsigned long long)s->served,
		       (unsigned long long)s->done,
		       (unsigned long long)s->lost,
		       (unsigned long long)s->nacks, units_s(s->nacks),
		       (unsigned long long)s->bad);
	}
}

static int slam_serve_main(int argc, char **argv)
{
	const char *ifname = NULL, *group = SLAM_GROUP, *user = NULL;
	const char *rate = NULL;
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
	    (user && priv_check_user(user)))
		return opt_usage_error(&slam_serve_applet, "%s", err_str());
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
	rc = EXIT_SUCCESS;
out:
	slam_serve_close(&v);
	return rc;
}
