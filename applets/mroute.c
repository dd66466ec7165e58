/* mroute.c - add, show and hold static multicast routes on Linux (the
 * kernel's ipmr/ip6mr API; RFC 1112 hosts, RFC 3376/3810 memberships). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "mroute/cmd.h"
#include "base/opt.h"
#include "base/priv.h"

#define O_NOHOLD (OPT_LONGONLY + 1)
#define O_PIDFILE (OPT_LONGONLY + 2)
#define O_EXPIRE (OPT_LONGONLY + 3)

static const struct opt opts[] = {
	{ 'b', "batch", "FILE", OPT_STR,
	  "run the commands in FILE ('-': stdin), one per line", 0, 0 },
	{ 'T', "table", "ID", OPT_INT,
	  "multicast routing table (default: the kernel's default table)",
	  0, 4294967295.0 },
	{ '4', "ipv4", NULL, OPT_FLAG, "IPv4 only (show, status, flush, "
	  "stop; hold's default)", 0, 0 },
	{ '6', "ipv6", NULL, OPT_FLAG, "IPv6 only; hold: the IPv6 table", 0, 0 },
	{ 'f', "foreground", NULL, OPT_FLAG,
	  "hold: stay in the foreground (for a service manager)", 0, 0 },
	{ O_NOHOLD, "no-hold", NULL, OPT_FLAG,
	  "never start the holder (routes forward once a process holds the "
	  "table)", 0, 0 },
	{ O_EXPIRE, "expire", "SECONDS", OPT_INT,
	  "holder: drop routes installed from (*,G) routes after SECONDS "
	  "idle (default 60, 0 never)", 0, 86400 },
	{ O_PIDFILE, "pid-file", "FILE", OPT_STR,
	  "the holder's pid file (default /run/mcbox/mroute*.pid)", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print one JSON object per line", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG,
	  "hold -f: log the routes installed from (*,G) routes", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG,
	  "no remarks (holder started, table held by ...)", 0, 0 },
	{ 0 }
};

static int mroute_main(int argc, char **argv);

const struct applet mroute_applet = {
	.name = "mroute",
	.section = 8,
	.summary = "add, show and hold static multicast routes",
	.operands = "COMMAND [ARG...]",
	.commands = MRC_COMMANDS,
	.min_args = 0,
	.max_args = -1,
	.opts = opts,
	/* CAP_NET_RAW: the MRT API lives on a raw IGMP/ICMPv6 socket;
	 * CAP_NET_ADMIN: changing a table one does not own (static routes,
	 * VIFs, MRT_TABLE). Raised only around those calls. */
	.privs = PRIV_NET_RAW | PRIV_NET_ADMIN,
	.main = mroute_main,
};

static int quiet;

static void on_note(const char *msg)
{
	if (!quiet)
		warnx("%s", msg);
}

/* results of a command (stop) */
static void on_say(const char *msg)
{
	puts(msg);
}

static void on_error(const char *msg)
{
	warnx("%s", msg);
}

int mroute_main(int argc, char **argv)
{
	const char *batch = NULL;
	struct optstate st;
	struct mrc_ctx x;
	struct mr_cmd cmd;
	uint32_t table = MR_TABLE_DEFAULT;
	int c, n, family = 0, rc, fin;
	char **ops;

	mrc_init(&x, table);
	opt_init(&st, &mroute_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'b': batch = st.arg; break;
		case 'T': table = st.num ? (uint32_t)st.num :
				  MR_TABLE_DEFAULT; break;
		case '4': family = AF_INET; break;
		case '6': family = AF_INET6; break;
		case 'f': x.foreground = 1; break;
		case O_NOHOLD: x.no_hold = 1; break;
		case O_PIDFILE: x.pidfile = st.arg; break;
		case O_EXPIRE: x.expire = st.num; break;
		case 'j': x.json = 1; break;
		case 'v': x.verbose = 1; break;
		case 'q': quiet = 1; break;
		}
	}
	if (c < 0) {
		opt_free(&st);
		return st.status;
	}
	n = opt_operands(&st, &ops);
	if (n < 0) {
		opt_free(&st);
		return st.status;
	}
	x.table = table;
	x.out = stdout;
	x.say = on_say;
	x.note = on_note;
	if (!batch && n == 0) {
		opt_free(&st);
		return opt_usage_error(&mroute_applet, "no command (%s)",
				       MRC_COMMANDS);
	}
	if (batch && n > 0) {
		opt_free(&st);
		return opt_usage_error(&mroute_applet, "-b takes no command");
	}
	if (batch) {
		FILE *f = strcmp(batch, "-") ? fopen(batch, "re") : stdin;

		if (!f) {
			warn("open %s", batch);
			opt_free(&st);
			return EXIT_FAILURE;
		}
		rc = mrc_batch(&x, f, strcmp(batch, "-") ? batch : "stdin",
			       family, on_error);
		if (f != stdin)
			fclose(f);
	} else if (mrc_parse(n, ops, family, &cmd) < 0) {
		rc = opt_usage_error(&mroute_applet, "%s", err_str());
		opt_free(&st);
		return rc;
	} else {
		if (cmd.op == MRC_HOLD && family)
			cmd.family = family;
		rc = mrc_exec(&x, &cmd);
		if (rc == EXIT_USAGE)
			rc = opt_usage_error(&mroute_applet, "%s", err_str());
		else if (rc)
			warnx("%s", err_str());
	}
	opt_free(&st);
	fin = mrc_finish(&x);
	if (fin) {
		warnx("%s", err_str());
		if (!rc)
			rc = fin;
	}
	priv_drop_all();
	return rc;
}
