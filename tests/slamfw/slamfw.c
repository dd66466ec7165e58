/* slamfw.c - a model of the SLAM firmware clients (iPXE's x-slam:// and
 * Etherboot's proto_slam.c), written from PROTOCOLS.md §1.4, §1.8, §1.9 and
 * §1.11 for the test suite and the boot-storm benchmark: hundreds of
 * clients in one process, one event loop. It shares no code with mcbox, so
 * that it checks slam-serve against the protocol, not against itself.
 *
 * iPXE style (ping-driven): NACKs only when pinged, or when its 1 s slave
 * timer sees multicast silence (NACKs at about 1, 3 and 7 s, gives up at
 * 15 s); each NACK asks for its first gap, at most 4 blocks; a ping also
 * arms a master timer that re-sends the NACK (0.25 s, doubling) until data
 * comes; the 1-byte disconnect on every ending (done, timed out,
 * cancelled) once it has sent a NACK; an ephemeral local port; it accepts
 * any last-block length up to the block size.
 *
 * Etherboot style (bitmap): NACKs its whole bitmap as runs (at most 1470
 * bytes of runs; a longer list is cut), on a ping or after 1/3-4/3 s, then
 * 2-6 s (doubling up to 2-130 s), of silence; gives up after 22 silent
 * waits without a disconnect; the disconnect only when complete; local
 * port 10000 when free; expects the last block to be total % bs bytes
 * long (so a file that is a multiple of the block size never completes);
 * accepts index == nblocks; refuses block sizes that do not fit a 1500-byte
 * frame with the header and Int(nblocks); aborts on an invalid block index.
 *
 * Reception: iPXE has no IGMP and sees every frame the switch gives its
 * port. The model reads the group's datagrams with one packet socket on
 * the interface (CAP_NET_RAW), so the host never joins for an iPXE client:
 * behind an IGMP-snooping switch it gets nothing, as iPXE does. Etherboot
 * joins: when there are Etherboot-style clients the model also joins the
 * group (a socket it never reads) so the switch sees a report. --join
 * reads through a joined UDP socket instead (no CAP_NET_RAW needed).
 * Every client sees the same datagrams (one port of the switch); -l drops
 * a share of them independently per client. IP fragments are ignored.
 *
 * Output: one line (or JSON object) per client, then a summary. Exit 0
 * when every client has the file byte-exact, 1 when one failed (timed
 * out by its own rules, wrong data, error), 3 when -w ended the run first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MS		UINT64_C(1000000)
#define SEC		UINT64_C(1000000000)
#define HDR_MAX		21
#define BATCH		64
#define PKT		9216	/* jumbo frames */

enum style { IPXE, EB };
enum state { WAITING, RUNNING, OK, FAILED, CUT };

/* iPXE's retry timer (src/net/retry.c): start, stop with its RTT-like
 * update, expiry doubling the timeout up to max (then "fail"). */
struct tmr {
	int run;
	uint64_t start, timeout, min, max;
	unsigned count;
};

struct fw {
	enum style style;
	enum state state;
	const char *result;
	int fd;				/* unicast: NACKs out, pings in */
	struct sockaddr_in local;
	uint64_t start_at, done_at;
	uint64_t nack_at;		/* its first NACK */
	uint8_t hdr[HDR_MAX + 1];	/* cached header bytes */
	size_t hdr_len;
	uint64_t total, bs, nblocks;
	uint64_t *bm;			/* nblocks + 1 bits */
	uint64_t nset, first_gap;
	int nack_sent;
	/* iPXE */
	struct tmr slave, master;
	uint64_t nack_due;		/* -d: a ping answer waits */
	/* Etherboot */
	int retry;
	uint64_t eb_wait_from, eb_timeout;
	/* results */
	int out;			/* -o: image being written */
	int corrupt;
	uint64_t nacks, pings, dups, restarts, got;
	uint64_t rng;
};

static struct {
	struct fw *c;
	unsigned n;
	struct sockaddr_in srv, grp;
	const char *iface, *outdir;
	const uint8_t *ref;		/* -x: the expected file */
	size_t reflen;
	int join, json, quiet;
	unsigned loss;			/* per mille */
	uint64_t delay, deadline, t0;
	int dfd, igmp_fd, ep;
	unsigned eb_running;
} g = { .dfd = -1, .igmp_fd = -1 };

static volatile sig_atomic_t stop;
static void on_signal(int s) { stop = s; }

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(struct fw *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * UINT64_C(2685821657736338717);
}

