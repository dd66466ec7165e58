/* outfile.c - the one output writer (docs/ARCHITECTURE.md §4; outfile.h):
 * a nameless temp file (O_TMPFILE, open(2)) linked in with linkat(2) and
 * renamed over the final name once complete and checked, or staged and
 * copied in place for stdout, devices and FIFOs; writes of in-order blocks
 * gathered. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "file/outfile.h"

/* Every few MB the disk is told to start writing what it got, so that the
 * fsync before the rename waits for the tail, not for the whole file. */
#define WRITEBACK_BYTES	(UINT64_C(4) << 20)

int outfile_no_tmpfile;

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* A file with no name in directory dirfd (O_TMPFILE), or -1: errno
 * EOPNOTSUPP when the filesystem (or the kernel) cannot make one. */
static int nameless(int dirfd)
{
	int fd;

	if (outfile_no_tmpfile) {
		errno = EOPNOTSUPP;
		return -1;
	}
	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	/* kernels before 3.11 see O_DIRECTORY and say EISDIR */
	if (fd < 0 && (errno == EISDIR || errno == EINVAL))
		errno = EOPNOTSUPP;
	return fd;
}

/* "DIR/.BASE.XXXXXX" for final name path (XXXXXX for mkstemp). */
static char *temp_name(const char *path)
{
	char *d = strdup(path), *b = strdup(path), *t = NULL;

	if (d && b && asprintf(&t, "%s/.%s.XXXXXX", dirname(d),
			       basename(b)) < 0)
		t = NULL;
	free(d);
	free(b);
	return t;
}

/* The staging file of a stream output, in $TMPDIR: nameless, or named
 * just long enough to be unlinked at once. */
static int open_staging(struct outfile *o)
{
	const char *dir = tmpdir();
	char *t;
	int dfd, e;

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		o->fd = nameless(dfd);
		e = errno;
		close(dfd);
		if (o->fd >= 0)
			return 0;
		errno = e;
	}
	if (dfd < 0 || errno == EOPNOTSUPP) {
		if (asprintf(&t, "%s/mcbox.XXXXXX", dir) < 0)
			return err_errno("create temporary copy");
		o->fd = mkostemp(t, O_CLOEXEC);
		e = errno;
		if (o->fd >= 0)
			unlink(t);
		free(t);
		errno = e;
		if (o->fd >= 0)
			return 0;
	}
	return err_errno("create temporary copy in %s (for %s)", dir,
			 o->what);
}

/* A regular file at final: the temp file in its directory. */
static int open_regular(struct outfile *o)
{
	char *d = strdup(o->final);
	int e;

	if (!d)
		return err_errno("%s", o->final);
	o->dirfd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (o->dirfd < 0)
		return err_errno("create %s", o->final);
	o->fd = nameless(o->dirfd);
	if (o->fd >= 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return err_errno("create %s", o->final);
	o->tmp = temp_name(o->final);
	if (!o->tmp)
		return err_errno("create %s", o->final);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		e = errno;
		free(o->tmp);
		o->tmp = NULL;	/* not ours to remove */
		errno = e;
		return err_errno("create %s", o->final);
	}
	return 0;
}

/* What path names, following a symbolic link at its end the way open()
 * does (fs.protected_symlinks applies): sets o->final and o->stream, or
 * fails with a message. */
static int resolve(struct outfile *o, const char *path)
{
	struct stat st;
	char proc[32], real[4096];
	ssize_t n;
	int fd;

	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return err_errno("%s", path);
		st.st_mode = S_IFREG;	/* to be created */
		o->final = strdup(path);
	} else if (S_ISLNK(st.st_mode)) {
		fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			err_set("output '%s' is a symbolic link to nothing "
				"usable: %s", path, strerror(errno));
			return -1;
		}
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		n = fstat(fd, &st) ? -1 : readlink(proc, real, sizeof(real));
		close(fd);
		if (n <= 0 || n >= (ssize_t)sizeof(real) || real[0] != '/') {
			err_set("output '%s': cannot resolve the symbolic "
				"link", path);
			return -1;
		}
		real[n] = 0;
		/* a regular file is replaced where it really is; anything
		 * else is opened through the link again at commit */
		o->final = strdup(S_ISREG(st.st_mode) ? real : path);
	} else {
		o->final = strdup(path);
	}
	if (!o->final)
		return err_errno("%s", path);
	if (S_ISDIR(st.st_mode)) {
		err_set("output '%s' is a directory", path);
		return -1;
	}
	if (S_ISSOCK(st.st_mode)) {
		err_set("output '%s' is a socket", path);
		return -1;
	}
	o->stream = !S_ISREG(st.st_mode);
	return 0;
}

