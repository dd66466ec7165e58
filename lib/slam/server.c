/* server.c - the SLAM server state machine, sans I/O (Etherboot/iPXE
 * SLAM, PROTOCOLS.md §1.7 and §1.10). mini-slamd serves one NACK at a time,
 * unpaced, and wedges on bad ones; this one merges every NACK into a set
 * of wanted blocks swept once per round, paces with a token bucket, and
 * never trusts a run length. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slam/server.h"

#define MS		UINT64_C(1000000)
#define BUSY_PING	(10 * MS)	/* ping spacing while data flows */
#define IDLE_GAP	(1 * MS)	/* after an answer, when idle */
#define RATE0		40000.0		/* adaptive start, packets/s */
#define RATE_MIN	2000.0
#define RATE_MAX	2000000.0
#define LOSS_HIGH	0.15		/* loss that means congestion */
#define LOSS_LOW	0.06		/* below it we may speed up */
#define LOSS_WINDOW	(100 * MS)
#define MAX_RANGES	1024		/* a 64 KiB NACK holds fewer pairs */
#define LOST_AFTER	(1500 * MS)	/* and silent that long: forgotten */
#define UNANSWERED_MAX	3		/* pings a client that never answered
					 * one may miss */
#define SUSPECT_PING_EVERY 8		/* a suspect's share of ping turns */

static uint16_t ms16(const struct slam_srv *s, uint64_t now)
{
	return (uint16_t)((now - s->t0) / MS);
}

/* Blocks sent within the last guard are probably still in flight (a
 * shaped link's queue holds them): a NACK for them is not news. The guard
 * follows the ping round trip, which crosses the same queue. */
static uint64_t guard_ns(const struct slam_srv *s)
{
	double g = 1.5 * s->srtt + 2 * MS;

	return g > 500 * MS ? 500 * MS : (uint64_t)g;
}

/* Sent within the last horizon: the NACK could not know of it yet. */
static int recent(const struct slam_srv *s, uint64_t b, uint64_t now,
		  uint64_t horizon)
{
	uint16_t d = ms16(s, now) - s->sent_ms[b];

	return d <= horizon / MS;
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
	if (!s->cfg.max_per_addr)
		s->cfg.max_per_addr = SLAM_SRV_MAX_PER_ADDR;
	s->rate = s->cfg.rate > 0 ? s->cfg.rate : RATE0;
	s->srtt = 10 * MS;
	s->minrtt = -1;
	s->t0 = now;
	s->tok_ns = now;
	s->tokens = 1;
	return 0;
}

void slam_srv_free(struct slam_srv *s)
{
	bitmap_free(&s->want);
	bitmap_free(&s->want_low);
	free(s->sent_ms);
	free(s->cl);
	free(s->head);
	free(s->next);
	s->sent_ms = NULL;
	s->cl = NULL;
	s->head = s->next = NULL;
	s->ncl = s->capcl = 0;
}