static int lost(struct fw *c)
{
	return g.loss && rnd(c) % 1000 < g.loss;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "slamfw: ");
	fprintf(stderr, fmt, arg, strerror(errno));
	fprintf(stderr, "\n");
	exit(1);
}

/* ---- the SLAM Int, as iPXE reads and writes it ---- */

/* (fls(v) + 10) / 8 bytes, length in the top 3 bits */
static size_t put_int(uint8_t *p, uint64_t v)
{
	size_t len = 1, i;
	uint64_t t;

	for (t = v >> 5; t; t >>= 8)
		len++;
	for (i = len; i--; v >>= 8)
		p[i] = (uint8_t)v;
	p[0] |= (uint8_t)(len << 5);
	return len;
}

/* iPXE's slam_pull_value: 0, or -1 (empty, length 0, past the end) */
static int pull_int(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	size_t len;
	uint64_t x;

	if (*p >= end)
		return -1;
	len = **p >> 5;
	if (!len || len > (size_t)(end - *p))
		return -1;
	x = **p & 0x1f;
	while (--len)
		x = x << 8 | *++*p;
	++*p;
	if (v)
		*v = x;
	return 0;
}

/* Etherboot's slam_decode: the same, but "past the end" is tested with
 * >= (off by one), and a flagged value is still returned */
static uint64_t eb_decode(const uint8_t **p, const uint8_t *end, int *err)
{
	unsigned bytes;
	uint64_t v;

	if (*p >= end) {
		*err = -1;
		return 0;
	}
	bytes = (**p >> 5) & 7;
	if (!bytes || bytes > 8) {
		*err = -1;
		return 0;
	}
	if (*p + bytes >= end)
		*err = -1;
	v = **p & 0x1f;
	for (++*p; --bytes; ++*p)
		v = v << 8 | (*p < end ? **p : 0);
	return v;
}

/* ---- bitmap ---- */

static int bm_test(const struct fw *c, uint64_t i)
{
	return (int)(c->bm[i >> 6] >> (i & 63) & 1);
}

static void bm_set(struct fw *c, uint64_t i)
{
	c->bm[i >> 6] |= UINT64_C(1) << (i & 63);
	c->nset++;
	while (c->first_gap < c->nblocks && bm_test(c, c->first_gap))
		c->first_gap++;
}

static int bm_alloc(struct fw *c, uint64_t nblocks)
{
	free(c->bm);
	c->bm = calloc(nblocks / 64 + 2, 8);
	c->nblocks = nblocks;
	c->nset = c->first_gap = 0;
	return c->bm ? 0 : -1;
}

/* ---- output ---- */

static void out_path(char *buf, size_t cap, unsigned k, const char *suffix)
{
	snprintf(buf, cap, "%s/c%u%s", g.outdir, k, suffix);
}

/* A new header: the image starts again (iPXE's xfer_seek, Etherboot's
 * fresh buffer). */
static void out_reset(struct fw *c)
{
	char p[4096];

	c->corrupt = 0;	/* judged against the new contents */
	if (!g.outdir)
		return;
	if (c->out < 0) {
		out_path(p, sizeof(p), (unsigned)(c - g.c), ".part");
		c->out = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out < 0)
			die("%s: %s", p);
	} else if (ftruncate(c->out, 0)) {
		die("truncate: %s%s", "");
	}
}

/* The check of a datagram's data against -x, made once for every
 * client that takes it (reset for each datagram). */
static struct {
	const uint8_t *d;
	uint64_t off, total;
	int bad;
} vc;

static void out_block(struct fw *c, const uint8_t *d, size_t len, uint64_t off)
{
	if (g.ref && (d != vc.d || off != vc.off || c->total != vc.total)) {
		vc.d = d;
		vc.off = off;
		vc.total = c->total;
		vc.bad = off + len > g.reflen || c->total != g.reflen ||
			 memcmp(g.ref + off, d, len);
	}
	if (g.ref && vc.bad)
		c->corrupt = 1;
	if (c->out >= 0 && pwrite(c->out, d, len, (off_t)off) != (ssize_t)len)
		die("write: %s%s", "");
}

