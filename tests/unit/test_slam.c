/* test_slam.c - SLAM codec against PROTOCOLS.md §3.1-3.3 test vectors. */
#include <stdint.h>
#include <stdlib.h>

#include "slam/wire.h"
#include "unit.h"

static const struct {
	uint64_t v;
	int n;
	uint8_t b[7];
} ints[] = {
	{ 0, 1, { 0x20 } },
	{ 1, 1, { 0x21 } },
	{ 31, 1, { 0x3f } },
	{ 32, 2, { 0x40, 0x20 } },
	{ 255, 2, { 0x40, 0xff } },
	{ 256, 2, { 0x41, 0x00 } },
	{ 1451, 2, { 0x45, 0xab } },
	{ 3000, 2, { 0x4b, 0xb8 } },
	{ 8191, 2, { 0x5f, 0xff } },
	{ 8192, 3, { 0x60, 0x20, 0x00 } },
	{ 2097151, 3, { 0x7f, 0xff, 0xff } },
	{ 2097152, 4, { 0x80, 0x20, 0x00, 0x00 } },
	{ 536870911, 4, { 0x9f, 0xff, 0xff, 0xff } },
	{ 536870912, 5, { 0xa0, 0x20, 0x00, 0x00, 0x00 } },
	{ 1700000000, 5, { 0xa0, 0x65, 0x53, 0xf1, 0x00 } },
	{ 4294967295ULL, 5, { 0xa0, 0xff, 0xff, 0xff, 0xff } },
	{ 4294967296ULL, 5, { 0xa1, 0x00, 0x00, 0x00, 0x00 } },
	{ (1ULL << 45) - 1, 6, { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ 1ULL << 45, 7, { 0xe0, 0x20, 0, 0, 0, 0, 0 } },
	{ (1ULL << 53) - 1, 7, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
};

TEST(int_vectors)
{
	uint8_t buf[8];
	const uint8_t *p;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		CHECK_INT(slam_put_int(buf, sizeof(buf), ints[i].v), ints[i].n);
		CHECK_MEM(buf, ints[i].b, ints[i].n);
		CHECK_INT(slam_int_len(ints[i].v), ints[i].n);
		p = ints[i].b;
		v = 12345;
		CHECK_INT(slam_get_int(&p, ints[i].b + ints[i].n, &v), ints[i].n);
		CHECK(v == ints[i].v);
		CHECK(p == ints[i].b + ints[i].n);
	}
}

TEST(int_negatives)
{
	static const uint8_t nul[] = { 0x00 }, short2[] = { 0x40 },
		short7[] = { 0xe0, 0x20 }, junk[] = { 0x1f, 0x20 },
		nonmin[] = { 0x40, 0x05 };
	uint8_t buf[8];
	const uint8_t *p;
	uint64_t v;

	/* 2^53 cannot be encoded: no silent 00 20 ... as mini-slamd does */
	CHECK_INT(slam_put_int(buf, sizeof(buf), 1ULL << 53), -1);
	CHECK_INT(slam_int_len(1ULL << 53), 0);
	CHECK_INT(slam_put_int(buf, 1, 32), -1);	/* no room */
	p = nul;
	CHECK_INT(slam_get_int(&p, nul + 1, &v), 0);
	CHECK(p == nul);
	p = short2;
	CHECK_INT(slam_get_int(&p, short2 + 1, &v), -1);
	p = short7;
	CHECK_INT(slam_get_int(&p, short7 + 2, &v), -1);
	p = junk;
	CHECK_INT(slam_get_int(&p, junk + 2, &v), -1);
	p = nul;
	CHECK_INT(slam_get_int(&p, nul, &v), -1);	/* empty */
	/* non-minimal but decodable; ends exactly at the buffer end */
	p = nonmin;
	CHECK_INT(slam_get_int(&p, nonmin + 2, &v), 2);
	CHECK_INT(v, 5);
}

static const uint8_t tiny0[] = { 0x21, 0x25, 0x24, 0x20, 'H', 'E', 'L', 'L' };
static const uint8_t tiny1[] = { 0x21, 0x25, 0x24, 0x21, 'O' };
static const uint8_t tinyping[] = { 0x21, 0x25, 0x24 };

TEST(packets_tiny)
{
	struct slam_data d;
	struct slam_hdr h;
	const char *why = NULL;
	uint8_t buf[32];

	CHECK_INT(slam_data_parse(&d, tiny0, sizeof(tiny0), &why), 0);
	CHECK_INT(d.h.txn, 1);
	CHECK_INT(d.h.total, 5);
	CHECK_INT(d.h.bs, 4);
	CHECK_INT(d.h.nblocks, 2);
	CHECK_INT(d.idx, 0);
	CHECK_INT(d.len, 4);
	CHECK_MEM(d.data, "HELL", 4);
	CHECK_INT(slam_data_parse(&d, tiny1, sizeof(tiny1), &why), 0);
	CHECK_INT(d.idx, 1);
	CHECK_INT(d.len, 1);
	CHECK_INT(slam_hdr_parse(&h, tinyping, sizeof(tinyping)), 3);
	CHECK_INT(h.rawlen, 3);
	/* building gives the same bytes */
	CHECK_INT(slam_hdr_build(&h, 1, 5, 4), 0);
	CHECK_INT(slam_data_prefix(buf, sizeof(buf), &h, 1), 4);
	CHECK_MEM(buf, tiny1, 4);
	CHECK_INT(slam_block_len(&h, 0), 4);
	CHECK_INT(slam_block_len(&h, 1), 1);
	CHECK_INT(slam_block_len(&h, 2), 0);
}

TEST(packets_captured)
{
	static const uint8_t hdr[] = { 0xa0, 0x65, 0x53, 0xf1, 0x00, 0x4b, 0xb8,
				       0x45, 0xab };
	uint8_t pkt[9 + 1 + 1451], buf[16];
	struct slam_data d;
	struct slam_hdr h;
	const char *why;

	CHECK_INT(slam_hdr_build(&h, 1700000000, 3000, 1451), 0);
	CHECK_INT(h.rawlen, 9);
	CHECK_MEM(h.raw, hdr, 9);
	CHECK_INT(slam_data_prefix(buf, sizeof(buf), &h, 2), 10);
	CHECK_INT(buf[9], 0x22);
	memcpy(pkt, hdr, 9);
	pkt[9] = 0x20;
	memset(pkt + 10, 'x', 1451);
	CHECK_INT(slam_data_parse(&d, pkt, sizeof(pkt), &why), 0);
	CHECK_INT(d.len, 1451);
	pkt[9] = 0x22;
	CHECK_INT(slam_data_parse(&d, pkt, 10 + 98, &why), 0);
	CHECK_INT(d.len, 98);
	/* a 99-byte last block is wrong, so is a short middle one */
	CHECK_INT(slam_data_parse(&d, pkt, 10 + 99, &why), -1);
	pkt[9] = 0x21;
	CHECK_INT(slam_data_parse(&d, pkt, 10 + 1450, &why), -1);
	CHECK_STR(why, "wrong block length");
}

TEST(packets_invalid)
{
	static const uint8_t bs0[] = { 0x21, 0x25, 0x20, 0x20, 0x41 },
		idx2[] = { 0x21, 0x25, 0x24, 0x22, 0x41 },
		mult[] = { 0x21, 0x28, 0x24, 0x21, 1, 2, 3, 4 },
		noidx[] = { 0x21, 0x25, 0x24 };
	struct slam_data d;
	const char *why = NULL;

	CHECK_INT(slam_data_parse(&d, bs0, sizeof(bs0), &why), -1);
	CHECK_STR(why, "bad header");
	CHECK_INT(slam_data_parse(&d, idx2, sizeof(idx2), &why), -1);
	CHECK_STR(why, "block index out of range");
	/* exact multiple: the full last block is valid (Etherboot drops it) */
	CHECK_INT(slam_data_parse(&d, mult, sizeof(mult), &why), 0);
	CHECK_INT(d.len, 4);
	CHECK_INT(slam_data_parse(&d, noidx, sizeof(noidx), &why), -1);
	CHECK_INT(slam_data_parse(&d, noidx, 0, &why), -1);
}

TEST(fit_bs)
{
	struct slam_hdr h;
	uint8_t buf[32];
	uint64_t bs, total;

	/* 1472-byte payload, mini-slamd's header: a data packet fills it */
	bs = slam_fit_bs(1472, 1700000000, 3000);
	CHECK_INT(bs, 1472 - 9 - 1);
	for (total = 0; total < 5000000; total = total * 3 + 7) {
		bs = slam_fit_bs(1472, 0xffffffff, total);
		CHECK(bs > 1400);
		slam_hdr_build(&h, 0xffffffff, total, bs);
		CHECK(slam_data_prefix(buf, sizeof(buf), &h,
				       h.nblocks ? h.nblocks - 1 : 0) +
		      bs <= 1472);
		/* Etherboot's rule uses Int(nblocks) */
		CHECK(h.rawlen + slam_int_len(h.nblocks) + bs <= 1472);
	}
	CHECK_INT(slam_fit_bs(3, 1, 1), 0);
}

static size_t build(const uint8_t *have, uint64_t n, uint64_t *rot,
		    uint8_t *out, size_t cap)
{
	struct bitmap b;
	size_t len;
	uint64_t i;

	bitmap_init(&b, n);
	for (i = 0; i < n; i++)
		if (have[i])
			bitmap_set(&b, i);
	len = slam_nack_build(&b, rot, out, cap);
	bitmap_free(&b);
	return len;
}

TEST(nack_build_vectors)
{
	uint8_t out[64], have[196];
	size_t n;

	n = slam_nack_build(NULL, NULL, out, sizeof(out));
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x20\x21\x00", 3);
	n = build((const uint8_t[]){ 0, 0, 0 }, 3, NULL, out, sizeof(out));
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x20\x23\x00", 3);
	/* we do not send the final have run Etherboot sends: same meaning */
	n = build((const uint8_t[]){ 0, 1, 0 }, 3, NULL, out, sizeof(out));
	CHECK_INT(n, 5);
	CHECK_MEM(out, "\x20\x21\x21\x21\x00", 5);
	n = build((const uint8_t[]){ 1, 1, 1, 1, 0 }, 5, NULL, out, 64);
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x24\x21\x00", 3);
	n = build((const uint8_t[]){ 1, 1, 0, 1, 1 }, 5, NULL, out, 64);
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x22\x21\x00", 3);
	memset(have, 1, sizeof(have));
	memset(have + 61, 0, 9);
	n = build(have, 196, NULL, out, sizeof(out));
	CHECK_INT(n, 4);
	CHECK_MEM(out, "\x40\x3d\x29\x00", 4);
	/* complete: the disconnect */
	memset(have, 1, sizeof(have));
	n = build(have, 196, NULL, out, sizeof(out));
	CHECK_INT(n, 1);
	CHECK_INT(out[0], 0);
}

TEST(nack_build_truncates_and_rotates)
{
	static uint8_t have[3000];
	uint8_t out[SLAM_NACK_MAX4];
	struct slam_range r[1024];
	uint64_t rot = 0, from, to, seen = 0;
	int i, n, k, pass;
	size_t len;

	for (i = 0; i < 3000; i++)
		have[i] = i % 2;	/* 1500 single gaps */
	for (pass = 0; pass < 4; pass++) {
		len = build(have, 3000, &rot, out, sizeof(out));
		CHECK(len <= sizeof(out));
		CHECK_INT(out[len - 1], 0);
		n = slam_nack_parse(out, len, 3000, r, 1024, &from, &to);
		CHECK(pass == 2 ? n > 0 : n > 700);
		for (k = 0; k < n; k++) {
			CHECK(r[k].end == r[k].start + 1);
			CHECK(have[r[k].start] == 0);
		}
		seen += n;
		if (!rot)
			break;
		CHECK_INT(rot, to);
	}
	/* a few rotated NACKs reported every gap */
	CHECK(seen >= 1500);
}

TEST(nack_tail_reaches_the_end)
{
	static uint8_t have[5000];
	uint8_t out[SLAM_NACK_MAX4];
	struct slam_range r[1024];
	struct bitmap b;
	uint64_t start, from, to;
	int i, n;
	size_t len;

	for (i = 0; i < 5000; i++)
		have[i] = i % 3 != 0;	/* 1667 gaps */
	bitmap_init(&b, 5000);
	for (i = 0; i < 5000; i++)
		if (have[i])
			bitmap_set(&b, i);
	start = slam_nack_tail(&b, sizeof(out));
	CHECK(start > 2000);
	len = slam_nack_build(&b, &start, out, sizeof(out));
	CHECK(len <= sizeof(out));
	CHECK_INT(start, 0);	/* the list reached the end */
	n = slam_nack_parse(out, len, 5000, r, 1024, &from, &to);
	CHECK(n > 600);
	CHECK_INT(r[n - 1].start, 4998);
	CHECK_INT(to, 4999);
	/* no gap: 0; one gap: its start */
	for (i = 0; i < 5000; i++)
		bitmap_set(&b, i);
	CHECK_INT(slam_nack_tail(&b, sizeof(out)), 0);
	bitmap_free(&b);
}

TEST(nack_parse_vectors)
{
	struct slam_range r[8];
	uint64_t from, to;

	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x21\x00", 3, 3, r, 8,
				  &from, &to), 1);
	CHECK_INT(r[0].start, 0);
	CHECK_INT(r[0].end, 1);
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x21\x21\x21\x00", 5,
				  3, r, 8, &from, &to), 2);
	CHECK_INT(r[1].start, 2);
	CHECK_INT(r[1].end, 3);
	CHECK_INT(to, 3);
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x40\x3d\x29\x40\x7e\x00",
				  6, 196, r, 8, &from, &to), 1);
	CHECK_INT(r[0].start, 61);
	CHECK_INT(r[0].end, 70);
	CHECK_INT(from, 61);
	CHECK_INT(to, 196);
	/* iPXE: 4 blocks from 61 */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x40\x3d\x24\x00", 4, 196,
				  r, 8, &from, &to), 1);
	CHECK_INT(r[0].end, 65);
	CHECK_INT(to, 65);
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x4b\xb8\x00", 4, 3000,
				  r, 8, &from, &to), 1);
	CHECK_INT(r[0].end, 3000);
	/* disconnect and garbage */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x00", 1, 3, r, 8, &from,
				  &to), -1);
	CHECK_INT(slam_nack_parse((const uint8_t *)"", 0, 3, r, 8, &from, &to),
		  -1);
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x1f\x21", 2, 3, r, 8,
				  &from, &to), -2);
}

