/* send.c - mcsend's send engine: probe or chunk buffers, sendmmsg or UDP
 * segmentation offload (UDP_SEGMENT, udp(7)) to every group, pacing, and
 * the probes' end markers. */
#include "probe/send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

/* Turns offload off on every socket: the route's device cannot take it. */
static void gso_off(struct mctx *t)
{
	t->gso = 0;
	for (int i = 0; i < t->n; i++)
		sock_set_gso(t->fds[i], 0);
}

int mctx_init(struct mctx *t, int *fds, int n, size_t size,
	      const struct probe_hdr *ph, int nogso)
{
	int probe = ph != NULL;

	memset(t, 0, sizeof(*t));
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
	if (probe) {
		t->ph = *ph;
		t->ph.flags |= PROBE_F_TIME;
		t->ph.flags &= ~PROBE_F_END;
		if (!t->ph.id)
			t->ph.id = (uint32_t)(clock_wall_ns() ^
					      ((uint64_t)getpid() << 16));
	}
	/* lines and chunks are sent from the caller's buffer
	 * (mctx_payload): only probes need ours */
	if (probe) {
		t->bufs = malloc(SOCK_BATCH * (size + 1));
		if (!t->bufs)
			return -1;
	}
	for (int i = 0; i < SOCK_BATCH; i++) {
		if (probe) {
			probe_encode(t->bufs + i * size, size, &t->ph);
			t->iov[i].iov_base = t->bufs + i * size;
		}
		t->iov[i].iov_len = size;
		t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
		t->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
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

void mctx_end(struct mctx *t, uint64_t count)
{
	uint8_t buf[PROBE_HDRLEN_V2];
	struct probe_hdr h = t->ph;
	struct timespec gap = clock_ts(MCTX_END_GAP_NS);

	if (!t->bufs || t->size < PROBE_HDRLEN_V2)
		return;
	h.flags |= PROBE_F_END;
	h.seq = PROBE_END_SEQ;
	h.count = count;
	for (int c = 0; c < MCTX_END_COPIES; c++) {
		if (c)
			nanosleep(&gap, NULL);
		h.tx_ns = clock_wall_ns();
		probe_encode(buf, sizeof(buf), &h);
		for (int g = 0; g < t->n; g++)
			(void)!send(t->fds[g], buf, sizeof(buf), 0);
	}
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
