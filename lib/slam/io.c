/* slamio.c - socket and file I/O of the SLAM drivers (PROTOCOLS.md §1):
 * UDP_SEGMENT batches of data packets, UDP GRO receives split back into
 * datagrams, pwritev of blocks that arrive in order. Linux, see udp(7). */
#include "slam/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "net/inet.h"

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
#define WRITEBACK_BYTES	(UINT64_C(4) << 20)
#define PKT_ROOM(bs)	((size_t)(bs) + SLAM_HDR_MAX + SLAM_INT_LEN)

int slamio_srv_socket(const struct mc_group *g, int port, int ifindex,
		      int ttl)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)g->family };
	int fd, e;

	fd = sock_udp(g->family);
	if (fd < 0) {
		err_set("socket: %s", strerror(errno));
		return -1;
	}
	inet_set_port(&ss, port);
	if (bind(fd, (struct sockaddr *)&ss, inet_sslen(&ss))) {
		e = errno;
		err_set("bind port %d: %s", port, strerror(e));
		goto fail;
	}
	/* our own group traffic must never come back to us as "NACKs" */
	if (mc_set_all(fd, g->family, 0) || mc_set_ttl(fd, g->family, ttl) ||
	    mc_set_loop(fd, g->family, 1) ||
	    (ifindex > 0 && mc_set_if(fd, g->family, ifindex))) {
		e = errno;
		err_set("multicast socket options: %s", strerror(e));
		goto fail;
	}
	sock_bufsize(fd, SO_SNDBUF, 4 << 20);
	return fd;
fail:
	close(fd);
	errno = e;
	return -1;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

uint64_t slamio_txn(const struct stat *st)
{
	return mix(mix((uint64_t)st->st_size) ^ (uint64_t)st->st_mtim.tv_sec ^
		   mix((uint64_t)st->st_mtim.tv_nsec + st->st_ino)) &
	       0xffffffffULL;
}

uint64_t slamio_block_size(const struct mc_group *g, uint64_t txn,
			   uint64_t size)
{
	/* the route the data will take; 1500 when there is none yet */
	int mtu = sock_route_mtu(&g->group);
	uint64_t bs = slam_fit_bs((uint64_t)(mtu < 0 ? 1500 : mtu) -
				  (g->family == AF_INET ? 28 : 48), txn, size);

	while (bs > 1 && size && size % bs == 0)
		bs--;
	return bs;
}

