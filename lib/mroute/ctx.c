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

static void vsay(void (*fn)(const char *msg), const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fn(buf);
}

void mrc_note(struct mrc_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->note)
		return;
	va_start(ap, fmt);
	vsay(x->note, fmt, ap);
	va_end(ap);
}

void mrc_say(struct mrc_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->say)
		return;
	va_start(ap, fmt);
	vsay(x->say, fmt, ap);
	va_end(ap);
}