static void finish(struct fw *c, enum state st, const char *result,
		   uint64_t now)
{
	static const uint8_t disconnect[1] = { 0 };
	char a[4096], b[4096];
	unsigned k = (unsigned)(c - g.c);

	if (c->state != RUNNING && c->state != WAITING)
		return;
	if (st == OK && c->corrupt) {
		st = FAILED;
		result = "corrupt";
	}
	/* iPXE: on every ending; Etherboot: only when complete */
	if (c->nack_sent && (c->style == IPXE || st == OK))
		send(c->fd, disconnect, 1, 0);
	if (c->style == EB && c->state == RUNNING && --g.eb_running == 0 &&
	    g.igmp_fd >= 0) {
		close(g.igmp_fd);	/* the last one leaves the group */
		g.igmp_fd = -1;
	}
	c->state = st;
	c->result = result;
	c->done_at = now;
	if (c->out >= 0) {
		if (st == OK && ftruncate(c->out, (off_t)c->total))
			die("truncate: %s%s", "");
		close(c->out);
		c->out = -1;
		out_path(a, sizeof(a), k, ".part");
		out_path(b, sizeof(b), k, "");
		if (st == OK ? rename(a, b) : unlink(a))
			die("%s: %s", a);
	}
	free(c->bm);
	c->bm = NULL;
}

/* ---- iPXE ---- */

static void t_start_fixed(struct tmr *t, uint64_t now, uint64_t to)
{
	t->run = 1;
	t->start = now;
	t->timeout = to;
}

static void t_start(struct tmr *t, uint64_t now)
{
	t_start_fixed(t, now, t->timeout < t->min ? t->min : t->timeout);
}

static void t_stop(struct tmr *t, uint64_t now)
{
	if (!t->run)
		return;
	t->run = 0;
	if (t->count) {
		t->count--;
	} else {
		t->timeout -= t->timeout >> 3;
		t->timeout += (now - t->start) >> 1;
	}
}

/* 1 when t expired at now; *fail as iPXE's timer_expired() says */
static int t_due(struct tmr *t, uint64_t now, int *fail)
{
	if (!t->run || now - t->start < t->timeout)
		return 0;
	t->run = 0;
	t->count++;
	t->timeout <<= 1;
	*fail = t->timeout > t->max;
	if (*fail)
		t->timeout = t->max;
	return 1;
}

static void ipxe_nack(struct fw *c)
{
	uint8_t b[16];
	uint64_t first = c->first_gap, n;
	size_t len;

	c->nack_sent = 1;
	for (n = 1; n < 4 && first + n < c->nblocks && !bm_test(c, first + n);
	     n++)
		;
	len = put_int(b, first);
	len += put_int(b + len, n);
	b[len++] = 0;
	send(c->fd, b, len, 0);
	if (!c->nacks++)
		c->nack_at = now_ns();
}

/* slam_pull_header(): 0 and *p past the header, or -1 */
static int ipxe_header(struct fw *c, const uint8_t **p, const uint8_t *end)
{
	const uint8_t *h = *p;
	uint64_t total, bs;

	if (c->hdr_len <= (size_t)(end - *p) && !memcmp(c->hdr, *p, c->hdr_len)) {
		*p += c->hdr_len;
		return 0;
	}
	if (pull_int(p, end, NULL) || pull_int(p, end, &total) ||
	    pull_int(p, end, &bs) || !bs)
		return -1;
	c->hdr_len = (size_t)(*p - h);
	memcpy(c->hdr, h, c->hdr_len);
	c->total = total;
	c->bs = bs;
	if (c->got)
		c->restarts++;
	c->got = 1;	/* a real header was seen */
	if (bm_alloc(c, (total + bs - 1) / bs))
		die("bitmap: %s%s", "");
	out_reset(c);
	return 0;
}

static void ipxe_data(struct fw *c, const uint8_t *p, const uint8_t *end,
		      uint64_t now)
{
	uint64_t idx;
	size_t len;

	t_stop(&c->master, now);
	t_stop(&c->slave, now);
	t_start_fixed(&c->slave, now, SEC);
	if (ipxe_header(c, &p, end) || pull_int(&p, end, &idx) ||
	    idx >= c->nblocks)
		return;
	len = (size_t)(end - p);
	if (len > c->bs || (idx != c->nblocks - 1 && len < c->bs))
		return;
	if (bm_test(c, idx)) {
		c->dups++;
		return;
	}
	out_block(c, p, len, idx * c->bs);
	bm_set(c, idx);
	if (c->nset == c->nblocks)
		finish(c, OK, "ok", now);
}

static void ipxe_ping(struct fw *c, const uint8_t *p, const uint8_t *end,
		      uint64_t now)
{
	t_stop(&c->master, now);
	t_start(&c->master, now);
	if (ipxe_header(c, &p, end) || p != end)
		return;
	c->pings++;
	if (g.delay)
		c->nack_due = now + g.delay;
	else
		ipxe_nack(c);
}

