/* unit.h - a tiny TAP unit-test harness for the codec tests in tests/unit.
 * Each test_*.c defines tests with TEST(name) and a main() that calls
 * RUN(name) for each and returns unit_done(). Output is TAP, counted by
 * tests/summary into make check's closing line. */
#ifndef MCBOX_UNIT_H
#define MCBOX_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed, unit_cur_failed;

#define TEST(name) static void name(void)

#define RUN(name)                                                          \
	do {                                                               \
		unit_cur_failed = 0;                                       \
		name();                                                    \
		unit_n++;                                                  \
		if (unit_cur_failed)                                       \
			unit_failed++;                                     \
		printf("%s %d %s: %s\n", unit_cur_failed ? "not ok" : "ok", \
		       unit_n, __FILE__, #name);                           \
		fflush(stdout);                                            \
	} while (0)

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__,    \
			       __LINE__, #cond);                           \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#define CHECK_INT(a, b)                                                    \
	do {                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);        \
		if (a_ != b_) {                                            \
			printf("# %s:%d: %s == %lld, expected %lld\n",     \
			       __FILE__, __LINE__, #a, a_, b_);            \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (!a_ || !b_ || strcmp(a_, b_)) {                        \
			printf("# %s:%d: %s == \"%s\", expected \"%s\"\n", \
			       __FILE__, __LINE__, #a, a_ ? a_ : "(null)", \
			       b_ ? b_ : "(null)");                        \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#define CHECK_MEM(a, b, n)                                                 \
	do {                                                               \
		if (memcmp((a), (b), (n))) {                               \
			printf("# %s:%d: %s differs from %s\n", __FILE__,  \
			       __LINE__, #a, #b);                          \
			unit_cur_failed = 1;                               \
		}                                                          \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
