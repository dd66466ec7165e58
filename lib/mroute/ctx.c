/* ctx.c - the state mroute's commands share: the kernel's offer, probed
 * once per family, and the caller's channels for remarks and results. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "mroute/ctx.h"

void mrc_init(struct mrc_ctx *x, uint32_t table)
{
	memset(x, 0, sizeof(*x));
	x->table = table;
	x->m[0].fd = x->m[1].fd = -1;
	x->held[0] = x->held[1] = -1;
	x->expire = 60;		/* smcrouted's default flush interval too */
}

enum mr_support mrc_support(struct mrc_ctx *x, int family)
{
	int *s = &x->support[family == AF_INET6];

	if (!*s)
		*s = mr_support(family, x->table) + 1;
	return *s - 1;
}

void mrc_tell(void (*fn)(const char *msg), const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fn(buf);
}
