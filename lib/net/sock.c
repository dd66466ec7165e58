/* sock.c - UDP socket helpers and batched datagram I/O (sendmmsg/recvmmsg,
 * IP_RECVTTL, IPV6_RECVHOPLIMIT, SO_TIMESTAMPNS). Linux. */
#include "net/sock.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "net/inet.h"
#include "net/mcast.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* room for TTL/hop limit, TOS/traffic class, GRO size and a timespec */
#define SOCK_CTLSIZE (3 * CMSG_SPACE(sizeof(int)) + \
		      CMSG_SPACE(sizeof(struct timespec)) + 64)

int sock_udp(int family)
{
	return socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
}

int sock_route_mtu(const struct sockaddr_storage *dst)
{
	int v6 = dst->ss_family == AF_INET6, fd = sock_udp(dst->ss_family);
	int mtu = -1;
	socklen_t l = sizeof(mtu);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)dst, inet_sslen(dst)) ||
	    getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_MTU : IP_MTU, &mtu, &l))
		mtu = -1;
	close(fd);
	return mtu;
}

int sock_mc_sender(const struct mc_group *g, const struct sock_send_opts *o)
{
	struct sockaddr_storage ss;
	char a[INET_FMTLEN] = "";
	const char *step;
	int fd, on = 1, e;

	fd = sock_udp(g->family);
	if (fd < 0) {
		err_set("socket: %s", strerror(errno));
		return -1;
	}
	if (o->bind || o->sport) {
		memset(&ss, 0, sizeof(ss));
		if (o->bind)
			ss = *o->bind;
		ss.ss_family = g->family;
		inet_set_port(&ss, o->sport);
		/* several groups may share one source port */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		step = "bind";
		inet_fmt(&ss, a, sizeof(a));
		if (bind(fd, (struct sockaddr *)&ss, inet_sslen(&ss)) < 0)
			goto fail;
	}
	*a = 0;
	step = "multicast interface";
	if (o->ifindex && mc_set_if(fd, g->family, o->ifindex) < 0)
		goto fail;
	step = "multicast TTL";
	if (o->ttl >= 0 && mc_set_ttl(fd, g->family, o->ttl) < 0)
		goto fail;
	step = "multicast loop";
	if (o->loop >= 0 && mc_set_loop(fd, g->family, o->loop) < 0)
		goto fail;
	step = "TOS";
	if (o->tos >= 0 && sock_set_tos(fd, g->family, o->tos) < 0)
		goto fail;
	sock_bufsize(fd, SO_SNDBUF, 4 << 20);
	ss = g->group;
	/* a link-local scope group (ff02::/16, ff12::/16) names its link */
	if (g->family == AF_INET6 && o->ifindex)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id =
			(uint32_t)o->ifindex;
	step = "connect";
	inet_fmt(&g->group, a, sizeof(a));
	if (connect(fd, (const struct sockaddr *)&ss, inet_sslen(&ss)) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	err_set("%s%s%s: %s%s", step, *a ? " " : "", a, strerror(e),
		e == ENETUNREACH && !o->ifindex
		? " (no route for the group: use -i IFACE)"
		: e == EINVAL && !o->ifindex && g->family == AF_INET6
		? " (a link-local group needs -i IFACE)" : "");
	close(fd);
	errno = e;
	return -1;
}

int sock_bufsize(int fd, int which, int bytes)
{
	int v = bytes;
	socklen_t len = sizeof(v);

	if (setsockopt(fd, SOL_SOCKET, which, &v, sizeof(v)) < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, which, &v, &len) < 0)
		return -1;
	return v;
}

int sock_incoming_cpu(int fd)
{
	int cpu = -1;
	socklen_t len = sizeof(cpu);

	if (getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) < 0)
		return -1;
	return cpu;
}

int sock_rx_fill(int fd)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0)
		return -1;
	if (len < sizeof(uint32_t) * (SK_MEMINFO_RCVBUF + 1) ||
	    !mi[SK_MEMINFO_RCVBUF]) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return (int)((uint64_t)mi[SK_MEMINFO_RMEM_ALLOC] * 1000 /
		     mi[SK_MEMINFO_RCVBUF]);
}

int sock_set_tos(int fd, int family, int tos)
{
	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
				  sizeof(tos));
	return setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

int sock_rcvtimeo(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int sock_recv_meta(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
			       sizeof(on)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on,
			       sizeof(on)) < 0)
			return -1;
	} else if (setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on,
			      sizeof(on)) < 0 ||
		   setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on)) < 0) {
		return -1;
	}
	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

int sock_set_gso(int fd, int size)
{
	return setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof(size));
}

