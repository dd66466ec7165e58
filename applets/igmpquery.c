/* igmpquery.c - send IGMP/MLD queries and list the group members on a link.
 * Not implemented yet: the applet is registered so that --help, the man
 * page and the completions exist; running it says so and exits 1. */
#include "err.h"
#include "opt.h"
#include "priv.h"

static const struct opt opts[] = {
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
	.privs = PRIV_NET_RAW,
	.main = igmpquery_main,
};

static int igmpquery_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c;

	opt_init(&st, &igmpquery_applet, argc, argv);
	while ((c = opt_next(&st)) > 0)
		;
	if (c < 0 || opt_operands(&st, &ops) < 0) {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);
	warnx("not implemented yet");
	return EXIT_FAILURE;
}
