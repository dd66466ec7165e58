/* wire.c - the probe datagram codec, versions 1 and 2 (lib/probe/wire.h). */
#include "probe/wire.h"

#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

size_t probe_encode(void *buf, size_t size, const struct probe_hdr *h)
{
	uint8_t *p = buf;
	int v2 = size >= PROBE_HDRLEN_V2;

	if (size < PROBE_HDRLEN)
		return 0;
	memset(p, 0, size);
	put32(p, PROBE_MAGIC);
	p[4] = v2 ? 2 : 1;
	/* an end marker means nothing to a version 1 reader */
	p[5] = v2 ? h->flags : h->flags & ~PROBE_F_END;
	p[6] = h->ttl;
	put32(p + 8, h->id);
	put64(p + 12, h->seq);
	put64(p + 20, h->tx_ns);
	if (v2) {
		put64(p + 28, h->rate_mpps);
		put64(p + 36, h->start_ns);
		put64(p + 44, h->count);
		put64(p + 52, h->stop_ns);
		put32(p + 60, h->burst ? h->burst : 1);
	}
	return size;
}

void probe_stamp(void *buf, uint64_t seq, uint64_t tx_ns)
{
	uint8_t *p = buf;

	put64(p + 12, seq);
	put64(p + 20, tx_ns);
}

int probe_decode(const void *buf, size_t len, struct probe_hdr *h)
{
	const uint8_t *p = buf;

	if (len < PROBE_HDRLEN || get32(p) != PROBE_MAGIC || p[4] < 1)
		return -1;
	memset(h, 0, sizeof(*h));
	h->version = p[4];
	h->flags = p[5];
	h->ttl = p[6];
	h->id = get32(p + 8);
	h->seq = get64(p + 12);
	h->tx_ns = get64(p + 20);
	if (h->version == 1) {
		h->flags &= ~PROBE_F_END;
		return 0;
	}
	/* version 2, or a later one that keeps its prefix */
	if (len < PROBE_HDRLEN_V2)
		return -1;
	h->rate_mpps = get64(p + 28);
	h->start_ns = get64(p + 36);
	h->count = get64(p + 44);
	h->stop_ns = get64(p + 52);
	h->burst = get32(p + 60);
	if (h->rate_mpps > PROBE_MAX_RATE || h->count > PROBE_MAX_COUNT ||
	    !h->burst || h->burst > PROBE_MAX_BURST ||
	    (h->stop_ns && h->stop_ns < h->start_ns) ||
	    (h->flags & PROBE_F_END && h->seq != PROBE_END_SEQ))
		return -1;
	return 0;
}
