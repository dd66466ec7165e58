/* err.c - the lib error string: a reason errno cannot carry. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

static __thread char errbuf[512];

/* Both format into a copy first: a caller may pass err_str() itself as
 * an argument ("bad URL '%s': %s", url, err_str()), and formatting a
 * string into itself garbles it. */
void err_set(const char *fmt, ...)
{
	char tmp[sizeof(errbuf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(errbuf, tmp, sizeof(errbuf));
}

int err_errno(const char *fmt, ...)
{
	char tmp[sizeof(errbuf)];
	int e = errno, n;
	va_list ap;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(tmp))
		snprintf(tmp + n, sizeof(tmp) - (size_t)n, ": %s",
			 strerror(e));
	memcpy(errbuf, tmp, sizeof(errbuf));
	errno = e;
	return -1;
}

const char *err_str(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}
