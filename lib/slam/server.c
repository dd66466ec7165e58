/* server.c - the SLAM server state machine, sans I/O (Etherboot/iPXE SLAM,
 * PROTOCOLS.md §1.7, §1.10, §1.11). mini-slamd serves one NACK at a time,
 * unpaced, and wedges on bad ones; this one merges every NACK into a set
 * of wanted blocks swept once per round, paces with a token bucket, keeps
 * ping-driven clients (iPXE) from ever waiting on it, and never trusts a
 * run length. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slam/server.h"

#define MS		UINT64_C(1000000)
#define BUSY_PING	(10 * MS)	/* pings in turn while data flows */
#define IDLE_GAP	(1 * MS)	/* after an answer, when idle */
#define RATE0		40000.0		/* adaptive start, packets/s */
#define RATE_MIN	2000.0
#define RATE_MAX	2000000.0
#define LOSS_HIGH	0.15		/* loss that means congestion */
#define LOSS_LOW	0.06		/* below it we may speed up */
#define LOSS_WINDOW	(100 * MS)
#define QDELAY_MAX	(2 * MS)	/* a queue this long on the path: full */
#define MAX_RANGES	1024		/* a 64 KiB NACK holds fewer pairs */
#define NACK_KEEP	2048		/* bytes of a NACK kept for the verdict */
#define LOST_AFTER	(1500 * MS)	/* and silent that long: forgotten */
#define PD_MAX		4		/* iPXE's SLAM_MAX_BLOCKS_PER_NACK */
#define PING_SLACK	(1 * MS)	/* a switch may delay the group's data
					 * behind a ping: the answer is not
					 * news for data sent just before it */
#define AHEAD_MIN	32		/* blocks sent ahead of an iPXE */
#define AHEAD_MAX	4096
#define PD_SCAN		(20 * 1000)	/* ns between looks for pd pings */
#define PD_REPING	(20 * MS)	/* a pd ping unanswered this long */
#define PING_BUDGET	2000.0		/* pd pings/s at least ... */
#define PING_SHARE	0.5		/* ... or this share of the rate */
#define REORDER_MIN	(20 * MS)	/* data this late behind a ping */
#define EB_QUIET	(6500 * MS)	/* an Etherboot client NACKs within
					 * 2 s + U(0, 4 s) of the last packet */
#define QUIET_AFTER	(1500 * MS)	/* silence that woke a slave */
#define DEAF_SENDS	3		/* its gap sent this often in vain */
#define DEAF_AFTER	(1000 * MS)	/* ... over at least this long */
#define DEAF_SERVE	(1000 * MS)	/* a deaf client's asks this often */
#define UNANSWERED_MAX	3		/* pings a client that never answered
					 * one may miss */
#define SUSPECT_PING_EVERY 8		/* a suspect's share of ping turns */
#define PD_QUIET	(500 * MS)	/* silence that woke an iPXE slave */
#define PD_GATHER	(100 * MS)	/* ... others' asks gathered this long
					 * (iPXE's timers start at the last
					 * packet each heard and fire within
					 * milliseconds of each other) */

/* ---- sends: each block's last send, and the time of recent sends ---- */

static uint32_t seq32(uint64_t q)
{
	return (uint32_t)q;
}

/* Block b went out after send number q (of this transaction). */
static int sent_after(const struct slam_srv *s, uint64_t b, uint64_t q)
{
	uint32_t x = s->sent_seq[b];

	return x && (int32_t)(x - seq32(q)) > 0;
}

/* When block b last went out; 0 when the ring has forgotten. */
static uint64_t sent_time(const struct slam_srv *s, uint64_t b)
{
	uint64_t q = s->seq - (uint32_t)(seq32(s->seq) - s->sent_seq[b]);

	if (!s->sent_seq[b] || s->seq - q >= SLAM_RING)
		return 0;
	return s->ring[q % SLAM_RING].t;
}

/* The number of sends made at or before time t (as far as the ring
 * remembers: older sends count as before t). */
