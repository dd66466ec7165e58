/* fmath.h - the five libm functions mcbox uses (sqrt, floor, ceil, fmax,
 * fmin), written here so that the binary links libc alone: libm is one
 * more shared library for ld.so to find, map and relocate at every start,
 * for a dozen instructions (docs/ARCHITECTURE.md §7). Each returns what the
 * C library's would for every finite, infinite and quiet NaN argument
 * (tests/unit/test_fmath.c), except that floor and ceil may return +0
 * where libm returns -0. */
#ifndef MCBOX_BASE_FMATH_H
#define MCBOX_BASE_FMATH_H

/* correctly rounded, as IEEE 754 requires of sqrt: one instruction */
static inline double fm_sqrt(double v)
{
#if defined(__x86_64__)
	__asm__("sqrtsd %1, %0" : "=x"(v) : "x"(v));
	return v;
#elif defined(__aarch64__)
	__asm__("fsqrt %d0, %d1" : "=w"(v) : "w"(v));
	return v;
#else
	return __builtin_sqrt(v);	/* the Makefile adds -lm here */
#endif
}

/* |x| >= 2^52 is integral already (and NaN and the infinities pass) */
static inline double fm_floor(double x)
{
	double t;

	if (!(x > -0x1p52 && x < 0x1p52))
		return x;
	t = (double)(long long)x;	/* toward zero */
	return t > x ? t - 1 : t;
}

static inline double fm_ceil(double x)
{
	double t;

	if (!(x > -0x1p52 && x < 0x1p52))
		return x;
	t = (double)(long long)x;
	return t < x ? t + 1 : t;
}

/* a NaN argument loses to a number, as with fmax and fmin */
static inline double fm_max(double a, double b)
{
	return a != a ? b : b != b ? a : a > b ? a : b;
}

static inline double fm_min(double a, double b)
{
	return a != a ? b : b != b ? a : a < b ? a : b;
}

#endif
