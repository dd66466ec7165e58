/* test_probe.c - the probe codec, per-sender statistics (loss, duplicates,
 * reordering, jitter), the -r RATE grammar and the pacer, fed by vectors. */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "probe/stats.h"
#include "net/rate.h"
#include "unit.h"

static struct probe_hdr hdr(uint64_t seq, uint64_t tx)
{
	struct probe_hdr h = { .flags = PROBE_F_TIME, .ttl = 5, .id = 7,
			       .seq = seq, .tx_ns = tx };
	return h;
}

/* Feeds sequence numbers in the given order, no timestamps. */
static void feed(struct probe_flow *f, const uint64_t *seq, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct probe_hdr h = hdr(seq[i], 0);

		h.flags = 0;
		probe_flow_seen(f, 64, 0, 3);
		probe_account(f, &h, 0);
	}
}

TEST(codec_roundtrip)
{
	uint8_t buf[PROBE_HDRLEN_V2 + 8];
	struct probe_hdr h = hdr(0x0102030405060708ull, 0x1122334455667788ull), d;
	static const uint8_t want1[PROBE_HDRLEN] = {
		'M', 'C', 'B', 'P', 1, 1, 5, 0, 0, 0, 0, 7,
		1, 2, 3, 4, 5, 6, 7, 8,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};
	static const uint8_t want2[PROBE_HDRLEN_V2 - PROBE_HDRLEN] = {
		0, 0, 0, 0, 0, 0, 0x27, 0x10,		/* 10 pps */
		0, 0, 0, 0, 0, 0, 0x10, 0,		/* start */
		0, 0, 0, 0, 0, 0, 0x03, 0xe8,		/* count 1000 */
		0, 0, 0, 0, 0, 0, 0x20, 0,		/* stop */
		0, 0, 0, 4,				/* burst */
	};

	/* below PROBE_HDRLEN_V2 bytes: version 1, as before */
	memset(buf, 0xee, sizeof(buf));
	CHECK_INT(probe_encode(buf, 40, &h), 40);
	CHECK_MEM(buf, want1, PROBE_HDRLEN);
	CHECK_INT(buf[39], 0);
	CHECK_INT(buf[40], 0xee);
	CHECK_INT(probe_decode(buf, 40, &d), 0);
	CHECK_INT(d.version, 1);
	CHECK_INT(d.id, 7);
	CHECK(d.seq == h.seq && d.tx_ns == h.tx_ns);
	CHECK_INT(d.ttl, 5);
	CHECK_INT(d.flags, PROBE_F_TIME);
	CHECK_INT(d.rate_mpps, 0);
	CHECK_INT(d.burst, 0);
	probe_stamp(buf, 9, 10);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), 0);
	CHECK_INT(d.seq, 9);
	CHECK_INT(d.tx_ns, 10);

	/* from PROBE_HDRLEN_V2 bytes: version 2 */
	h.rate_mpps = 10000;
	h.start_ns = 0x1000;
	h.count = 1000;
	h.stop_ns = 0x2000;
	h.burst = 4;
	CHECK_INT(probe_encode(buf, sizeof(buf), &h), sizeof(buf));
	CHECK_INT(buf[4], 2);
	CHECK_MEM(buf + 5, want1 + 5, PROBE_HDRLEN - 5);
	CHECK_MEM(buf + PROBE_HDRLEN, want2, sizeof(want2));
	CHECK_INT(buf[sizeof(buf) - 1], 0);
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), 0);
	CHECK_INT(d.version, 2);
	CHECK_INT(d.rate_mpps, 10000);
	CHECK_INT(d.start_ns, 0x1000);
	CHECK_INT(d.count, 1000);
	CHECK_INT(d.stop_ns, 0x2000);
	CHECK_INT(d.burst, 4);
	/* an end marker: the total in count, the sequence all ones */
	h.flags |= PROBE_F_END;
	h.seq = PROBE_END_SEQ;
	probe_encode(buf, PROBE_HDRLEN_V2, &h);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN_V2, &d), 0);
	CHECK_INT(d.flags, PROBE_F_TIME | PROBE_F_END);
	/* a version 1 probe cannot carry one */
	probe_encode(buf, PROBE_HDRLEN, &h);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), 0);
	CHECK_INT(d.flags, PROBE_F_TIME);
}

