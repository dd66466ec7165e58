/* slam-get.c - receive a file pushed by a SLAM server (mini-slamd or
 * slam-serve), as Etherboot's and iPXE's x-slam:// clients do (SLAM,
 * PROTOCOLS.md §1): options, the driver lib/slam/get.c, the summary. */
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
#include "slam/get.h"

#define O_MAXSIZE (OPT_LONGONLY + 1)
#define O_SHA256 (OPT_LONGONLY + 2)
#define O_SIZE (OPT_LONGONLY + 3)

static const struct opt opts[] = {
	{ 'o', "output", "FILE", OPT_STR,
	  "write the file here ('-': stdout, once complete)", 0, 0 },
	{ 'i', "interface", "IFACE", OPT_STR,
	  "join the group on IFACE (default: the route's)", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "give up (exit 3) when not complete after SECONDS", 0.001, 1e7 },
	{ O_MAXSIZE, "max-size", "BYTES", OPT_SIZE,
	  "refuse a file larger than BYTES (default 4G)", 0, 9007199254740991.0 },
	{ O_SHA256, "sha256", "HEX", OPT_STR,
	  "keep the file only if its SHA-256 is HEX (exit 1)", 0, 0 },
	{ O_SIZE, "size", "BYTES", OPT_SIZE,
	  "keep the file only if it has BYTES bytes (exit 1)", 0,
	  9007199254740991.0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print only errors", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print a JSON summary", 0, 0 },
	{ 0 }
};

static int slam_get_main(int argc, char **argv);

const struct applet slam_get_applet = {
	.name = "slam-get",
	.section = 1,
	.summary = "receive a file pushed by a SLAM server",
	.operands = "URL | SERVER[:PORT] [GROUP[:PORT]]",
	.min_args = 1,
	.max_args = 2,
	.opts = opts,
	.privs = PRIV_NONE,	/* unprivileged UDP sockets and a group join */
	.main = slam_get_main,
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int json, quiet;
static struct slam_get g;

static void summary(const char *result, int rc)
{
	const struct slam_cli *c = &g.c;
	double el = (double)(clock_ns() - g.t0) / 1e9;
	char sbuf[INET_FMTLEN], rbuf[32];
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_str(&j, "server", inet_fmt(&g.srv, sbuf, sizeof(sbuf)));
		json_str(&j, "result", result);
		json_str(&j, "file", g.out);
		json_uint(&j, "size", c->have_hdr ? c->h.total : 0);
		json_uint(&j, "blocks", c->have_hdr ? c->h.nblocks : 0);
		json_uint(&j, "received", c->got.nset);
		json_uint(&j, "duplicates", c->dups);
		json_uint(&j, "bad", c->bad);
		json_uint(&j, "nacks", c->nacks);
		json_uint(&j, "restarts", c->restarts);
		json_bool(&j, "source_specific", g.ssm);
		json_double(&j, "seconds", el, 3);
		/* what arrived, not what was announced */
		json_double(&j, "mbit_s", el > 0 && c->have_hdr ?
			    (double)(rc ? c->got.nset * c->h.bs : c->h.total) *
			    8 / el / 1e6 : 0, 1);
		json_end(&j);
	} else if (!quiet && !rc && strcmp(g.out, "-")) {
		printf("%s: %llu byte%s in %.2f s (%s), %llu NACK%s, %u "
		       "restart%s\n", g.out, (unsigned long long)c->h.total,
		       units_s(c->h.total), el,
		       units_byte_rate(rbuf, sizeof(rbuf), el > 0 ?
				       (double)c->h.total / el : 0),
		       (unsigned long long)c->nacks, units_s(c->nacks),
		       c->restarts, units_s(c->restarts));
	}
}

static void note(const char *msg)
{
	progress_clear();
	warnx("%s", msg);
}

static int slam_get_main(int argc, char **argv)
{
	const char *ifname = NULL, *sha = NULL;
	double wsecs = 0;
	int c, n, rc;
	struct optstate st;
	char **ops, gbuf[INET_FMTLEN], sbuf[INET_FMTLEN];

	g.max_size = UINT64_C(4) << 30;
	opt_init(&st, &slam_get_applet, argc, argv);
	while ((c = opt_next(&st)) > 0)
		switch (c) {
		case 'o': g.out = st.arg; break;
		case 'i': ifname = st.arg; break;
		case 'w':
			wsecs = st.secs;
			g.deadline = (uint64_t)(st.secs * 1e9);
			break;
		case O_MAXSIZE: g.max_size = (uint64_t)st.num; break;
		case O_SHA256: sha = st.arg; break;
		case O_SIZE:
			g.want.size_set = 1;
			g.want.size = (uint64_t)st.num;
			break;
		case 'q': quiet = 1; break;
		case 'j': json = 1; break;
		}
	n = c < 0 ? -1 : opt_operands(&st, &ops);
	opt_free(&st);	/* ops point into argv */
	if (n < 0)
		return st.status;
	if (slam_get_target(n, ops, &g.srv, &g.g))
		return opt_usage_error(&slam_get_applet, "%s", err_str());
	if (!g.out)
		return opt_usage_error(&slam_get_applet, "no -o FILE (SLAM "
				       "carries no file name)");
	if ((ifname && (g.ifindex = inet_ifindex(ifname)) < 0) ||
	    (sha && outfile_want_sha256(&g.want, sha)))
		return opt_usage_error(&slam_get_applet, "%s", err_str());
	g.stop = &stop;
	g.note = quiet ? NULL : note;
	rc = slam_get_open(&g);
	if (rc) {
		warnx("%s", g.err);
		slam_get_close(&g);
		return rc;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!quiet)
		fprintf(stderr, "slam-get: listening on %s for server %s\n",
			inet_fmt(&g.g.group, gbuf, sizeof(gbuf)),
			inet_fmt(&g.srv, sbuf, sizeof(sbuf)));
	rc = slam_get_run(&g);
	if (*g.err)
		warnx("%s", g.err);
	else if (rc == EXIT_NOANSWER && !quiet)
		/* (a server gone silent said so itself, above) */
		warnx("no complete file from %s within -w %g s",
		      inet_fmt(&g.srv, sbuf, sizeof(sbuf)), wsecs);
	summary(rc == 0 ? "ok" : rc == EXIT_NOANSWER ? "timeout" : "failed",
		rc);
	slam_get_close(&g);
	return rc;
}