static void ipxe_timers(struct fw *c, uint64_t now)
{
	int fail;

	if (c->nack_due && now >= c->nack_due) {
		c->nack_due = 0;
		ipxe_nack(c);
	}
	if (t_due(&c->master, now, &fail) && !fail) {
		/* (on failure it quietly stops acting as master) */
		t_start(&c->master, now);
		ipxe_nack(c);
	}
	if (c->state == RUNNING && t_due(&c->slave, now, &fail)) {
		if (fail) {
			finish(c, FAILED, "timeout", now);
			return;
		}
		t_start(&c->slave, now);
		ipxe_nack(c);
	}
}

static uint64_t ipxe_wake(const struct fw *c)
{
	uint64_t w = c->nack_due;

	if (c->master.run && (!w || c->master.start + c->master.timeout < w))
		w = c->master.start + c->master.timeout;
	if (c->slave.run && (!w || c->slave.start + c->slave.timeout < w))
		w = c->slave.start + c->slave.timeout;
	return w;
}

/* ---- Etherboot ---- */

#define EB_TICK		(SEC / 18)	/* i386 timer ticks */

static uint64_t eb_interval(struct fw *c)
{
	uint64_t range;

	if (c->retry < 0)	/* U(0, 1 s) + 1/3 s */
		return rnd(c) % (18 * EB_TICK) + 6 * EB_TICK;
	range = (UINT64_C(4) * 18 * EB_TICK) << (c->retry > 5 ? 5 : c->retry);
	return rnd(c) % range + 2 * 18 * EB_TICK;
}

static void eb_rearm(struct fw *c, uint64_t now)
{
	c->eb_wait_from = now;
	c->eb_timeout = eb_interval(c);
}

static void eb_nack(struct fw *c)
{
	uint8_t b[1472], *p = b, *end = b + sizeof(b) - 1;
	uint64_t i, len = 0, max = c->nblocks;
	int last = 1, v;

	if (!c->got) {
		p += put_int(p, 0);
		p += put_int(p, 1);
	} else if (!max) {
		/* Etherboot reads its bitmap far out of bounds here */
		finish(c, FAILED, "empty-file", 0);
		return;
	} else {
		/* an inverted sentinel after the last block, so that the
		 * last run is always written */
		if (bm_test(c, max - 1))
			c->bm[max >> 6] &= ~(UINT64_C(1) << (max & 63));
		else
			c->bm[max >> 6] |= UINT64_C(1) << (max & 63);
		for (i = 0; i <= max; i++) {
			v = bm_test(c, i);
			if (v == last) {
				len++;
				continue;
			}
			{
				uint8_t t[8];
				size_t n = put_int(t, len);

				if (p + n >= end)
					break;	/* cut, silently */
				memcpy(p, t, n);
				p += n;
			}
			last = v;
			len = 1;
		}
	}
	*p++ = 0;
	c->nack_sent = 1;
	send(c->fd, b, (size_t)(p - b), 0);
	if (!c->nacks++)
		c->nack_at = now_ns();
}

/* reinit_slam_state(): 0, or -1 when Etherboot would abort */
static int eb_reinit(struct fw *c, const uint8_t *h, const uint8_t *end)
{
	const uint8_t *p = h;
	uint8_t t[8];
	uint64_t total = 0, bs = 0;
	int err = 0;
	unsigned n;

	/* slam_skip of the transaction: the same off-by-one */
	if (p >= end || !(n = (*p >> 5) & 7) || p + n >= end)
		err = -1;
	else
		p += n;
	if (!err) {
		total = eb_decode(&p, end, &err);
		bs = eb_decode(&p, end, &err);
	}
	if (err || !bs)	/* (bs 0 would divide by zero) */
		return -1;
	if (bs > 1500 - 28 - (uint64_t)(p - h) -
			 put_int(t, (total + bs - 1) / bs))
		return -1;	/* "slam blocksize to large" */
	c->hdr_len = (size_t)(p - h);
	memcpy(c->hdr, h, c->hdr_len);
	c->total = total;
	c->bs = bs;
	if (c->got)
		c->restarts++;
	c->got = 1;
	if (bm_alloc(c, (total + bs - 1) / bs))
		die("bitmap: %s%s", "");
	out_reset(c);
	return 0;
}

/* One packet for an Etherboot client: data (dgram) or ping. The frame
 * is padded to 60 bytes as on Ethernet: Etherboot measures with it. */