TEST(nack_parse_hostile)
{
	struct slam_range r[8];
	uint64_t from, to;
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0x00 };
	static const uint8_t wrap[] = { 0x20, 0x22, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0x21, 0x00 };

	/* send 0: ignored, not "everything" */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x20\x00", 3, 3, r, 8,
				  &from, &to), 0);
	/* past EOF: nothing */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x25\x21\x00", 3, 3, r, 8,
				  &from, &to), 0);
	/* huge send: clamped to the file */
	CHECK_INT(slam_nack_parse(huge + 7, 8, 3, r, 8, &from, &to), 0);
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x21\xff\xff\xff\xff\xff"
				  "\xff\xff\x00", 9, 3, r, 8, &from, &to), 1);
	CHECK_INT(r[0].start, 1);
	CHECK_INT(r[0].end, 3);
	/* huge skip after a range cannot wrap the cursor back */
	CHECK_INT(slam_nack_parse(wrap, sizeof(wrap), 10, r, 8, &from, &to), 1);
	CHECK_INT(r[0].end, 2);
	CHECK_INT(slam_nack_parse(huge, sizeof(huge), 10, r, 8, &from, &to), 0);
	/* truncated Int mid-list: what came before counts */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x21\x21\x40", 4, 10, r,
				  8, &from, &to), 1);
	/* empty file: nothing ever */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x21\x00", 3, 0, r, 8,
				  &from, &to), 0);
	/* more pairs than room: stops at max */
	CHECK_INT(slam_nack_parse((const uint8_t *)"\x20\x21\x21\x21\x21\x21"
				  "\x00", 7, 10, r, 2, &from, &to), 2);
}

int main(void)
{
	RUN(int_vectors);
	RUN(int_negatives);
	RUN(packets_tiny);
	RUN(packets_captured);
	RUN(packets_invalid);
	RUN(fit_bs);
	RUN(nack_build_vectors);
	RUN(nack_build_truncates_and_rotates);
	RUN(nack_tail_reaches_the_end);
	RUN(nack_parse_vectors);
	RUN(nack_parse_hostile);
	return unit_done();
}
