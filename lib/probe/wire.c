/* wire.c - the probe datagram codec (wire format in probe/wire.h). */
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

	if (size < PROBE_HDRLEN)
		return 0;
	memset(p, 0, size);
	put32(p, PROBE_MAGIC);
	p[4] = PROBE_VERSION;
	p[5] = h->flags;
	p[6] = h->ttl;
	put32(p + 8, h->id);
	put64(p + 12, h->seq);
	put64(p + 20, h->tx_ns);
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

	/* a later version keeps this header as its prefix; only reject
	 * what is not ours */
	if (len < PROBE_HDRLEN || get32(p) != PROBE_MAGIC || p[4] < 1)
		return -1;
	h->flags = p[5];
	h->ttl = p[6];
	h->id = get32(p + 8);
	h->seq = get64(p + 12);
	h->tx_ns = get64(p + 20);
	return 0;
}