static void eb_packet(struct fw *c, const uint8_t *pl, size_t len, int data,
		      uint64_t now)
{
	uint8_t pad[HDR_MAX + 18];
	const uint8_t *end, *p;
	uint64_t idx, want;
	int err = 0;

	/* (its minimum-length test counts the padded frame: no limit) */
	if (len < sizeof(pad)) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, pl, len);
		pl = pad;
		end = pad + (len < 18 ? 18 : len);
	} else {
		end = pl + len;
	}
	c->retry = 0;
	eb_rearm(c, now);
	/* the cache starts as 21 zero bytes */
	if (memcmp(c->hdr, pl, c->hdr_len) && eb_reinit(c, pl, end)) {
		finish(c, FAILED, "bad-header", now);
		return;
	}
	p = pl + c->hdr_len;
	if (!data) {
		c->pings++;
		eb_nack(c);
		return;
	}
	idx = eb_decode(&p, end, &err);
	if (err || idx > c->nblocks) {
		finish(c, FAILED, "bad-index", now);
		return;
	}
	want = idx != c->nblocks - 1 ? c->bs : c->total % c->bs;
	if ((size_t)(pl + len - p) != want)
		return;		/* "udp packet is not the correct size" */
	if (bm_test(c, idx)) {
		c->dups++;
		return;
	}
	c->bm[idx >> 6] |= UINT64_C(1) << (idx & 63);
	if (idx < c->nblocks)
		out_block(c, p, want, idx * c->bs);
	else
		c->corrupt = 1;	/* written past the image */
	if (++c->nset == c->nblocks)
		finish(c, OK, "ok", now);
}

static void eb_timers(struct fw *c, uint64_t now)
{
	if (now - c->eb_wait_from < c->eb_timeout)
		return;
	if (c->retry++ > 20) {
		finish(c, FAILED, "timeout", now);
		return;
	}
	eb_nack(c);
	eb_rearm(c, now);
}

/* ---- sockets ---- */

static int data_socket(void)
{
	int fd, one = 1, big = 16 << 20;
	uint32_t grp = ntohl(g.grp.sin_addr.s_addr);
	uint16_t port = ntohs(g.grp.sin_port);

	if (g.join) {
		struct ip_mreqn m = { .imr_multiaddr = g.grp.sin_addr,
				      .imr_ifindex = (int)if_nametoindex(g.iface) };
		int zero = 0;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
					 sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&g.grp, sizeof(g.grp)) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
			       sizeof(zero)) ||
		    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)))
			die("join on %s: %s", g.iface);
	} else {
		/* IPv4 UDP to the group and port, not a fragment */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 8),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 16),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, grp, 0, 6),
			BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 6),
			BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),
			BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
			BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14 + 2),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, 65535),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};
		struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]),
					   .filter = f };
		struct sockaddr_ll ll = { .sll_family = AF_PACKET,
					  .sll_protocol = htons(ETH_P_IP) };

		ll.sll_ifindex = (int)if_nametoindex(g.iface);
		if (!ll.sll_ifindex)
			die("interface %s: %s", g.iface);
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_IP));
		if (fd < 0)
			die("packet socket%s: %s (needs CAP_NET_RAW; or --join)",
			    "");
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)) ||
		    bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
			die("packet socket on %s: %s", g.iface);
		/* the sender's UDP segmentation offload trains cross veth
		 * whole: the header says where to cut them, as a NIC would */
		if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
			       sizeof(one)))
			die("PACKET_VNET_HDR%s: %s", "");
#ifdef PACKET_IGNORE_OUTGOING
		setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			   sizeof(one));
#endif
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return fd;
}

/* Etherboot joins (IGMP): a member socket that is never read */
static void igmp_join(void)
{
	struct ip_mreqn m = { .imr_multiaddr = g.grp.sin_addr,
			      .imr_ifindex = (int)if_nametoindex(g.iface) };
	int small = 1;

	g.igmp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (g.igmp_fd < 0 ||
	    setsockopt(g.igmp_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    setsockopt(g.igmp_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)))
		die("join on %s: %s", g.iface);
	shutdown(g.igmp_fd, SHUT_RD);
}

static void client_socket(struct fw *c, struct in_addr a)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in l = { .sin_family = AF_INET, .sin_addr = a };
	struct epoll_event ev = { .events = EPOLLIN };
	socklen_t sl = sizeof(l);

	if (fd < 0)
		die("socket%s: %s", "");
	/* Etherboot's fixed port 10000, when this address has it free */
	l.sin_port = htons(c->style == EB ? 10000 : 0);
	if (bind(fd, (struct sockaddr *)&l, sizeof(l))) {
		l.sin_port = 0;
		if (bind(fd, (struct sockaddr *)&l, sizeof(l)))
			die("bind %s: %s", inet_ntoa(a));
	}
	/* no group traffic on this socket, whatever the host joined */
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &(int){ 0 },
		       sizeof(int)) ||
	    connect(fd, (struct sockaddr *)&g.srv, sizeof(g.srv)))
		die("connect%s: %s", "");
	getsockname(fd, (struct sockaddr *)&c->local, &sl);
	ev.data.u32 = (uint32_t)(c - g.c);
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll%s: %s", "");
	c->fd = fd;
}

