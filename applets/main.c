/* main.c - the mcbox dispatcher: argv[0] basename | `mcbox APPLET` | --list |
 * --help [APPLET] | --version | --install [-s] DIR | hidden --spec APPLET.
 * The only file that knows the applet list (applets.def). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/opt.h"
#include "base/priv.h"

#define APPLET(c) extern const struct applet c##_applet;
#include "applets.def"
#undef APPLET

static const struct applet *const applets[] = {
#define APPLET(c) &c##_applet,
#include "applets.def"
#undef APPLET
};

#define NAPPLETS (sizeof(applets) / sizeof(applets[0]))

/* Exact names only: no prefixes, no abbreviations. */
static const struct applet *find_applet(const char *name)
{
	for (size_t i = 0; i < NAPPLETS; i++)
		if (!strcmp(applets[i]->name, name))
			return applets[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("usage: mcbox APPLET [ARG]...\n"
	      "       mcbox --list | --help [APPLET] | --version\n"
	      "       mcbox --install [-s] DIR\n", f);
}

static void help(void)
{
	usage(stdout);
	fputs("\nA multicast toolkit in one binary. Run an applet as "
	      "`mcbox APPLET ...`\nor through a link named after it "
	      "(see --install).\n\nApplets:\n", stdout);
	for (size_t i = 0; i < NAPPLETS; i++)
		printf("  %-12s %s\n", applets[i]->name, applets[i]->summary);
	fputs("\nOptions:\n"
	      "  --list               print the applet names, one per line\n"
	      "  --help [APPLET]      print this help, or an applet's\n"
	      "  --version            print the version\n"
	      "  --install [-s] DIR   link every applet name in DIR to this "
	      "binary\n"
	      "                       (hard links; symbolic with -s)\n"
	      "\nSee mcbox(1).\n", stdout);
}

static int unknown(const char *name)
{
	fprintf(stderr, "mcbox: unknown applet '%s' (see mcbox --list)\n",
		name);
	return EXIT_UNKNOWN;
}

/* Links DIR/APPLET to this binary. An existing entry is replaced only when
 * it already is a link to mcbox; anything else is left alone and reported. */
static int install(int symbolic, const char *dir)
{
	char self[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
	struct stat st_self, st, dst;
	ssize_t n;
	int rc = EXIT_SUCCESS;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0 || stat("/proc/self/exe", &st_self)) {
		warn("install: /proc/self/exe");
		return EXIT_FAILURE;
	}
	self[n] = 0;
	if (stat(dir, &dst) || !S_ISDIR(dst.st_mode)) {
		warnx("install: '%s' is not a directory", dir);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < NAPPLETS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, applets[i]->name);
		if (!lstat(path, &st)) {
			int ours = !stat(path, &dst) &&
				   dst.st_ino == st_self.st_ino &&
				   dst.st_dev == st_self.st_dev;

			n = readlink(path, target, sizeof(target) - 1);
			if (!ours && n < 0) {
				warnx("install: %s exists and is not mcbox",
				      path);
				rc = EXIT_FAILURE;
				continue;
			}
			if (!ours) {
				target[n] = 0;
				if (!strstr(target, "mcbox")) {
					warnx("install: %s exists and is not "
					      "mcbox", path);
					rc = EXIT_FAILURE;
					continue;
				}
			}
			if (unlink(path)) {
				warn("install: %s", path);
				rc = EXIT_FAILURE;
				continue;
			}
		}
		if (symbolic ? symlink(self, path) : link(self, path)) {
			warn("install: %s", path);
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}

static int run(const struct applet *a, int argc, char **argv)
{
	/* stdout's buffer, which stdio would otherwise malloc (after an
	 * fstat) at the first output: as glibc does, line-buffered on a
	 * terminal, else full, of the 4 KiB st_blksize of pipes and files */
	static char outbuf[4096];
	int rc;

	setvbuf(stdout, outbuf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
		sizeof(outbuf));
	program_invocation_short_name = (char *)a->name;
	program_invocation_name = (char *)a->name;
	if (priv_limit(a->privs)) {
		warn("cannot limit capabilities");
		return EXIT_FAILURE;
	}
	rc = a->main(argc, argv);
	return rc;
}

static int dispatch(int argc, char **argv)
{
	const struct applet *a;
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	a = find_applet(base);
	if (a)
		return run(a, argc, argv);

	/* as the multiplexer itself: no privileges are needed for any of this */
	program_invocation_short_name = "mcbox";
	/* `mcbox APPLET`: run() limits to what the applet declares; limiting
	 * to none first would leave nothing for it to keep */
	if (argc >= 2 && argv[1][0] != '-') {
		a = find_applet(argv[1]);
		if (a)
			return run(a, argc - 1, argv + 1);
	}
	priv_limit(PRIV_NONE);
	if (argc < 2) {
		help();
		return EXIT_SUCCESS;
	}
	if (argv[1][0] != '-')
		return unknown(argv[1]);
	if (!strcmp(argv[1], "--list") && argc == 2) {
		for (size_t i = 0; i < NAPPLETS; i++)
			puts(applets[i]->name);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc == 2) {
			help();
			return EXIT_SUCCESS;
		}
		if (argc > 3)
			goto bad;
		a = find_applet(argv[2]);
		if (!a)
			return unknown(argv[2]);
		opt_print_help(a, stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--version") && argc == 2) {
		printf("mcbox %s\n", MCBOX_VERSION);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--spec") && argc == 3) {
		a = find_applet(argv[2]);
		if (!a)
			return unknown(argv[2]);
		opt_print_spec(a, stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--install")) {
		if (argc == 3 && argv[2][0] != '-')
			return install(0, argv[2]);
		if (argc == 4 && !strcmp(argv[2], "-s"))
			return install(1, argv[3]);
		fprintf(stderr, "mcbox: --install needs a directory\n");
		usage(stderr);
		return EXIT_USAGE;
	}
bad:
	fprintf(stderr, "mcbox: unknown option '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int rc, e;

	/* a closed pipe ends us quietly, whatever our parent ignored */
	signal(SIGPIPE, SIG_DFL);
	if (argc < 1 || !argv[0])
		return EXIT_USAGE;
	rc = dispatch(argc, argv);
	/* git's rule: a write error on stdout is a failure, not silence;
	 * toybox's: except in a pipeline whose reader went away */
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		e = errno;
		if (e == EPIPE)
			return rc;
		fprintf(stderr, "%s: write stdout: %s\n",
			program_invocation_short_name,
			e ? strerror(e) : "I/O error");
		return EXIT_FAILURE;
	}
	return rc;
}
