/* cmd.h - the commands of mroute(8) (add, del, show, status, join, leave,
 * flush, stop, hold) over mroute/kernel.h and mroute/hold.h, shared by the
 * command line and batch files. */
#ifndef MCBOX_MROUTE_CMD_H
#define MCBOX_MROUTE_CMD_H

#include <stdio.h>

#include "mroute/ctx.h"
#include "mroute/grammar.h"

/* Runs one command: 0, or the exit status (1 runtime, 2 bad operand)
 * with err_str() set. */
int mrc_exec(struct mrc_ctx *x, const struct mr_cmd *c);
/* Runs the commands of f, one per line ('#' comments; lines read whole by
 * mroute/batch.h); errors name "name:line". Returns the worst exit
 * status. */
int mrc_batch(struct mrc_ctx *x, FILE *f, const char *name, int family_opt,
	      void (*error)(const char *msg));
/* After the commands: makes sure static routes will forward (starts the
 * holder or names the table's owner, unless --no-hold), closes sockets.
 * Returns 0 or 1. */
int mrc_finish(struct mrc_ctx *x);


#endif
