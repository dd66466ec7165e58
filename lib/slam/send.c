/* send.c - batches of SLAM data packets (PROTOCOLS.md §1): the blocks read
 * from the file with one preadv per run of consecutive blocks, and sent with
 * Linux UDP segmentation offload (UDP_SEGMENT, udp(7): one send, many equal
 * datagrams) in sendmmsg calls. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/addr.h"
#include "net/sock.h"
#include "slam/send.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/* a UDP_SEGMENT send: at most this much payload (65535 less the IPv4 and
 * UDP headers; IPv6 allows more) */
#define GSO_BYTES	65507
/* ... and at most this many datagrams (the kernel takes 64). A train
 * crosses the stack, bridges and qdiscs as one packet; a shaper whose
 * bucket is smaller than the train cuts it up again, one datagram at a
 * time, and then does worse than with plain datagrams (tbf with a 16 KB
 * bucket: 5 s for what 8-datagram trains push in 0.9). Eight 1500-byte
 * datagrams, 12 KB, keep nearly all of the gain on a 1 Gbit/s star. */
#define TRAIN		8
#define GSO_CTL		CMSG_SPACE(sizeof(uint16_t))
#define PKT_ROOM(bs)	((size_t)(bs) + SLAM_HDR_MAX + SLAM_INT_LEN)

