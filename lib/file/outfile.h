/* outfile.h - the one output writer of file receivers (docs/ARCHITECTURE.md
 * §4): every applet that writes with -o goes through it.
 *
 * A regular file (new, or replaced) is written into a temp file in its
 * directory that has no name at all (O_TMPFILE) until it is complete,
 * checked and fsync'd; then it is linked in and renamed over the final
 * name in one step. So nothing half-written is ever under the final name,
 * and a transfer killed even by SIGKILL leaves nothing behind. Where the
 * filesystem has no O_TMPFILE, a hidden named temp file (.NAME.XXXXXX) is
 * used instead; only that fallback can leave one after a SIGKILL.
 *
 * Standard output ("-"), and an existing device, FIFO or symbolic link to
 * one, are written in place: the data is staged in a nameless temp file in
 * $TMPDIR (/tmp) and copied there, from the start, once complete and
 * checked. A symbolic link at the final name is followed, by the kernel
 * (so fs.protected_symlinks applies): the file it points to is replaced,
 * or the device it points to written; one that points nowhere is refused.
 *
 * Writes of blocks that arrive in order are gathered in a buffer and go
 * out in one pwrite: one system call per block would cost more than the
 * protocol itself. */
#ifndef MCBOX_FILE_OUTFILE_H
#define MCBOX_FILE_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/sha256.h"

/* What a file must be to be published (--size, --sha256); zeroed: any. */
struct outfile_want {
	int size_set, sha_set;
	uint64_t size;
	uint8_t sha[SHA256_LEN];
};

/* --sha256 HEX into w: 0, or -1 + err_str() naming the value. */
int outfile_want_sha256(struct outfile_want *w, const char *hex);

/* Bytes gathered before a write goes out. */
#define OUTFILE_BUF	(256u << 10)

struct outfile {
	int fd;			/* the (temp) file written */
	char *final;		/* the name to publish; NULL for stdout */
	char *tmp;		/* a named temp file, removed on abort;
				 * NULL when it has no name */
	int dirfd;		/* the final name's directory, or -1 */
	int stream;		/* copied to final (or stdout) at commit */
	const char *what;	/* for messages: final, or "stdout" */
	uint8_t *buf;		/* OUTFILE_BUF bytes gathered ... */
	off_t boff;		/* ... for this offset */
	size_t blen;
	uint64_t dirty;		/* written since writeback was last started */
	struct outfile_want want;	/* see outfile_expect() */
};

/* Opens the output for path ("-": standard output), as described above.
 * 0 or -1 + err_str() naming the path. */
int outfile_open(struct outfile *o, const char *path);
/* Publish only a file that is what w says (NULL: any); outfile_commit()
 * fails otherwise, and nothing is left. */
void outfile_expect(struct outfile *o, const struct outfile_want *w);
/* Writes len bytes at off: gathered when they follow what is gathered,
 * else written out first. The data is copied. 0 or -1 + err_str() (an
 * error may belong to data gathered earlier). */
int outfile_write(struct outfile *o, const void *buf, size_t len, off_t off);
/* Writes out what is gathered. 0 or -1 + err_str(). */
int outfile_flush(struct outfile *o);
/* Flushes, truncates to size, checks what outfile_expect() asked for,
 * fsyncs, and publishes: links and renames onto the final name (mode 0666
 * less umask), or copies to the device, FIFO or stdout. 0 or -1 +
 * err_str(); the temp file is gone either way. */
int outfile_commit(struct outfile *o, off_t size);
/* Removes the temp file; safe to call twice and after commit. */
void outfile_abort(struct outfile *o);

/* Tests only: 1 makes outfile_open() use a named temp file, as on a
 * filesystem without O_TMPFILE. */
extern int outfile_no_tmpfile;

#endif