TEST(codec_rejects)
{
	uint8_t buf[PROBE_HDRLEN_V2];
	struct probe_hdr h = hdr(1, 1), d;

	CHECK_INT(probe_encode(buf, PROBE_HDRLEN - 1, &h), 0);
	probe_encode(buf, PROBE_HDRLEN, &h);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN - 1, &d), -1);
	CHECK_INT(probe_decode("hello world", 11, &d), -1);
	buf[0] = 'X';
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), -1);
	buf[0] = 'M';
	buf[4] = 0;	/* version 0 never existed */
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), -1);
	buf[4] = 2;	/* version 2 in a version 1 length: truncated */
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), -1);
	/* a later version keeps the version 2 prefix */
	h.burst = 1;
	probe_encode(buf, sizeof(buf), &h);
	buf[4] = 9;
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), 0);
	CHECK_INT(d.version, 9);
	/* version 2 fields out of range: not a probe */
	struct probe_hdr bad[5];
	for (int i = 0; i < 5; i++)
		bad[i] = h;
	bad[0].rate_mpps = PROBE_MAX_RATE + 1;
	bad[1].count = PROBE_MAX_COUNT + 1;
	bad[2].start_ns = 10, bad[2].stop_ns = 9;
	bad[3].flags |= PROBE_F_END;	/* with a plain sequence */
	bad[4].burst = PROBE_MAX_BURST + 1;
	for (int i = 0; i < 5; i++) {
		probe_encode(buf, sizeof(buf), &bad[i]);
		CHECK_INT(probe_decode(buf, sizeof(buf), &d), -1);
	}
	probe_encode(buf, sizeof(buf), &h);
	buf[PROBE_HDRLEN_V2 - 1] = 0;	/* burst 0 */
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), -1);
}

TEST(in_order_no_loss)
{
	struct probe_flow f;
	uint64_t s[] = { 10, 11, 12, 13 };

	probe_flow_init(&f);
	feed(&f, s, 4);
	CHECK_INT(f.received, 4);
	CHECK_INT(probe_lost(&f), 0);
	CHECK_INT(f.duplicated, 0);
	CHECK_INT(f.reordered, 0);
	CHECK_INT(f.ttl_min, 3);
	CHECK_INT(f.ttl_sent, 5);
	CHECK(probe_loss_pct(&f) == 0);
}

TEST(loss_then_late_fill)
{
	struct probe_flow f;
	uint64_t s[] = { 0, 1, 4, 5 };

	probe_flow_init(&f);
	feed(&f, s, 4);
	CHECK_INT(probe_lost(&f), 2);
	CHECK(fabs(probe_loss_pct(&f) - 100.0 * 2 / 6) < 1e-9);
	/* 3 arrives late: no longer lost, counted reordered */
	struct probe_hdr h = hdr(3, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_REORDERED);
	CHECK_INT(probe_lost(&f), 1);
	CHECK_INT(f.reordered, 1);
	probe_flow_seen(&f, 64, 0, -1);
	CHECK_INT(f.ttl_min, 3);	/* -1 does not disturb the range */
}

TEST(duplicates)
{
	struct probe_flow f;
	uint64_t s[] = { 0, 1, 1, 2, 0, 2, 2 };

	probe_flow_init(&f);
	feed(&f, s, 7);
	CHECK_INT(f.received, 7);
	CHECK_INT(f.unique, 3);
	CHECK_INT(f.duplicated, 4);
	CHECK_INT(probe_lost(&f), 0);
	CHECK_INT(f.reordered, 0);
}

