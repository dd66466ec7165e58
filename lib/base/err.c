/* err.c - the lib error string: a reason errno cannot carry. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

static __thread char errbuf[512];

void err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
}

int err_errno(const char *fmt, ...)
{
	int e = errno, n;
	va_list ap;

	va_start(ap, fmt);
	n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(errbuf))
		snprintf(errbuf + n, sizeof(errbuf) - (size_t)n, ": %s",
			 strerror(e));
	errno = e;
	return -1;
}

const char *err_str(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}
