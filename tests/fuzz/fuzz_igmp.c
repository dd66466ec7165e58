/* fuzz_igmp.c - libFuzzer harness for the IGMP/MLD parser (RFC 9776, 9777)
 * and the membership table it feeds: any bytes, as a whole IP packet or
 * behind a link-layer header, must parse or fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "igmp/capture.h"
#include "igmp/table.h"
#include "igmp/wire.h"

/* Most mutations break the checksum and stop at it; a second run with the
 * IGMP or ICMPv6 checksum recomputed reaches the record parser. */
static void fix_cksum(uint8_t *p, size_t size)
{
	size_t hl, tot, off = 40;
	uint16_t c;

	if (size >= 24 && p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 15) * 4;
		tot = (size_t)(p[2] << 8 | p[3]);
		if (hl < 20 || tot > size || tot < hl + 4)
			return;
		p[hl + 2] = p[hl + 3] = 0;
		c = igmp_cksum(p + hl, tot - hl, 0);
		p[hl + 2] = (uint8_t)(c >> 8), p[hl + 3] = (uint8_t)c;
	} else if (size >= 48 && p[0] >> 4 == 6) {
		struct igmp_addr s, d;

		tot = 40 + (size_t)(p[4] << 8 | p[5]);
		if (p[6] == 0)
			off += ((size_t)p[41] + 1) * 8;
		if (tot > size || tot < off + 4)
			return;
		memcpy(s.b, p + 8, 16);
		memcpy(d.b, p + 24, 16);
		p[off + 2] = p[off + 3] = 0;
		c = mld_cksum(&s, &d, p + off, tot - off);
		p[off + 2] = (uint8_t)(c >> 8), p[off + 3] = (uint8_t)c;
	}
}

static void one(const uint8_t *copy, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	/* an exact-size copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	one(copy, size);
	fix_cksum(copy, size);
	one(copy, size);
	free(copy);
	return 0;
}

static void one(const uint8_t *copy, size_t size)
{
	static const int dlts[] = { 1, 113, 12 };	/* EN10MB, SLL, RAW */
	struct igmp_table t;
	struct igmp_record r;
	struct igmp_msg m;
	const uint8_t *l3;
	unsigned pos = 0, n = 0;
	size_t len;

	igmp_table_init(&t);
	if (igmp_parse(copy, size, &m) == 0) {
		while (igmp_record_next(&m, &pos, &r)) {
			struct igmp_addr a;

			/* touch every source the record claims */
			for (unsigned i = 0; i < r.nsrc; i++)
				igmp_src_at(m.family, r.srcs, i, &a);
			n++;
		}
		for (unsigned i = 0; i < m.nsrc; i++) {
			struct igmp_addr a;

			igmp_src_at(m.family, m.srcs, i, &a);
		}
		/* apply it twice: the state must stay consistent */
		igmp_table_update(&t, &m);
		igmp_table_update(&t, &m);
		igmp_table_sort(&t);
		for (unsigned i = 0; i < t.n; i++)
			if (t.m[i].nsrc > IGMP_TABLE_MAXSRC)
				abort();
	}
	(void)n;
	igmp_table_free(&t);
	if (size)
		capture_l3(dlts[copy[0] % 3], copy, size, &l3, &len);
}
