/* serve.c - the SLAM server driver (PROTOCOLS.md §1): the file and its
 * changes, the socket, batched sends and receives, the clock, and the loop
 * that runs the server machine (slam/server.c) and reports its events. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/units.h"
#include "file/progress.h"
#include "net/mcast.h"
#include "slam/serve.h"

/* Data packets per batch: the pacer's bucket (2 ms of packets) decides
 * how many are due at once; UDP_SEGMENT sends them in few messages. */
#define BATCH 256

static int srv_socket(const struct mc_group *g, int port, int ifindex,
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
	/* a room of firmware clients NACKs (and says goodbye) at once */
	sock_bufsize(fd, SO_RCVBUF, 4 << 20);
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

uint64_t slam_serve_txn(const struct stat *st)
{
	return mix(mix((uint64_t)st->st_size) ^ (uint64_t)st->st_mtim.tv_sec ^
		   mix((uint64_t)st->st_mtim.tv_nsec + st->st_ino)) &
	       0xffffffffULL;
}

uint64_t slam_serve_block_size(const struct mc_group *g, uint64_t txn,
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

static struct slam_host *host_of(struct slam_serve *v,
				  const struct sockaddr_storage *a)
{
	unsigned i;

	for (i = 0; a && i < v->nhosts; i++)
		if (inet_same_addr(&v->hosts[i].addr, a))
			return &v->hosts[i];
	return NULL;
}

/* What a verdict means for its machine: got the file once is for good. */
static void judge(struct slam_serve *v, enum slam_serve_ev ev,
		  const struct sockaddr_storage *addr)
{
	struct slam_host *h = host_of(v, addr);
	uint64_t miss = v->s.ev_missing;

	if ((ev == SLAM_SERVE_LEFT || ev == SLAM_SERVE_LOST) && miss) {
		struct slam_failed *f = realloc(v->failed, (v->nfailed + 1) *
						sizeof(*f));

		v->incomplete++;
		if (f) {	/* (else the summary names fewer) */
			v->failed = f;
			f[v->nfailed].addr = *addr;
			f[v->nfailed].lost = ev == SLAM_SERVE_LOST;
			f[v->nfailed++].missing = miss;
		}
	}
	if (!h || h->state == SLAM_HOST_DONE)
		return;
	if (ev == SLAM_SERVE_JOIN) {
		h->state = SLAM_HOST_ACTIVE;
	} else if (ev == SLAM_SERVE_DONE ||
		   (ev == SLAM_SERVE_LOST && !miss)) {
		h->state = SLAM_HOST_DONE;
	} else if (ev == SLAM_SERVE_LEFT || ev == SLAM_SERVE_LOST) {
		h->state = ev == SLAM_SERVE_LEFT ? SLAM_HOST_LEFT :
						   SLAM_HOST_LOST;
		h->missing = miss;
	}
}

static void event(struct slam_serve *v, enum slam_serve_ev ev,
		  const struct sockaddr_storage *addr, int err)
{
	judge(v, ev, addr);
	if (v->on_event)
		v->on_event(v, ev, addr, err);
}

static int add_host(struct slam_serve *v, const char *name)
{
	struct sockaddr_storage a;
	struct slam_host *h;

	if (inet_parse_addr(name, &a) &&
	    inet_parse_hostport(name, SLAM_PORT, AF_UNSPEC, &a)) {
		err_set("bad host '%s' in --hosts", name);
		return -1;
	}
	if (host_of(v, &a))
		return 0;	/* named twice */
	h = realloc(v->hosts, (v->nhosts + 1) * sizeof(*h));
	if (!h) {
		err_set("--hosts: %s", strerror(errno));
		return -1;
	}
	v->hosts = h;
	memset(&h[v->nhosts], 0, sizeof(*h));
	h[v->nhosts++].addr = a;
	return 0;
}

#define HOSTS_FILE_MAX (1 << 20)

int slam_serve_hosts(struct slam_serve *v, const char *arg)
{
	char *buf = NULL, *p, *tok, *save;
	size_t len = 0;
	FILE *f;
	int rc = -1, c;

	if (arg[0] == '@') {
		f = fopen(arg + 1, "re");
		if (!f) {
			err_set("--hosts %s: %s", arg + 1, strerror(errno));
			return -1;
		}
		buf = malloc(HOSTS_FILE_MAX + 1);
		while (buf && (c = getc(f)) != EOF && len < HOSTS_FILE_MAX)
			buf[len++] = (char)c;
		if (!buf || ferror(f) || len == HOSTS_FILE_MAX) {
			err_set("--hosts %s: %s", arg + 1, !buf || ferror(f) ?
				strerror(errno) : "larger than 1 MiB");
			fclose(f);
			goto out;
		}
		fclose(f);
		buf[len] = 0;
		/* comments */
		for (p = buf; (p = strchr(p, '#'));)
			while (*p && *p != '\n')
				*p++ = ' ';
	} else {
		buf = strdup(arg);
		if (!buf) {
			err_set("--hosts: %s", strerror(errno));
			return -1;
		}
	}
	for (tok = strtok_r(buf, ", \t\r\n", &save); tok;
	     tok = strtok_r(NULL, ", \t\r\n", &save))
		if (add_host(v, tok))
			goto out;
	if (!v->nhosts) {
		err_set("no hosts in --hosts '%s'", arg);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int slam_serve_status(const struct slam_serve *v)
{
	unsigned i;

	if (v->incomplete)
		return 1;
	for (i = 0; i < v->nhosts; i++)
		if (v->hosts[i].state == SLAM_HOST_LEFT ||
		    v->hosts[i].state == SLAM_HOST_LOST)
			return 1;
	return v->timed_out && v->missing_expected ? 3 : 0;
}

/* (Re)reads the file's identity; a new size, mtime or inode is a new
 * transaction. Returns 1 when it changed, 0 when not, -1 on error. */
static int check_file(struct slam_serve *v, uint64_t now)
{
	struct stat st;
	uint64_t bs, txn;
	int fd;

	if (stat(v->path, &st))
		return err_errno("%s", v->path);
	if (v->fd >= 0 && st.st_ino == v->st.st_ino &&
	    st.st_dev == v->st.st_dev && st.st_size == v->st.st_size &&
	    st.st_mtim.tv_sec == v->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == v->st.st_mtim.tv_nsec)
		return 0;
	if (v->fd < 0 || st.st_ino != v->st.st_ino ||
	    st.st_dev != v->st.st_dev) {
		fd = open(v->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_errno("%s", v->path);
		if (v->fd >= 0)
			close(v->fd);
		v->fd = fd;
		if (fstat(fd, &st))
			return err_errno("%s", v->path);
	}
	if (!S_ISREG(st.st_mode)) {
		err_set("%s: not a regular file", v->path);
		return -1;
	}
	if ((uint64_t)st.st_size > SLAM_INT_MAX) {
		err_set("%s: too large for SLAM", v->path);
		return -1;
	}
	v->st = st;
	txn = slam_serve_txn(&st);
	bs = v->bs ? v->bs : slam_serve_block_size(&v->g, txn,
						    (uint64_t)st.st_size);
	if (!bs) {
		err_set("%s: no block size fits the route's MTU (-b)",
			v->path);
		return -1;
	}
	if (slam_srv_set_file(&v->s, txn, (uint64_t)st.st_size, bs, now))
		return err_errno("%s", v->path);
	return 1;
}

int slam_serve_file(struct slam_serve *v)
{
	v->fd = v->sock = -1;
	v->cfg.rate = v->rate.bits ? 0 : v->rate.value;
	v->t0 = clock_ns();
	if (slam_srv_init(&v->s, &v->cfg, v->t0))
		return -1;
	return check_file(v, v->t0) < 0 ? -1 : 0;
}

int slam_serve_open(struct slam_serve *v)
{
	v->sock = srv_socket(&v->g, v->port, v->ifindex, v->ttl);
	if (v->sock < 0)
		return -1;
	if (slam_tx_init(&v->tx, v->sock, &v->g.group, BATCH) ||
	    sock_rx_init(&v->rx, SOCK_BATCH, 2048)) {
		err_set("%s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The machine wants a block again that did not go out after all. */
static void unsent(void *ctx, uint64_t block)
{
	slam_srv_unsend(&((struct slam_serve *)ctx)->s, block);
}

/* Sends what the batch holds; says once why sending fails (no route,
 * interface down...), and does not spin on it. */
static void flush(struct slam_serve *v, uint64_t *next_check)
{
	if (slam_tx_flush(&v->tx, v->fd, v->s.h.bs, unsent, v) < 0) {
		if (errno != v->send_errno && errno != ENOBUFS &&
		    errno != EAGAIN)
			event(v, SLAM_SERVE_SEND_ERR, NULL, errno);
		v->send_errno = errno;
		usleep(20000);
	} else {
		v->send_errno = 0;
	}
	if (v->tx.short_read)	/* shrunk under us: look again now */
		*next_check = 0;
}

#define NOTE_EVERY_NS	(10 * UINT64_C(1000000000))

/* The NACKs and ping answers waiting. */
static void input(struct slam_serve *v)
{
	static const enum slam_serve_ev evs[] = {
		[SLAM_EV_JOIN] = SLAM_SERVE_JOIN,
		[SLAM_EV_DONE] = SLAM_SERVE_DONE,
		[SLAM_EV_LEFT] = SLAM_SERVE_LEFT,
		[SLAM_EV_BAD] = SLAM_SERVE_BAD,
		[SLAM_EV_FULL] = SLAM_SERVE_FULL,
		[SLAM_EV_DEAF] = SLAM_SERVE_DEAF,
		[SLAM_EV_SUSPECT] = SLAM_SERVE_SUSPECT,
	};
	const struct sockaddr_storage *from;
	const uint8_t *p;
	enum slam_ev ev;
	uint64_t now;
	size_t len;
	int k, r, n;

	/* all that waits, within reason: a room of firmware clients NACKs
	 * at the same moment, and a NACK read late misjudges what the
	 * data sent meanwhile did */
	for (n = 0; n < 64; n++) {
		r = sock_rx_recv(v->sock, &v->rx, MSG_DONTWAIT);
		now = clock_ns();
		for (k = 0; k < r; k++) {
			p = sock_rx_data(&v->rx, (unsigned)k, &len);
			from = sock_rx_from(&v->rx, (unsigned)k);
			ev = slam_srv_input(&v->s, now, from, p, len);
			/* a flood evicts or is refused thousands of times:
			 * told once every 10 s for each (the totals are in
			 * s) */
			if (v->s.evicted_now && now >= v->evict_note) {
				v->evict_note = now + NOTE_EVERY_NS;
				event(v, SLAM_SERVE_EVICT, &v->s.evicted_addr,
				      0);
			}
			if (ev == SLAM_EV_FULL && now < v->full_note)
				continue;
			if (ev == SLAM_EV_FULL)
				v->full_note = now + NOTE_EVERY_NS;
			if (ev == SLAM_EV_JOIN || ev == SLAM_EV_DONE ||
			    ev == SLAM_EV_LEFT || ev == SLAM_EV_BAD ||
			    ev == SLAM_EV_DEAF || ev == SLAM_EV_FULL ||
			    ev == SLAM_EV_SUSPECT)
				event(v, evs[ev], from, 0);
		}
		if (r < SOCK_BATCH)
			break;
	}
}

/* Asks the machine for all that is due, until the batch is full. */
static void next_actions(struct slam_serve *v, uint64_t now,
			 struct slam_out *a, uint64_t *next_check)
{
	while (!slam_tx_full(&v->tx)) {
		slam_srv_next(&v->s, now, a);
		if (a->act == SLAM_ACT_WAIT)
			break;
		if (a->act == SLAM_ACT_PING) {
			/* after the data before it: its answer tells what
			 * of that arrived */
			if (v->tx.n)
				flush(v, next_check);
			sendto(v->sock, v->s.h.raw, v->s.h.rawlen, 0,
			       (struct sockaddr *)&a->addr,
			       inet_sslen(&a->addr));
		} else if (a->act == SLAM_ACT_LOST) {
			v->s.ev_missing = a->missing;
			event(v, SLAM_SERVE_LOST, &a->addr, 0);
		} else if (a->act == SLAM_ACT_ROUND) {
			event(v, SLAM_SERVE_ROUND, NULL, 0);
		} else if (a->act == SLAM_ACT_DATA &&
			   slam_tx_add(&v->tx, &v->s.h, a->block)) {
			slam_srv_unsend(&v->s, a->block);
			break;
		}
	}
}

/* Everything --once waits for has happened: enough clients came, every
 * named machine was judged, none is mid-transfer, nothing is wanted. */
static int all_done(const struct slam_serve *v)
{
	unsigned i;

	if (!v->s.served || v->s.served < v->min_clients || v->s.ncl ||
	    slam_srv_outstanding(&v->s))
		return 0;
	for (i = 0; i < v->nhosts; i++)
		if (v->hosts[i].state < SLAM_HOST_LEFT)
			return 0;
	return 1;
}

/* At the deadline: were clients expected that did not get the file? */
static int expected_missing(const struct slam_serve *v)
{
	unsigned i;

	if (v->s.ncl || v->s.served < v->min_clients)
		return 1;
	for (i = 0; i < v->nhosts; i++)
		if (v->hosts[i].state < SLAM_HOST_LEFT)
			return 1;
	return 0;
}

void slam_serve_run(struct slam_serve *v)
{
	uint64_t now, next_check = 0, until, idle = (uint64_t)(v->idle * 1e9),
		 deadline = v->deadline > 0 ? v->t0 +
			    (uint64_t)(v->deadline * 1e9) : 0;
	struct pollfd pfd = { .fd = v->sock, .events = POLLIN };
	struct slam_out a = { .act = SLAM_ACT_WAIT };
	struct progress pg;
	struct timespec ts;
	char extra[80];
	int r;

	progress_init(&pg, 0);
	while (!*v->stop) {
		now = clock_ns();
		if (now >= next_check) {
			r = check_file(v, now);
			if (r < 0)	/* keep the old copy */
				event(v, SLAM_SERVE_FILE_ERR, NULL, errno);
			else if (r > 0 && next_check)
				event(v, SLAM_SERVE_RESTART, NULL, 0);
			next_check = now + 1000000000;
			if (v->rate.bits)	/* bit/s -> packets/s */
				v->s.cfg.rate = rate_pps(&v->rate,
							 v->s.h.bs + 40);
		}
		if (deadline && now >= deadline) {
			v->timed_out = 1;
			v->missing_expected = expected_missing(v);
			break;
		}
		next_actions(v, now, &a, &next_check);
		ts = clock_ts(0);
		if (v->tx.n) {
			/* more may be due at once: only look for NACKs */
			flush(v, &next_check);
		} else {
			if (progress_due(&pg)) {
				uint64_t out = slam_srv_outstanding(&v->s);

				snprintf(extra, sizeof(extra), "%u client%s, "
					 "%llu block%s outstanding", v->s.ncl,
					 units_s(v->s.ncl),
					 (unsigned long long)out, units_s(out));
				progress_update(&pg, v->s.bytes, extra);
			}
			/* --idle counts from when the last client went */
			if (!v->once || !all_done(v))
				v->quiet_ns = 0;
			else if (!v->quiet_ns)
				v->quiet_ns = now;
			if (v->quiet_ns && now - v->quiet_ns >= idle)
				break;
			until = a.until_ns;
			if (v->quiet_ns && (!until || v->quiet_ns + idle < until))
				until = v->quiet_ns + idle;
			if (deadline && (!until || deadline < until))
				until = deadline;
			if (!until || until > next_check)
				until = next_check;
			if (until > now)
				ts = clock_ts(until - now);
		}
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			input(v);
	}
	progress_end(&pg);
}

void slam_serve_close(struct slam_serve *v)
{
	free(v->hosts);
	free(v->failed);
	v->hosts = NULL;
	v->failed = NULL;
	v->nhosts = v->nfailed = 0;
	slam_srv_free(&v->s);
	slam_tx_free(&v->tx);
	sock_rx_free(&v->rx);
	if (v->sock >= 0)
		close(v->sock);
	if (v->fd >= 0)
		close(v->fd);
	v->sock = v->fd = -1;
}
