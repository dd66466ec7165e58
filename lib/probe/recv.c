/* recv.c - mcrecv's receive engine: groups x SSM sources (RFC 4607) joined
 * through the RFC 3678 API, batched receive (recvmmsg, UDP GRO) and probe
 * accounting; the caller prints each datagram from a callback. */
#include "probe/recv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/mcast.h"
#include "probe/diag.h"

#define MCRX_TICK_MS	20	/* deadline resolution of a single group */
#define MCRX_MAX_FLOWS	4096	/* senders tracked; more are counted only */

/* The groups of ops x sources into gs; their count, or -1 with err_str(). */
static int pair(char **ops, int n, const char *const *sources, int nsrc,
		struct mc_group *gs)
{
	int ngs = 0;

	for (int i = 0; i < n; i++) {
		struct mc_group g;

		if (inet_parse_group(ops[i], SOCK_DEFAULT_PORT, &g) < 0)
			return -1;
		if (g.source.ss_family != AF_UNSPEC || !nsrc) {
			gs[ngs++] = g;
			continue;
		}
		for (int k = 0; k < nsrc; k++) {
			gs[ngs] = g;
			if (inet_parse_addr(sources[k], &gs[ngs].source) < 0 ||
			    inet_is_multicast(&gs[ngs].source)) {
				err_set("bad source '%s'", sources[k]);
				return -1;
			}
			if (gs[ngs].source.ss_family != g.family) {
				err_set("source '%s' and group '%s' differ in "
					"address family", sources[k], ops[i]);
				return -1;
			}
			ngs++;
		}
	}
	return ngs;
}

int mcrx_groups(char **ops, int n, const char *const *sources, int nsrc,
		struct mc_group **out)
{
	struct mc_group *gs = calloc((size_t)n * (nsrc + 1), sizeof(*gs));
	int ngs;

	*out = NULL;
	if (!gs)
		return -2;
	ngs = pair(ops, n, sources, nsrc, gs);
	if (ngs < 0)
		free(gs);
	else
		*out = gs;
	return ngs;
}

void mcrx_init(struct mcrx *x)
{
	memset(x, 0, sizeof(*x));
	probe_table_init(&x->flows, MCRX_MAX_FLOWS);
}

int mcrx_add(struct mcrx *x, const struct mc_group *g, int ifindex,
	     struct mcrx_added *res)
{
	char a[INET_FMTLEN], s[INET_FMTLEN], why[512];
	struct mcrx_group *r;
	int fd = -1, idx, e;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < x->n; i++)
		if (inet_same_addr(&x->rg[i].g.group, &g->group) &&
		    inet_port(&x->rg[i].g.group) == inet_port(&g->group))
			fd = x->rg[i].fd;
	inet_fmt(&g->group, a, sizeof(a));
	if (fd >= 0) {
		/* one more source on a group we hold: another join */
		if (mc_join(fd, g, ifindex) < 0)
			return err_errno("join %s,%s", inet_ntop_ss(&g->source,
					 s, sizeof(s)), a);
		return 0;
	}
	fd = mc_recv_socket(g, ifindex);
	if (fd < 0) {
		e = errno;
		snprintf(why, sizeof(why), "%s", err_str());
		err_set("join %s: %s", a, why);
		res->noroute = e == ENODEV && !ifindex;
		errno = e;
		return -1;
	}
	res->fresh = 1;
	if (sock_recv_meta(fd, g->family) < 0)
		res->meta_errno = errno;
	/* trains of datagrams in one receive; split again in batch() */
	sock_set_gro(fd);
	/* the kernel caps this at net.core.rmem_max */
	res->rcvbuf = sock_bufsize(fd, SO_RCVBUF, 8 << 20);
	r = realloc(x->rg, (x->n + 1) * sizeof(*x->rg));
	if (!r) {
		close(fd);
		err_set("malloc: %s", strerror(ENOMEM));
		errno = ENOMEM;
		return -1;
	}
	x->rg = r;
	r += x->n++;
	r->g = *g;
	r->fd = fd;
	r->watch = (struct mcdiag_watch){ .fd = -1, .err = ENOTCONN };
	idx = ifindex ? ifindex : mcdiag_joined(&g->group, 0);
	if (idx > 0)
		inet_ifname(idx, r->ifname);
	else
		r->ifname[0] = 0;
	return 0;
}

