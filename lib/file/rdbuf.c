/* rdbuf.c - deadline-aware line and chunk reader over a descriptor. */
#include "file/rdbuf.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"

int rdbuf_init(struct rdbuf *r, int fd, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->cap = max + 1;	/* room for the '\n' of a longest line */
	r->buf = malloc(r->cap);
	if (!r->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void rdbuf_free(struct rdbuf *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Reads more; 0 ok (maybe EOF), -2 deadline, -3 error. */
static int fill(struct rdbuf *r, uint64_t deadline_ns)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	ssize_t n;
	int ms;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	for (;;) {
		ms = deadline_ns ? clock_poll_ms(deadline_ns) : -1;
		if (deadline_ns && ms == 0)
			return RDBUF_DEADLINE;
		n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			return RDBUF_DEADLINE;	/* a signal: let the caller decide */
		if (n < 0)
			return RDBUF_ERROR;
		if (n == 0)
			continue;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return RDBUF_ERROR;
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
		return 0;
	}
}

long rdbuf_line(struct rdbuf *r, const uint8_t **p, uint64_t deadline_ns)
{
	uint8_t *nl;
	size_t len;
	int e;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			len = (size_t)(nl - (r->buf + r->start));
			*p = r->buf + r->start;
			r->start += len + 1;
			r->lines++;
			return (long)len;
		}
		if (r->eof) {
			len = r->end - r->start;
			if (!len)
				return RDBUF_EOF;
			*p = r->buf + r->start;
			r->start = r->end;
			r->lines++;
			return (long)len;
		}
		if (r->end - r->start >= r->cap)
			return RDBUF_TOOLONG;
		e = fill(r, deadline_ns);
		if (e)
			return e;
	}
}

long rdbuf_chunk(struct rdbuf *r, size_t size, const uint8_t **p,
		 uint64_t deadline_ns)
{
	size_t len;
	int e;

	if (size > r->cap)
		size = r->cap;
	for (;;) {
		len = r->end - r->start;
		if (len >= size || (r->eof && len)) {
			if (len > size)
				len = size;
			*p = r->buf + r->start;
			r->start += len;
			return (long)len;
		}
		if (r->eof)
			return RDBUF_EOF;
		e = fill(r, deadline_ns);
		if (e)
			return e;
	}
}
