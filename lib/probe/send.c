/* send.c - mcsend's send engine and driver: probe or chunk buffers,
 * sendmmsg or UDP segmentation offload (UDP_SEGMENT, udp(7)) to every
 * group, pacing, the loop that feeds them from the input, and the probes'
 * announcements and end markers (lib/probe/wire.h). */
#include "probe/send.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fmath.h"
#include "base/units.h"
#include "file/rdbuf.h"
#include "probe/wire.h"

/* Turns offload off on every socket: the route's device cannot take it. */
static void gso_off(struct mctx *t)
{
	t->gso = 0;
	for (int i = 0; i < t->n; i++)
		sock_set_gso(t->fds[i], 0);
}

int mctx_init(struct mctx *t, int *fds, int n, size_t size, int probe,
	      int nogso, int ttl)
{
	struct probe_hdr *ph = &t->ph;

	memset(t, 0, sizeof(*t));
	ph->flags = PROBE_F_TIME;
	ph->ttl = (uint8_t)ttl;
	ph->burst = 1;
	t->fds = fds;
	t->n = n;
	t->size = size;
	t->kmax = 1;
	if (probe) {
		t->kmax = SOCK_BATCH;
		/* a train of probes in one send, cut into datagrams by the
		 * kernel or the NIC: the per-datagram cost of the stack goes */
		if (!nogso && MCTX_MAX_PAYLOAD / size >= 2) {
			t->gso = size;
			if (MCTX_MAX_PAYLOAD / size < t->kmax)
				t->kmax = (unsigned)(MCTX_MAX_PAYLOAD / size);
			for (int i = 0; i < n && t->gso; i++)
				if (sock_set_gso(fds[i], (int)size) < 0)
					gso_off(t);
		}
	}
	ph->id = (uint32_t)(clock_wall_ns() ^ ((uint64_t)getpid() << 16));
	/* lines and chunks are sent from the caller's buffer
	 * (mctx_payload): only probes need ours */
	if (probe) {
		t->bufs = malloc(SOCK_BATCH * (size + 1));
		if (!t->bufs)
			return -1;
	}
	for (int i = 0; i < SOCK_BATCH; i++) {
		if (probe) {
			probe_encode(t->bufs + i * size, size, ph);
			t->iov[i].iov_base = t->bufs + i * size;
		}
		t->iov[i].iov_len = size;
		t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
		t->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

void mctx_announce(struct mctx *t, double pps, uint64_t count,
		   unsigned burst, uint64_t start_ns, uint64_t stop_ns)
{
	struct probe_hdr *ph = &t->ph;

	ph->rate_mpps = pps > 0 ? (uint64_t)fm_max(1, fm_min(pps * 1000,
					(double)PROBE_MAX_RATE)) : 0;
	ph->count = count < PROBE_MAX_COUNT ? count : PROBE_MAX_COUNT;
	ph->burst = burst < 1 ? 1 : burst > PROBE_MAX_BURST ? PROBE_MAX_BURST
							     : burst;
	ph->start_ns = start_ns;
	ph->stop_ns = stop_ns;
	for (int i = 0; t->bufs && i < SOCK_BATCH; i++)
		probe_encode(t->bufs + i * t->size, t->size, ph);
}

void mctx_end(struct mctx *t, uint64_t count)
{
	uint8_t buf[PROBE_HDRLEN_V2];
	struct probe_hdr h = t->ph;
	struct timespec gap = clock_ts(MCTX_END_GAP_NS);

	if (!t->bufs || t->size < PROBE_HDRLEN_V2)
		return;
	h.flags |= PROBE_F_END;
	h.seq = PROBE_END_SEQ;
	h.count = count < PROBE_MAX_COUNT ? count : PROBE_MAX_COUNT;
	for (int c = 0; c < MCTX_END_COPIES; c++) {
		if (c)
			nanosleep(&gap, NULL);
		h.tx_ns = clock_wall_ns();
		probe_encode(buf, sizeof(buf), &h);
		for (int g = 0; g < t->n; g++)
			(void)!send(t->fds[g], buf, sizeof(buf), 0);
	}
}

void mctx_free(struct mctx *t)
{
	free(t->bufs);
	t->bufs = NULL;
}

void mctx_stamp(struct mctx *t, unsigned k, uint64_t seq)
{
	uint64_t wall = clock_wall_ns();

	for (unsigned i = 0; i < k; i++)
		probe_stamp(t->bufs + i * t->size, seq + i, wall);
}

void mctx_payload(struct mctx *t, const void *p, size_t len)
{
	t->iov[0].iov_base = (void *)p;
	t->iov[0].iov_len = len;
}

/* With offload on, the k buffers are contiguous: one send of k * size
 * bytes, cut by the kernel; else sendmmsg. */
int mctx_send(struct mctx *t, int g, unsigned k, unsigned *done)
{
	ssize_t r;

	if (t->gso && k > 1) {
		do
			r = send(t->fds[g], t->iov[0].iov_base, k * t->gso,
				 0);
		while (r < 0 && errno == EINTR);
		if (r >= 0 || errno == ENOBUFS) {
			*done = k;
			return 0;
		}
		if (errno != EIO && errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
		/* the route's device cannot take it: go without */
		gso_off(t);
	}
	return sock_send_all(t->fds[g], t->msgs, k, done) < 0 ? -1 : 0;
}

unsigned long long mctx_bytes(const struct mctx *t, unsigned k)
{
	unsigned long long b = 0;

	for (unsigned i = 0; i < k; i++)
		b += t->iov[i].iov_len;
	return b;
}

unsigned mctx_due(const struct mctx *t, struct pacer *pace, uint64_t now,
		  uint64_t deadline)
{
	unsigned k = pace_due(pace, now, t->kmax);
	uint64_t at;
	struct timespec ts;

	if (k)
		return k;
	at = pace_next_ns(pace);
	if (deadline && at > deadline)
		at = deadline;
	ts = clock_ts(at);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	return 0;
}

static int failf(struct mctx_run *r, int rc, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int failf(struct mctx_run *r, int rc, int e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	if (e && n >= 0 && (size_t)n < sizeof(r->err))
		snprintf(r->err + n, sizeof(r->err) - (size_t)n, ": %s",
			 strerror(e));
	return rc;
}

/* The next round's one datagram from the input: 1, 0 at its end (or the
 * deadline, or a signal), or 1 + r->err set when reading failed. */
static int next_input(struct mctx *t, struct mctx_run *r, struct rdbuf *rd,
		      uint64_t deadline)
{
	const uint8_t *p;
	long len = r->mode == MCTX_RAW ?
		   rdbuf_chunk(rd, t->size, &p, deadline) :
		   rdbuf_line(rd, &p, deadline);

	if (len == RDBUF_EOF || len == RDBUF_DEADLINE)
		return 0;
	if (len == RDBUF_ERROR) {
		int e = errno;

		return failf(r, 1, e, "read %s", r->file ? r->file : "stdin") +
		       1;
	}
	if (len == RDBUF_TOOLONG)
		return failf(r, 1, 0, "line %llu too long (more than %d "
			     "bytes)", (unsigned long long)rd->lines + 1,
			     MCTX_MAX_PAYLOAD) + 1;
	mctx_payload(t, p, (size_t)len);
	return 1;
}

int mctx_run(struct mctx *t, struct mctx_run *r)
{
	unsigned long long rounds = 0;
	uint64_t t0, deadline = 0;
	struct rdbuf rd = { .fd = -1 };
	struct pacer pace;
	int status = 0, fd = 0;

	if (r->mode != MCTX_PROBE) {
		if (r->file && (fd = open(r->file, O_RDONLY | O_CLOEXEC)) < 0)
			return failf(r, -1, errno, "open %s", r->file);
		if (rdbuf_init(&rd, fd, r->mode == MCTX_RAW ? t->size :
					MCTX_MAX_PAYLOAD) < 0)
			return failf(r, -1, errno, "malloc");
	}
	/* the default 50 us timer slack would blur high packet rates */
	prctl(PR_SET_TIMERSLACK, 1000UL);
	t0 = clock_ns();
	if (r->deadline_s > 0)
		deadline = t0 + (uint64_t)(r->deadline_s * 1e9);
	pace_init(&pace, r->pps, r->burst, t0);
	if (r->mode == MCTX_PROBE) {
		/* what the probes announce: a receiver counts what should
		 * have arrived even when the end marker never does */
		uint64_t wall = clock_wall_ns();

		mctx_announce(t, r->pps, r->count, r->burst, wall,
			      r->deadline_s > 0 ? wall + (uint64_t)
			      (r->deadline_s * 1e9) : 0);
	}
	while (!*r->stop && (!r->count || rounds < r->count)) {
		uint64_t now = clock_ns();
		unsigned k;

		if (deadline && now >= deadline)
			break;
		k = mctx_due(t, &pace, now, deadline);
		if (!k)
			continue;
		if (r->count && k > r->count - rounds)
			k = (unsigned)(r->count - rounds);
		if (r->mode == MCTX_PROBE)
			mctx_stamp(t, k, rounds);
		else if ((status = next_input(t, r, &rd, deadline)) != 1)
			break;
		status = 0;
		for (int g = 0; g < t->n && !status; g++) {
			unsigned done = 0;
			char a[INET_FMTLEN];

			if (mctx_send(t, g, k, &done) < 0) {
				int e = errno;

				status = failf(r, 1, e, "send to %s",
					       inet_fmt(&r->groups[g].group, a,
							sizeof(a)));
			}
			r->sent += done;
			r->bytes += mctx_bytes(t, done);
		}
		if (status)
			break;
		rounds += k;
		pace_sent(&pace, k);
	}
	if (status > 1)
		status = 1;
	if (r->mode == MCTX_PROBE)
		mctx_end(t, rounds);
	r->secs = (double)(clock_ns() - t0) / 1e9;
	if (r->mode != MCTX_PROBE) {
		rdbuf_free(&rd);
		if (fd > 0)
			close(fd);
	}
	return status;
}

const char *mctx_fmt_summary(const struct mctx_run *r, int ngroups,
			     char *buf, size_t len)
{
	double pps = r->secs > 0 ? (double)r->sent / r->secs : 0;
	double bps = r->secs > 0 ? (double)r->bytes * 8 / r->secs : 0;
	char rate[32];

	snprintf(buf, len, "sent %llu datagram%s, %llu byte%s to %d group%s "
		 "in %.3f s (%.0f pps, %s)", r->sent, units_s(r->sent),
		 r->bytes, units_s(r->bytes), ngroups,
		 units_s((unsigned long long)ngroups), r->secs, pps,
		 units_bit_rate(rate, sizeof(rate), bps));
	return buf;
}