TEST(reordered_before_first)
{
	struct probe_flow f;
	uint64_t s[] = { 5, 3, 4, 6 };

	probe_flow_init(&f);
	feed(&f, s, 4);
	CHECK_INT(f.base, 3);
	CHECK_INT(probe_lost(&f), 0);
	CHECK_INT(f.reordered, 2);
}

TEST(window_edges)
{
	struct probe_flow f;
	struct probe_hdr h;

	probe_flow_init(&f);
	for (uint64_t i = 0; i < 3 * PROBE_WINDOW; i += 2) {
		h = hdr(i, 0);
		probe_account(&f, &h, 0);
	}
	/* every odd one missing */
	CHECK_INT(probe_lost(&f), 3 * PROBE_WINDOW / 2 - 1);
	/* the oldest in the window is still a duplicate when seen again */
	h = hdr(3 * PROBE_WINDOW - 2 - (PROBE_WINDOW - 2), 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_DUPLICATE);
	/* one further back is late: not new, not a duplicate */
	h = hdr(3 * PROBE_WINDOW - 2 - PROBE_WINDOW, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_LATE);
	CHECK_INT(f.late, 1);
	/* a missing odd one inside the window fills in */
	h = hdr(3 * PROBE_WINDOW - 3, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_REORDERED);
	/* a jump of a whole window clears it: the old slot is free again */
	h = hdr(6 * PROBE_WINDOW, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_INORDER);
	h = hdr(6 * PROBE_WINDOW - 1, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_REORDERED);
}

TEST(hostile_jump)
{
	struct probe_flow f;
	struct probe_hdr h = hdr(UINT64_MAX, 0);

	probe_flow_init(&f);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_INORDER);
	h = hdr(0, 0);	/* far behind: late, no underflow */
	CHECK_INT(probe_account(&f, &h, 0), PROBE_LATE);
	CHECK_INT(probe_lost(&f), 0);

	probe_flow_init(&f);
	h = hdr(0, 0);
	probe_account(&f, &h, 0);
	h = hdr(UINT64_MAX, 0);
	CHECK_INT(probe_account(&f, &h, 0), PROBE_INVALID);
	CHECK_INT(probe_lost(&f), 0);
	CHECK_INT(f.top, 0);
}

TEST(delay_and_jitter)
{
	struct probe_flow f;
	/* transit 1000, 3000, 1000, 1000 ns: D = 2000, 2000, 0 */
	uint64_t tx[] = { 1000000, 2000000, 3000000, 4000000 };
	uint64_t tr[] = { 1000, 3000, 1000, 1000 };
	double j = 0;

	probe_flow_init(&f);
	for (int i = 0; i < 4; i++) {
		struct probe_hdr h = hdr(i, tx[i]);

		probe_flow_seen(&f, 64, tx[i] + tr[i], 64);
		probe_account(&f, &h, tx[i] + tr[i]);
	}
	j += (2000 - j) / 16;
	j += (2000 - j) / 16;
	j += (0 - j) / 16;
	CHECK(fabs(f.jitter - j) < 1e-6);
	CHECK_INT(f.delay_min, 1000);
	CHECK_INT(f.delay_max, 3000);
	CHECK(fabs(f.delay_sum / f.ndelay - 1500) < 1e-9);
	CHECK_INT(f.ttl_sent, 5);
	CHECK_INT(f.ttl_max, 64);
	/* without PROBE_F_TIME nothing is timed */
	struct probe_hdr h = hdr(9, 1);
	h.flags = 0;
	probe_account(&f, &h, 5);
	CHECK_INT(f.ndelay, 4);
}

/* issue 15 item 10: send times are the peer's u64s; alternating extremes
 * made the transit difference overflow (UBSan abort in the ASan build, and
 * delays of +-9e12 ms in the normal one). Out-of-range times are counted,
 * never timed. */
