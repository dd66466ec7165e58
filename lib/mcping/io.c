/* io.c - sockets and event loops for the mcping client, responder and
 * mesh (RFC 6450); the protocol itself is in client.c, responder.c and
 * mesh.c. Linux. */
#include "mcping/io.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/mcast.h"

#define CTL_SIZE 256

/* Arrival TTL and destination address of every datagram on fd. */
static int recv_meta(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
				  sizeof(on)) ||
		       setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
				  sizeof(on)) ? -1 : 0;
	return setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)) ||
	       setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) ? -1
									 : 0;
}

/* Unicast and multicast TTL (hop limit) of what fd sends. */
static int set_ttl(int fd, int family, int ttl)
{
	if (family == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6,
					    IPV6_UNICAST_HOPS, &ttl,
					    sizeof(ttl))
			       : setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
					    sizeof(ttl)))
		return -1;
	return mc_set_ttl(fd, family, ttl);
}

struct rx {
	uint8_t buf[65536];
	ssize_t len;
	struct sockaddr_storage from;
	struct sockaddr_storage dst;	/* address it came to; family 0: ? */
	int ifindex;
	int ttl;
};

/* One datagram without waiting: 1, 0 when none is waiting, -1 on error.
 * A datagram cut short (larger than we take) is dropped. */