static void boot(struct fw *c, uint64_t now)
{
	c->state = RUNNING;
	c->hdr_len = c->style == IPXE ? 1 : HDR_MAX; /* zero bytes */
	memset(c->hdr, 0, sizeof(c->hdr));
	if (bm_alloc(c, 1))	/* iPXE's fake 1-block bitmap */
		die("bitmap: %s%s", "");
	if (c->style == IPXE) {
		c->slave.min = c->master.min = SEC / 4;
		c->slave.max = c->master.max = 10 * SEC;
		t_start_fixed(&c->slave, now, SEC);
	} else {
		c->retry = -1;
		eb_rearm(c, now);
		if (!g.join && g.igmp_fd < 0)
			igmp_join();
		g.eb_running++;
	}
}

/* ---- the loop ---- */

static void datagram(const uint8_t *p, size_t len, uint64_t now)
{
	unsigned k;

	vc.d = NULL;
	for (k = 0; k < g.n; k++) {
		struct fw *c = &g.c[k];

		if (c->state != RUNNING || lost(c))
			continue;
		if (c->style == IPXE)
			ipxe_data(c, p, p + len, now);
		else
			eb_packet(c, p, len, 1, now);
	}
}

/* The group's UDP payloads from the packet socket (IPv4 header and UDP
 * header stripped; the filter already chose them) or the joined socket. */