int mcrx_ready(struct mcrx *x)
{
	if (sock_rx_init(&x->b, SOCK_BATCH, 65536 + 512) < 0)
		return -1;
	x->pfd = calloc(x->n, sizeof(*x->pfd));
	if (!x->pfd)
		return -1;
	for (int i = 0; i < x->n; i++) {
		x->pfd[i].fd = x->rg[i].fd;
		x->pfd[i].events = POLLIN;
	}
	/* One group: block in recvmmsg itself, one system call a wakeup; it
	 * returns every MCRX_TICK_MS to look at the deadline. */
	if (x->n == 1)
		sock_rcvtimeo(x->rg[0].fd, MCRX_TICK_MS);
	for (int i = 0; i < x->n; i++)
		mcdiag_watch(&x->rg[i].watch, x->rg[i].ifname,
			     &x->rg[i].g.group);
	return 0;
}

/* Something arrived: no diagnosis to come, the counts can go. */
static void unwatch(struct mcrx *x)
{
	for (int i = 0; i < x->n; i++)
		if (x->rg[i].watch.fd >= 0) {
			close(x->rg[i].watch.fd);
			x->rg[i].watch.fd = -1;
		}
}

int mcrx_done(const struct mcrx *x)
{
	return x->count && x->received >= x->count;
}

static int stopped(const struct mcrx *x)
{
	return (x->stop && *x->stop) || x->failed;
}

/* One datagram; d holds what its slot says of it (sender, TTL...). Every
 * sender gets statistics; a probe's also count its sequence. An end
 * marker only tells its run's total: it is not handed on, nor counted as
 * a datagram. */
static void datagram(struct mcrx *x, struct mcrx_dgram *d)
{
	struct probe_flow *f;

	d->h = (struct probe_hdr){ 0 };
	d->verdict = PROBE_INORDER;
	d->probe = probe_decode(d->p, d->len, &d->h) == 0;
	if (!d->rx_ns)
		d->rx_ns = clock_wall_ns();
	f = probe_table_get(&x->flows, d->from, &d->rg->g.group, d->probe,
			    d->h.id);
	d->flow = f;
	if (d->probe && d->h.flags & PROBE_F_END) {
		if (f)
			probe_account(f, &d->h, d->rx_ns);
		return;
	}
	x->received++;
	x->bytes += d->len;
	if (f) {
		probe_flow_seen(f, d->len, d->rx_ns, d->ttl);
		if (d->probe)
			d->verdict = probe_account(f, &d->h, d->rx_ns);
	}
	if (x->writing) {
		if (!x->failed &&
		    outfile_write(&x->of, d->p, d->len, x->off) < 0)
			x->failed = 1;
		x->off += (off_t)d->len;
	} else if (x->on_datagram) {
		x->on_datagram(x->ctx, d);
	}
}

/* Hands on the datagrams of the last batch (a UDP GRO slot holds a train
 * of them: sock_rx_next splits it). What the ancillary data says is read
 * once a slot. */
static void batch(struct mcrx *x, const struct mcrx_group *rg)
{
	struct mcrx_dgram d = { .rg = rg };
	unsigned k, last = UINT_MAX;

	while (!mcrx_done(x) && sock_rx_next(&x->b, &k, &d.p, &d.len)) {
		if (k != last) {
			d.from = sock_rx_from(&x->b, k);
			d.ttl = sock_rx_ttl(&x->b, k);
			d.tos = sock_rx_tos(&x->b, k);
			d.rx_ns = sock_rx_time(&x->b, k);
			last = k;
		}
		datagram(x, &d);
	}
}

/* Reads what waits on rg's socket: a few batches, then the next socket
 * gets its turn. */
static int drain(struct mcrx *x, const struct mcrx_group *rg)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		int r = sock_rx_recv(rg->fd, &x->b, MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (r < 0)
			return err_errno("receive");
		batch(x, rg);
		if (r < (int)x->b.n)
			return 0;
	}
	return 0;
}

