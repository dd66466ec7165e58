/* xfer.c - received-block bitmap, atomic output file (mkstemp + pwrite +
 * fsync + rename, DESIGN.md §4) and a terminal progress line. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "file/xfer.h"

int bitmap_init(struct bitmap *b, uint64_t nbits)
{
	b->nbits = nbits;
	b->nset = 0;
	b->w = calloc((size_t)(nbits / 64 + 1), sizeof(uint64_t));
	if (!b->w) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void bitmap_free(struct bitmap *b)
{
	free(b->w);
	b->w = NULL;
	b->nbits = b->nset = 0;
}

int bitmap_test(const struct bitmap *b, uint64_t i)
{
	return i < b->nbits && (b->w[i / 64] >> (i % 64) & 1);
}

int bitmap_set(struct bitmap *b, uint64_t i)
{
	if (i >= b->nbits || (b->w[i / 64] >> (i % 64) & 1))
		return 0;
	b->w[i / 64] |= 1ULL << (i % 64);
	b->nset++;
	return 1;
}

static uint64_t next_bit(const struct bitmap *b, uint64_t from, int want)
{
	uint64_t i = from;

	while (i < b->nbits) {
		uint64_t w = b->w[i / 64];

		if (!want)
			w = ~w;
		w &= ~0ULL << (i % 64);
		if (w) {
			i = (i & ~63ULL) + (uint64_t)__builtin_ctzll(w);
			return i < b->nbits ? i : b->nbits;
		}
		i = (i & ~63ULL) + 64;
	}
	return b->nbits;
}

uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from)
{
	return next_bit(b, from, 0);
}

uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from)
{
	return next_bit(b, from, 1);
}

int bitmap_full(const struct bitmap *b)
{
	return b->nset == b->nbits;
}

int outfile_open(struct outfile *o, const char *path)
{
	char *copy, *dir, *base;
	const char *tmpdir;
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!strcmp(path, "-")) {
		tmpdir = getenv("TMPDIR");
		if (!tmpdir || !*tmpdir)
			tmpdir = "/tmp";
		if (asprintf(&o->tmp, "%s/mcbox.XXXXXX", tmpdir) < 0)
			goto nomem;
	} else {
		if (!*path || (!stat(path, &st) && S_ISDIR(st.st_mode))) {
			err_set("output '%s' is a directory", path);
			return -1;
		}
		copy = strdup(path);
		o->final = strdup(path);
		if (!copy || !o->final) {
			free(copy);
			goto nomem;
		}
		dir = dirname(copy);
		base = basename(strcpy(o->final, path));
		/* a hidden temp name in the same directory, so rename is atomic */
		if (asprintf(&o->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
			free(copy);
			goto nomem;
		}
		free(copy);
		strcpy(o->final, path);
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		err_set("create %s: %s", o->final ? o->final : o->tmp,
			strerror(errno));
		free(o->tmp);
		free(o->final);
		o->tmp = o->final = NULL;
		return -1;
	}
	return 0;
nomem:
	free(o->final);
	o->final = NULL;
	err_set("out of memory");
	return -1;
}

int outfile_pwrite(struct outfile *o, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(o->fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set("write %s: %s", o->final ? o->final : "stdout",
				strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int copy_to_stdout(int fd)
{
	char buf[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + done,
					  (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			done += w;
		}
	}
	return n < 0 ? -1 : 0;
}

int outfile_commit(struct outfile *o, off_t size)
{
	mode_t um;
	int r = -1;

	if (o->fd < 0) {
		err_set("output not open");
		return -1;
	}
	if (ftruncate(o->fd, size) || fsync(o->fd)) {
		err_set("write %s: %s", o->final ? o->final : "stdout",
			strerror(errno));
		goto out;
	}
	if (!o->final) {
		if (copy_to_stdout(o->fd)) {
			err_set("write stdout: %s", strerror(errno));
			goto out;
		}
		r = 0;
		goto out;
	}
	um = umask(0);
	umask(um);
	if (fchmod(o->fd, 0666 & ~um) || rename(o->tmp, o->final)) {
		err_set("rename to %s: %s", o->final, strerror(errno));
		goto out;
	}
	free(o->tmp);
	o->tmp = NULL;	/* renamed: nothing to remove */
	r = 0;
out:
	outfile_abort(o);
	return r;
}

void outfile_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
}

void progress_init(struct progress *p, uint64_t total)
{
	p->tty = isatty(STDERR_FILENO);
	p->total = total;
	p->t0_ns = clock_ns();
	p->last_ns = 0;
}

static void human(char *buf, size_t len, double v, const char *unit)
{
	static const char *const pre[] = { "", "Ki", "Mi", "Gi", "Ti" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s%s", v, pre[i], unit);
}

int progress_due(const struct progress *p)
{
	return p->tty && clock_ns() - p->last_ns >= 100000000u;
}

void progress_update(struct progress *p, uint64_t done, const char *extra)
{
	char a[32], b[32], r[32], eta[32] = "";
	uint64_t now;
	double el, rate;

	if (!progress_due(p))
		return;
	now = clock_ns();
	p->last_ns = now;
	el = (double)(now - p->t0_ns) / 1e9;
	rate = el > 0 ? (double)done / el : 0;
	human(a, sizeof(a), (double)done, "B");
	human(r, sizeof(r), rate, "B/s");
	if (p->total) {
		human(b, sizeof(b), (double)p->total, "B");
		if (rate > 0 && done <= p->total) {
			unsigned s = (unsigned)((double)(p->total - done) / rate);

			snprintf(eta, sizeof(eta), "  ETA %u:%02u", s / 60,
				 s % 60);
		}
		fprintf(stderr, "\r%s / %s %3.0f%%  %s%s%s%s\033[K", a, b,
			100.0 * (double)done / (double)p->total, r, eta,
			extra ? "  " : "", extra ? extra : "");
	} else {
		fprintf(stderr, "\r%s  %s%s%s\033[K", a, r, extra ? "  " : "",
			extra ? extra : "");
	}
}

void progress_end(struct progress *p)
{
	if (p->tty && p->last_ns)
		fputs("\r\033[K", stderr);
}