int slam_srv_set_file(struct slam_srv *s, uint64_t txn, uint64_t total,
		      uint64_t bs, uint64_t now)
{
	struct slam_hdr h;
	uint16_t *sent;
	uint64_t i;

	if (slam_hdr_build(&h, txn, total, bs) < 0) {
		errno = EINVAL;
		return -1;
	}
	sent = malloc((h.nblocks ? h.nblocks : 1) * sizeof(*sent));
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
	/* "never sent": as far from now as 16-bit ms stamps allow */
	for (i = 0; i < h.nblocks; i++)
		sent[i] = ms16(s, now) + 0x8000;
	free(s->sent_ms);
	s->sent_ms = sent;
	s->h = h;
	s->have_file = 1;
	s->cursor = 0;
	s->cursor_low = 0;
	s->round_sent = 0;
	s->ring_n = 0;
	/* every client starts again from nothing: trust starts over */
	for (i = 0; i < s->ncl; i++) {
		s->cl[i].credible = s->cl[i].suspect = 0;
		s->cl[i].held = s->cl[i].nothing = 0;
	}
	/* Listed clients restart on the new header: they need it all. */
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

	unlink_cl(s, i);
	if (i != last) {
		unlink_cl(s, last);
		s->cl[i] = s->cl[last];
		link_cl(s, i);
	}
	s->ncl--;
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
	link_cl(s, s->ncl);
	s->served++;
	return (int)s->ncl++;
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

/* Loss seen by one client: of the blocks last sent in a recent window
 * (old enough to have arrived, young enough to be in the ring) inside
 * the span its NACK speaks for, the share it says it lacks. */
static double loss_sample(const struct slam_srv *s, const struct slam_client *c,
			  const struct slam_range *r, int n, uint64_t from,
			  uint64_t to, uint64_t now, uint64_t horizon,
			  uint64_t *nseen, uint64_t *nlost)
{
	uint64_t hi = now - horizon, lo, seen = 0, lost = 0;
	unsigned k, cnt = s->ring_n < SLAM_RING ? s->ring_n : SLAM_RING;
	const struct slam_ring_ent *e;

	*nseen = *nlost = 0;
	if (now < horizon + s->t0)
		return -1;
	lo = hi > LOSS_WINDOW ? hi - LOSS_WINDOW : 0;
	if (lo < c->first_ns)
		lo = c->first_ns;
	for (k = 1; k <= cnt; k++) {
		e = &s->ring[(s->ring_n - k) % SLAM_RING];
		if (e->t > hi)
			continue;
		if (e->t < lo)
			break;
		/* Blocks past the list's end are unknown. Those before its
		 * first gap count as received: true for a plain list; a
		 * rotated one may hide losses there (an underestimate). */
		if (e->idx >= to || s->sent_ms[e->idx] != ms16(s, e->t))
			continue;
		(void)from;
		seen++;
		lost += in_ranges(r, n, e->idx);
	}
	*nseen = seen;
	*nlost = lost;
	return seen >= 32 ? (double)lost / seen : -1;
}

static void adapt(struct slam_srv *s, uint64_t now, double p, double rtt)
{
	uint64_t every = s->srtt > 20 * MS ? (uint64_t)s->srtt : 20 * MS;
	int cong;

	if (s->cfg.rate > 0 || now - s->adj_ns < every)
		return;
	/* Queueing delay on the pinged path, or heavy loss, means the
	 * slowest receiver's link is full: back off. */
	cong = (p >= 0 && p > LOSS_HIGH) ||
	       (rtt >= 0 && s->minrtt >= 0 && rtt > 2 * s->minrtt + 8 * MS);
	if (cong) {
		s->rate *= 0.8;
		s->adj_ns = now;
	} else if (s->limited && (p < 0 || p < LOSS_LOW)) {
		s->rate *= 1.25;
		s->adj_ns = now;
		s->limited = 0;
	}
	if (s->rate < RATE_MIN)
		s->rate = RATE_MIN;
	if (s->rate > RATE_MAX)
		s->rate = RATE_MAX;
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
	uint64_t lo, hi, b, nb = s->have_file ? s->h.nblocks : 0, horizon;
	uint64_t seen = 0, lost = 0;
	struct bitmap *want;
	double rtt = -1, p = -1;
	enum slam_ev ev = SLAM_EV_NACK;
	struct slam_client *c;
	int n, i, k;

	s->evicted_now = 0;
	n = slam_nack_parse(buf, len, nb, r, MAX_RANGES, &lo, &hi);
	i = find(s, from);
	if (n == -1) {
		if (i < 0)
			return SLAM_EV_BYE;
		drop(s, i);
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
	/* An answer to our ping tells what arrived before the ping did; the
	 * ping queued behind the data sent before it, so that is what was
	 * sent before the ping (a millisecond of slack). Otherwise guess
	 * from the round trip. */
	horizon = guard_ns(s);
	if (c->pinged_ns && now - c->pinged_ns < s->cfg.ping_timeout_ns)
		horizon = now - c->pinged_ns + MS;
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
	if (nb == 0) {
		/* Empty file: nothing to send; the header in a ping is all a
		 * client needs to finish. */
		s->ping_at = now;
		return ev;
	}
	if (ev == SLAM_EV_NACK)
		p = loss_sample(s, c, r, n, lo, hi, now, horizon, &seen, &lost);
	if (judge(s, c, r, n, hi, p, seen, lost))
		ev = SLAM_EV_SUSPECT;
	/* only a receiver that shows it receives steers the pace: backing
	 * off helps no one who gets nothing, and a liar must not slow all */
	if (c->credible) {
		if (p >= 0)
			s->loss = p;
		adapt(s, now, p, rtt);
	}
	want = c->suspect ? &s->want_low : &s->want;
	for (k = 0; k < n; k++)
		for (b = r[k].start; b < r[k].end; b++)
			if (!recent(s, b, now, horizon))
				bitmap_set(want, b);
	/* Nothing to send: ask the next client soon instead of waiting. */
	if (!s->want.nset && rtt >= 0 && s->ping_at > now + IDLE_GAP)
		s->ping_at = now + IDLE_GAP;
	return ev;
}

void slam_srv_unsend(struct slam_srv *s, uint64_t block)
{
	if (!s->have_file || block >= s->h.nblocks)
		return;
	bitmap_set(&s->want, block);
	/* it never left: the totals should not say it did */
	if (s->sent) {
		s->sent--;
		s->bytes -= slam_block_len(&s->h, block);
	}
	if (s->round_sent)
		s->round_sent--;
}

static int ping(struct slam_srv *s, uint64_t now, struct slam_out *o)
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
		if (c->pinged_ns && s->want.nset && c->credible)
			/* a ping lost or unanswered while we send: its
			 * receiver (or link) is drowning; slow down */
			adapt(s, now, 1.0, -1);
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
			drop(s, i);
			s->lost++;
			return 1;
		}
		c->pinged_ns = now;
		s->ping_i = i + 1;
		s->pings++;
		o->act = SLAM_ACT_PING;
		o->addr = c->addr;
		s->ping_at = now + (s->want.nset ? BUSY_PING :
				    s->cfg.ping_timeout_ns);
		return 1;
	}
	return 0;
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
	uint64_t b, wake;

	memset(o, 0, sizeof(*o));
	if (!s->have_file) {
		o->act = SLAM_ACT_WAIT;
		return;
	}
	if (s->ncl && now >= s->ping_at && ping(s, now, o))
		return;
	if (s->want.nset && s->round_sent &&
	    bitmap_next_set(&s->want, s->cursor) >= s->want.nbits) {
		/* the sweep reached the end: next round */
		s->cursor = 0;
		o->act = SLAM_ACT_ROUND;
		o->round = ++s->round;
		s->round_sent = 0;
		return;
	}
	if (!s->want.nset && s->round_sent) {
		o->act = SLAM_ACT_ROUND;
		o->round = ++s->round;
		s->round_sent = 0;
		s->cursor = 0;
		/* a burst ended: ask for the next NACK once it has had time
		 * to arrive, as mini-slamd pings after each */
		if (s->ping_at > now + IDLE_GAP + (uint64_t)s->srtt)
			s->ping_at = now + IDLE_GAP + (uint64_t)s->srtt;
		return;
	}
	if (s->want.nset || s->want_low.nset) {
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
			s->sent_ms[b] = ms16(s, now);
			s->ring[s->ring_n % SLAM_RING].idx = b;
			s->ring[s->ring_n % SLAM_RING].t = now;
			s->ring_n++;
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
	if (s->ncl && (!wake || s->ping_at < wake))
		wake = s->ping_at > now ? s->ping_at : now + 1;
	o->act = SLAM_ACT_WAIT;
	o->until_ns = wake;
}
