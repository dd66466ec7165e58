/* test_fmath.c - base/fmath.h against the C library's libm: the same
 * values for every edge case and a few hundred thousand others. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/fmath.h"
#include "unit.h"

static const double edge[] = {
	0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5,
	0.49999999999999994, -0.49999999999999994, 4503599627370495.5,
	-4503599627370495.5, 0x1p52, -0x1p52, 0x1p52 + 1, 0x1p53, 1e300,
	-1e300, 4.9e-324, -4.9e-324, 2.2250738585072014e-308, 1e-9,
	123456789.987, -123456789.987, 9.2233720368547758e18, 1e19,
	INFINITY, -INFINITY, NAN,
};

/* equal as values (NaN equals NaN; floor and ceil may give +0 for -0) */
static int same(double a, double b)
{
	return (a != a && b != b) || a == b;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

/* doubles over the whole range: random bits, NaNs included, made quiet
 * (libm's fmax answers a signalling NaN with NaN; no input of mcbox's
 * can be one: they come from strtod and arithmetic) */
static double rnd_double(void)
{
	uint64_t b;
	double d;

	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	b = rnd_state;
	if ((b >> 52 & 0x7ff) == 0x7ff && (b & 0xfffffffffffffu))
		b |= UINT64_C(1) << 51;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static void check(double x, double y)
{
	double s = fm_sqrt(fabs(x)), r = sqrt(fabs(x));

	if (memcmp(&s, &r, sizeof(s)) && !(s != s && r != r)) {
		CHECK(!"sqrt");
		printf("# sqrt(%a) = %a, libm %a\n", fabs(x), s, r);
	}
	if (!same(fm_floor(x), floor(x)) || !same(fm_ceil(x), ceil(x))) {
		CHECK(!"floor/ceil");
		printf("# floor/ceil(%a) = %a %a, libm %a %a\n", x,
		       fm_floor(x), fm_ceil(x), floor(x), ceil(x));
	}
	if (!same(fm_max(x, y), fmax(x, y)) ||
	    !same(fm_min(x, y), fmin(x, y))) {
		CHECK(!"fmax/fmin");
		printf("# fmax/fmin(%a, %a) = %a %a, libm %a %a\n", x, y,
		       fm_max(x, y), fm_min(x, y), fmax(x, y), fmin(x, y));
	}
}

TEST(edges)
{
	size_t n = sizeof(edge) / sizeof(edge[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			check(edge[i], edge[j]);
}

TEST(random_bits)
{
	for (int i = 0; i < 200000; i++)
		check(rnd_double(), rnd_double());
}

/* the values mcbox passes: rates, times, burst counts */
TEST(moderate)
{
	for (int i = 0; i < 200000; i++) {
		double x = (double)(int64_t)(rnd_state % 2000000001) / 1000.0 -
			   1000000.0;

		rnd_double();
		check(x, x / 3);
		check(x * 1e-6, -x);
	}
}

int main(void)
{
	RUN(edges);
	RUN(random_bits);
	RUN(moderate);
	return unit_done();
}