int slamio_tx_init(struct slamio_tx *t, int fd,
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
		slamio_tx_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void slamio_tx_free(struct slamio_tx *t)
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

int slamio_tx_add(struct slamio_tx *t, const struct slam_hdr *h,
		  uint64_t block)
{
	struct slamio_pkt *p;
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
static int read_run(struct slamio_tx *t, int file, uint64_t bs, unsigned i,
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
static void read_all(struct slamio_tx *t, struct slam_srv *s, int file)
{
	unsigned i = 0, j, k;

	t->short_read = 0;
	while (i < t->n) {
		for (j = i + 1; j < t->n && j - i < IOV_MAX &&
		     t->p[j].block == t->p[j - 1].block + 1; j++)
			;
		if (read_run(t, file, s->h.bs, i, j)) {
			/* shrunk under us: these are wanted again */
			t->short_read = 1;
			for (k = i; k < t->n; k++)
				slam_srv_unsend(s, t->p[k].block);
			t->n = i;
			return;
		}
		i = j;
	}
}

/* Builds the messages for packets [from, n): with gso, runs of equal
 * length (a shorter last one may end a run) as one message each.
 * first[] gets each message's first packet. Returns the count. */
static unsigned build(struct slamio_tx *t, unsigned from, unsigned *first)
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

int slamio_tx_flush(struct slamio_tx *t, struct slam_srv *s, int file)
{
	unsigned first[t->max + 1], nm, k = 0, done = 0, i;
	int r, e;

	read_all(t, s, file);
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
		/* a block the kernel refused is wanted again, not lost */
		for (i = done; i < t->n; i++)
			slam_srv_unsend(s, t->p[i].block);
		t->n = 0;
		t->used = 0;
		errno = r < 0 ? e : EAGAIN;
		return -1;
	}
	t->n = 0;
	t->used = 0;
	return (int)done;
}

int slamio_cli_socket(const struct mc_group *g, int ifindex)
{
	int fd = mc_recv_socket(g, ifindex);

	if (fd < 0)
		return -1;
	/* a burst of data must not overflow the socket while we write */
	sock_bufsize(fd, SO_RCVBUF, 4 << 20);
	/* trains of datagrams in one receive; without it (Linux < 5.0)
	 * every datagram is one */
	sock_set_gro(fd);
	return fd;
}

int slamio_rx_init(struct slamio_rx *x, unsigned slots)
{
	memset(x, 0, sizeof(*x));
	return sock_rx_init(&x->b, slots, 65536);
}

void slamio_rx_free(struct slamio_rx *x)
{
	sock_rx_free(&x->b);
}

int slamio_rx_recv(struct slamio_rx *x, int fd)
{
	int r = sock_rx_recv(fd, &x->b, MSG_DONTWAIT);

	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	return r;
}

int slamio_rx_next(struct slamio_rx *x, const uint8_t **data, size_t *len,
		   const struct sockaddr_storage **from)
{
	unsigned k;

	if (!sock_rx_next(&x->b, &k, data, len))
		return 0;
	*from = sock_rx_from(&x->b, k);
	return 1;
}

int slamio_wq_flush(struct slamio_wq *w)
{
	ssize_t r = 0;
	off_t off;
	int k;

	if (!w->n)
		return 0;
	if (w->n > 1) {
		do
			r = pwritev(w->of->fd, w->iov, w->n, w->off);
		while (r < 0 && errno == EINTR);
	}
	if (r != w->end - w->off) {
		/* short, failed or single: the plain path retries and
		 * reports */
		off = w->off;
		for (k = 0; k < w->n; k++) {
			if (outfile_pwrite(w->of, w->iov[k].iov_base,
					   w->iov[k].iov_len, off)) {
				w->n = 0;
				return -1;
			}
			off += (off_t)w->iov[k].iov_len;
		}
	}
	w->n = 0;
	w->dirty += (uint64_t)(w->end - w->off);
	if (w->dirty >= WRITEBACK_BYTES) {
		/* asynchronous: only starts the writeback (errors show at
		 * the fsync) */
		sync_file_range(w->of->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		w->dirty = 0;
	}
	return 0;
}

int slamio_wq_add(struct slamio_wq *w, const void *p, size_t len, off_t off)
{
	if (w->n && (off != w->end || w->n == SLAMIO_WQ_MAX) &&
	    slamio_wq_flush(w))
		return -1;
	if (!w->n)
		w->off = w->end = off;
	w->iov[w->n].iov_base = (void *)p;
	w->iov[w->n++].iov_len = len;
	w->end += (off_t)len;
	return 0;
}

int slamio_parse_target(int n, char **ops, struct sockaddr_storage *srv,
			struct mc_group *g)
{
	char *buf = NULL, *scheme, *auth, *path;
	const char *server = ops[0], *group = n > 1 ? ops[1] : NULL;
	int rc = -1;

	if (strstr(ops[0], "://")) {
		if (n > 1) {
			err_set("a URL takes no second operand");
			return -1;
		}
		if (inet_split_url(ops[0], &buf, &scheme, &auth, &path))
			return -1;
		if (strcmp(scheme, "x-slam")) {
			err_set("'%s': not an x-slam:// URL", ops[0]);
			goto out;
		}
		server = auth;
		group = *path ? path : NULL;
	}
	if (!*server) {
		err_set("no server in '%s' (SLAM needs one)", ops[0]);
		goto out;
	}
	if (group) {
		if (inet_parse_group(group, SLAM_PORT, g))
			goto out;
		if (inet_parse_hostport(server, SLAM_PORT, g->family, srv))
			goto out;
	} else {
		if (inet_parse_hostport(server, SLAM_PORT, AF_INET, srv)) {
			err_set("bad server '%s' (IPv4, or give an IPv6 GROUP)",
				server);
			goto out;
		}
		inet_parse_group(SLAM_GROUP, SLAM_PORT, g);
	}
	rc = 0;
out:
	free(buf);
	return rc;
}
