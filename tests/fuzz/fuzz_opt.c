/* fuzz_opt.c - libFuzzer harness for the option parser every applet runs
 * (lib/base/opt.c over getopt_long): argv is the input split at NUL bytes,
 * against a spec with every kind of option, long-only ones and long names
 * that share prefixes. A number it hands back is always in its range; help,
 * usage and the spec dump never crash; nothing leaks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/opt.h"
#include "fuzz.h"

#define O_MAX (OPT_LONGONLY + 1)
#define O_MAXSIZE (OPT_LONGONLY + 2)
#define O_MAXCL (OPT_LONGONLY + 3)

static const struct opt opts[] = {
	{ 'i', "interface", "IFACE", OPT_STR, "an interface", 0, 0 },
	{ 't', "ttl", "TTL", OPT_INT, "a TTL", 0, 255 },
	{ 'w', "deadline", "SECONDS", OPT_SECS, "a deadline", 0, 86400 },
	{ 'n', "limit", "N", OPT_INT, "a signed range", -5, 4294967295.0 },
	{ 'b', "block-size", "BYTES", OPT_SIZE, "a size", 512, 65464 },
	{ 'q', "quiet", NULL, OPT_FLAG, "a flag", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG, "another", 0, 0 },
	{ O_MAX, "max", "N", OPT_INT, "a long-only prefix", 1, 10 },
	{ O_MAXSIZE, "max-size", "BYTES", OPT_SIZE, "a long one",
	  0, 4398046511104.0 },
	{ O_MAXCL, "max-clients", "N", OPT_INT, "and another", 1, 1000000 },
	{ 0 }
};

static int fz_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static const struct applet app = {
	.name = "fz",
	.section = 1,
	.summary = "a spec for the fuzzer",
	.operands = "X [Y]",
	.commands = "one two",
	.min_args = 0,
	.max_args = 2,
	.opts = opts,
	.main = fz_main,
};

static const struct opt *find(int key)
{
	for (const struct opt *o = opts; o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[66], **ops;
	struct optstate st;
	const struct opt *o;
	int argc = 1, c;
	FILE *f;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = "fz";
	for (size_t i = 0; i < size && argc < 65; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	if (opt_init(&st, &app, argc, argv) < 0) {
		free(buf);
		return 0;
	}
	while ((c = opt_next(&st)) > 0) {
		o = find(c);
		if (!o)
			__builtin_trap();
		if (o->arg && !st.arg)
			__builtin_trap();
		if ((o->kind == OPT_INT || o->kind == OPT_SIZE) &&
		    ((double)st.num < o->min || (double)st.num > o->max))
			__builtin_trap();
		if (o->kind == OPT_SECS &&
		    (!isfinite(st.secs) || st.secs < o->min || st.secs > o->max))
			__builtin_trap();
	}
	if (c == 0 && opt_operands(&st, &ops) >= 0) {
		int n = st.argc - st.optind;

		if (n < app.min_args || n > app.max_args)
			__builtin_trap();
	}
	opt_free(&st);
	f = fopen("/dev/null", "w");
	if (f) {
		opt_print_usage(&app, f);
		opt_print_help(&app, f);
		opt_print_spec(&app, f);
		fclose(f);
	}
	free(buf);
	return 0;
}
