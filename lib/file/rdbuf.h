/* rdbuf.h - reading lines or fixed-size chunks from a descriptor (stdin, a
 * file) under a deadline, for senders that turn input into datagrams. */
#ifndef MCBOX_FILE_RDBUF_H
#define MCBOX_FILE_RDBUF_H

#include <stddef.h>
#include <stdint.h>

struct rdbuf {
	int fd;
	uint8_t *buf;
	size_t cap, start, end;
	int eof;
	uint64_t lines;		/* lines returned so far */
};

/* max: longest line or chunk. 0, or -1 with errno ENOMEM. */
int rdbuf_init(struct rdbuf *r, int fd, size_t max);
void rdbuf_free(struct rdbuf *r);
/* Why rdbuf_line or rdbuf_chunk returned no data (they return a length,
 * >= 0, otherwise). */
enum rdbuf_end {
	RDBUF_EOF = -1,		/* end of input */
	RDBUF_DEADLINE = -2,	/* deadline_ns passed first, or a signal */
	RDBUF_ERROR = -3,	/* a read error: errno */
	RDBUF_TOOLONG = -4,	/* a line longer than max */
};

/* Next line without its '\n' (a last line without one counts). Returns
 * its length (>= 0) with *p pointing at it, or an enum rdbuf_end;
 * deadline_ns is monotonic, 0: none. */
long rdbuf_line(struct rdbuf *r, const uint8_t **p, uint64_t deadline_ns);
/* Next chunk of size bytes (<= max), shorter only at end of input. Same
 * returns as rdbuf_line (0 is never returned). */
long rdbuf_chunk(struct rdbuf *r, size_t size, const uint8_t **p,
		 uint64_t deadline_ns);

#endif