static void read_data(void)
{
	static uint8_t buf[BATCH][65536 + 64];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll from[BATCH];
	int r, i;

	for (;;) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		r = recvmmsg(g.dfd, m, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			return;
		for (i = 0; i < r; i++) {
			const uint8_t *p = buf[i];
			size_t len = m[i].msg_len, ihl, seg;
			struct virtio_net_hdr vh;

			if (m[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			if (g.join) {
				datagram(p, len, now_ns());
				continue;
			}
			if (len < sizeof(vh) + 14 + 28 ||
			    from[i].sll_pkttype == PACKET_OUTGOING)
				continue;
			memcpy(&vh, p, sizeof(vh));
			p += sizeof(vh) + 14;	/* and the Ethernet header */
			len -= sizeof(vh) + 14;
			ihl = (size_t)(p[0] & 15) * 4;
			if ((p[0] >> 4) != 4 || len < ihl + 8)
				continue;
			p += ihl + 8;
			len -= ihl + 8;
			seg = vh.gso_type == VIRTIO_NET_HDR_GSO_NONE ? len :
			      vh.gso_size;
			/* (a single datagram's length from its UDP header) */
			if (seg == len && (size_t)(p[-4] << 8 | p[-3]) >= 8 &&
			    (size_t)(p[-4] << 8 | p[-3]) - 8 <= len)
				len = (size_t)(p[-4] << 8 | p[-3]) - 8;
			for (; seg && len; p += seg, len -= seg) {
				if (seg > len)
					seg = len;
				datagram(p, seg, now_ns());
			}
		}
		if (r < BATCH)
			return;
	}
}

static void read_ping(struct fw *c, uint64_t now)
{
	uint8_t b[PKT];
	ssize_t n;

	while ((n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT)) >= 0 ||
	       errno == ECONNREFUSED) {
		if (n < 0 || c->state != RUNNING || lost(c))
			continue;
		if (c->style == IPXE)
			ipxe_ping(c, b, b + n, now);
		else
			eb_packet(c, b, (size_t)n, 0, now);
	}
}

static void timers(uint64_t now)
{
	unsigned k;

	for (k = 0; k < g.n; k++) {
		struct fw *c = &g.c[k];

		if (c->state == WAITING && now >= c->start_at)
			boot(c, now);
		if (c->state != RUNNING)
			continue;
		if (c->style == IPXE)
			ipxe_timers(c, now);
		else
			eb_timers(c, now);
	}
}

static uint64_t next_wake(void)
{
	uint64_t w = g.deadline, x;
	unsigned k;

	for (k = 0; k < g.n; k++) {
		struct fw *c = &g.c[k];

		if (c->state == WAITING)
			x = c->start_at;
		else if (c->state != RUNNING)
			continue;
		else if (c->style == IPXE)
			x = ipxe_wake(c);
		else
			x = c->eb_wait_from + c->eb_timeout;
		if (x && (!w || x < w))
			w = x;
	}
	return w;
}

static unsigned running(void)
{
	unsigned k, n = 0;

	for (k = 0; k < g.n; k++)
		n += g.c[k].state == RUNNING || g.c[k].state == WAITING;
	return n;
}

static void report(void)
{
	unsigned k, ok = 0, failed = 0, cut = 0;
	uint64_t first = 0, last = 0, t, nack = 0;

	for (k = 0; k < g.n; k++) {
		struct fw *c = &g.c[k];
		const char *style = c->style == IPXE ? "ipxe" : "etherboot";
		double s;

		if (c->state == OK) {
			ok++;
			t = c->done_at - g.t0;
			if (!first || t < first)
				first = t;
			if (t > last)
				last = t;
		} else if (c->state == FAILED) {
			failed++;
		} else {
			cut++;
		}
		s = (double)(c->done_at - g.t0) / 1e9;
		if (c->nack_at && (!nack || c->nack_at - g.t0 < nack))
			nack = c->nack_at - g.t0;
		if (g.json)
			printf("{\"client\":%u,\"style\":\"%s\",\"addr\":\"%s:%u\","
			       "\"result\":\"%s\",\"blocks\":%llu,\"received\":%llu,"
			       "\"seconds\":%.3f,\"nacks\":%llu,\"pings\":%llu,"
			       "\"duplicates\":%llu,\"restarts\":%llu}\n", k, style,
			       inet_ntoa(c->local.sin_addr),
			       ntohs(c->local.sin_port),
			       c->result,
			       (unsigned long long)(c->got ? c->nblocks : 0),
			       (unsigned long long)c->nset, s,
			       (unsigned long long)c->nacks,
			       (unsigned long long)c->pings,
			       (unsigned long long)c->dups,
			       (unsigned long long)c->restarts);
		else if (!g.quiet)
			printf("c%u %s %s:%u %s %llu/%llu blocks %.3f s, %llu "
			       "NACKs, %llu pings, %llu duplicates, %llu "
			       "restarts\n", k, style,
			       inet_ntoa(c->local.sin_addr),
			       ntohs(c->local.sin_port),
			       c->result,
			       (unsigned long long)c->nset,
			       (unsigned long long)(c->got ? c->nblocks : 0), s,
			       (unsigned long long)c->nacks,
			       (unsigned long long)c->pings,
			       (unsigned long long)c->dups,
			       (unsigned long long)c->restarts);
	}
	if (g.json)
		printf("{\"event\":\"summary\",\"clients\":%u,\"ok\":%u,"
		       "\"failed\":%u,\"unfinished\":%u,\"first_s\":%.3f,"
		       "\"last_s\":%.3f,\"first_nack_s\":%.3f}\n", g.n, ok,
		       failed, cut, (double)first / 1e9, (double)last / 1e9,
		       (double)nack / 1e9);
	else
		printf("clients %u: %u ok, %u failed, %u unfinished; first "
		       "%.3f s, last %.3f s; first NACK %.3f s\n", g.n, ok,
		       failed, cut, (double)first / 1e9, (double)last / 1e9,
		       (double)nack / 1e9);
	fflush(stdout);
}

static void usage(void)
{
	fputs("usage: slamfw [-n N] [-s ipxe|etherboot|mix] [-i IFACE] [-a ADDR"
	      " [-A COUNT]]\n"
	      "              [-g GROUP[:PORT]] [-o DIR | -x FILE] [-w SECONDS]"
	      " [-l PERCENT]\n"
	      "              [-d USEC] [-S MS] [--join] [-j] [-q]"
	      " SERVER[:PORT]\n", stderr);
	exit(2);
}

static void parse_addr(const char *s, struct sockaddr_in *a, int port)
{
	char buf[64], *c;

	snprintf(buf, sizeof(buf), "%s", s);
	c = strchr(buf, ':');
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (c) {
		*c = 0;
		a->sin_port = htons((uint16_t)atoi(c + 1));
	}
	if (inet_pton(AF_INET, buf, &a->sin_addr) != 1) {
		fprintf(stderr, "slamfw: bad address '%s'\n", s);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "join", no_argument, NULL, 'J' },
		{ 0 }
	};
	const char *style = "ipxe", *addr = NULL, *expect = NULL;
	unsigned naddr = 1, spread = 0, k;
	struct in_addr base = { 0 };
	struct epoll_event ev[64];
	struct rlimit rl;
	double w = 0;
	int o, r, i;

	g.n = 1;
	g.iface = "eth0";
	parse_addr("239.255.1.1", &g.grp, 10000);
	while ((o = getopt_long(argc, argv, "n:s:i:a:A:g:o:x:w:l:d:S:jq", lo,
				NULL)) != -1)
		switch (o) {
		case 'n': g.n = (unsigned)atoi(optarg); break;
		case 's': style = optarg; break;
		case 'i': g.iface = optarg; break;
		case 'a': addr = optarg; break;
		case 'A': naddr = (unsigned)atoi(optarg); break;
		case 'g': parse_addr(optarg, &g.grp, 10000); break;
		case 'o': g.outdir = optarg; break;
		case 'x': expect = optarg; break;
		case 'w': w = atof(optarg); break;
		case 'l': g.loss = (unsigned)(atof(optarg) * 10); break;
		case 'd': g.delay = (uint64_t)atoll(optarg) * 1000; break;
		case 'S': spread = (unsigned)atoi(optarg); break;
		case 'J': g.join = 1; break;
		case 'j': g.json = 1; break;
		case 'q': g.quiet = 1; break;
		default: usage();
		}
	if (optind + 1 != argc || !g.n || !naddr ||
	    (strcmp(style, "ipxe") && strcmp(style, "etherboot") &&
	     strcmp(style, "mix")))
		usage();
	parse_addr(argv[optind], &g.srv, 10000);
	if (addr && inet_pton(AF_INET, addr, &base) != 1)
		usage();
	if (expect) {
		int fd = open(expect, O_RDONLY);
		struct stat st;

		if (fd < 0 || fstat(fd, &st))
			die("%s: %s", expect);
		g.reflen = (size_t)st.st_size;
		g.ref = g.reflen ? mmap(NULL, g.reflen, PROT_READ, MAP_PRIVATE,
					fd, 0) : (const uint8_t *)"";
		if (g.ref == MAP_FAILED)
			die("%s: %s", expect);
		close(fd);
	}
	/* a socket per client */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < g.n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	g.c = calloc(g.n, sizeof(*g.c));
	if (g.ep < 0 || !g.c)
		die("setup%s: %s", "");
	g.dfd = data_socket();
	ev[0].events = EPOLLIN;
	ev[0].data.u32 = UINT32_MAX;
	epoll_ctl(g.ep, EPOLL_CTL_ADD, g.dfd, &ev[0]);
	g.t0 = now_ns();
	for (k = 0; k < g.n; k++) {
		struct fw *c = &g.c[k];
		struct in_addr a = base;

		c->style = !strcmp(style, "etherboot") ||
			   (!strcmp(style, "mix") && k % 2) ? EB : IPXE;
		c->out = -1;
		c->rng = (g.t0 ^ (uint64_t)k << 20 ^ (uint64_t)getpid()) | 1;
		if (addr)
			a.s_addr = htonl(ntohl(base.s_addr) + k % naddr);
		client_socket(c, a);
		c->start_at = g.t0 + (spread ? rnd(c) % (spread * MS) : 0);
	}
	if (w > 0)
		g.deadline = g.t0 + (uint64_t)(w * 1e9);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "slamfw: %u clients listening on %s for server %s\n",
		g.n, g.iface, inet_ntoa(g.srv.sin_addr));
	while (!stop && running()) {
		uint64_t now = now_ns(), wake;
		struct timespec ts;

		timers(now);
		if (g.deadline && now >= g.deadline)
			break;
		wake = next_wake();
		ts.tv_sec = wake > now ? (time_t)((wake - now) / SEC) : 0;
		ts.tv_nsec = wake > now ? (long)((wake - now) % SEC) : 0;
		r = epoll_pwait2(g.ep, ev, 64, wake ? &ts : NULL, NULL);
		/* one receive queue in firmware: the data that came before a
		 * ping is in the bitmap before the ping is answered */
		if (r > 0)
			read_data();
		now = now_ns();
		for (i = 0; i < r; i++)
			if (ev[i].data.u32 != UINT32_MAX)
				read_ping(&g.c[ev[i].data.u32], now);
	}
	/* cancelled: iPXE says goodbye, a powered-off Etherboot does not */
	for (k = 0; k < g.n; k++)
		finish(&g.c[k], CUT, "deadline", now_ns());
	report();
	r = 0;
	for (k = 0; k < g.n; k++) {
		if (g.c[k].state == FAILED)
			r = 1;
		else if (g.c[k].state == CUT && !r)
			r = 3;
		close(g.c[k].fd);
	}
	free(g.c);
	if (g.ref && g.reflen)
		munmap((void *)g.ref, g.reflen);
	return r;
}