TEST(hostile_times)
{
	static const uint64_t tx[] = {
		0, UINT64_MAX, 0, INT64_MAX, (uint64_t)INT64_MAX + 1,
		UINT64_MAX - 5, 1, 1700000000000000000ull,
	};
	uint64_t rx = 1700000000000000000ull + 2000;
	struct probe_flow f;
	int64_t t;

	probe_flow_init(&f);
	for (size_t i = 0; i < sizeof(tx) / sizeof(tx[0]); i++) {
		struct probe_hdr h = hdr(i, tx[i]);

		probe_account(&f, &h, rx);
	}
	CHECK_INT(f.ndelay, 1);
	CHECK_INT(f.badtime, 7);
	CHECK_INT(f.delay_min, 2000);
	CHECK_INT(f.delay_max, 2000);
	CHECK(f.jitter == 0);
	/* the per-datagram delay: the same bound */
	struct probe_hdr h = hdr(1, UINT64_MAX);
	CHECK_INT(probe_transit(&h, rx, &t), -1);
	h = hdr(1, rx + PROBE_MAX_SKEW);
	CHECK_INT(probe_transit(&h, rx, &t), 0);
	CHECK_INT(t, -(int64_t)PROBE_MAX_SKEW);
	h = hdr(1, rx - PROBE_MAX_SKEW - 1);
	CHECK_INT(probe_transit(&h, rx, &t), -1);
	h.flags = 0;
	h.tx_ns = rx;
	CHECK_INT(probe_transit(&h, rx, &t), -1);
	/* and a receive time of 0 (no clock) is not one */
	h = hdr(1, 0);
	CHECK_INT(probe_transit(&h, 0, &t), -1);
}

TEST(table)
{
	struct probe_table t;
	struct sockaddr_storage a = { 0 }, b = { 0 }, g = { 0 }, g2 = { 0 };
	struct sockaddr_in *sa = (void *)&a, *sb = (void *)&b;
	struct sockaddr_in *sg = (void *)&g, *sg2 = (void *)&g2;
	struct probe_totals tot;

	sa->sin_family = sb->sin_family = AF_INET;
	sg->sin_family = sg2->sin_family = AF_INET;
	inet_pton(AF_INET, "198.18.0.1", &sa->sin_addr);
	inet_pton(AF_INET, "198.18.0.2", &sb->sin_addr);
	inet_pton(AF_INET, "239.1.2.3", &sg->sin_addr);
	sg->sin_port = htons(5000);
	*sg2 = *sg;
	sg2->sin_port = htons(5001);
	probe_table_init(&t, 3);
	struct probe_flow *f1 = probe_table_get(&t, &a, &g, 1, 1);
	CHECK(f1 != NULL);
	sa->sin_port = htons(999);	/* source port does not matter */
	CHECK(probe_table_get(&t, &a, &g, 1, 1) == f1);
	CHECK(probe_table_get(&t, &a, &g, 1, 2) != f1);	/* new run */
	CHECK(probe_table_get(&t, &b, &g, 1, 1) != f1);
	CHECK(probe_table_get(&t, &a, &g2, 1, 1) == NULL);	/* full */
	CHECK_INT(t.overflow, 1);
	CHECK_INT(t.n, 3);
	uint64_t s[] = { 0, 2, 2 };
	feed(f1, s, 3);
	probe_table_totals(&t, &tot);
	CHECK_INT(tot.flows, 3);
	CHECK_INT(tot.received, 3);
	CHECK_INT(tot.lost, 1);
	CHECK_INT(tot.duplicated, 1);
	CHECK(fabs(tot.worst_loss_pct - 100.0 / 3) < 1e-9);
	probe_table_free(&t);
}

/* A version 2 probe of a run at pps from start (s since the epoch, in ns). */
#define T0 1700000000000000000ull
static struct probe_hdr hdr2(uint64_t seq, uint64_t tx, uint64_t pps,
			     uint64_t count, uint64_t stop)
{
	struct probe_hdr h = hdr(seq, tx);

	h.version = 2;
	h.rate_mpps = pps * 1000;
	h.start_ns = T0;
	h.count = count;
	h.stop_ns = stop;
	h.burst = 1;
	return h;
}

