/* ctx.h - what mroute's commands (mroute/cmd.h) and its show and status
 * (mroute/show.h) share: the table and options, the caller's output, the
 * table sockets, and what the kernel offers (probed once). */
#ifndef MCBOX_MROUTE_CTX_H
#define MCBOX_MROUTE_CTX_H

#include <stdio.h>

#include "mroute/kernel.h"

struct mrc_ctx {
	uint32_t table;
	int no_hold;			/* --no-hold */
	int json;
	int foreground;			/* hold -f */
	int verbose;
	int expire;			/* holder: see mrh_opts.expire */
	const char *pidfile;
	FILE *out;			/* show and status write here */
	void (*say)(const char *msg);	/* results for stdout (stop) */
	void (*note)(const char *msg);	/* remarks for stderr */
	/* private */
	struct mr m[2];			/* [0] IPv4, [1] IPv6; fd -1: closed */
	int added[2];			/* static routes added: see the holder */
	int held[2];			/* -1 unknown, 0/1 */
	char err_usage;			/* last failure was a bad operand */
	char no_kernel;			/* last failure: the kernel lacks it */
	int support[2];			/* enum mr_support + 1; 0 unprobed */
};

void mrc_init(struct mrc_ctx *x, uint32_t table);
/* What the kernel offers family for x->table (probed once). */
enum mr_support mrc_support(struct mrc_ctx *x, int family);

/* Formats a line printf-style and hands it to fn (nothing when fn is
 * NULL): remarks go to x->note (stderr), results to x->say (stdout). */
void mrc_tell(void (*fn)(const char *msg), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define mrc_note(x, ...)	mrc_tell((x)->note, __VA_ARGS__)
#define mrc_say(x, ...)		mrc_tell((x)->say, __VA_ARGS__)

#endif
