/* wire.c - the SLAM wire codec: Ints, headers, data packets and NACKs
 * (Etherboot/iPXE SLAM, PROTOCOLS.md §1.3-1.4). */
#include <string.h>

#include "slam/wire.h"

int slam_int_len(uint64_t v)
{
	int n;

	if (v > SLAM_INT_MAX)
		return 0;
	/* an n-byte Int carries 8n - 3 value bits */
	for (n = 1; n < SLAM_INT_LEN; n++)
		if (v < UINT64_C(1) << (8 * n - 3))
			break;
	return n;
}

int slam_put_int(uint8_t *buf, size_t cap, uint64_t v)
{
	int n = slam_int_len(v), i;

	if (!n || (size_t)n > cap)
		return -1;
	for (i = n - 1; i > 0; i--) {
		buf[i] = v & 0xff;
		v >>= 8;
	}
	buf[0] = (uint8_t)(n << 5) | (uint8_t)v;
	return n;
}

int slam_get_int(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *s = *p;
	uint64_t x;
	int n, i;

	if (s >= end)
		return -1;
	if (*s == 0)
		return 0;
	n = *s >> 5;
	if (n == 0 || end - s < n)
		return -1;
	x = *s & 0x1f;
	for (i = 1; i < n; i++)
		x = x << 8 | s[i];
	*v = x;
	*p = s + n;
	return n;
}

static uint64_t nblocks_of(uint64_t total, uint64_t bs)
{
	return total / bs + (total % bs != 0);
}

int slam_hdr_build(struct slam_hdr *h, uint64_t txn, uint64_t total,
		   uint64_t bs)
{
	int a, b, c;

	if (bs == 0)
		return -1;
	a = slam_put_int(h->raw, sizeof(h->raw), txn);
	if (a < 0)
		return -1;
	b = slam_put_int(h->raw + a, sizeof(h->raw) - a, total);
	if (b < 0)
		return -1;
	c = slam_put_int(h->raw + a + b, sizeof(h->raw) - a - b, bs);
	if (c < 0)
		return -1;
	h->rawlen = a + b + c;
	h->txn = txn;
	h->total = total;
	h->bs = bs;
	h->nblocks = nblocks_of(total, bs);
	return 0;
}

int slam_hdr_parse(struct slam_hdr *h, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end = buf + len;

	if (slam_get_int(&p, end, &h->txn) <= 0 ||
	    slam_get_int(&p, end, &h->total) <= 0 ||
	    slam_get_int(&p, end, &h->bs) <= 0 || h->bs == 0)
		return -1;
	h->rawlen = p - buf;
	memcpy(h->raw, buf, h->rawlen);
	h->nblocks = nblocks_of(h->total, h->bs);
	return (int)h->rawlen;
}

uint64_t slam_block_len(const struct slam_hdr *h, uint64_t idx)
{
	if (idx >= h->nblocks)
		return 0;
	if (idx + 1 < h->nblocks)
		return h->bs;
	return h->total - idx * h->bs;
}

int slam_data_parse(struct slam_data *d, const uint8_t *buf, size_t len,
		    const char **why)
{
	const uint8_t *p, *end = buf + len;
	int n;

	n = slam_hdr_parse(&d->h, buf, len);
	if (n < 0) {
		*why = "bad header";
		return -1;
	}
	p = buf + n;
	if (slam_get_int(&p, end, &d->idx) <= 0) {
		*why = "bad block index";
		return -1;
	}
	if (d->idx >= d->h.nblocks) {
		*why = "block index out of range";
		return -1;
	}
	d->data = p;
	d->len = end - p;
	if (d->len != slam_block_len(&d->h, d->idx)) {
		*why = "wrong block length";
		return -1;
	}
	return 0;
}

int slam_data_prefix(uint8_t *buf, size_t cap, const struct slam_hdr *h,
		     uint64_t idx)
{
	int n;

	if (cap < h->rawlen)
		return -1;
	memcpy(buf, h->raw, h->rawlen);
	n = slam_put_int(buf + h->rawlen, cap - h->rawlen, idx);
	return n < 0 ? -1 : (int)h->rawlen + n;
}

