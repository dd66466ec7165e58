/* mcsend.c - send UDP datagrams to multicast groups.
 * Not implemented yet: the applet is registered so that --help, the man
 * page and the completions exist; running it says so and exits 1. */
#include "err.h"
#include "opt.h"
#include "priv.h"

static const struct opt opts[] = {
	{ 0 }
};

static int mcsend_main(int argc, char **argv);

const struct applet mcsend_applet = {
	.name = "mcsend",
	.section = 1,
	.summary = "send UDP datagrams to multicast groups",
	.operands = "GROUP[:PORT]...",
	.min_args = 1,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NONE,
	.main = mcsend_main,
};

static int mcsend_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c;

	opt_init(&st, &mcsend_applet, argc, argv);
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
