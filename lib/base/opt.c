/* opt.c - the applet spec at work: getopt_long tables built from the option
 * table, --help, usage errors, and the spec dump that man/gen.sh and
 * completions/gen.sh turn into docs (docs/ARCHITECTURE.md §2). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/opt.h"
#include "base/priv.h"

#define KEY_HELP	'h'
#define KEY_VERSION	(OPT_LONGONLY + 255)

static const struct opt builtin_opts[] = {
	{ KEY_HELP, "help", NULL, OPT_FLAG, "print this help and exit", 0, 0 },
	{ KEY_VERSION, "version", NULL, OPT_FLAG,
	  "print the version and exit", 0, 0 },
};

struct optpriv {
	struct option *longopts;
	char *shortopts;
};

/* The tables for one parser of up to OPT_STATIC options, the common case,
 * in static storage: an applet that allocates nothing else then starts
 * without setting up the heap at all (docs/ARCHITECTURE.md §7). */
enum { OPT_STATIC = 64 };
static struct {
	struct optpriv p;
	struct option longopts[OPT_STATIC + 1];
	char shortopts[3 * OPT_STATIC + 3];
	int busy;
} one;

static int nopts(const struct applet *app)
{
	int n = 0;

	while (app->opts && app->opts[n].name)
		n++;
	return n;
}

/* The i-th option, application options first, then the built-in ones. */
static const struct opt *opt_at(const struct applet *app, int i)
{
	int n = nopts(app);

	if (i < n)
		return &app->opts[i];
	if (i - n < (int)(sizeof(builtin_opts) / sizeof(builtin_opts[0])))
		return &builtin_opts[i - n];
	return NULL;
}

static const struct opt *find_key(const struct applet *app, int key)
{
	const struct opt *o;

	for (int i = 0; (o = opt_at(app, i)); i++)
		if (o->key == key)
			return o;
	return NULL;
}


int opt_init(struct optstate *st, const struct applet *app, int argc,
	     char **argv)
{
	struct optpriv *p;
	const struct opt *o;
	int n = 0, si = 0;

	memset(st, 0, sizeof(*st));
	st->app = app;
	st->argc = argc;
	st->argv = argv;
	while (opt_at(app, n))
		n++;
	if (!one.busy && n <= OPT_STATIC) {
		one.busy = 1;
		p = &one.p;
		p->longopts = memset(one.longopts, 0,
				     (n + 1) * sizeof(struct option));
		p->shortopts = memset(one.shortopts, 0, 3 * n + 3);
	} else if (!(p = calloc(1, sizeof(*p)))) {
		return -1;
	} else {
		p->longopts = calloc(n + 1, sizeof(struct option));
		p->shortopts = calloc(3 * n + 3, 1);
	}
	if (!p->longopts || !p->shortopts) {
		free(p->longopts);
		free(p->shortopts);
		free(p);
		return -1;
	}
	p->shortopts[si++] = ':';	/* we report missing arguments */
	for (int i = 0; (o = opt_at(app, i)); i++) {
		p->longopts[i].name = o->name;
		p->longopts[i].has_arg = o->arg ? required_argument
						: no_argument;
		p->longopts[i].val = o->key;
		if (o->key > 0 && o->key < OPT_LONGONLY) {
			p->shortopts[si++] = (char)o->key;
			if (o->arg)
				p->shortopts[si++] = ':';
		}
	}
	st->priv = p;
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	return 0;
}

void opt_free(struct optstate *st)
{
	struct optpriv *p = st->priv;

	if (p == &one.p) {
		one.busy = 0;
	} else if (p) {
		free(p->longopts);
		free(p->shortopts);
		free(p);
	}
	st->priv = NULL;
}

/* "-t" or "--tos": how the user would name the option. */
static void optname(const struct opt *o, char *buf, size_t len)
{
	if (o->key > 0 && o->key < OPT_LONGONLY)
		snprintf(buf, len, "-%c", o->key);
	else
		snprintf(buf, len, "--%s", o->name);
}

