/* stats.c - per-sender receive statistics: traffic of any kind, and for
 * probes loss (up to what the sender announced), duplicates, reordering,
 * TTL, delay and RFC 3550 section 6.4.1 jitter. Sans-I/O. */
#include "probe/stats.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmath.h"

void probe_flow_init(struct probe_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->ttl_last = f->ttl_min = f->ttl_max = -1;
}

void probe_flow_seen(struct probe_flow *f, size_t len, uint64_t rx_ns,
		     int ttl)
{
	f->packets++;
	f->bytes += len;
	if (rx_ns) {
		if (!f->first_ns || rx_ns < f->first_ns)
			f->first_ns = rx_ns;
		if (rx_ns > f->last_ns)
			f->last_ns = rx_ns;
	}
	if (ttl >= 0) {
		f->ttl_last = ttl;
		if (f->ttl_min < 0 || ttl < f->ttl_min)
			f->ttl_min = ttl;
		if (ttl > f->ttl_max)
			f->ttl_max = ttl;
	}
}

static int win_test(const struct probe_flow *f, uint64_t seq)
{
	uint64_t b = seq % PROBE_WINDOW;

	return (f->win[b / 64] >> (b % 64)) & 1;
}

static void win_set(struct probe_flow *f, uint64_t seq)
{
	uint64_t b = seq % PROBE_WINDOW;

	f->win[b / 64] |= 1ull << (b % 64);
}

static void win_clear(struct probe_flow *f, uint64_t seq)
{
	uint64_t b = seq % PROBE_WINDOW;

	f->win[b / 64] &= ~(1ull << (b % 64));
}

/* Sequence numbers top+1 .. top+d become part of the window: forget what
 * their slots held PROBE_WINDOW sequences ago. */
static void win_advance(struct probe_flow *f, uint64_t d)
{
	if (d >= PROBE_WINDOW) {
		memset(f->win, 0, sizeof(f->win));
		return;
	}
	for (uint64_t i = 1; i <= d; i++)
		win_clear(f, f->top + i);
}

int probe_transit(const struct probe_hdr *h, uint64_t rx_ns, int64_t *ns)
{
	/* both times are peer- or clock-given u64s: bound them before any
	 * signed arithmetic */
	if (!(h->flags & PROBE_F_TIME) || !rx_ns)
		return -1;
	if (rx_ns >= h->tx_ns ? rx_ns - h->tx_ns > PROBE_MAX_SKEW
			      : h->tx_ns - rx_ns > PROBE_MAX_SKEW)
		return -1;
	/* unsynchronised clocks make this negative; keep it signed */
	*ns = rx_ns >= h->tx_ns ? (int64_t)(rx_ns - h->tx_ns)
				: -(int64_t)(h->tx_ns - rx_ns);
	return 0;
}

static void account_time(struct probe_flow *f, const struct probe_hdr *h,
			 uint64_t rx_ns)
{
	int64_t transit, d;

	if (!(h->flags & PROBE_F_TIME) || !rx_ns)
		return;
	if (probe_transit(h, rx_ns, &transit) < 0) {
		f->badtime++;
		return;
	}
	if (!f->ndelay || transit < f->delay_min)
		f->delay_min = transit;
	if (!f->ndelay || transit > f->delay_max)
		f->delay_max = transit;
	f->delay_sum += (double)transit;
	if (f->ndelay) {
		/* RFC 3550 6.4.1: J += (|D(i-1,i)| - J) / 16, in arrival
		 * order; clock offset cancels out in D. Both transits are
		 * within PROBE_MAX_SKEW: no overflow. */
		d = transit - f->last_transit;
		if (d < 0)
			d = d == INT64_MIN ? INT64_MAX : -d;
		f->jitter += ((double)d - f->jitter) / 16.0;
	}
	f->last_transit = transit;
	f->ndelay++;
}

/* What a version 2 probe says of its run (already range-checked by
 * probe_decode). The count of an end marker is final. */
static void announce(struct probe_flow *f, const struct probe_hdr *h)
{
	if (h->ttl)
		f->ttl_sent = h->ttl;
	if (h->version < 2)
		return;
	f->rate_mpps = h->rate_mpps;
	f->start_ns = h->start_ns;
	f->stop_ns = h->stop_ns;
	f->burst = h->burst;
	if (!f->ended)
		f->count = h->count;
	if (h->flags & PROBE_F_END) {
		f->ended = 1;
		f->count = h->count;
	}
}

enum probe_verdict probe_account(struct probe_flow *f,
				 const struct probe_hdr *h, uint64_t rx_ns)
{
	enum probe_verdict v;
	uint64_t seq = h->seq;

	f->probe = 1;
	if (h->flags & PROBE_F_END) {
		announce(f, h);
		return PROBE_END;
	}
	if (!f->started) {
		f->started = 1;
		f->base = f->top = seq;
		win_set(f, seq);
		f->unique = 1;
		v = PROBE_INORDER;
	} else if (seq > f->top) {
		if (seq - f->top > PROBE_MAX_JUMP) {
			f->invalid++;
			return PROBE_INVALID;
		}
		win_advance(f, seq - f->top);
		f->top = seq;
		win_set(f, seq);
		f->unique++;
		v = PROBE_INORDER;
	} else if (f->top - seq >= PROBE_WINDOW) {
		f->late++;
		f->received++;
		return PROBE_LATE;
	} else if (win_test(f, seq)) {
		f->duplicated++;
		f->received++;
		return PROBE_DUPLICATE;
	} else {
		/* within the window, not seen: it arrived out of order; it
		 * may also precede the first one we saw */
		win_set(f, seq);
		if (seq < f->base)
			f->base = seq;
		f->unique++;
		f->reordered++;
		v = PROBE_REORDERED;
	}
	f->received++;
	if (v == PROBE_INORDER)
		f->top_tx_ns = h->flags & PROBE_F_TIME ? h->tx_ns : 0;
	announce(f, h);
	account_time(f, h, rx_ns);
	return v;
}