int mcrx_step(struct mcrx *x, uint64_t deadline)
{
	int ms = deadline ? clock_poll_ms(deadline) : -1;

	if (deadline && ms == 0)
		return 1;
	if (x->n == 1) {
		int r = sock_rx_recv(x->rg[0].fd, &x->b, MSG_WAITFORONE);

		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return err_errno("receive");
		if (r > 0)
			batch(x, &x->rg[0]);
		return 0;
	}
	if (poll(x->pfd, x->n, ms) < 0)
		return errno == EINTR ? 0 : err_errno("poll");
	for (int i = 0; i < x->n && !stopped(x); i++)
		if ((x->pfd[i].revents & POLLIN) && drain(x, &x->rg[i]) < 0)
			return -1;
	return 0;
}

int mcrx_join(struct mcrx *x, const struct mc_group *gs, int n, int ifindex,
	      void (*on_join)(void *ctx, const struct mcrx_group *rg,
			      const struct mcrx_added *res))
{
	struct mcrx_added res;

	for (int i = 0; i < n; i++) {
		if (mcrx_add(x, &gs[i], ifindex, &res) < 0) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err_str());
			if (res.noroute)
				err_set("%s (no route for the group: use -i "
					"IFACE)", why);
			return -1;
		}
		if (res.fresh && on_join)
			on_join(x->ctx, &x->rg[x->n - 1], &res);
	}
	return 0;
}

int mcrx_output(struct mcrx *x, const char *path)
{
	if (outfile_open(&x->of, path) < 0)
		return -1;
	x->writing = 1;
	return 0;
}

/* Reads what already waits in the sockets, so that loss worked out at
 * this moment does not count what arrived but was not read yet. */
static void catch_up(struct mcrx *x)
{
	for (int i = 0; i < x->n && !stopped(x) && !mcrx_done(x); i++)
		if (drain(x, &x->rg[i]) < 0)
			return;
}

/* The interval reports due at now: one covering every boundary passed
 * since the last, so that reports follow each other without gaps. */
static void intervals(struct mcrx *x, uint64_t t0, uint64_t now,
		      uint64_t *next)
{
	uint64_t iv = x->interval_ns, from = *next - iv;

	if (now < *next)
		return;
	while (*next + iv <= now)
		*next += iv;
	catch_up(x);
	probe_table_expect(&x->flows, clock_wall_ns());
	x->on_interval(x->ctx, (double)(from - t0) / 1e9,
		       (double)(*next - t0) / 1e9);
	for (size_t i = 0; i < x->flows.n; i++)
		probe_flow_mark(x->flows.v[i]);
	*next += iv;
}

int mcrx_run(struct mcrx *x, uint64_t wait_ns, void (*after)(void *ctx))
{
	uint64_t t0 = clock_ns(), deadline = wait_ns ? t0 + wait_ns : 0;
	int iv = x->interval_ns && x->on_interval;
	uint64_t next = t0 + x->interval_ns, until, now;
	int r = 0;

	x->t0_wall = clock_wall_ns();
	while (!stopped(x) && !mcrx_done(x)) {
		until = iv && (!deadline || next < deadline) ? next : deadline;
		if (mcrx_step(x, until) < 0) {
			r = -1;
			break;
		}
		now = clock_ns();
		if (x->received)
			unwatch(x);
		if (iv)
			intervals(x, t0, now, &next);
		if (deadline && now >= deadline) {
			r = 1;
			break;
		}
		if (after)
			after(x->ctx);
	}
	x->secs = (double)(clock_ns() - t0) / 1e9;
	/* loss up to what should have arrived by now */
	if (r == 1)
		catch_up(x);
	probe_table_expect(&x->flows, clock_wall_ns());
	return r;
}

int mcrx_output_end(struct mcrx *x)
{
	if (!x->writing)
		return 0;
	x->writing = 0;
	if (x->failed) {
		outfile_abort(&x->of);
		return -1;
	}
	return outfile_commit(&x->of, x->off);
}

void mcrx_free(struct mcrx *x)
{
	unwatch(x);
	for (int i = 0; i < x->n; i++)
		close(x->rg[i].fd);
	free(x->rg);
	free(x->pfd);
	sock_rx_free(&x->b);
	probe_table_free(&x->flows);
	if (x->writing)
		outfile_abort(&x->of);
	memset(x, 0, sizeof(*x));
}