uint64_t slam_fit_bs(uint64_t udp_payload, uint64_t txn, uint64_t total)
{
	uint64_t bs = udp_payload, nb;
	int i, over;

	/* The header's length depends on bs and the index's on nblocks:
	 * iterate down to a fixed point (it converges in a few steps). */
	if (!slam_int_len(txn) || !slam_int_len(total))
		return 0;
	for (i = 0; i < 16 && bs > 0; i++) {
		nb = nblocks_of(total, bs);
		over = slam_int_len(txn) + slam_int_len(total) +
		       slam_int_len(bs) + slam_int_len(nb);
		if (bs + over <= udp_payload)
			return bs;
		bs = udp_payload > (uint64_t)over ? udp_payload - over : 0;
	}
	return 0;
}

size_t slam_nack_build(const struct bitmap *b, uint64_t *start, uint8_t *out,
		       size_t cap)
{
	uint64_t cur = 0, m, e, from = start ? *start : 0;
	size_t pos = 0;
	int x, y;

	if (cap < 3)
		return 0;
	if (!b) {
		out[0] = 0x20;	/* have 0 */
		out[1] = 0x21;	/* lack 1: send block 0 */
		out[2] = 0;
		return 3;
	}
	if (from >= b->nbits || bitmap_next_clear(b, from) >= b->nbits)
		from = 0;	/* nothing missing past it: start over */
	if (start)
		*start = 0;
	while (cur < b->nbits) {
		m = bitmap_next_clear(b, cur > from ? cur : from);
		if (m >= b->nbits)
			break;
		e = bitmap_next_set(b, m);
		x = slam_int_len(m - cur);
		y = slam_int_len(e - m);
		if (pos + x + y + 1 > cap) {
			/* as many runs as fit; the rest next time */
			if (start)
				*start = cur;
			break;
		}
		pos += slam_put_int(out + pos, cap - pos, m - cur);
		pos += slam_put_int(out + pos, cap - pos, e - m);
		cur = e;
	}
	out[pos++] = 0;
	return pos;
}

uint64_t slam_nack_tail(const struct bitmap *b, size_t cap)
{
	enum { MAXG = SLAM_NACK_MAX4 / 2 + 1 };	/* gaps that could fit */
	/* on the stack (12 kB), not static __thread: a TLS array is zeroed
	 * for every thread at every start of every applet */
	uint64_t gs[MAXG], ge[MAXG];
	uint64_t cur = 0, m, e, n = 0, k, prev_end;
	size_t bytes = 1 + SLAM_INT_LEN;	/* terminator, first have run */

	while (cur < b->nbits) {
		m = bitmap_next_clear(b, cur);
		if (m >= b->nbits)
			break;
		e = bitmap_next_set(b, m);
		gs[n % MAXG] = m;
		ge[n % MAXG] = e;
		n++;
		cur = e;
	}
	if (!n)
		return 0;
	/* walk back from the last gap while the runs still fit */
	for (k = n; k > 0 && n - k < MAXG - 1; k--) {
		prev_end = k >= 2 ? ge[(k - 2) % MAXG] : 0;
		bytes += slam_int_len(ge[(k - 1) % MAXG] - gs[(k - 1) % MAXG]) +
			 (k < n ? slam_int_len(gs[k % MAXG] -
					       ge[(k - 1) % MAXG]) : 0);
		if (bytes > cap)
			break;
		(void)prev_end;
	}
	return k < n ? gs[k % MAXG] : gs[(n - 1) % MAXG];
}

int slam_nack_parse(const uint8_t *buf, size_t len, uint64_t nblocks,
		    struct slam_range *r, int max, uint64_t *from,
		    uint64_t *to)
{
	const uint8_t *p = buf, *end = buf + len;
	uint64_t cur = 0, skip, send;
	uint64_t *covered = to;
	int n = 0, k, first = 1;

	*from = *to = 0;
	if (len == 0 || buf[0] == 0)
		return -1;
	k = slam_get_int(&p, end, &skip);
	if (k < 0)
		return -2;
	for (;;) {
		/* Saturating cursor (cur <= nblocks here): hostile skips
		 * cannot wrap it. */
		cur = skip >= nblocks - cur ? nblocks : cur + skip;
		*covered = cur;
		if (first)
			*from = cur;
		first = 0;
		if (slam_get_int(&p, end, &send) <= 0)
			break;
		if (cur >= nblocks) {
			*covered = nblocks;
			break;
		}
		if (send > nblocks - cur)
			send = nblocks - cur;
		if (send > 0 && n < max) {
			r[n].start = cur;
			r[n].end = cur + send;
			n++;
		}
		cur += send;
		*covered = cur;
		if (n >= max || slam_get_int(&p, end, &skip) <= 0)
			break;
	}
	return n;
}