static int recv_one(int fd, struct rx *x)
{
	union {
		char b[CTL_SIZE];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { x->buf, sizeof(x->buf) };
	struct msghdr h = {
		.msg_name = &x->from, .msg_namelen = sizeof(x->from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	struct cmsghdr *c;

	for (;;) {
		x->len = recvmsg(fd, &h, MSG_DONTWAIT);
		if (x->len < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0
			     : errno == EINTR ? 0 : -1;
		if (!(h.msg_flags & MSG_TRUNC))
			break;
		h.msg_namelen = sizeof(x->from);
		h.msg_controllen = sizeof(ctl.b);
	}
	x->ttl = -1;
	x->ifindex = 0;
	memset(&x->dst, 0, sizeof(x->dst));
	for (c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&x->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&x->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IP &&
			   c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			struct sockaddr_in *d = (struct sockaddr_in *)&x->dst;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->sin_family = AF_INET;
			d->sin_addr = pi.ipi_addr;
			x->ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *d = (struct sockaddr_in6 *)&x->dst;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->sin6_family = AF_INET6;
			d->sin6_addr = pi.ipi6_addr;
			x->ifindex = (int)pi.ipi6_ifindex;
		}
	}
	return 1;
}

static int poll_ms(uint64_t wake, uint64_t deadline)
{
	if (deadline && (!wake || deadline < wake))
		wake = deadline;
	return clock_poll_ms(wake);
}

static int stopped(const volatile sig_atomic_t *stop)
{
	return stop && *stop;
}

/* ---- client ---- */

int mcp_io_client(struct mcp_client *c, const struct mcp_client_cfg *cfg,
		  struct mcp_client_io *io)
{
	struct mcp_client_cfg cf = *cfg;
	struct sockaddr_storage local;
	socklen_t sl = sizeof(local);
	struct mc_group g = io->group;
	struct pollfd pfd[2];
	uint8_t out[MCP_MAXMSG];
	int fam = io->responder.ss_family, rc = -1;
	struct rx *x = malloc(sizeof(*x));

	pfd[0].fd = pfd[1].fd = -1;
	if (!x) {
		err_set("malloc: %s", strerror(errno));
		return -1;
	}
	pfd[0].fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pfd[0].fd < 0 || recv_meta(pfd[0].fd, fam) ||
	    (io->ttl && set_ttl(pfd[0].fd, fam, io->ttl))) {
		err_errno("socket");
		goto out;
	}
	/* connecting binds it to the source address the route picks, so
	 * that the group's datagrams, on the same port, never land here */
	if (connect(pfd[0].fd, (struct sockaddr *)&io->responder,
		    inet_sslen(&io->responder)) ||
	    getsockname(pfd[0].fd, (struct sockaddr *)&local, &sl)) {
		err_errno("connect");
		goto out;
	}
	inet_set_port(&g.group, inet_port(&local));
	pfd[1].fd = mc_recv_socket(&g, io->ifindex);
	if (pfd[1].fd < 0 || recv_meta(pfd[1].fd, fam)) {
		char a[INET_FMTLEN];

		err_set("join %s: %s", inet_ntop_ss(&g.group, a, sizeof(a)),
			err_str());
		goto out;
	}
	cf.responder = io->responder;
	cf.group = io->group.group;
	if (!cf.linger_ns)
		cf.linger_ns = 1000000000u;
	mcp_io_random(cf.cid, sizeof(cf.cid));
	mcp_client_init(c, &cf, clock_ns());
	if (io->on_ready) {
		char m[3 * INET_FMTLEN + 64], a[3][INET_FMTLEN];

		snprintf(m, sizeof(m), "pinging %s from %s, joined (%s,%s)",
			 inet_ntop_ss(&io->responder, a[0], sizeof(a[0])),
			 inet_ntop_ss(&local, a[1], sizeof(a[1])),
			 g.source.ss_family ? a[0] : "*",
			 inet_ntop_ss(&g.group, a[2], sizeof(a[2])));
		io->on_ready(io->ctx, m);
	}
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		uint64_t now = clock_ns(), wake;
		size_t len;
		int n;

		if (stopped(io->stop) || mcp_client_done(c, now) ||
		    (io->deadline_ns && now >= io->deadline_ns))
			break;
		len = mcp_client_poll(c, now, clock_wall_ns(), out,
				      sizeof(out), &wake);
		/* a refused send (ICMP unreachable) is no failure of ours */
		if (len && send(pfd[0].fd, out, len, 0) < 0 &&
		    errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH && errno != EINTR) {
			err_errno("send");
			goto out;
		}
		if (len)
			continue;
		n = poll(pfd, 2, poll_ms(wake, io->deadline_ns));
		if (n < 0 && errno != EINTR) {
			err_errno("poll");
			goto out;
		}
		for (int k = 0; n > 0 && k < 2; k++) {
			int r;

			if (!(pfd[k].revents & (POLLIN | POLLERR)))
				continue;
			while ((r = recv_one(pfd[k].fd, x)) > 0) {
				struct mcp_reply_ev ev;
				enum mcp_in what;

				what = mcp_client_input(c, clock_ns(),
					k ? MCP_MC : MCP_UC, k ? &x->from
					: NULL, x->buf, (size_t)x->len,
					x->ttl, &ev);
				if (io->on_reply)
					io->on_reply(io->ctx, what, &ev,
						     &x->from);
			}
			/* ICMP errors on the connected socket: drained */
			if (r < 0 && errno != ECONNREFUSED &&
			    errno != EHOSTUNREACH && errno != ENETUNREACH) {
				err_errno("receive");
				goto out;
			}
		}
	}
	rc = 0;
out:
	for (int k = 0; k < 2; k++)
		if (pfd[k].fd >= 0)
			close(pfd[k].fd);
	free(x);
	return rc;
}

/* ---- responder ---- */

/* sendmsg to `to`, from the local address `src` (family 0: any), out of
 * ifindex (0: the route's). */
static ssize_t send_from(int fd, const void *p, size_t len,
			 const struct sockaddr_storage *to,
			 const struct sockaddr_storage *src, int ifindex)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)p, len };
	struct msghdr h = {
		.msg_name = (void *)to, .msg_namelen = inet_sslen(to),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	if (src->ss_family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = ifindex };

		pi.ipi_spec_dst = ((const struct sockaddr_in *)src)->sin_addr;
		h.msg_control = ctl.b;
		h.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else if (src->ss_family == AF_INET6) {
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };

		pi.ipi6_addr = ((const struct sockaddr_in6 *)src)->sin6_addr;
		h.msg_control = ctl.b;
		h.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	return sendmsg(fd, &h, 0);
}

static int resp_socket(int family, int port, int ttl, int ifindex,
		       struct sockaddr_storage *bound)
{
	int fd, on = 1;

	memset(bound, 0, sizeof(*bound));
	bound->ss_family = (sa_family_t)family;
	inet_set_port(bound, port);
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_errno("socket");
	if ((family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					      &on, sizeof(on))) ||
	    recv_meta(fd, family) || set_ttl(fd, family, ttl) ||
	    (ifindex && mc_set_if(fd, family, ifindex))) {
		err_errno("socket options");
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)bound, inet_sslen(bound))) {
		char a[INET_FMTLEN];

		err_errno("bind %s", inet_fmt(bound, a, sizeof(a)));
		close(fd);
		return -1;
	}
	return fd;
}

/* The interface for a multicast answer: the arrival one for a
 * link-scope IPv6 group, else the configured one (0: by route). */
static int mc_ifindex(const struct sockaddr_storage *g, int arrival,
		      int configured)
{
	if (g->ss_family == AF_INET6 &&
	    (((const struct sockaddr_in6 *)g)->sin6_addr.s6_addr[1] & 0x0f)
	    == 2)
		return arrival;
	return configured;
}

