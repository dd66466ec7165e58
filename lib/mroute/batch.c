/* batch.c - mroute -b's line reader: one command a line, read whole. */
#include "mroute/batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

void mrb_init(struct mrb_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
}

void mrb_free(struct mrb_reader *r)
{
	free(r->line);
	r->line = NULL;
	r->cap = 0;
}

/* Splits r->line in place; -1 when it has more than MRB_MAXWORDS. */
static int split(struct mrb_reader *r)
{
	char *p = r->line;

	r->argc = 0;
	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		if (r->argc == MRB_MAXWORDS) {
			err_set("more than %d words", MRB_MAXWORDS);
			return -1;
		}
		r->argv[r->argc++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = 0;
	}
	r->argv[r->argc] = NULL;
	return 0;
}

int mrb_next(struct mrb_reader *r)
{
	ssize_t n;

	for (;;) {
		errno = 0;
		n = getline(&r->line, &r->cap, r->f);
		if (n < 0)
			return ferror(r->f) ? -2 : 0;
		r->lineno++;
		/* the line is judged whole: a tail past the limit never runs
		 * as a command of its own */
		if (n > 0 && r->line[n - 1] == '\n')
			r->line[--n] = 0;
		if (n > 0 && r->line[n - 1] == '\r')
			r->line[--n] = 0;
		if (n > MRB_MAXLINE) {
			err_set("line longer than %d bytes", MRB_MAXLINE);
			return -1;
		}
		if (memchr(r->line, 0, (size_t)n)) {
			err_set("NUL byte in the line");
			return -1;
		}
		r->line[strcspn(r->line, "#")] = 0;
		if (split(r) < 0)
			return -1;
		if (r->argc)
			return 1;
	}
}
