/* outfile.c - the atomic output file (mkstemp + pwrite + fsync + rename,
 * DESIGN.md §4) with writes of in-order blocks gathered into one. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "file/outfile.h"

/* Every few MB the disk is told to start writing what it got, so that the
 * fsync before the rename waits for the tail, not for the whole file. */
#define WRITEBACK_BYTES	(UINT64_C(4) << 20)

int outfile_open(struct outfile *o, const char *path)
{
	char *copy, *dir, *base;
	const char *tmpdir;
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->buf = malloc(OUTFILE_BUF);
	if (!o->buf)
		goto nomem;
	if (!strcmp(path, "-")) {
		tmpdir = getenv("TMPDIR");
		if (!tmpdir || !*tmpdir)
			tmpdir = "/tmp";
		if (asprintf(&o->tmp, "%s/mcbox.XXXXXX", tmpdir) < 0) {
			o->tmp = NULL;
			goto nomem;
		}
	} else {
		if (!*path || (!stat(path, &st) && S_ISDIR(st.st_mode))) {
			outfile_abort(o);
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
			o->tmp = NULL;
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
		o->tmp = NULL;	/* not ours to remove */
		outfile_abort(o);
		return -1;
	}
	return 0;
nomem:
	outfile_abort(o);
	err_set("out of memory");
	return -1;
}

static int write_at(struct outfile *o, const void *buf, size_t len, off_t off)
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

int outfile_flush(struct outfile *o)
{
	size_t len = o->blen;

	if (!len)
		return 0;
	o->blen = 0;
	if (write_at(o, o->buf, len, o->boff))
		return -1;
	o->dirty += len;
	if (o->dirty >= WRITEBACK_BYTES) {
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
	if (outfile_flush(o))
		goto out;
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
	free(o->buf);
	o->tmp = o->final = NULL;
	o->buf = NULL;
	o->blen = 0;
}