/* Probes 0..n-1 of a run at 100 pps from T0, each 1 ms in transit on a
 * receiver whose clock is 5 s behind the sender's. Returns the arrival
 * time of the last. */
#define OFFSET 5000000000ull
static uint64_t run100(struct probe_flow *f, unsigned n, uint64_t count,
		       uint64_t stop)
{
	uint64_t tx = 0;

	probe_flow_init(f);
	for (unsigned i = 0; i < n; i++) {
		struct probe_hdr h;

		tx = T0 + i * 10000000ull;
		h = hdr2(i, tx, 100, count, stop);
		probe_flow_seen(f, 64, tx + 1000000 - OFFSET, 1);
		CHECK_INT(probe_account(f, &h, tx + 1000000 - OFFSET),
			  PROBE_INORDER);
	}
	return tx + 1000000 - OFFSET;
}

TEST(expect_end_marker)
{
	struct probe_flow f;
	struct probe_hdr h;
	uint64_t now = run100(&f, 10, 0, 0);

	/* unpaced: nothing to extrapolate from, only the end marker */
	f.rate_mpps = 0;
	probe_expect(&f, now + 10000000000ull);
	CHECK_INT(probe_lost(&f), 0);
	h = hdr2(PROBE_END_SEQ, 0, 0, 15, 0);
	h.flags |= PROBE_F_END;
	CHECK_INT(probe_account(&f, &h, now), PROBE_END);
	CHECK_INT(f.received, 10);	/* the marker is not a probe */
	CHECK_INT(f.packets, 10);
	CHECK_INT(f.ended, 1);
	probe_expect(&f, now);
	CHECK_INT(probe_lost(&f), 5);
	CHECK(fabs(probe_loss_pct(&f) - 100.0 / 3) < 1e-9);
	/* a late probe after the marker leaves the count alone */
	h = hdr2(12, 0, 0, 0, 0);
	probe_account(&f, &h, now);
	CHECK_INT(f.count, 15);
	probe_expect(&f, now);
	CHECK_INT(probe_lost(&f), 4);
	/* a lying marker below what arrived counts nothing lost */
	h = hdr2(PROBE_END_SEQ, 0, 0, 3, 0);
	h.flags |= PROBE_F_END;
	probe_account(&f, &h, now);
	probe_expect(&f, now);
	CHECK_INT(probe_lost(&f), 2);	/* 10 and 11, below 12 */
}

TEST(expect_from_rate)
{
	struct probe_flow f;
	uint64_t now = run100(&f, 50, 0, 0);

	/* live: the next probe is not due yet */
	probe_expect(&f, now + 5000000);
	CHECK_INT(probe_lost(&f), 0);
	/* a second of silence at 100 pps, less the 20 ms grace: 98 */
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 98);
	CHECK(fabs(probe_loss_pct(&f) - 100.0 * 98 / 148) < 1e-9);
	/* ... but never more than the announced count */
	now = run100(&f, 50, 100, 0);
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 50);
	/* ... nor past the announced stop: 490 ms + 315.5 ms at 100 pps */
	now = run100(&f, 50, 0, T0 + 805500000ull);
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 31);
	/* without send times the sender's clock cannot be mapped */
	now = run100(&f, 50, 0, 0);
	f.ndelay = 0;
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 0);
	/* bursts of 10 are due together: 9 fewer are counted due */
	now = run100(&f, 50, 0, 0);
	f.burst = 10;
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 89);
	/* a marker that says all came wins over the rate */
	struct probe_hdr h = hdr2(PROBE_END_SEQ, 0, 100, 50, 0);
	h.flags |= PROBE_F_END;
	probe_account(&f, &h, now);
	probe_expect(&f, now + 1000000000ull);
	CHECK_INT(probe_lost(&f), 0);
}

TEST(expect_nothing_arrived)
{
	struct probe_flow f;
	struct probe_hdr h = hdr2(PROBE_END_SEQ, 0, 100, 20, 0);

	probe_flow_init(&f);
	h.flags |= PROBE_F_END;
	CHECK_INT(probe_account(&f, &h, 1), PROBE_END);
	probe_expect(&f, 2);
	CHECK_INT(probe_lost(&f), 20);
	CHECK(probe_loss_pct(&f) == 100);
	CHECK_INT(f.received, 0);
}

