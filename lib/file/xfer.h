/* xfer.h - what file receivers share (DESIGN.md §4): a received-block bitmap,
 * an output file written in place into a temp file then fsync'd and renamed
 * (nothing half-written under the final name), and a progress line on stderr
 * when it is a terminal. */
#ifndef MCBOX_FILE_XFER_H
#define MCBOX_FILE_XFER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct bitmap {
	uint64_t *w;
	uint64_t nbits;
	uint64_t nset;
};

int bitmap_init(struct bitmap *b, uint64_t nbits);	/* -1 ENOMEM */
void bitmap_free(struct bitmap *b);
int bitmap_test(const struct bitmap *b, uint64_t i);
/* Sets bit i; returns 1 if it was clear, 0 if already set or out of range. */
int bitmap_set(struct bitmap *b, uint64_t i);
/* First clear bit at or after from; nbits when none. */
uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from);
/* First set bit at or after from; nbits when none. */
uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from);
int bitmap_full(const struct bitmap *b);

struct outfile {
	int fd;
	char *final;		/* NULL when writing to stdout */
	char *tmp;		/* temp file path, removed on abort */
};

/* Opens a temp file next to path (mkstemp, mode 0600 until commit), or in
 * $TMPDIR for path "-" (copied to stdout on commit). 0 or -1 + err_str(). */
int outfile_open(struct outfile *o, const char *path);
int outfile_pwrite(struct outfile *o, const void *buf, size_t len, off_t off);
/* Truncates to size, fsyncs, and renames onto the final name (mode 0644
 * less umask), or copies to stdout. 0 or -1 + err_str(); the temp file is
 * gone either way. */
int outfile_commit(struct outfile *o, off_t size);
/* Removes the temp file; safe to call twice and after commit. */
void outfile_abort(struct outfile *o);

/* Progress on stderr, only when stderr is a terminal, at most 10 times a
 * second; the last call of progress_end() clears the line. */
struct progress {
	int tty;
	uint64_t total;		/* bytes, 0 when unknown */
	uint64_t t0_ns, last_ns;
};

void progress_init(struct progress *p, uint64_t total);
/* extra: NULL or a short note ("3 receivers", "12 missing"). */
void progress_update(struct progress *p, uint64_t done, const char *extra);
/* 1 when progress_update would print now: format the note only then. */
int progress_due(const struct progress *p);
void progress_end(struct progress *p);

#endif
