/* opt.h - the applet spec: one option table feeds getopt_long, --help,
 * the man page SYNOPSIS/OPTIONS and the shell completions
 * (docs/ARCHITECTURE.md §2). */
#ifndef MCBOX_BASE_OPT_H
#define MCBOX_BASE_OPT_H

#include <stdio.h>

#include "base/num.h"

/* What an option's argument is; decides parsing and range checks. */
enum opt_kind {
	OPT_FLAG = 0,	/* no argument */
	OPT_STR,	/* any string, left to the applet (st->arg) */
	OPT_INT,	/* integer in [min, max] (st->num) */
	OPT_SECS,	/* seconds, fractions allowed, in [min, max] (st->secs) */
	OPT_SIZE,	/* bytes with optional k/M/G/T suffix (1024-based), in [min, max] (st->num) */
};

/* Long-only options use a key >= OPT_LONGONLY. */
#define OPT_LONGONLY 256

struct opt {
	int key;		/* short letter, or OPT_LONGONLY + n */
	const char *name;	/* long name (every option has one) */
	const char *arg;	/* argument name in help; NULL for flags.
				 * Completion keys on it: IFACE, FILE, DIR, USER */
	enum opt_kind kind;
	const char *help;	/* one line, lower case, no final period */
	double min, max;	/* range for OPT_INT/OPT_SECS/OPT_SIZE */
};

/* Capabilities an applet may keep (see priv.h). */
struct applet {
	const char *name;	/* command name, e.g. "tftm-get" */
	int section;		/* man section: 1 or 8 */
	const char *summary;	/* one line for --help, --list -v and .Nd */
	const char *operands;	/* synopsis of operands, e.g. "GROUP[:PORT]..." */
	const char *commands;	/* NULL, or the words the first operand takes,
				 * space-separated (completions offer them) */
	int min_args, max_args;	/* operand count; max -1 = unlimited */
	const struct opt *opts;	/* terminated by { 0 } */
	unsigned privs;		/* PRIV_* from priv.h: kept permitted, not effective */
	int (*main)(int argc, char **argv);
};

/* Parser state; an applet loops:
 *	while ((c = opt_next(&st)) > 0) switch (c) { ... }
 *	if (c < 0) return st.status;
 * opt_next() handles -h/--help and --version itself (status 0), and prints
 * a usage error for anything bad (status 2). */
struct optstate {
	const struct applet *app;
	int argc;
	char **argv;
	const char *arg;	/* argument of the current option */
	long long num;		/* OPT_INT, OPT_SIZE */
	double secs;		/* OPT_SECS */
	int status;		/* exit status when opt_next() returned < 0 */
	int optind;		/* first operand after the loop */
	/* private */
	void *priv;
};

int opt_init(struct optstate *st, const struct applet *app, int argc,
	     char **argv);
int opt_next(struct optstate *st);
/* Checks the operand count against the spec; returns the count and sets
 * *ops, or -1 after printing a usage error (st->status = 2). */
int opt_operands(struct optstate *st, char ***ops);
void opt_free(struct optstate *st);

/* Prints "APPLET: <message>" and the usage line to stderr; returns 2.
 * For bad operands found by the applet after parsing. */
int opt_usage_error(const struct applet *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void opt_print_usage(const struct applet *app, FILE *f);
void opt_print_help(const struct applet *app, FILE *f);
/* Machine-readable spec for man/gen.sh and completions/gen.sh. */
void opt_print_spec(const struct applet *app, FILE *f);


#endif