/* Whatever a peer claims, nothing overflows (UBSan watches) and the
 * figures stay within their bounds. */
TEST(expect_hostile)
{
	static const uint64_t seqs[] = { 0, UINT64_MAX - 1, UINT64_MAX };
	static const uint64_t times[] = { 0, 1, INT64_MAX, UINT64_MAX };
	struct probe_flow f;

	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 4; b++)
			for (size_t c = 0; c < 4; c++) {
				struct probe_hdr h = hdr2(seqs[a], times[b],
							  0, PROBE_MAX_COUNT,
							  0);

				h.rate_mpps = PROBE_MAX_RATE;
				probe_flow_init(&f);
				probe_account(&f, &h, times[c]);
				h.tx_ns = times[3 - b];
				h.seq = seqs[a] / 2;
				probe_account(&f, &h, times[3 - c]);
				for (size_t d = 0; d < 4; d++) {
					probe_expect(&f, times[d]);
					CHECK(probe_loss_pct(&f) >= 0 &&
					      probe_loss_pct(&f) <= 100);
				}
			}
}

TEST(traffic)
{
	struct probe_table t;
	struct sockaddr_storage a = { 0 }, g = { 0 };
	struct sockaddr_in *sa = (void *)&a, *sg = (void *)&g;
	struct probe_flow *f, *p;

	sa->sin_family = sg->sin_family = AF_INET;
	inet_pton(AF_INET, "198.18.0.1", &sa->sin_addr);
	inet_pton(AF_INET, "239.1.2.3", &sg->sin_addr);
	sa->sin_port = htons(4000);
	probe_table_init(&t, 8);
	f = probe_table_get(&t, &a, &g, 0, 0);
	CHECK(f != NULL && !f->probe);
	/* plain traffic is told apart by source port, probes by id */
	p = probe_table_get(&t, &a, &g, 1, 0);
	CHECK(p != f);
	sa->sin_port = htons(4001);
	CHECK(probe_table_get(&t, &a, &g, 0, 0) != f);
	CHECK(probe_table_get(&t, &a, &g, 1, 0) == p);
	sa->sin_port = htons(4000);
	CHECK(probe_table_get(&t, &a, &g, 0, 0) == f);
	CHECK_INT(t.n, 3);
	/* 11 datagrams of 1000 bytes, 100 ms apart: 80 kbit/s */
	for (int i = 0; i <= 10; i++)
		probe_flow_seen(f, 1000, T0 + i * 100000000ull, 60 + i % 2);
	CHECK_INT(f->packets, 11);
	CHECK_INT(f->bytes, 11000);
	CHECK(f->first_ns == T0 && f->last_ns == T0 + 1000000000ull);
	CHECK(fabs(probe_flow_bps(f) - 80000) < 1e-6);
	CHECK_INT(f->ttl_min, 60);
	CHECK_INT(f->ttl_max, 61);
	probe_flow_mark(f);
	probe_flow_seen(f, 500, T0 + 2000000000ull, -1);
	CHECK_INT(f->packets - f->mark_packets, 1);
	CHECK_INT(f->bytes - f->mark_bytes, 500);
	CHECK_INT(probe_lost(f), 0);
	struct probe_totals tot;
	probe_table_totals(&t, &tot);
	CHECK_INT(tot.flows, 1);	/* only probe runs */
	probe_table_free(&t);
}