static void range_str(const struct opt *o, char *buf, size_t len)
{
	if (o->kind == OPT_SIZE || o->kind == OPT_INT)
		snprintf(buf, len, "%.0f-%.0f", o->min, o->max);
	else
		snprintf(buf, len, "%g-%g", o->min, o->max);
}

static int usage_fail(struct optstate *st)
{
	opt_print_usage(st->app, stderr);
	st->status = EXIT_USAGE;
	return -1;
}

static int check_arg(struct optstate *st, const struct opt *o)
{
	char name[64], range[64];
	int r = 0;

	switch (o->kind) {
	case OPT_FLAG:
		return 0;
	case OPT_STR:
		/* an empty name is no file (nor "a directory", the cwd) */
		if (*optarg || (strcmp(o->arg, "FILE") && strcmp(o->arg, "DIR")))
			return 0;
		optname(o, name, sizeof(name));
		fprintf(stderr, "%s: bad %s '': an empty file name\n",
			st->app->name, name);
		return usage_fail(st);
	case OPT_INT:
		r = parse_ll(optarg, (long long)o->min, (long long)o->max,
			     &st->num);
		break;
	case OPT_SECS:
		r = parse_secs(optarg, o->min, o->max, &st->secs);
		break;
	case OPT_SIZE:
		r = parse_size(optarg, (long long)o->min, (long long)o->max,
			       &st->num);
		break;
	}
	if (!r)
		return 0;
	optname(o, name, sizeof(name));
	range_str(o, range, sizeof(range));
	fprintf(stderr, "%s: bad %s '%s' (%s)\n", st->app->name, name, optarg,
		range);
	return usage_fail(st);
}

int opt_next(struct optstate *st)
{
	struct optpriv *p = st->priv;
	const struct opt *o;
	int c;

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", st->app->name);
		st->status = EXIT_FAILURE;
		return -1;
	}
	c = getopt_long(st->argc, st->argv, p->shortopts, p->longopts, NULL);
	st->optind = optind;
	st->arg = optarg;
	if (c == -1)
		return 0;
	if (c == '?') {
		if (optopt > 0 && optopt < OPT_LONGONLY)
			fprintf(stderr, "%s: unknown option '-%c'\n",
				st->app->name, optopt);
		else
			fprintf(stderr, "%s: unknown option '%s'\n",
				st->app->name, st->argv[optind - 1]);
		return usage_fail(st);
	}
	if (c == ':') {
		o = find_key(st->app, optopt);
		if (o && o->key < OPT_LONGONLY)
			fprintf(stderr, "%s: option '-%c' needs %s\n",
				st->app->name, optopt, o->arg);
		else
			fprintf(stderr, "%s: option '%s' needs an argument\n",
				st->app->name, st->argv[optind - 1]);
		return usage_fail(st);
	}
	if (c == KEY_HELP) {
		opt_print_help(st->app, stdout);
		st->status = EXIT_SUCCESS;
		return -1;
	}
	if (c == KEY_VERSION) {
		printf("%s (mcbox) %s\n", st->app->name, MCBOX_VERSION);
		st->status = EXIT_SUCCESS;
		return -1;
	}
	o = find_key(st->app, c);
	if (o && o->arg && check_arg(st, o) < 0)
		return -1;
	return c;
}

int opt_operands(struct optstate *st, char ***ops)
{
	int n = st->argc - st->optind;
	const struct applet *app = st->app;

	*ops = st->argv + st->optind;
	if (n < app->min_args) {
		fprintf(stderr, "%s: missing operand\n", app->name);
		return usage_fail(st);
	}
	if (app->max_args >= 0 && n > app->max_args) {
		fprintf(stderr, "%s: extra operand '%s'\n", app->name,
			st->argv[st->optind + app->max_args]);
		return usage_fail(st);
	}
	return n;
}

int opt_usage_error(const struct applet *app, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", app->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	opt_print_usage(app, stderr);
	return EXIT_USAGE;
}

/* Appends a synopsis word, wrapping at 80 columns under the applet name. */
static void word(FILE *f, int *col, int indent, const char *w)
{
	int len = (int)strlen(w);

	if (*col + 1 + len > 79) {
		fprintf(f, "\n%*s", indent, "");
		*col = indent;
	} else {
		fputc(' ', f);
		(*col)++;
	}
	fputs(w, f);
	*col += len;
}

