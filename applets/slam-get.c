/* slam-get.c - receive a file pushed by a SLAM server.
 * Not implemented yet: the applet is registered so that --help, the man
 * page and the completions exist; running it says so and exits 1. */
#include "err.h"
#include "opt.h"
#include "priv.h"

static const struct opt opts[] = {
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
	.privs = PRIV_NONE,
	.main = slam_get_main,
};

static int slam_get_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c;

	opt_init(&st, &slam_get_applet, argc, argv);
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