int sock_set_gro(int fd)
{
	int on = 1;

	return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on));
}

int sock_rx_init(struct sock_rx *b, unsigned n, size_t bufsize)
{
	memset(b, 0, sizeof(*b));
	b->n = n;
	b->bufsize = bufsize;
	b->msgs = calloc(n, sizeof(*b->msgs));
	b->iov = calloc(n, sizeof(*b->iov));
	b->from = calloc(n, sizeof(*b->from));
	b->bufs = malloc(n * bufsize);
	b->ctl = calloc(n, SOCK_CTLSIZE);
	if (!b->msgs || !b->iov || !b->from || !b->bufs || !b->ctl) {
		sock_rx_free(b);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void sock_rx_free(struct sock_rx *b)
{
	free(b->msgs);
	free(b->iov);
	free(b->from);
	free(b->bufs);
	free(b->ctl);
	memset(b, 0, sizeof(*b));
}

int sock_rx_recv(int fd, struct sock_rx *b, int flags)
{
	int r;

	for (unsigned i = 0; i < b->n; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->bufs + i * b->bufsize;
		b->iov[i].iov_len = b->bufsize;
		h->msg_name = &b->from[i];
		h->msg_namelen = sizeof(b->from[i]);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->ctl + i * SOCK_CTLSIZE;
		h->msg_controllen = SOCK_CTLSIZE;
		h->msg_flags = 0;
		b->msgs[i].msg_len = 0;
	}
	/* EINTR goes back to the caller: a signal may mean "stop" */
	r = recvmmsg(fd, b->msgs, b->n, flags, NULL);
	b->got = r > 0 ? (unsigned)r : 0;
	b->k = 0;
	b->off = 0;
	return r;
}

int sock_rx_next(struct sock_rx *b, unsigned *slot, const uint8_t **data,
		 size_t *len)
{
	const uint8_t *p;
	size_t all;

	if (b->k >= b->got)
		return 0;
	p = sock_rx_data(b, b->k, &all);
	if (!b->off) {
		/* once a slot: the size of the datagrams in its train */
		b->seg = sock_rx_gso(b, b->k);
		if (!b->seg || b->seg > all)
			b->seg = all;
	}
	*slot = b->k;
	*data = p + b->off;
	*len = all - b->off < b->seg ? all - b->off : b->seg;
	b->off += *len;
	if (b->off >= all) {
		b->k++;
		b->off = 0;
	}
	return 1;
}

const uint8_t *sock_rx_data(const struct sock_rx *b, unsigned i, size_t *len)
{
	*len = b->msgs[i].msg_len;
	if (*len > b->bufsize)
		*len = b->bufsize;
	return b->bufs + i * b->bufsize;
}

int sock_rx_truncated(const struct sock_rx *b, unsigned i)
{
	return !!(b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC);
}

const struct sockaddr_storage *sock_rx_from(const struct sock_rx *b,
					    unsigned i)
{
	return &b->from[i];
}

int sock_rx_ttl(const struct sock_rx *b, unsigned i)
{
	struct msghdr *h = (struct msghdr *)&b->msgs[i].msg_hdr;
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		     c->cmsg_type == IPV6_HOPLIMIT)) {
			if (c->cmsg_len < CMSG_LEN(sizeof(v)))
				continue;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

int sock_rx_tos(const struct sock_rx *b, unsigned i)
{
	struct msghdr *h = (struct msghdr *)&b->msgs[i].msg_hdr;
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		/* IPv4 hands over one byte, IPv6 an int */
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS &&
		    c->cmsg_len >= CMSG_LEN(1))
			return *(const uint8_t *)CMSG_DATA(c);
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_TCLASS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

uint64_t sock_rx_time(const struct sock_rx *b, unsigned i)
{
	struct msghdr *h = (struct msghdr *)&b->msgs[i].msg_hdr;
	struct cmsghdr *c;
	struct timespec ts;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull +
			       (uint64_t)ts.tv_nsec;
		}
	}
	return 0;
}

size_t sock_rx_gso(const struct sock_rx *b, unsigned i)
{
	struct msghdr *h = (struct msghdr *)&b->msgs[i].msg_hdr;
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

int sock_send_all(int fd, struct mmsghdr *m, unsigned n, unsigned *done)
{
	unsigned sent = 0;
	int r;

	while (sent < n) {
		r = sendmmsg(fd, m + sent, n - sent, 0);
		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ENOBUFS) {
			/* the device queue is full: this one is dropped, as
			 * the qdisc would drop it later anyway */
			sent++;
			continue;
		}
		if (done)
			*done = sent;
		return -1;
	}
	if (done)
		*done = sent;
	return (int)n;
}