int mcp_io_respond(struct mcp_resp *r, const struct mcp_resp_cfg *cfg,
		   struct mcp_resp_io *io)
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	struct sockaddr_storage bound[2];
	struct pollfd pfd[2];
	uint8_t out[MCP_MAXMSG];
	int n = 0, rc = -1;
	struct rx *x = malloc(sizeof(*x));
	char why[256] = "";

	if (!x) {
		err_set("malloc: %s", strerror(errno));
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		if (io->family != AF_UNSPEC && io->family != fams[k])
			continue;
		pfd[n].fd = resp_socket(fams[k], io->port, cfg->ttl,
					io->ifindex, &bound[n]);
		if (pfd[n].fd < 0) {
			snprintf(why, sizeof(why), "%s", err_str());
			continue;
		}
		pfd[n++].events = POLLIN;
	}
	/* with both families asked for, one of them is enough */
	if (!n || (io->family != AF_UNSPEC && why[0])) {
		err_set("%s", why);
		goto out;
	}
	mcp_resp_init(r, cfg, clock_ns());
	if (io->on_ready) {
		char m[2 * INET_FMTLEN + 32], a[2][INET_FMTLEN];

		snprintf(m, sizeof(m), "listening on %s%s%s",
			 inet_fmt(&bound[0], a[0], sizeof(a[0])),
			 n > 1 ? " and " : "",
			 n > 1 ? inet_fmt(&bound[1], a[1], sizeof(a[1])) : "");
		io->on_ready(io->ctx, m);
	}
	while (!stopped(io->stop)) {
		uint64_t now = clock_ns();
		int k, got;

		if (io->deadline_ns && now >= io->deadline_ns)
			break;
		got = poll(pfd, (nfds_t)n, poll_ms(0, io->deadline_ns));
		if (got < 0 && errno != EINTR) {
			err_errno("poll");
			goto out;
		}
		for (k = 0; got > 0 && k < n; k++) {
			int rr;

			if (!(pfd[k].revents & (POLLIN | POLLERR)))
				continue;
			while ((rr = recv_one(pfd[k].fd, x)) > 0) {
				struct mcp_action act;

				mcp_resp_input(r, clock_ns(), clock_wall_ns(),
					       &x->from, x->buf,
					       (size_t)x->len, out,
					       sizeof(out), &act);
				if (act.len)
					send_from(pfd[k].fd, out, act.len,
						  &x->from, &x->dst, 0);
				if (act.v == MCP_V_ANSWER)
					send_from(pfd[k].fd, out, act.len,
						  &act.group, &x->dst,
						  mc_ifindex(&act.group,
							     x->ifindex,
							     io->ifindex));
				if (io->on_request)
					io->on_request(io->ctx, &x->from,
						       &act);
			}
			/* an ICMP error for an earlier answer: not ours */
			if (rr < 0 && errno != ECONNREFUSED &&
			    errno != EHOSTUNREACH && errno != ENETUNREACH) {
				err_errno("receive");
				goto out;
			}
		}
	}
	rc = 0;
out:
	while (n > 0)
		close(pfd[--n].fd);
	free(x);
	return rc;
}

/* ---- mesh ---- */

void mcp_io_random(uint8_t *p, size_t n)
{
	uint64_t x;

	if (getrandom(p, n, 0) == (ssize_t)n)
		return;
	x = clock_wall_ns() ^ (uint64_t)getpid() << 32;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		p[i] = (uint8_t)(x >> 56);
	}
}

int mcp_io_find_self(const struct sockaddr_storage *hosts, int n)
{
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage a = hosts[i];
		int fd = socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

		if (fd < 0)
			continue;
		inet_set_port(&a, 0);
		ok = !bind(fd, (struct sockaddr *)&a, inet_sslen(&a));
		close(fd);
		if (ok)
			return i;
	}
	return -1;
}

