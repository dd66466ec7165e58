/* test_opt.c - opt: number parsers, option loop, range errors, operands. */
#include <stdlib.h>

#include "base/err.h"
#include "base/opt.h"
#include "unit.h"

TEST(numbers)
{
	long long v;
	double d;

	CHECK_INT(parse_ll("255", 0, 255, &v), 0);
	CHECK_INT(v, 255);
	CHECK_INT(parse_ll("256", 0, 255, &v), -1);
	CHECK_INT(parse_ll("-1", 0, 255, &v), -1);
	CHECK_INT(parse_ll("1x", 0, 255, &v), -1);
	CHECK_INT(parse_ll("", 0, 255, &v), -1);
	CHECK_INT(parse_ll(" 1", 0, 255, &v), -1);
	CHECK_INT(parse_ll("99999999999999999999", 0, 255, &v), -1);
	CHECK_INT(parse_secs("0.25", 0, 10, &d), 0);
	CHECK(d == 0.25);
	CHECK_INT(parse_secs("nan", 0, 10, &d), -1);
	CHECK_INT(parse_secs("inf", 0, 1e9, &d), -1);
	CHECK_INT(parse_secs("0x10", 0, 100, &d), -1);
	CHECK_INT(parse_secs("11", 0, 10, &d), -1);
	CHECK_INT(parse_size("4G", 0, 1LL << 40, &v), 0);
	CHECK_INT(v, 4LL << 30);
	CHECK_INT(parse_size("64KiB", 0, 1LL << 40, &v), 0);
	CHECK_INT(v, 64 << 10);
	CHECK_INT(parse_size("1500", 0, 9000, &v), 0);
	CHECK_INT(v, 1500);
	CHECK_INT(parse_size("2T", 0, 1LL << 40, &v), -1);
	CHECK_INT(parse_size("1Q", 0, 100, &v), -1);
	CHECK_INT(parse_size("-1", -10, 100, &v), -1);
	CHECK_INT(parse_size("99999999999G", 0, 1LL << 62, &v), -1);
}

static const struct opt topts[] = {
	{ 't', "ttl", "TTL", OPT_INT, "ttl", 0, 255 },
	{ 'w', "wait", "SECONDS", OPT_SECS, "deadline", 0, 3600 },
	{ 'q', "quiet", NULL, OPT_FLAG, "quiet", 0, 0 },
	{ OPT_LONGONLY + 1, "loop", NULL, OPT_FLAG, "loop", 0, 0 },
	{ 'o', "output", "FILE", OPT_STR, "output", 0, 0 },
	{ 's', "name", "NAME", OPT_STR, "any string", 0, 0 },
	{ 0 }
};

static const struct applet tapp = {
	.name = "tapp", .section = 1, .summary = "test", .operands = "X...",
	.min_args = 1, .max_args = 2, .opts = topts,
};

TEST(loop)
{
	char *argv[] = { "tapp", "-t", "7", "A", "--loop", "-qw0.5", "B", NULL };
	struct optstate st;
	char **ops;
	int c, ttl = -1, q = 0, loop = 0;
	double w = -1;

	opt_init(&st, &tapp, 7, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 't': ttl = (int)st.num; break;
		case 'w': w = st.secs; break;
		case 'q': q = 1; break;
		case OPT_LONGONLY + 1: loop = 1; break;
		}
	}
	CHECK_INT(c, 0);
	CHECK_INT(ttl, 7);
	CHECK(w == 0.5);
	CHECK_INT(q + loop, 2);
	CHECK_INT(opt_operands(&st, &ops), 2);
	CHECK_STR(ops[0], "A");
	CHECK_STR(ops[1], "B");
	opt_free(&st);
}

TEST(errors)
{
	char *a1[] = { "tapp", "-t", "300", "X", NULL };
	char *a2[] = { "tapp", "--nope", NULL };
	char *a3[] = { "tapp", NULL };
	char *a4[] = { "tapp", "a", "b", "c", NULL };
	struct optstate st;
	char **ops;

	opt_init(&st, &tapp, 4, a1);
	CHECK_INT(opt_next(&st), -1);
	CHECK_INT(st.status, EXIT_USAGE);
	opt_free(&st);
	opt_init(&st, &tapp, 2, a2);
	CHECK_INT(opt_next(&st), -1);
	CHECK_INT(st.status, EXIT_USAGE);
	opt_free(&st);
	opt_init(&st, &tapp, 1, a3);
	CHECK_INT(opt_next(&st), 0);
	CHECK_INT(opt_operands(&st, &ops), -1);
	CHECK_INT(st.status, EXIT_USAGE);
	opt_free(&st);
	opt_init(&st, &tapp, 4, a4);
	CHECK_INT(opt_next(&st), 0);
	CHECK_INT(opt_operands(&st, &ops), -1);
	opt_free(&st);
}

/* A FILE named by the empty string is a usage error, in every applet;
 * other strings may be empty. */
TEST(empty_file_name)
{
	char *a1[] = { "tapp", "-o", "", "X", NULL };
	char *a2[] = { "tapp", "-s", "", "-o", "f", "X", NULL };
	struct optstate st;

	opt_init(&st, &tapp, 4, a1);
	CHECK_INT(opt_next(&st), -1);
	CHECK_INT(st.status, EXIT_USAGE);
	opt_free(&st);
	opt_init(&st, &tapp, 6, a2);
	CHECK_INT(opt_next(&st), 's');
	CHECK_STR(st.arg, "");
	CHECK_INT(opt_next(&st), 'o');
	CHECK_INT(opt_next(&st), 0);
	opt_free(&st);
}

int main(void)
{
	/* the error paths print usage to stderr: keep the log readable */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	RUN(numbers);
	RUN(loop);
	RUN(errors);
	RUN(empty_file_name);
	return unit_done();
}