/* One past the highest sequence seen (saturating). */
static uint64_t seen_end(const struct probe_flow *f)
{
	return f->top == UINT64_MAX ? UINT64_MAX : f->top + 1;
}

void probe_expect(struct probe_flow *f, uint64_t now_ns)
{
	uint64_t e;
	double snow, dt, more;

	if (!f->started) {
		f->expect = f->ended ? f->count : 0;
		return;
	}
	e = seen_end(f);
	if (f->ended) {
		if (f->count > e)
			e = f->count;
	} else if (f->rate_mpps && f->top_tx_ns && f->ndelay) {
		/* the sender's clock now: ours less the smallest transit
		 * (clock offset and path delay); what it sent within the
		 * delay spread and the grace may still be on its way */
		snow = (double)now_ns - (double)f->delay_min -
		       ((double)f->delay_max - (double)f->delay_min) -
		       (double)PROBE_GRACE_NS;
		if (f->stop_ns && snow > (double)f->stop_ns)
			snow = (double)f->stop_ns;
		dt = (snow - (double)f->top_tx_ns) / 1e9;
		/* a burst is due at once: count whole bursts only */
		more = fm_floor(dt * (double)f->rate_mpps / 1000.0) -
		       (double)(f->burst > 1 ? f->burst - 1 : 0);
		if (more >= 1) {
			if (more > (double)PROBE_MAX_COUNT)
				more = (double)PROBE_MAX_COUNT;
			e = e <= UINT64_MAX - (uint64_t)more
				? e + (uint64_t)more : UINT64_MAX;
		}
		if (f->count && e > f->count)
			e = f->count > seen_end(f) ? f->count : seen_end(f);
	}
	f->expect = e;
}

uint64_t probe_lost(const struct probe_flow *f)
{
	uint64_t end, expected;

	if (!f->started)
		return f->ended ? f->count : 0;
	end = f->expect > seen_end(f) ? f->expect : seen_end(f);
	expected = end - f->base;
	return expected > f->unique ? expected - f->unique : 0;
}

double probe_loss_pct(const struct probe_flow *f)
{
	double lost = (double)probe_lost(f);

	if (lost + (double)f->unique <= 0)
		return 0;
	/* the ratio first: it cannot round above 1, nor 100 times it
	 * above 100 */
	return 100.0 * (lost / (lost + (double)f->unique));
}

double probe_flow_bps(const struct probe_flow *f)
{
	double span = (double)(f->last_ns - f->first_ns) / 1e9;

	if (f->packets < 2 || span <= 0)
		return 0;
	/* n datagrams span n - 1 gaps */
	return (double)f->bytes * 8 * (double)(f->packets - 1) /
	       (double)f->packets / span;
}

void probe_flow_mark(struct probe_flow *f)
{
	f->mark_packets = f->packets;
	f->mark_bytes = f->bytes;
}

void probe_table_init(struct probe_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void probe_table_free(struct probe_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Same address; the port too when with_port. */
static int same(const struct sockaddr_storage *a,
		const struct sockaddr_storage *b, int with_port)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr &&
		       (!with_port || x->sin_port == y->sin_port);
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return !memcmp(&x->sin6_addr, &y->sin6_addr, 16) &&
		       (!with_port || x->sin6_port == y->sin6_port);
	}
	return 1;
}

static int match(const struct probe_flow *f,
		 const struct sockaddr_storage *source,
		 const struct sockaddr_storage *group, int probe, uint32_t id)
{
	if (f->probe != probe || !same(&f->group, group, 1))
		return 0;
	/* a probe run is its id, whatever port it came from */
	return probe ? f->id == id && same(&f->source, source, 0)
		     : same(&f->source, source, 1);
}

struct probe_flow *probe_table_get(struct probe_table *t,
				   const struct sockaddr_storage *source,
				   const struct sockaddr_storage *group,
				   int probe, uint32_t id)
{
	struct probe_flow *f, **v;

	probe = !!probe;
	if (!probe)
		id = 0;
	if (t->last < t->n && match(t->v[t->last], source, group, probe, id))
		return t->v[t->last];
	for (size_t i = 0; i < t->n; i++)
		if (match(t->v[i], source, group, probe, id)) {
			t->last = i;
			return t->v[i];
		}
	if (t->n >= t->max) {
		t->overflow++;
		errno = ENOSPC;
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;

		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	probe_flow_init(f);
	f->source = *source;
	f->group = *group;
	f->probe = probe;
	f->id = id;
	t->last = t->n;
	t->v[t->n++] = f;
	return f;
}

void probe_table_expect(struct probe_table *t, uint64_t now_ns)
{
	for (size_t i = 0; i < t->n; i++)
		probe_expect(t->v[i], now_ns);
}

void probe_table_totals(const struct probe_table *t, struct probe_totals *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->n; i++) {
		const struct probe_flow *f = t->v[i];
		double pct = probe_loss_pct(f);

		if (!f->probe)
			continue;
		s->flows++;
		s->received += f->received;
		s->unique += f->unique;
		s->lost += probe_lost(f);
		s->duplicated += f->duplicated;
		s->reordered += f->reordered;
		s->late += f->late;
		if (pct > s->worst_loss_pct)
			s->worst_loss_pct = pct;
	}
}
