/* batch.h - the line reader of mroute -b: whole lines (getline), '#'
 * comments, words split on blanks; an over-long line, a NUL byte or too
 * many words is refused with its line number and the lines after it keep
 * theirs. No kernel, no printing: mrc_batch() runs what it yields. */
#ifndef MCBOX_MROUTE_BATCH_H
#define MCBOX_MROUTE_BATCH_H

#include <stdio.h>

#define MRB_MAXLINE	4095	/* bytes in a line, newline not counted */
#define MRB_MAXWORDS	64	/* words in a command */

struct mrb_reader {
	FILE *f;
	char *line;
	size_t cap;
	int lineno;			/* of the line last returned */
	int argc;
	char *argv[MRB_MAXWORDS + 1];	/* into line; argv[argc] = NULL */
};

void mrb_init(struct mrb_reader *r, FILE *f);
/* The next command: 1 with r->argc words in r->argv (line r->lineno),
 * blank and comment-only lines skipped; 0 at the end of the file; -1 when
 * line r->lineno is refused (err_str() says why; the caller reports it and
 * may read on); -2 on a read error (errno set). */
int mrb_next(struct mrb_reader *r);
void mrb_free(struct mrb_reader *r);

#endif