static int mesh_sockets(const struct mcp_mesh *m, const struct mcp_mesh_io *io,
			int fd[2])
{
	const struct mcp_mesh_cfg *cf = &m->cfg;
	struct sockaddr_storage self = cf->host[cf->self];
	int fam = self.ss_family, on = 1;
	struct mc_group g = { .family = fam, .group = cf->group };

	fd[0] = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd[0] < 0 ||
	    setsockopt(fd[0], SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    recv_meta(fd[0], fam) || set_ttl(fd[0], fam, cf->ttl) ||
	    mc_set_loop(fd[0], fam, 0) ||
	    (io->ifindex && mc_set_if(fd[0], fam, io->ifindex)))
		return err_errno("socket");
	if (bind(fd[0], (struct sockaddr *)&self, inet_sslen(&self))) {
		char a[INET_FMTLEN];

		return err_errno("bind %s", inet_fmt(&self, a, sizeof(a)));
	}
	/* ASM: one join; SSM: one per peer, as source */
	for (int i = 0; i < cf->n; i++) {
		char a[INET_FMTLEN];
		int ssm = mcp_is_ssm(&g.group);

		if (i == cf->self || (!ssm && fd[1] >= 0))
			continue;
		if (ssm)
			g.source = cf->host[i];
		if (fd[1] < 0) {
			fd[1] = mc_recv_socket(&g, io->ifindex);
			if (fd[1] >= 0)
				continue;
		} else if (!mc_join(fd[1], &g, io->ifindex)) {
			continue;
		} else {
			err_set("%s", strerror(errno));
		}
		err_set("join %s: %s", inet_ntop_ss(&g.group, a, sizeof(a)),
			err_str());
		return -1;
	}
	if (recv_meta(fd[1], fam))
		return err_errno("socket");
	return 0;
}

static void mesh_send(const struct mcp_mesh *m, int fd,
		      const struct mcp_send *s)
{
	const struct sockaddr_storage *to = s->to < 0 ? &m->cfg.group
				       : &m->cfg.host[s->to];

	/* a lost datagram is what we measure: no failure */
	sendto(fd, s->buf, s->len, 0, (const struct sockaddr *)to,
	       inet_sslen(to));
}

int mcp_io_mesh(struct mcp_mesh *m, const struct mcp_mesh_cfg *cfg,
		struct mcp_mesh_io *io)
{
	struct pollfd pfd[2] = { { .fd = -1 }, { .fd = -1 } };
	struct mcp_mesh_cfg cf = *cfg;
	int fd[2] = { -1, -1 }, rc = -1;
	struct rx *x = malloc(sizeof(*x));
	struct mcp_send *s = malloc(sizeof(*s));

	if (!x || !s) {
		err_set("malloc: %s", strerror(errno));
		goto out;
	}
	mcp_io_random(cf.cid, sizeof(cf.cid));
	if (!cf.wait_ns)
		cf.wait_ns = 10 * cf.interval_ns;
	/* a host that never shows up must not keep us forever */
	if (!io->deadline_ns)
		io->deadline_ns = clock_ns() + (cf.count + 20) *
				  cf.interval_ns + 10000000000u;
	mcp_mesh_init(m, &cf, clock_ns());
	if (mesh_sockets(m, io, fd) < 0)
		goto out;
	for (int k = 0; k < 2; k++) {
		pfd[k].fd = fd[k];
		pfd[k].events = POLLIN;
	}
	if (io->on_ready) {
		char msg[2 * INET_FMTLEN + 64], a[2][INET_FMTLEN];

		snprintf(msg, sizeof(msg), "listening on %s and %s (mesh of %d, "
			 "%s)", inet_fmt(&cf.host[cf.self], a[0], sizeof(a[0])),
			 inet_fmt(&cf.group, a[1], sizeof(a[1])), cf.n,
			 mcp_is_ssm(&cf.group) ? "SSM" : "ASM");
		io->on_ready(io->ctx, msg);
	}
	while (!stopped(io->stop)) {
		uint64_t now = clock_ns(), wake = 0;
		int n;

		if (mcp_mesh_done(m) ||
		    (io->deadline_ns && now >= io->deadline_ns))
			break;
		while (mcp_mesh_next(m, now, clock_wall_ns(), s, &wake))
			mesh_send(m, fd[0], s);
		n = poll(pfd, 2, poll_ms(wake, io->deadline_ns));
		if (n < 0 && errno != EINTR) {
			err_errno("poll");
			goto out;
		}
		for (int k = 0; n > 0 && k < 2; k++) {
			int r;

			if (!(pfd[k].revents & (POLLIN | POLLERR)))
				continue;
			while ((r = recv_one(fd[k], x)) > 0) {
				struct mcp_mesh_ev ev;

				mcp_mesh_input(m, clock_ns(), clock_wall_ns(),
					       k ? MCP_MC : MCP_UC, &x->from,
					       x->buf, (size_t)x->len, x->ttl,
					       &ev);
				while (mcp_mesh_queued(m, s))
					mesh_send(m, fd[0], s);
				if (io->on_event)
					io->on_event(io->ctx, &ev);
			}
			if (r < 0 && errno != ECONNREFUSED &&
			    errno != EHOSTUNREACH && errno != ENETUNREACH) {
				err_errno("receive");
				goto out;
			}
		}
	}
	rc = 0;
out:
	for (int k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	free(x);
	free(s);
	return rc;
}