int outfile_open(struct outfile *o, const char *path)
{
	size_t n = strlen(path);

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	if (!n) {
		err_set("empty output file name");
		return -1;
	}
	if (path[n - 1] == '/') {
		err_set("output '%s' names a directory", path);
		return -1;
	}
	o->buf = malloc(OUTFILE_BUF);
	if (!o->buf) {
		err_set("out of memory");
		return -1;
	}
	if (!strcmp(path, "-")) {
		o->stream = 1;
		o->what = "stdout";
	} else {
		if (resolve(o, path))
			goto fail;
		o->what = o->final;
	}
	if (o->stream ? open_staging(o) : open_regular(o))
		goto fail;
	return 0;
fail:
	outfile_abort(o);
	return -1;
}

void outfile_expect(struct outfile *o, const struct outfile_want *w)
{
	if (w)
		o->want = *w;
	else
		memset(&o->want, 0, sizeof(o->want));
}

int outfile_want_sha256(struct outfile_want *w, const char *hex)
{
	if (sha256_parse(hex, w->sha)) {
		err_set("bad --sha256 '%s' (64 hex digits)", hex);
		return -1;
	}
	w->sha_set = 1;
	return 0;
}

static int write_at(struct outfile *o, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(o->fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* a stream's bytes go to the staging copy first:
			 * say where, or "write stdout: No space left on
			 * device" sends the user to the wrong disk */
			if (o->stream)
				return err_errno("write temporary copy in %s "
						 "(for %s)", tmpdir(), o->what);
			return err_errno("write %s", o->what);
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int outfile_flush(struct outfile *o)
{
	size_t len = o->blen;

	if (!len)
		return 0;
	o->blen = 0;
	if (write_at(o, o->buf, len, o->boff))
		return -1;
	o->dirty += len;
	if (o->dirty >= WRITEBACK_BYTES && !o->stream) {
		/* asynchronous: only starts the writeback (errors show at
		 * the fsync) */
		sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		o->dirty = 0;
	}
	return 0;
}

int outfile_write(struct outfile *o, const void *buf, size_t len, off_t off)
{
	if (o->blen && (off != o->boff + (off_t)o->blen ||
			len > OUTFILE_BUF - o->blen) && outfile_flush(o))
		return -1;
	if (len > OUTFILE_BUF) {
		o->dirty += len;
		return write_at(o, buf, len, off);
	}
	if (!o->blen)
		o->boff = off;
	memcpy(o->buf + o->blen, buf, len);
	o->blen += len;
	return 0;
}

/* Reads the temp file back from the start: each piece to fn. */
static int read_back(struct outfile *o, off_t size,
		     int (*fn)(void *arg, const uint8_t *p, size_t n),
		     void *arg)
{
	off_t off = 0;
	ssize_t n;

	while (off < size) {
		size_t want = size - off < (off_t)OUTFILE_BUF ?
			      (size_t)(size - off) : OUTFILE_BUF;

		n = pread(o->fd, o->buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_errno("read back %s", o->what);
		if (fn(arg, o->buf, (size_t)n))
			return -1;
		off += n;
	}
	return 0;
}

static int hash_piece(void *arg, const uint8_t *p, size_t n)
{
	sha256_update(arg, p, n);
	return 0;
}

static int check(struct outfile *o, off_t size)
{
	char got[SHA256_HEXLEN + 1], want[SHA256_HEXLEN + 1];
	uint8_t d[SHA256_LEN];
	struct sha256 h;

	if (o->want.size_set && (uint64_t)size != o->want.size) {
		err_set("%s: %llu bytes, not the %llu expected: not saved",
			o->what, (unsigned long long)size,
			(unsigned long long)o->want.size);
		return -1;
	}
	if (!o->want.sha_set)
		return 0;
	sha256_init(&h);
	if (read_back(o, size, hash_piece, &h))
		return -1;
	sha256_final(&h, d);
	if (memcmp(d, o->want.sha, SHA256_LEN)) {
		sha256_hex(d, got);
		sha256_hex(o->want.sha, want);
		err_set("%s: SHA-256 %s, not the %s expected: not saved",
			o->what, got, want);
		return -1;
	}
	return 0;
}

struct sink {
	int fd;
	const char *what;
};

static int put_piece(void *arg, const uint8_t *p, size_t n)
{
	struct sink *k = arg;

	while (n) {
		ssize_t w = write(k->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_errno("write %s", k->what);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The staged copy, complete and checked, to stdout or the device. */
static int copy_out(struct outfile *o, off_t size)
{
	struct sink k = { STDOUT_FILENO, o->what };
	int r;

	if (o->final) {
		k.fd = open(o->final, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (k.fd < 0)
			return err_errno("open %s", o->final);
	}
	r = read_back(o, size, put_piece, &k);
	if (o->final && close(k.fd) && !r)
		r = err_errno("write %s", o->what);
	return r;
}

/* Links the nameless temp file in under name (in o->dirfd's directory,
 * final's base name). 0, or -1 with errno (EEXIST: the name is taken). */
static int link_as(struct outfile *o, const char *name)
{
	char proc[32];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (!linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW))
		return 0;
	if (errno != ENOENT)
		return -1;
	/* no /proc: this way needs CAP_DAC_READ_SEARCH */
	return linkat(o->fd, "", AT_FDCWD, name, AT_EMPTY_PATH);
}

/* Puts the complete file under its final name in one step: rename(2)
 * replaces an existing file atomically. */
static int publish(struct outfile *o)
{
	uint64_t r;
	int k;

	if (o->tmp) {
		if (rename(o->tmp, o->final))
			return err_errno("rename to %s", o->final);
		free(o->tmp);
		o->tmp = NULL;	/* renamed: nothing to remove */
		return 0;
	}
	if (!link_as(o, o->final))
		return 0;
	if (errno != EEXIST)
		return err_errno("create %s", o->final);
	/* the name is taken: under a temp name first, then renamed over
	 * it (the temp name lives for two system calls) */
	o->tmp = temp_name(o->final);
	if (!o->tmp)
		return err_errno("create %s", o->final);
	for (k = 0; k < 100; k++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint64_t)getpid() * 2654435761u + (uint64_t)k;
		snprintf(o->tmp + strlen(o->tmp) - 6, 7, "%06llx",
			 (unsigned long long)(r & 0xffffff));
		if (!link_as(o, o->tmp))
			break;
		if (errno != EEXIST) {
			free(o->tmp);
			o->tmp = NULL;
			return err_errno("create %s", o->final);
		}
	}
	if (k == 100) {
		free(o->tmp);
		o->tmp = NULL;
		errno = EEXIST;
		return err_errno("create %s", o->final);
	}
	if (rename(o->tmp, o->final))
		return err_errno("rename to %s", o->final);
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

int outfile_commit(struct outfile *o, off_t size)
{
	mode_t um;
	int r = -1;

	if (o->fd < 0) {
		err_set("output not open");
		return -1;
	}
	if (outfile_flush(o))
		goto out;
	if (ftruncate(o->fd, size)) {
		err_errno("write %s", o->what);
		goto out;
	}
	if (check(o, size))
		goto out;
	if (o->stream) {
		r = copy_out(o, size);
		goto out;
	}
	um = umask(0);
	umask(um);
	if (fchmod(o->fd, 0666 & ~um) || fsync(o->fd)) {
		err_errno("write %s", o->what);
		goto out;
	}
	if (publish(o))
		goto out;
	/* the new name is on disk too */
	if (o->dirfd >= 0) {
		int d = openat(o->dirfd, ".", O_RDONLY | O_DIRECTORY |
			       O_CLOEXEC);

		if (d >= 0) {
			fsync(d);
			close(d);
		}
	}
	r = 0;
out:
	outfile_abort(o);
	return r;
}

void outfile_abort(struct outfile *o)
{
	/* never opened (a zeroed struct: fd 0 is not ours), or done */
	if (!o->buf)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->fd = o->dirfd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	free(o->buf);
	o->tmp = o->final = NULL;
	o->buf = NULL;
	o->blen = 0;
}