int slam_tx_init(struct slam_tx *t, int fd,
		 const struct sockaddr_storage *dst, unsigned max)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->dst = dst;
	t->max = max;
	/* the option exists from Linux 4.18, as does the cmsg we use; an
	 * older kernel would ignore the cmsg and send one huge datagram */
	t->gso = sock_set_gso(fd, 0) == 0;
	t->p = calloc(max, sizeof(*t->p));
	t->m = calloc(max, sizeof(*t->m));
	t->iov = calloc(max, sizeof(*t->iov));
	t->ctl = calloc(max, GSO_CTL);
	if (!t->p || !t->m || !t->iov || !t->ctl) {
		slam_tx_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void slam_tx_free(struct slam_tx *t)
{
	free(t->p);
	free(t->m);
	free(t->iov);
	free(t->ctl);
	free(t->buf);
	t->p = NULL;
	t->m = NULL;
	t->iov = NULL;
	t->ctl = NULL;
	t->buf = NULL;
	t->n = 0;
}

int slam_tx_add(struct slam_tx *t, const struct slam_hdr *h, uint64_t block)
{
	struct slam_pkt *p;
	size_t need = PKT_ROOM(h->bs);
	int hl;

	if (t->n >= t->max || block >= h->nblocks) {
		errno = t->n >= t->max ? ENOBUFS : EINVAL;
		return -1;
	}
	if (t->used + need > t->cap) {
		/* grown only while empty: queued packets keep their place */
		size_t cap = (size_t)t->max * need;
		uint8_t *b;

		if (t->n) {
			errno = ENOBUFS;
			return -1;
		}
		b = realloc(t->buf, cap);
		if (!b)
			return -1;
		t->buf = b;
		t->cap = cap;
	}
	p = &t->p[t->n];
	hl = slam_data_prefix(t->buf + t->used, t->cap - t->used, h, block);
	if (hl < 0)
		return -1;
	p->block = block;
	p->off = t->used;
	p->hlen = (size_t)hl;
	p->dlen = (size_t)slam_block_len(h, block);
	t->used += p->hlen + p->dlen;
	t->n++;
	return 0;
}

/* Reads the data of packets [i, j), consecutive blocks, in one preadv;
 * 0, or -1 when it came up short. */
static int read_run(struct slam_tx *t, int file, uint64_t bs, unsigned i,
		    unsigned j)
{
	size_t want = 0;
	ssize_t got;
	unsigned k;

	for (k = i; k < j; k++) {
		t->iov[k - i].iov_base = t->buf + t->p[k].off + t->p[k].hlen;
		t->iov[k - i].iov_len = t->p[k].dlen;
		want += t->p[k].dlen;
	}
	do
		got = preadv(file, t->iov, (int)(j - i),
			     (off_t)(t->p[i].block * bs));
	while (got < 0 && errno == EINTR);
	return got == (ssize_t)want ? 0 : -1;
}

/* Reads every queued block; on a short read the batch ends before it. */
static void read_all(struct slam_tx *t, int file, uint64_t bs,
		     slam_unsent_fn unsent, void *ctx)
{
	unsigned i = 0, j, k;

	t->short_read = 0;
	while (i < t->n) {
		for (j = i + 1; j < t->n && j - i < IOV_MAX &&
		     t->p[j].block == t->p[j - 1].block + 1; j++)
			;
		if (read_run(t, file, bs, i, j)) {
			/* shrunk under us: these did not go */
			t->short_read = 1;
			for (k = i; k < t->n; k++)
				unsent(ctx, t->p[k].block);
			t->n = i;
			return;
		}
		i = j;
	}
}

/* Builds the messages for packets [from, n): with gso, runs of equal
 * length (a shorter last one may end a run) as one message each.
 * first[] gets each message's first packet. Returns the count. */
static unsigned build(struct slam_tx *t, unsigned from, unsigned *first)
{
	unsigned nm = 0, i = from, j;
	struct msghdr *h;
	size_t len, tot;

	while (i < t->n) {
		len = t->p[i].hlen + t->p[i].dlen;
		tot = len;
		j = i + 1;
		if (t->gso)
			for (; j < t->n && j - i < TRAIN; j++) {
				size_t l = t->p[j].hlen + t->p[j].dlen;

				if (l > len || tot + l > GSO_BYTES)
					break;
				tot += l;
				if (l < len) {
					j++;
					break;
				}
			}
		memset(&t->m[nm], 0, sizeof(t->m[nm]));
		h = &t->m[nm].msg_hdr;
		t->iov[nm].iov_base = t->buf + t->p[i].off;
		t->iov[nm].iov_len = tot;
		h->msg_name = (void *)t->dst;
		h->msg_namelen = inet_sslen(t->dst);
		h->msg_iov = &t->iov[nm];
		h->msg_iovlen = 1;
		if (j - i > 1) {
			uint8_t *ctl = t->ctl + (size_t)nm * GSO_CTL;
			struct cmsghdr *c = (struct cmsghdr *)ctl;
			uint16_t seg = (uint16_t)len;

			memset(ctl, 0, GSO_CTL);
			h->msg_control = ctl;
			h->msg_controllen = GSO_CTL;
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		first[nm++] = i;
		i = j;
	}
	first[nm] = t->n;
	return nm;
}

int slam_tx_flush(struct slam_tx *t, int file, uint64_t bs,
		  slam_unsent_fn unsent, void *ctx)
{
	unsigned first[t->max + 1], nm, k = 0, done = 0, i;
	int r, e;

	read_all(t, file, bs, unsent, ctx);
	nm = build(t, 0, first);
	while (k < nm) {
		r = sendmmsg(t->fd, t->m + k, nm - k, 0);
		if (r > 0) {
			k += (unsigned)r;
			done = first[k];
			continue;
		}
		e = errno;
		if (r < 0 && e == EINTR)
			continue;
		if (r < 0 && t->gso && t->m[k].msg_hdr.msg_controllen &&
		    (e == EIO || e == EINVAL || e == EMSGSIZE ||
		     e == EOPNOTSUPP)) {
			/* the route's device (or the block size) does not
			 * allow segmentation offload: go without, for good */
			t->gso = 0;
			nm = build(t, done, first);
			k = 0;
			continue;
		}
		/* a block the kernel refused did not go either */
		for (i = done; i < t->n; i++)
			unsent(ctx, t->p[i].block);
		t->n = 0;
		t->used = 0;
		errno = r < 0 ? e : EAGAIN;
		return -1;
	}
	t->n = 0;
	t->used = 0;
	return (int)done;
}