TEST(rate_grammar)
{
	struct rate r;

	CHECK_INT(rate_parse("1000", &r), 0);
	CHECK(r.value == 1000 && !r.bits);
	CHECK_INT(rate_parse("2.5k", &r), 0);
	CHECK(r.value == 2500 && !r.bits);
	CHECK_INT(rate_parse("10kpps", &r), 0);
	CHECK(r.value == 10000 && !r.bits);
	CHECK_INT(rate_parse("64kbps", &r), 0);
	CHECK(r.value == 64000 && r.bits);
	CHECK_INT(rate_parse("1.5Mbps", &r), 0);
	CHECK(r.value == 1.5e6 && r.bits);
	CHECK_INT(rate_parse("1Gbit/s", &r), 0);
	CHECK(r.value == 1e9 && r.bits);
	CHECK_INT(rate_parse("100bps", &r), 0);
	CHECK(r.value == 100 && r.bits);
	/* 1 Mbit/s of 1000-byte payloads is 125 datagrams per second */
	CHECK_INT(rate_parse("1Mbps", &r), 0);
	CHECK(fabs(rate_pps(&r, 1000) - 125) < 1e-9);
	CHECK_INT(rate_parse("125", &r), 0);
	CHECK(fabs(rate_pps(&r, 1000) - 125) < 1e-9);
	const char *bad[] = { "", "0", "-5", "+5", " 5", "abc", "5x", "5 k",
			      "5kk", "5mbps", "inf", "nan", "0x10", "1e3",
			      "5Tbps", "1e", "5kbpsx" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (rate_parse(bad[i], &r) != -1)
			printf("# accepted '%s'\n", bad[i]);
		CHECK_INT(rate_parse(bad[i], &r), -1);
	}
}

TEST(pacer_schedule)
{
	struct pacer p;
	uint64_t t = 1000000000ull;	/* arbitrary origin */
	unsigned n, total = 0;

	/* 1000 pps: one due at once, the next 1 ms later */
	pace_init(&p, 1000, 1, t);
	CHECK_INT(pace_due(&p, t, 64), 1);
	pace_sent(&p, 1);
	CHECK_INT(pace_due(&p, t + 999999, 64), 0);
	CHECK_INT(pace_next_ns(&p), t + 1000000);
	/* a late wakeup 10.5 ms in catches up (absolute schedule) */
	CHECK_INT(pace_due(&p, t + 10500000, 64), 10);
	/* capped by max */
	pace_init(&p, 1000, 1, t);
	CHECK_INT(pace_due(&p, t + 50000000, 8), 8);
	/* a long stall restarts the schedule instead of flooding */
	pace_init(&p, 1000, 1, t);
	pace_sent(&p, 1);
	n = pace_due(&p, t + 5000000000ull, 1000000);
	CHECK_INT(n, 1);
	/* over 5 simulated seconds with 1.3 ms jittery wakeups the count is
	 * exactly rate * time */
	pace_init(&p, 1000, 1, t);
	for (uint64_t now = t; now < t + 5000000000ull; now += 1300000) {
		n = pace_due(&p, now, 64);
		pace_sent(&p, n);
		total += n;
	}
	CHECK(total >= 4999 && total <= 5001);
	/* bursts of 10 every 10 ms */
	pace_init(&p, 1000, 10, t);
	CHECK_INT(pace_due(&p, t, 64), 10);
	pace_sent(&p, 10);
	CHECK_INT(pace_due(&p, t + 9999999, 64), 0);
	CHECK_INT(pace_next_ns(&p), t + 10000000);
	CHECK_INT(pace_due(&p, t + 10000000, 64), 10);
	/* unpaced */
	pace_init(&p, 0, 1, t);
	CHECK_INT(pace_due(&p, t, 64), 64);
}

int main(void)
{
	RUN(codec_roundtrip);
	RUN(codec_rejects);
	RUN(expect_end_marker);
	RUN(expect_from_rate);
	RUN(expect_nothing_arrived);
	RUN(expect_hostile);
	RUN(traffic);
	RUN(in_order_no_loss);
	RUN(loss_then_late_fill);
	RUN(duplicates);
	RUN(reordered_before_first);
	RUN(window_edges);
	RUN(hostile_jump);
	RUN(delay_and_jitter);
	RUN(hostile_times);
	RUN(table);
	RUN(rate_grammar);
	RUN(pacer_schedule);
	return unit_done();
}