void opt_print_usage(const struct applet *app, FILE *f)
{
	char buf[128], flags[64];
	const struct opt *o;
	int col, indent, nf = 0;

	col = fprintf(f, "usage: %s", app->name);
	indent = col + 1;
	/* style(9): flags without arguments first, in one bracket */
	for (int i = 0; (o = opt_at(app, i)); i++)
		if (!o->arg && o->key > 0 && o->key < OPT_LONGONLY &&
		    nf < (int)sizeof(flags) - 1)
			flags[nf++] = (char)o->key;
	flags[nf] = 0;
	/* sort the letters: the table is sorted by meaning, not letter */
	for (int i = 1; i < nf; i++)
		for (int j = i; j > 0 && flags[j - 1] > flags[j]; j--) {
			char t = flags[j];

			flags[j] = flags[j - 1];
			flags[j - 1] = t;
		}
	if (nf) {
		snprintf(buf, sizeof(buf), "[-%s]", flags);
		word(f, &col, indent, buf);
	}
	for (int i = 0; (o = opt_at(app, i)); i++) {
		if (o->key == KEY_VERSION)
			continue;
		if (o->arg && o->key < OPT_LONGONLY)
			snprintf(buf, sizeof(buf), "[-%c %s]", o->key, o->arg);
		else if (o->key >= OPT_LONGONLY && o->arg)
			snprintf(buf, sizeof(buf), "[--%s %s]", o->name, o->arg);
		else if (o->key >= OPT_LONGONLY)
			snprintf(buf, sizeof(buf), "[--%s]", o->name);
		else
			continue;
		word(f, &col, indent, buf);
	}
	if (app->operands && *app->operands)
		word(f, &col, indent, app->operands);
	fputc('\n', f);
}

void opt_print_help(const struct applet *app, FILE *f)
{
	const struct opt *o;
	char left[96];

	opt_print_usage(app, f);
	fprintf(f, "\n%c%s.\n\nOptions:\n", toupper((unsigned char)app->summary[0]),
		app->summary + 1);
	for (int i = 0; (o = opt_at(app, i)); i++) {
		if (o->key > 0 && o->key < OPT_LONGONLY)
			snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->key,
				 o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "      --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		if (strlen(left) > 25)
			fprintf(f, "%s\n%27s%s\n", left, "", o->help);
		else
			fprintf(f, "%-27s%s\n", left, o->help);
	}
	if (app->privs)
		fprintf(f, "\nNeeds %s (see mcbox(1), PRIVILEGES).\n",
			priv_name(app->privs));
	fprintf(f, "\nSee %s(%d).\n", app->name, app->section);
}

static const char *kind_name(enum opt_kind k)
{
	static const char *const names[] = { "flag", "str", "int", "secs",
					     "size" };
	return names[k];
}

void opt_print_spec(const struct applet *app, FILE *f)
{
	const struct opt *o;

	fprintf(f, "name\t%s\nsection\t%d\nsummary\t%s\noperands\t%s\n",
		app->name, app->section, app->summary,
		app->operands ? app->operands : "");
	if (app->commands)
		fprintf(f, "commands\t%s\n", app->commands);
	fprintf(f, "privs\t%s\n", app->privs ? priv_name(app->privs) : "none");
	fprintf(f, "args\t%d\t%d\n", app->min_args, app->max_args);
	for (int i = 0; (o = opt_at(app, i)); i++) {
		char s[2] = { 0 };

		s[0] = o->key > 0 && o->key < OPT_LONGONLY ? (char)o->key : '-';
		fprintf(f, "opt\t%s\t%s\t%s\t%s\t", s, o->name,
			o->arg ? o->arg : "-", kind_name(o->kind));
		if (o->kind == OPT_INT || o->kind == OPT_SIZE)
			fprintf(f, "%.0f\t%.0f", o->min, o->max);
		else if (o->kind == OPT_SECS)
			fprintf(f, "%g\t%g", o->min, o->max);
		else
			fprintf(f, "-\t-");
		fprintf(f, "\t%s\n", o->help);
	}
}
