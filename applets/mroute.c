/* mroute.c - add, show and hold static multicast routes.
 * Not implemented yet: the applet is registered so that --help, the man
 * page and the completions exist; running it says so and exits 1. */
#include "err.h"
#include "opt.h"
#include "priv.h"

static const struct opt opts[] = {
	{ 0 }
};

static int mroute_main(int argc, char **argv);

const struct applet mroute_applet = {
	.name = "mroute",
	.section = 8,
	.summary = "add, show and hold static multicast routes",
	.operands = "COMMAND [ARG...]",
	.min_args = 1,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NET_ADMIN,
	.main = mroute_main,
};

static int mroute_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c;

	opt_init(&st, &mroute_applet, argc, argv);
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
