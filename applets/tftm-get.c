/* tftm-get.c - fetch a file by TFTP with RFC 2090 multicast.
 * Not implemented yet: the applet is registered so that --help, the man
 * page and the completions exist; running it says so and exits 1. */
#include "err.h"
#include "opt.h"
#include "priv.h"

static const struct opt opts[] = {
	{ 0 }
};

static int tftm_get_main(int argc, char **argv);

const struct applet tftm_get_applet = {
	.name = "tftm-get",
	.section = 1,
	.summary = "fetch a file by TFTP with RFC 2090 multicast",
	.operands = "SERVER[:PORT] FILE | URL",
	.min_args = 1,
	.max_args = 2,
	.opts = opts,
	.privs = PRIV_NONE,
	.main = tftm_get_main,
};

static int tftm_get_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c;

	opt_init(&st, &tftm_get_applet, argc, argv);
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