static uint64_t seq_at(const struct slam_srv *s, uint64_t t)
{
	uint64_t lo, hi, mid;

	if (!s->seq)
		return 0;
	hi = s->seq;
	lo = s->seq > SLAM_RING ? s->seq - SLAM_RING + 1 : 1;
	if (lo < s->txn_seq + 1)
		lo = s->txn_seq + 1;
	if (lo > hi || s->ring[hi % SLAM_RING].t <= t)
		return hi;
	if (s->ring[lo % SLAM_RING].t > t)
		return lo - 1;
	/* ring[lo].t <= t < ring[hi].t */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (s->ring[mid % SLAM_RING].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Blocks sent within the last guard are probably still in flight (a
 * shaped link's queue holds them): a NACK for them is not news. The guard
 * follows the ping round trip, which crosses the same queue. */
static uint64_t guard_ns(const struct slam_srv *s)
{
	double g = 1.5 * s->srtt + 2 * MS;

	return g > 500 * MS ? 500 * MS : (uint64_t)g;
}

/* How late the group's data may arrive behind a ping that left after it
 * (a bound that needs no measuring: reordering by more than a round trip
 * or two and REORDER_MIN is loss for every purpose). */
static uint64_t reorder_ns(const struct slam_srv *s)
{
	double g = 2 * s->srtt + REORDER_MIN;

	return g > 500 * MS ? 500 * MS : (uint64_t)g;
}

static void want_clear(struct bitmap *b, uint64_t i)
{
	uint64_t m = UINT64_C(1) << (i & 63);

	if (i < b->nbits && (b->w[i >> 6] & m)) {
		b->w[i >> 6] &= ~m;
		b->nset--;
	}
}

int slam_srv_init(struct slam_srv *s, const struct slam_srv_cfg *cfg,
		  uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (!s->cfg.max_clients)
		s->cfg.max_clients = SLAM_SRV_MAX_CLIENTS;
	if (!s->cfg.ping_timeout_ns)
		s->cfg.ping_timeout_ns = 100 * MS;
	if (!s->cfg.max_missed)
		s->cfg.max_missed = 5;
	s->ring = calloc(SLAM_RING, sizeof(*s->ring));
	if (!s->ring)
		return -1;
	if (!s->cfg.max_per_addr)
		s->cfg.max_per_addr = SLAM_SRV_MAX_PER_ADDR;
	s->rate = s->cfg.rate > 0 ? s->cfg.rate : RATE0;
	s->slow_start = 1;
	s->srtt = 10 * MS;
	s->minrtt = -1;
	s->rtt_win = -1;
	s->loss_max = -1;
	s->t0 = now;
	s->tok_ns = now;
	s->tokens = 1;
	s->ping_tok_ns = now;
	s->ping_tokens = 1;
	return 0;
}

void slam_srv_free(struct slam_srv *s)
{
	unsigned i;

	bitmap_free(&s->want);
	bitmap_free(&s->want_low);
	free(s->sent_seq);
	free(s->ring);
	for (i = 0; i < s->ncl; i++)
		free(s->cl[i].last);
	free(s->cl);
	free(s->head);
	free(s->next);
	s->sent_seq = NULL;
	s->ring = NULL;
	s->cl = NULL;
	s->head = s->next = NULL;
	s->ncl = s->capcl = 0;
}

/* What a client knew before this transaction is void. */
static void client_restart(struct slam_srv *s, struct slam_client *c)
{
	free(c->last);
	c->last = NULL;
	c->lastlen = 0;
	c->have_all = 0;
	c->gap = c->ask_end = c->ahead = c->win = 0;
	c->first_seq = c->known_seq = c->judge_seq = s->seq;
	c->stuck = 0;
	c->stuck_gap = 0;
	c->stuck_seq = s->seq;
	c->progressed = 0;
	c->deaf = 0;
}

int slam_srv_set_file(struct slam_srv *s, uint64_t txn, uint64_t total,
		      uint64_t bs, uint64_t now)
{
	struct slam_hdr h;
	uint32_t *sent;
	uint64_t i;

	if (slam_hdr_build(&h, txn, total, bs) < 0) {
		errno = EINVAL;
		return -1;
	}
	sent = calloc(h.nblocks ? h.nblocks : 1, sizeof(*sent));
	if (!sent)
		return -1;
	bitmap_free(&s->want);
	bitmap_free(&s->want_low);
	if (h.nblocks && (bitmap_init(&s->want, h.nblocks) < 0 ||
			  bitmap_init(&s->want_low, h.nblocks) < 0)) {
		bitmap_free(&s->want);
		free(sent);
		return -1;
	}
	free(s->sent_seq);
	s->sent_seq = sent;
	s->h = h;
	s->have_file = 1;
	s->cursor = 0;
	s->cursor_low = 0;
	s->round_sent = 0;
	s->txn_seq = s->seq;
	s->hold_until = 0;
	/* every client starts again from nothing: trust starts over */
	for (i = 0; i < s->ncl; i++) {
		s->cl[i].credible = s->cl[i].suspect = 0;
		s->cl[i].held = s->cl[i].nothing = 0;
	}
	/* Listed clients restart on the new header: they need it all. */
	for (i = 0; i < s->ncl; i++) {
		client_restart(s, &s->cl[i]);
		s->cl[i].stuck_ns = now;
	}
	if (s->ncl)
		for (i = 0; i < h.nblocks; i++)
			bitmap_set(&s->want, i);
	s->ping_at = now;
	return 0;
}

uint64_t slam_srv_outstanding(const struct slam_srv *s)
{
	return s->have_file ? s->want.nset : 0;
}

static int same_host(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return !memcmp(&x->sin6_addr, &y->sin6_addr, 16) &&
		       x->sin6_scope_id == y->sin6_scope_id;
	}
	return 0;
}

static int same(const struct sockaddr_storage *a,
		const struct sockaddr_storage *b)
{
	if (!same_host(a, b))
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port ==
		       ((const struct sockaddr_in *)b)->sin_port;
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port;
}

/* FNV-1a of the address alone: every port of a host hashes alike. */
static unsigned host_hash(const struct sockaddr_storage *a)
{
	const uint8_t *p = NULL;
	uint32_t h = 2166136261u ^ a->ss_family;
	size_t n = 0;

	if (a->ss_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
		n = 4;
	} else if (a->ss_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
		n = 16;
		h ^= ((const struct sockaddr_in6 *)a)->sin6_scope_id;
	}
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static int *chain(struct slam_srv *s, const struct sockaddr_storage *a)
{
	return &s->head[host_hash(a) & s->hmask];
}

static void link_cl(struct slam_srv *s, unsigned i)
{
	int *h = chain(s, &s->cl[i].addr);

	s->next[i] = *h;
	*h = (int)i;
}

static void unlink_cl(struct slam_srv *s, unsigned i)
{
	int *pp = chain(s, &s->cl[i].addr);

	while (*pp >= 0 && *pp != (int)i)
		pp = &s->next[*pp];
	if (*pp == (int)i)
		*pp = s->next[i];
}

static int find(const struct slam_srv *s, const struct sockaddr_storage *a)
{
	if (!s->head)
		return -1;
	for (int i = s->head[host_hash(a) & s->hmask]; i >= 0; i = s->next[i])
		if (same(&s->cl[i].addr, a))
			return i;
	return -1;
}

/* Clients listed for a's host; *victim: the one of them to evict first
 * (the oldest that never answered a ping; -1: none), *oldest: the oldest
 * of them. */
static unsigned host_count(const struct slam_srv *s,
			   const struct sockaddr_storage *a, int *victim,
			   int *oldest)
{
	unsigned n = 0;

	*victim = *oldest = -1;
	if (!s->head)
		return 0;
	for (int i = s->head[host_hash(a) & s->hmask]; i >= 0;
	     i = s->next[i]) {
		const struct slam_client *c = &s->cl[i];

		if (!same_host(&c->addr, a))
			continue;
		n++;
		if (!c->answered && (*victim < 0 ||
				     c->first_ns < s->cl[*victim].first_ns))
			*victim = i;
		if (*oldest < 0 || c->first_ns < s->cl[*oldest].first_ns)
			*oldest = i;
	}
	return n;
}

static void drop(struct slam_srv *s, unsigned i)
{
	unsigned last = s->ncl - 1;

	free(s->cl[i].last);
	unlink_cl(s, i);
	if (i != last) {
		unlink_cl(s, last);
		s->cl[i] = s->cl[last];
		link_cl(s, i);
	}
	s->ncl--;
	if (!s->ncl) {
		/* nobody left who wants it */
		if (s->want.nset) {
			memset(s->want.w, 0, (s->want.nbits + 63) / 64 * 8);
			s->want.nset = 0;
		}
		if (s->want_low.nset) {
			memset(s->want_low.w, 0,
			       (s->want_low.nbits + 63) / 64 * 8);
			s->want_low.nset = 0;
		}
	}
}

/* Room for cap clients, and a hash table of twice that many buckets. */
static int grow(struct slam_srv *s, unsigned cap)
{
	unsigned nb = 32, i;
	struct slam_client *c;
	int *next, *head;

	while (nb < 2 * cap)
		nb *= 2;
	c = realloc(s->cl, cap * sizeof(*c));
	if (!c)
		return -1;
	s->cl = c;
	next = realloc(s->next, cap * sizeof(*next));
	if (!next)
		return -1;
	s->next = next;
	head = malloc(nb * sizeof(*head));
	if (!head)
		return -1;
	free(s->head);
	s->head = head;
	s->hmask = nb - 1;
	s->capcl = cap;
	for (i = 0; i < nb; i++)
		head[i] = -1;
	for (i = 0; i < s->ncl; i++)
		link_cl(s, i);
	return 0;
}

static int add(struct slam_srv *s, const struct sockaddr_storage *a,
	       uint64_t now)
{
	struct slam_client *c;

	if (s->ncl >= s->cfg.max_clients)
		return -1;
	if (s->ncl == s->capcl &&
	    grow(s, s->capcl ? 2 * s->capcl : 16) < 0)
		return -1;
	c = &s->cl[s->ncl];
	memset(c, 0, sizeof(*c));
	c->addr = *a;
	c->first_ns = now;
	client_restart(s, c);
	c->stuck_ns = now;
	link_cl(s, s->ncl);
	s->served++;
	return (int)s->ncl++;
}

/* Forgets the client's oldest unanswered ping. */
static void pq_pop(struct slam_client *c)
{
	c->pq_n--;
	memmove(c->pq_ns, c->pq_ns + 1, c->pq_n * sizeof(c->pq_ns[0]));
	memmove(c->pq_seq, c->pq_seq + 1, c->pq_n * sizeof(c->pq_seq[0]));
}

/* ---- what a client holds ---- */

/* Blocks the client may lack, as far as the server knows: those its last
 * NACK listed and that were not sent after it asked; of the blocks its
 * NACK did not speak for (an iPXE NACK covers at most 4 after its first
 * gap, a long list is cut), those never sent in this transaction. A
 * client that gets none of the group's data lacks all from its gap on. */
static uint64_t lacking(const struct slam_srv *s, const struct slam_client *c)
{
	struct slam_range r[MAX_RANGES];
	uint64_t nb = s->have_file ? s->h.nblocks : 0, from, to, b, k = 0;
	int n, i;

	if (!nb || c->have_all)
		return 0;
	if (c->deaf)
		return c->gap < nb ? nb - c->gap : 0;
	if (!c->lastlen) {	/* nothing said since the transaction began */
		from = to = 0;
		n = 0;
	} else {
		n = slam_nack_parse(c->last, c->lastlen, nb, r, MAX_RANGES,
				    &from, &to);
		if (n < 0)
			n = 0;
	}
	for (i = 0; i < n; i++)
		for (b = r[i].start; b < r[i].end; b++)
			k += !sent_after(s, b, c->judge_seq);
	for (b = to; b < nb; b++)
		k += !s->sent_seq[b];
	return k;
}

static void evict(struct slam_srv *s, int i)
{
	s->evicted_now = 1;
	s->evicted_addr = s->cl[i].addr;
	s->evicted++;
	drop(s, (unsigned)i);
}

/* The table is full and a new host knocks: who goes? First one that
 * never answered a ping, from the host that holds the most (a flood from
 * many ports of one host must never lock other hosts out); then any that
 * never answered; then the oldest of the host that holds the most, if it
 * holds more than one. -1: everyone answered, one client per host. */
static int pick_victim(const struct slam_srv *s)
{
	int best = -1, any = -1, bigo = -1, v, o;
	unsigned bestn = 0, bign = 1, n;

	for (unsigned i = 0; i < s->ncl; i++) {
		n = host_count(s, &s->cl[i].addr, &v, &o);
		if (n > bign) {
			bign = n;
			bigo = o;
		}
		if (v < 0)
			continue;
		if (any < 0 || s->cl[v].first_ns < s->cl[any].first_ns)
			any = v;
		if (n > bestn) {
			bestn = n;
			best = v;
			if (n >= s->cfg.max_per_addr)
				break;	/* none can hold more */
		}
	}
	return best >= 0 && bestn > 1 ? best : any >= 0 ? any : bigo;
}

/* A new client: makes room as the limits say. Its index, or -1. */
static int admit(struct slam_srv *s, const struct sockaddr_storage *a,
		 uint64_t now)
{
	int victim, oldest;

	if (host_count(s, a, &victim, &oldest) >= s->cfg.max_per_addr) {
		if (victim < 0)
			return -1;
		evict(s, victim);
	} else if (s->ncl >= s->cfg.max_clients) {
		victim = pick_victim(s);
		if (victim < 0)
			return -1;
		evict(s, victim);
	}
	return add(s, a, now);
}

static int in_ranges(const struct slam_range *r, int n, uint64_t b)
{
	int lo = 0, hi = n - 1, m;

	while (lo <= hi) {
		m = (lo + hi) / 2;
		if (b < r[m].start)
			hi = m - 1;
		else if (b >= r[m].end)
			lo = m + 1;
		else
			return 1;
	}
	return 0;
}

/* ---- rate ---- */

/* Loss seen by a list client: of the blocks last sent in a recent window
 * (sent before the cutoff, inside the span its NACK speaks for, after it
 * first asked), the share it says it lacks; -1: too few to tell. */
static double loss_list(const struct slam_srv *s, const struct slam_client *c,
			const struct slam_range *r, int n, uint64_t to,
			uint64_t cut, uint64_t now, uint64_t *nseen,
			uint64_t *nlost)
{
	uint64_t lo, q, seen = 0, lost = 0;
	const struct slam_ring_ent *e;

	*nseen = *nlost = 0;
	if (cut <= s->txn_seq)
		return -1;
	lo = now > LOSS_WINDOW + s->t0 ? seq_at(s, now - LOSS_WINDOW) : 0;
	if (lo < c->first_seq)
		lo = c->first_seq;
	if (lo < s->txn_seq)
		lo = s->txn_seq;
	if (cut > lo + SLAM_RING)
		lo = cut - SLAM_RING;
	for (q = cut; q > lo; q--) {
		e = &s->ring[q % SLAM_RING];
		/* Blocks past the list's end are unknown. Those before its
		 * first gap count as received: true for a plain list; a
		 * rotated one may hide losses there (an underestimate). */
		if (e->idx >= to || s->sent_seq[e->idx] != seq32(q))
			continue;
		seen++;
		lost += in_ranges(r, n, e->idx);
	}
	*nseen = seen;
	*nlost = lost;
	return seen >= 32 ? (double)lost / (double)seen : -1;
}

/* The pace follows the slowest receiver's path. A queue building up on
 * it shows first as delay: the fastest ping answer of a while comes back
 * later than the fastest ever (random loss does not do that, so a lossy
 * but idle link keeps its pace); loss above LOSS_HIGH is the other sign.
 * Until the first sign the pace grows fast, then gently. */
static void adapt(struct slam_srv *s, uint64_t now, double rtt)
{
	uint64_t every = s->srtt > 10 * MS ? (uint64_t)s->srtt : 10 * MS;
	double p = -1, qdelay = -1;
	int cong;

	if (rtt >= 0 && (s->rtt_win < 0 || rtt < s->rtt_win))
		s->rtt_win = rtt;
	if (s->slow_start)
		every = s->srtt > 5 * MS ? (uint64_t)s->srtt : 5 * MS;
	if (s->cfg.rate > 0 || now - s->adj_ns < every)
		return;
	if (s->loss_seen >= 32) {
		p = (double)s->loss_lost / (double)s->loss_seen;
		s->loss_seen = s->loss_lost = 0;
	}
	if (s->loss_max >= 0 && s->loss_max > p)
		p = s->loss_max;
	s->loss_max = -1;
	if (p >= 0)
		s->loss = p;
	if (s->rtt_win >= 0 && s->minrtt >= 0)
		qdelay = s->rtt_win - s->minrtt;
	s->rtt_win = -1;
	cong = (p >= 0 && p > LOSS_HIGH) ||
	       (qdelay >= 0 && qdelay > QDELAY_MAX &&
		qdelay > s->minrtt);
	if (cong) {
		s->rate *= 0.85;
		s->adj_ns = now;
		s->slow_start = 0;
	} else if (s->limited && (p < 0 || p < LOSS_LOW) &&
		   qdelay >= 0 && qdelay < QDELAY_MAX / 2) {
		/* (faster only on a round trip measured at this pace: a
		 * step taken blind overruns a shaped link's queue before
		 * any answer can show it filling) */
		s->rate *= s->slow_start ? 1.5 : 1.08;
		s->adj_ns = now;
		s->limited = 0;
	}
	if (s->rate < RATE_MIN)
		s->rate = RATE_MIN;
	if (s->rate > RATE_MAX)
		s->rate = RATE_MAX;
}

/* Blocks to keep in flight ahead of a ping-driven client: what the pace
 * sends in two round trips, and a little more. */
static uint64_t ahead_window(const struct slam_srv *s)
{
	double rate = s->cfg.rate > 0 ? s->cfg.rate : s->rate;
	double w = rate * (2 * s->srtt + 2 * MS) / 1e9;

	if (w < AHEAD_MIN)
		return AHEAD_MIN;
	return w > AHEAD_MAX ? AHEAD_MAX : (uint64_t)w;
}

static void want(struct slam_srv *s, uint64_t b)
{
	bitmap_set(&s->want, b);
}

/* A ping-driven client asked for [gap, ask_end): it will ask for what
 * follows next, four blocks a round trip. Keep that on its way: blocks
 * never sent at all, as far as the pace carries in two round trips (the
 * client at the front of the transfer drives it); and, for a client whose
 * gaps run on past what was sent for it last time (one that booted late
 * and lacks the start), a window that doubles each time that happens and
 * closes when its gap jumps past (it heard the rest: only its own losses
 * are left, and those it asks for). cut: what its NACK knew of. */
static void send_ahead(struct slam_srv *s, struct slam_client *c,
		       uint64_t prev_end, uint64_t cut)
{
	uint64_t nb = s->h.nblocks, b, end, w = ahead_window(s);

	if (c->win && c->gap == prev_end)
		c->win = 2 * c->win > w ? w : 2 * c->win;
	else if (c->gap == prev_end && prev_end)
		c->win = PD_MAX;
	else if (c->gap > prev_end)
		c->win = 0;
	end = c->ask_end + c->win;
	if (end > nb)
		end = nb;
	for (b = c->ask_end; b < end; b++)
		if (!sent_after(s, b, cut))	/* not in flight */
			want(s, b);
	c->ahead = end;
	end = c->gap + w;
	if (end > nb)
		end = nb;
	for (b = c->ask_end; b < end; b++)
		if (!s->sent_seq[b]) {
			want(s, b);
			if (b >= c->ahead)
				c->ahead = b + 1;
		}
}

/* Clients that lack blocks when the data stops but stayed silent while
 * it flowed ask only some time after it stopped, and then nearly
 * together; serving the first at once would silence the others again
 * (every packet restarts their wait), so that a room of them finishes
 * one after the other. A client that speaks up after such a silence,
 * when others were served this transaction and none is listed, therefore
 * waits for the rest (pings to it go on: they reach it alone):
 * - Etherboot NACKs 2 s + U(0, 4 s) after the last packet: the wait
 *   lasts until 6.5 s after it. (A room of ten at 2 % loss took 22-27 s,
 *   one every 2-3 s.)
 * - iPXE slaves (that heard data before their own first NACK, so never
 *   asked while it flowed) NACK 1 s after the last packet each heard:
 *   PD_GATHER after the first. An iPXE also cuts an Etherboot wait that
 *   short. (Three iPXE guests: a second each, one after the other.) */
static void gather(struct slam_srv *s, int pd, uint64_t now)
{
	uint64_t last = s->ring[s->seq % SLAM_RING].t;
	int quiet = s->served >= 2 && s->seq > s->txn_seq;

	if (pd) {
		if (now < s->hold_until && s->hold_until > now + PD_GATHER)
			s->hold_until = now + PD_GATHER;
		else if (quiet && s->ncl == 1 && now - last >= PD_QUIET &&
			 now >= s->hold_until) {
			s->hold_until = now + PD_GATHER;
			s->tail_holds++;
		}
		return;
	}
	if (quiet && s->ncl == 1 && now - last >= QUIET_AFTER &&
	    last + EB_QUIET > now) {
		s->hold_until = last + EB_QUIET;
		s->tail_holds++;
	}
}

/* Counts the Ints of a NACK up to 3 (an iPXE NACK has exactly 2). */
static int nack_ints(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t v;
	int n = 0;

	while (n < 3 && slam_get_int(&p, end, &v) > 0)
		n++;
	return n;
}

/* The client's gap did not move although its block went out again:
 * count it; a client that never gets any of the group's data is deaf. */
static int stuck(struct slam_srv *s, struct slam_client *c, uint64_t gap,
		 uint64_t cut, uint64_t now)
{
	if (gap >= s->h.nblocks || gap != c->stuck_gap) {
		if (c->nacks > 1 && gap > c->stuck_gap) {
			c->progressed = 1;
			c->deaf = 0;
			s->progress_ns = now;
		}
		c->stuck_gap = gap;
		c->stuck = 0;
		c->stuck_seq = cut;
		c->stuck_ns = now;
		return 0;
	}
	if (sent_after(s, gap, c->stuck_seq) && !sent_after(s, gap, cut)) {
		c->stuck++;
		c->stuck_seq = cut;
	}
	if (c->deaf || c->stuck < DEAF_SENDS || now - c->stuck_ns < DEAF_AFTER ||
	    (c->progressed && c->stuck < 2 * DEAF_SENDS))
		return 0;
	c->deaf = 1;
	s->deaf++;
	s->ev_block = gap;
	s->ev_sends = c->stuck;
	s->ev_others = s->progress_ns > c->stuck_ns;
	return 1;
}

static void keep_nack(struct slam_client *c, const uint8_t *buf, size_t len)
{
	uint8_t *p;

	if (len > NACK_KEEP)
		len = NACK_KEEP;
	p = realloc(c->last, len);
	if (!p) {	/* keep the old one: the verdict errs, nothing worse */
		return;
	}
	memcpy(p, buf, len);
	c->last = p;
	c->lastlen = (uint16_t)len;
}

/* The NACK the client will be judged by, and what it could know. */
static void record(struct slam_client *c, const uint8_t *buf, size_t len,
		   int have_all, uint64_t cut)
{
	keep_nack(c, buf, len);
	c->have_all = have_all;
	c->known_seq = c->judge_seq = cut;
}

/* What a NACK says of its sender's trustworthiness: it claims to hold
 * more than ever before, or to hold some of what was just sent: blocks
 * arrive. Otherwise the blocks it claims lost of those just sent count
 * up; SLAM_SRV_SUSPECT_AFTER of them, with no arrival between, make it a
 * suspect. Returns 1 when it just became one. */
static int judge(struct slam_srv *s, struct slam_client *c,
		 const struct slam_range *r, int n, uint64_t to, double p,
		 uint64_t seen, uint64_t lost)
{
	uint64_t lacked = 0, holds;
	int k;

	for (k = 0; k < n; k++)
		lacked += r[k].end - r[k].start;
	holds = to > lacked ? to - lacked : 0;
	if (holds > c->held || (p >= 0 && lost < seen)) {
		if (holds > c->held)
			c->held = holds;
		c->nothing = 0;
		c->credible = 1;
		c->suspect = 0;
		return 0;
	}
	if (p < 0)
		return 0;
	c->nothing += lost;
	if (c->suspect || c->nothing < SLAM_SRV_SUSPECT_AFTER)
		return 0;
	c->suspect = 1;
	c->credible = 0;
	s->suspects++;
	return 1;
}

enum slam_ev slam_srv_input(struct slam_srv *s, uint64_t now,
			    const struct sockaddr_storage *from,
			    const uint8_t *buf, size_t len)
{
	struct slam_range r[MAX_RANGES];
	uint64_t lo, hi, b, nb = s->have_file ? s->h.nblocks : 0, horizon, cut;
	uint64_t prev_gap, prev_known, prev_end, late, oldest = UINT64_MAX;
	uint64_t seen = 0, lost = 0;
	struct bitmap *wantb;
	double rtt = -1, p = -1;
	enum slam_ev ev = SLAM_EV_NACK;
	struct slam_client *c;
	int n, i, k, pd;

	s->evicted_now = 0;
	n = slam_nack_parse(buf, len, nb, r, MAX_RANGES, &lo, &hi);
	i = find(s, from);
	if (n == -1) {
		if (i < 0)
			return SLAM_EV_BYE;
		s->ev_missing = lacking(s, &s->cl[i]);
		drop(s, (unsigned)i);
		s->progress_ns = now;
		if (s->ev_missing) {
			s->left++;
			return SLAM_EV_LEFT;
		}
		s->done++;
		return SLAM_EV_DONE;
	}
	if (n == -2) {
		s->bad++;
		return SLAM_EV_BAD;
	}
	if (i < 0) {
		i = admit(s, from, now);
		if (i < 0) {
			s->full++;
			return SLAM_EV_FULL;
		}
		s->joined++;
		ev = SLAM_EV_JOIN;
	}
	s->nacks++;
	c = &s->cl[i];
	c->last_ns = now;
	c->nacks++;
	/* An answer to our ping tells what arrived before the ping did: the
	 * ping left after the data handed out before it and crossed the
	 * same queues. Otherwise guess from the round trip. */
	horizon = guard_ns(s);
	cut = now > horizon + s->t0 ? seq_at(s, now - horizon) : s->txn_seq;
	/* A loaded client answers pings late and in order, while the next
	 * ones are out: this NACK may answer its oldest unanswered ping.
	 * (answers come up to 300 ms late from a guest starved of CPU:
	 * pings are kept as long as an answer counts for the round trip.
	 * A NACK to a ping that overtook data sent before it lists that
	 * data, which arrives just after: a model iPXE was judged 'left,
	 * missing 4' with its file whole, in 1 of 7 runs of a test under
	 * ASan on a loaded host.)
	 * What it lacks is judged against that one, so that blocks sent
	 * since then are not counted against its goodbye (the pace and the
	 * resends keep to the latest ping: an answer to it is the news). */
	while (c->pq_n && now - c->pq_ns[0] >= s->cfg.ping_timeout_ns * 4)
		pq_pop(c);
	{
		/* ... and data a ping overtook (a loaded host's queues
		 * reorder by up to reorder_ns) may still have arrived */
		uint64_t at = c->pq_n ? c->pq_ns[0] :
			      now > horizon ? now - horizon : 0;

		if (at > reorder_ns(s) + s->t0)
			oldest = seq_at(s, at - reorder_ns(s));
		else
			oldest = s->txn_seq;
		if (c->pq_n && oldest > c->pq_seq[0])
			oldest = c->pq_seq[0];
		if (c->pq_n)
			pq_pop(c);
	}
	if (c->pinged_ns && now - c->pinged_ns < s->cfg.ping_timeout_ns) {
		cut = seq_at(s, c->pinged_ns - PING_SLACK);
		if (cut > c->ping_seq)
			cut = c->ping_seq;
	}
	if (c->pinged_ns) {
		c->answered = 1;
		rtt = (double)(now - c->pinged_ns);
		if (rtt < (double)s->cfg.ping_timeout_ns * 4) {
			/* a suspect could stretch the guard by answering
			 * late: it has no say in the average */
			if (!c->suspect)
				s->srtt += (rtt - s->srtt) / 8;
			if (s->minrtt < 0 || rtt < s->minrtt)
				s->minrtt = rtt;
		} else {
			rtt = -1;
		}
		c->pinged_ns = 0;
	}
	c->missed = 0;
	if (!s->have_file)
		return ev;
	if (cut < s->txn_seq)
		cut = s->txn_seq;
	prev_gap = c->gap;
	prev_known = c->known_seq;
	prev_end = c->ahead;
	if (ev == SLAM_EV_JOIN)	/* what it may have had since */
		c->first_seq = cut;
	if (nb == 0) {
		record(c, buf, len, n == 0 && lo >= nb, cut);
		/* Empty file: nothing to send; the header in a ping is all a
		 * client needs to finish. */
		s->ping_at = now;
		return ev;
	}
	/* iPXE asks for its first gap only, at most 4 blocks, and only
	 * when pinged: it must be pinged again as soon as that is out */
	pd = nack_ints(buf, len) == 2 && n == 1 && r[0].start == lo &&
	     r[0].end - r[0].start <= PD_MAX;
	c->pd = pd;
	if (ev == SLAM_EV_JOIN)
		gather(s, pd, now);
	c->gap = lo < nb ? lo : nb;
	c->ask_end = n ? r[n - 1].end : c->gap;
	if (c->gap > prev_gap && c->nacks > 1)
		s->progress_ns = now;
	/* (only a ping-driven client: iPXE sends no IGMP join; a list
	 * client that joins but lags behind its queue must not look deaf) */
	if (ev == SLAM_EV_NACK && pd && stuck(s, c, c->gap, cut, now))
		ev = SLAM_EV_DEAF;
	/* Trust: a list client that goes on claiming to lack all that was
	 * sent to it is a suspect (a deaf iPXE is told apart above: its
	 * NACK speaks of its first gap only, never of what it lost). */
	if (!pd && ev == SLAM_EV_NACK)
		p = loss_list(s, c, r, n, hi, cut, now, &seen, &lost);
	if (judge(s, c, r, n, hi, p, seen, lost) && ev == SLAM_EV_NACK)
		ev = SLAM_EV_SUSPECT;
	/* evidence of loss for the pace: only from a receiver that shows
	 * it receives (backing off helps no one who gets nothing, and a
	 * liar must not slow all) */
	if (c->credible && pd && rtt >= 0 && ev != SLAM_EV_JOIN) {
		s->loss_seen += c->gap > prev_gap ? c->gap - prev_gap : 0;
		if (c->gap < nb && sent_after(s, c->gap, prev_known) &&
		    !sent_after(s, c->gap, cut)) {
			s->loss_seen++;
			s->loss_lost++;
		}
	} else if (c->credible && !pd && p >= 0 && p > s->loss_max) {
		/* the pace follows the receiver that loses most */
		s->loss_max = p;
	}
	adapt(s, now, c->credible ? rtt : -1);
	/* judged by what it surely could know: a receiver that lags behind
	 * its queue may hold what it asks for a moment later (also when its
	 * asks are not served now: its goodbye is judged by this NACK) */
	record(c, buf, len, n == 0 && lo >= nb,
	       now > guard_ns(s) + s->t0 && seq_at(s, now - guard_ns(s)) < cut ?
	       seq_at(s, now - guard_ns(s)) : cut);
	if (oldest < c->known_seq)
		c->judge_seq = oldest > s->txn_seq ? oldest : s->txn_seq;
	if (pd && c->stuck && !c->deaf) {
		/* what we sent again for it was lost again: back off, so
		 * that a client no data reaches cannot flood the group */
		uint64_t hold = (uint64_t)s->srtt << (c->stuck < 12 ? c->stuck : 12);

		if (hold > DEAF_SERVE)
			hold = DEAF_SERVE;
		if (now - c->served_ns < hold) {
			c->hold_ns = c->served_ns + hold;
			c->ping_now = pd;
			s->pd_wait |= pd;
			return ev;
		}
	}
	if (c->deaf && now - c->served_ns < DEAF_SERVE)
		return ev;	/* its asks help nobody: now and then only */
	c->served_ns = now;
	c->hold_ns = 0;
	/* a suspect's asks are served only when nobody else wants any */
	wantb = c->suspect ? &s->want_low : &s->want;
	/* A list client's first word on a block sent since its last NACK
	 * may come before the block: the group's data and our ping can
	 * take different paths (a receiver's queues or CPUs; a NIC that
	 * spreads flows) and a ping may overtake data sent before it.
	 * Such a block is sent again only when the next NACK still lists
	 * it, or once it went out too long ago to be on its way. */
	late = !pd && ev == SLAM_EV_NACK ? reorder_ns(s) : 0;
	for (k = 0; k < n; k++)
		for (b = r[k].start; b < r[k].end; b++)
			if (!sent_after(s, b, cut) &&	/* not in flight */
			    (!late || !sent_after(s, b, prev_known) ||
			     sent_time(s, b) + late <= now))
				bitmap_set(wantb, b);
	if (pd && !c->deaf) {
		send_ahead(s, c, prev_end, cut);
		c->ping_now = 1;
		s->pd_wait = 1;
		s->pd_scan_at = now;
		/* what it asks for is still in flight: ask again once that
		 * must have arrived */
		if (c->gap < nb && sent_after(s, c->gap, cut) &&
		    !bitmap_test(&s->want, c->gap)) {
			uint64_t t = sent_time(s, c->gap);

			if (t)
				c->hold_ns = t + PING_SLACK;
		}
	}
	/* Nothing to send: ask the next client soon instead of waiting. */
	if (!s->want.nset && rtt >= 0 && s->ping_at > now + IDLE_GAP)
		s->ping_at = now + IDLE_GAP;
	return ev;
}

void slam_srv_unsend(struct slam_srv *s, uint64_t block)
{
	if (!s->have_file || block >= s->h.nblocks)
		return;
	want(s, block);
	/* it never left: the totals should not say it did */
	if (s->sent) {
		s->sent--;
		s->bytes -= slam_block_len(&s->h, block);
	}
	if (s->round_sent)
		s->round_sent--;
	s->sent_seq[block] = 0;
}

static void do_ping(struct slam_srv *s, struct slam_client *c, uint64_t now,
		    struct slam_out *o)
{
	c->pinged_ns = now;
	c->ping_seq = s->seq;
	if (c->pq_n == SLAM_PING_Q)	/* the oldest is surely lost */
		pq_pop(c);
	c->pq_ns[c->pq_n] = now;
	c->pq_seq[c->pq_n++] = s->seq;
	c->ping_now = 0;
	s->pings++;
	o->act = SLAM_ACT_PING;
	o->addr = c->addr;
}

/* The clients in turn, one at a time (mini-slamd's way): finds the
 * silent ones, and asks list clients for fresh NACKs. */
static int ping_turn(struct slam_srv *s, uint64_t now, struct slam_out *o)
{
	struct slam_client *c;
	unsigned i, passed = 0;

	while (s->ncl) {
		i = s->ping_i % s->ncl;
		c = &s->cl[i];
		/* a suspect gets one turn in SUSPECT_PING_EVERY: enough to
		 * show it receives again, not enough to delay the others */
		if (c->suspect && c->ping_skip++ % SUSPECT_PING_EVERY &&
		    passed++ < s->ncl) {
			s->ping_i = i + 1;
			continue;
		}
		if (c->pinged_ns && s->want.nset && c->credible &&
		    now - c->pinged_ns > s->cfg.ping_timeout_ns) {
			/* a ping lost or unanswered while we send: its
			 * receiver (or link) may be drowning */
			s->loss_seen++;
			s->loss_lost++;
			adapt(s, now, -1);
		}
		if (c->pinged_ns &&
		    ++c->missed >= (c->answered ? s->cfg.max_missed :
				    UNANSWERED_MAX) &&
		    now - c->last_ns > LOST_AFTER) {
			/* silent for max_missed pings in a row, and for a
			 * while (a busy receiver may just be late): gone;
			 * one that never answered sooner (one NACK from
			 * each of a thousand ports must not hold the table
			 * for long) */
			o->act = SLAM_ACT_LOST;
			o->addr = c->addr;
			o->missing = lacking(s, c);
			drop(s, i);
			s->lost++;
			s->progress_ns = now;
			return 1;
		}
		s->ping_i = i + 1;
		do_ping(s, c, now, o);
		s->ping_at = now + (s->want.nset ? BUSY_PING :
				    s->cfg.ping_timeout_ns);
		return 1;
	}
	return 0;
}

/* Ping-driven clients whose asks are all out get their ping now, within
 * a budget of pings per second; *wake: when to look again. */
static int ping_pd(struct slam_srv *s, uint64_t now, struct slam_out *o,
		   uint64_t *wake)
{
	double rate = s->cfg.rate > 0 ? s->cfg.rate : s->rate;
	double budget = rate * PING_SHARE, cap;
	struct slam_client *c;
	uint64_t w = 0, t, until;
	unsigned i, k;
	int waiting = 0;

	*wake = 0;
	if (budget < PING_BUDGET)
		budget = PING_BUDGET;
	cap = budget * 0.002 + 8;
	s->ping_tokens += (double)(now - s->ping_tok_ns) * budget / 1e9;
	s->ping_tok_ns = now;
	if (s->ping_tokens > cap)
		s->ping_tokens = cap;
	for (k = 0; k < s->ncl; k++) {
		i = (s->ping_i + k) % s->ncl;
		c = &s->cl[i];
		if (!c->ping_now)
			continue;
		waiting = 1;
		t = c->pinged_ns && now - c->pinged_ns < PD_REPING ?
		    c->pinged_ns + PD_REPING : c->hold_ns;
		if (t > now) {
			w = !w || t < w ? t : w;
			continue;
		}
		/* after what it asked for, and half its window */
		until = c->gap + ahead_window(s) / 2;
		if (until > c->ahead)
			until = c->ahead;
		if (until < c->ask_end)
			until = c->ask_end;
		if (bitmap_next_set(&s->want, c->gap) < until)
			continue;	/* the data sends will wake us */
		if (s->ping_tokens < 1) {
			t = now + (uint64_t)((1 - s->ping_tokens) * 1e9 /
					     budget) + 1;
			w = !w || t < w ? t : w;
			break;
		}
		s->ping_tokens -= 1;
		do_ping(s, c, now, o);
		return 1;
	}
	s->pd_wait = waiting;
	s->pd_scan_at = now + PD_SCAN;
	*wake = w;
	return 0;
}

static void round_end(struct slam_srv *s, struct slam_out *o)
{
	o->act = SLAM_ACT_ROUND;
	o->round = ++s->round;
	s->round_sent = 0;
	s->cursor = 0;
}

/* Takes the next block to send: from what trusted clients want, in
 * sweeps; when they want nothing, from what suspects want. */
static uint64_t next_block(struct slam_srv *s)
{
	uint64_t b;

	if (s->want.nset) {
		b = bitmap_next_set(&s->want, s->cursor);
		if (b >= s->want.nbits)
			b = bitmap_next_set(&s->want, 0);
		s->cursor = b + 1;
		s->round_sent++;
	} else {
		b = bitmap_next_set(&s->want_low, s->cursor_low);
		if (b >= s->want_low.nbits)
			b = bitmap_next_set(&s->want_low, 0);
		s->cursor_low = b + 1;
	}
	want_clear(&s->want, b);
	want_clear(&s->want_low, b);
	return b;
}

void slam_srv_next(struct slam_srv *s, uint64_t now, struct slam_out *o)
{
	double rate = s->cfg.rate > 0 ? s->cfg.rate : s->rate, cap;
	uint64_t b, wake = 0, pd_wake = 0;

	memset(o, 0, sizeof(*o));
	if (!s->have_file) {
		o->act = SLAM_ACT_WAIT;
		return;
	}
	if (s->ncl && now >= s->ping_at && ping_turn(s, now, o))
		return;
	if (s->pd_wait) {
		if (now < s->pd_scan_at)	/* looked a moment ago */
			pd_wake = s->pd_scan_at;
		else if (ping_pd(s, now, o, &pd_wake))
			return;
	}
	if (s->want.nset && s->round_sent &&
	    bitmap_next_set(&s->want, s->cursor) >= s->want.nbits) {
		/* the sweep reached the end: next round */
		round_end(s, o);
		return;
	}
	if (!s->want.nset && s->round_sent) {
		round_end(s, o);
		/* a burst ended: ask for the next NACK once it has had time
		 * to arrive, as mini-slamd pings after each */
		if (s->ping_at > now + IDLE_GAP + (uint64_t)s->srtt)
			s->ping_at = now + IDLE_GAP + (uint64_t)s->srtt;
		return;
	}
	if (now < s->hold_until) {
		wake = s->hold_until;
	} else if (s->want.nset || s->want_low.nset) {
		cap = rate * 0.002;
		if (cap < 4)
			cap = 4;
		s->tokens += (double)(now - s->tok_ns) * rate / 1e9;
		s->tok_ns = now;
		if (s->tokens > cap)
			s->tokens = cap;
		if (s->tokens >= 1) {
			b = next_block(s);
			s->tokens -= 1;
			if (!seq32(++s->seq))
				++s->seq;	/* 0 means "not sent" */
			s->sent_seq[b] = seq32(s->seq);
			s->ring[s->seq % SLAM_RING].idx = b;
			s->ring[s->seq % SLAM_RING].t = now;
			s->sent++;
			s->bytes += slam_block_len(&s->h, b);
			o->act = SLAM_ACT_DATA;
			o->block = b;
			return;
		}
		/* suspects' wants alone are no reason to go faster */
		if (s->want.nset)
			s->limited = 1;
		wake = s->tok_ns + (uint64_t)((1 - s->tokens) * 1e9 / rate) + 1;
	} else {
		wake = 0;
	}
	if (pd_wake && (!wake || pd_wake < wake))
		wake = pd_wake;
	if (s->ncl && (!wake || s->ping_at < wake))
		wake = s->ping_at > now ? s->ping_at : now + 1;
	o->act = SLAM_ACT_WAIT;
	o->until_ns = wake;
}
