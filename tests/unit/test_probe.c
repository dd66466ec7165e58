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
		probe_account(f, &h, 0, 3);
	}
}

TEST(codec_roundtrip)
{
	uint8_t buf[64];
	struct probe_hdr h = hdr(0x0102030405060708ull, 0x1122334455667788ull), d;
	static const uint8_t want[PROBE_HDRLEN] = {
		'M', 'C', 'B', 'P', 1, 1, 5, 0, 0, 0, 0, 7,
		1, 2, 3, 4, 5, 6, 7, 8,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};

	memset(buf, 0xee, sizeof(buf));
	CHECK_INT(probe_encode(buf, sizeof(buf), &h), 64);
	CHECK_MEM(buf, want, PROBE_HDRLEN);
	CHECK_INT(buf[63], 0);
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), 0);
	CHECK_INT(d.id, 7);
	CHECK(d.seq == h.seq && d.tx_ns == h.tx_ns);
	CHECK_INT(d.ttl, 5);
	CHECK_INT(d.flags, PROBE_F_TIME);
	probe_stamp(buf, 9, 10);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN, &d), 0);
	CHECK_INT(d.seq, 9);
	CHECK_INT(d.tx_ns, 10);
}

TEST(codec_rejects)
{
	uint8_t buf[PROBE_HDRLEN];
	struct probe_hdr h = hdr(1, 1), d;

	CHECK_INT(probe_encode(buf, PROBE_HDRLEN - 1, &h), 0);
	probe_encode(buf, sizeof(buf), &h);
	CHECK_INT(probe_decode(buf, PROBE_HDRLEN - 1, &d), -1);
	CHECK_INT(probe_decode("hello world", 11, &d), -1);
	buf[0] = 'X';
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), -1);
	buf[0] = 'M';
	buf[4] = 0;	/* version 0 never existed */
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), -1);
	buf[4] = 2;	/* a later version keeps the prefix */
	CHECK_INT(probe_decode(buf, sizeof(buf), &d), 0);
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
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_REORDERED);
	CHECK_INT(probe_lost(&f), 1);
	CHECK_INT(f.reordered, 1);
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
		probe_account(&f, &h, 0, -1);
	}
	/* every odd one missing */
	CHECK_INT(probe_lost(&f), 3 * PROBE_WINDOW / 2 - 1);
	/* the oldest in the window is still a duplicate when seen again */
	h = hdr(3 * PROBE_WINDOW - 2 - (PROBE_WINDOW - 2), 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_DUPLICATE);
	/* one further back is late: not new, not a duplicate */
	h = hdr(3 * PROBE_WINDOW - 2 - PROBE_WINDOW, 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_LATE);
	CHECK_INT(f.late, 1);
	/* a missing odd one inside the window fills in */
	h = hdr(3 * PROBE_WINDOW - 3, 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_REORDERED);
	/* a jump of a whole window clears it: the old slot is free again */
	h = hdr(6 * PROBE_WINDOW, 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_INORDER);
	h = hdr(6 * PROBE_WINDOW - 1, 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_REORDERED);
}

TEST(hostile_jump)
{
	struct probe_flow f;
	struct probe_hdr h = hdr(UINT64_MAX, 0);

	probe_flow_init(&f);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_INORDER);
	h = hdr(0, 0);	/* far behind: late, no underflow */
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_LATE);
	CHECK_INT(probe_lost(&f), 0);

	probe_flow_init(&f);
	h = hdr(0, 0);
	probe_account(&f, &h, 0, -1);
	h = hdr(UINT64_MAX, 0);
	CHECK_INT(probe_account(&f, &h, 0, -1), PROBE_INVALID);
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

		probe_account(&f, &h, tx[i] + tr[i], 64);
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
	probe_account(&f, &h, 5, 64);
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

		probe_account(&f, &h, rx, 64);
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
	struct probe_flow *f1 = probe_table_get(&t, &a, &g, 1);
	CHECK(f1 != NULL);
	sa->sin_port = htons(999);	/* source port does not matter */
	CHECK(probe_table_get(&t, &a, &g, 1) == f1);
	CHECK(probe_table_get(&t, &a, &g, 2) != f1);	/* new run */
	CHECK(probe_table_get(&t, &b, &g, 1) != f1);
	CHECK(probe_table_get(&t, &a, &g2, 1) == NULL);	/* full */
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
