/* num.c - the number grammar of options and operands: decimal integers,
 * seconds with fractions, and sizes with k/M/G/T suffixes (1024-based),
 * each range-checked. No I/O. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "base/num.h"

int parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!s || !*s || *s == ' ') {
		errno = EINVAL;
		return -1;
	}
	v = strtoll(s, &end, 10);
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_secs(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	if (!s || !*s || *s == ' ') {
		errno = EINVAL;
		return -1;
	}
	v = strtod(s, &end);
	if (*end || !isfinite(v) || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, long long min, long long max, long long *out)
{
	char *end;
	unsigned long long v, mult = 1;

	errno = 0;
	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	}
	if (mult > 1 && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (v > (unsigned long long)LLONG_MAX / mult ||
	    (long long)(v * mult) < min || (long long)(v * mult) > max) {
		errno = ERANGE;
		return -1;
	}
	*out = (long long)(v * mult);
	return 0;
}
