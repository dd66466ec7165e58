/* outfile.h - the one output writer of file receivers (DESIGN.md §4): a
 * temp file next to the final name (mkstemp), blocks written where they
 * belong, then truncated, fsync'd and renamed, so nothing half-written is
 * ever under the final name. Writes of blocks that arrive in order are
 * gathered in a buffer and go out in one pwrite: one system call per
 * block would cost more than the protocol itself. */
#ifndef MCBOX_FILE_OUTFILE_H
#define MCBOX_FILE_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes gathered before a write goes out. */
#define OUTFILE_BUF	(256u << 10)

struct outfile {
	int fd;
	char *final;		/* NULL when writing to stdout */
	char *tmp;		/* temp file path, removed on abort */
	uint8_t *buf;		/* OUTFILE_BUF bytes gathered ... */
	off_t boff;		/* ... for this offset */
	size_t blen;
	uint64_t dirty;		/* written since writeback was last started */
};

/* Opens a temp file next to path (mkstemp, mode 0600 until commit), or in
 * $TMPDIR for path "-" (copied to stdout on commit). 0 or -1 + err_str(). */
int outfile_open(struct outfile *o, const char *path);
/* Writes len bytes at off: gathered when they follow what is gathered,
 * else written out first. The data is copied. 0 or -1 + err_str() (an
 * error may belong to data gathered earlier). */
int outfile_write(struct outfile *o, const void *buf, size_t len, off_t off);
/* Writes out what is gathered. 0 or -1 + err_str(). */
int outfile_flush(struct outfile *o);
/* Flushes, truncates to size, fsyncs, and renames onto the final name
 * (mode 0644 less umask), or copies to stdout. 0 or -1 + err_str(); the
 * temp file is gone either way. */
int outfile_commit(struct outfile *o, off_t size);
/* Removes the temp file; safe to call twice and after commit. */
void outfile_abort(struct outfile *o);

#endif
