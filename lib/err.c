/* err.c - the lib error string: a reason errno cannot carry. */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

static __thread char errbuf[512];

void err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
}

const char *err_str(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}
