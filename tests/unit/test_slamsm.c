/* test_slamsm.c - SLAM server and client state machines driven with byte
 * vectors: hostile NACKs, pings in turn, expiry, restarts, and a simulated
 * LAN with loss, reordering and duplication. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#include "slam/client.h"
#include "slam/server.h"
#include "unit.h"

#define MS UINT64_C(1000000)

static struct sockaddr_storage addr(int i)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (void *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(10000 + i);
	sin->sin_addr.s_addr = htonl(0xc6120000 + i);
	return ss;
}

/* Runs the server until it waits; returns blocks sent, records them. */
static int drain(struct slam_srv *s, uint64_t now, uint64_t *blocks, int max,
		 int *pings)
{
	struct slam_out o;
	int n = 0;

	now += MS;	/* a token bucket needs time to fill */
	for (;;) {
		slam_srv_next(s, now, &o);
		if (o.act == SLAM_ACT_WAIT)
			break;
		if (o.act == SLAM_ACT_DATA && n < max)
			blocks[n++] = o.block;
		if (o.act == SLAM_ACT_PING && pings)
			(*pings)++;
	}
	return n;
}

static void srv(struct slam_srv *s, uint64_t total, uint64_t bs)
{
	struct slam_srv_cfg cfg = { .rate = 1e9 };

	slam_srv_init(s, &cfg, 1000 * MS);
	slam_srv_set_file(s, 7, total, bs, 1000 * MS);
}

#define IN(s, t, i, str) \
	slam_srv_input(s, t, &a[i], (const uint8_t *)str, sizeof(str) - 1)

TEST(srv_nack_vectors)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	uint64_t b[16], t = 1000 * MS;
	int n;

	srv(&s, 3 * 1451, 1451);
	/* the first NACK of a client without a header: block 0, and the
	 * blocks after it, which it will ask for next */
	CHECK_INT(IN(&s, t, 0, "\x20\x21\x00"), SLAM_EV_JOIN);
	n = drain(&s, t, b, 16, NULL);
	CHECK_INT(n, 3);
	CHECK_INT(b[0], 0);
	/* Etherboot "have block 1", unasked -> 0 and 2, but they went out
	 * just now (in flight): nothing until the guard passes */
	t += 2 * MS;
	s.cl[0].pinged_ns = 0;
	CHECK_INT(IN(&s, t, 0, "\x20\x21\x21\x21\x00"), SLAM_EV_NACK);
	n = drain(&s, t, b, 16, NULL);
	CHECK_INT(n, 0);
	t += 100 * MS;
	s.cl[0].pinged_ns = 0;
	CHECK_INT(IN(&s, t, 0, "\x20\x21\x21\x21\x00"), SLAM_EV_NACK);
	n = drain(&s, t, b, 16, NULL);
	CHECK_INT(n, 2);
	CHECK_INT(b[0], 0);
	CHECK_INT(b[1], 2);
	t += 200 * MS;
	CHECK_INT(IN(&s, t, 1, "\x20\x23\x00"), SLAM_EV_JOIN);
	n = drain(&s, t, b, 16, NULL);
	CHECK_INT(n, 3);
	CHECK_INT(b[0], 0);
	CHECK_INT(b[2], 2);
	CHECK_INT(s.ncl, 2);
	/* disconnects: client 0 was sent all it said it lacked */
	CHECK_INT(IN(&s, t, 0, "\x00"), SLAM_EV_DONE);
	CHECK_INT(IN(&s, t, 0, "\x00"), SLAM_EV_BYE);
	CHECK_INT(s.ncl, 1);
	slam_srv_free(&s);
}

TEST(srv_merges_nacks_once_per_round)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	uint64_t b[64], t = 1000 * MS;
	int n;

	srv(&s, 10 * 100, 100);
	/* three clients lacking overlapping sets: each block once */
	IN(&s, t, 0, "\x20\x25\x00");			/* 0-4 */
	IN(&s, t, 1, "\x22\x25\x00");			/* 2-6 */
	IN(&s, t, 2, "\x20\x21\x28\x22\x00");		/* 0, 9 */
	n = drain(&s, t, b, 64, NULL);
	CHECK_INT(n, 8);
	CHECK_INT(b[0], 0);
	CHECK_INT(b[6], 6);
	CHECK_INT(b[7], 9);
	CHECK_INT(slam_srv_outstanding(&s), 0);
	slam_srv_free(&s);
}

TEST(srv_hostile_nacks)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	uint64_t b[64], t = 1000 * MS;
	int n;

	srv(&s, 3 * 1451, 1451);
	IN(&s, t, 0, "\x20\x20\x00");	/* send 0 */
	IN(&s, t, 0, "\x25\x21\x00");	/* past EOF */
	CHECK_INT(IN(&s, t, 0, "\x1f\x1f\x1f"), SLAM_EV_BAD);
	IN(&s, t, 0, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	   "\xff");
	CHECK_INT(drain(&s, t, b, 64, NULL), 0);
	/* ... and a good client is still served */
	IN(&s, t, 1, "\x20\x23\x00");
	n = drain(&s, t, b, 64, NULL);
	CHECK_INT(n, 3);
	/* clamped huge send: the file once, not forever */
	t += 200 * MS;
	IN(&s, t, 0, "\x21\xff\xff\xff\xff\xff\xff\xff\x00");
	n = drain(&s, t, b, 64, NULL);
	CHECK_INT(n, 2);
	CHECK_INT(b[0], 1);
	slam_srv_free(&s);
}

TEST(srv_empty_file_pings)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv s;
	uint64_t b[4], t = 1000 * MS;
	int pings = 0;

	srv(&s, 0, 1451);
	IN(&s, t, 0, "\x20\x21\x00");
	CHECK_INT(drain(&s, t, b, 4, &pings), 0);
	CHECK_INT(pings, 1);
	slam_srv_free(&s);
}

TEST(srv_pings_in_turn_and_forgets)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	struct slam_out o;
	uint64_t t = 1000 * MS;
	int seen[3] = { 0 }, i, lost = 0, k;

	srv(&s, 3 * 1451, 1451);
	for (i = 0; i < 3; i++)
		IN(&s, t, i, "\x23\x00");	/* have everything */
	for (k = 0; k < 40; k++, t += 100 * MS) {
		for (;;) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_LOST) {
				lost++;
				continue;
			}
			if (o.act != SLAM_ACT_PING)
				continue;
			for (i = 0; i < 3; i++)
				if (!memcmp(&o.addr, &a[i], sizeof(a[i])))
					seen[i]++;
			/* client 2 answers its pings; client 1 answers its
			 * first, then vanishes; client 0 never answers */
			if (!memcmp(&o.addr, &a[2], sizeof(a[2])))
				IN(&s, t + MS, 2, "\x23\x00");
			if (!memcmp(&o.addr, &a[1], sizeof(a[1])) &&
			    seen[1] == 1)
				IN(&s, t + MS, 1, "\x23\x00");
		}
	}
	CHECK(seen[0] >= 3 && seen[1] >= 6);
	CHECK(seen[2] >= 10);
	CHECK_INT(lost, 2);
	CHECK_INT(s.ncl, 1);
	slam_srv_free(&s);
}

TEST(srv_client_limit)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv_cfg cfg = { .rate = 1e9, .max_clients = 2 };
	struct slam_srv s;

	slam_srv_init(&s, &cfg, 0);
	slam_srv_set_file(&s, 7, 100, 10, 0);
	CHECK_INT(IN(&s, 0, 0, "\x20\x21\x00"), SLAM_EV_JOIN);
	CHECK_INT(IN(&s, 1, 1, "\x20\x21\x00"), SLAM_EV_JOIN);
	/* full, but neither ever answered a ping: the oldest makes room */
	CHECK_INT(IN(&s, 2, 2, "\x20\x21\x00"), SLAM_EV_JOIN);
	CHECK(s.evicted_now);
	CHECK(!memcmp(&s.evicted_addr, &a[0], sizeof(a[0])));
	CHECK_INT(s.ncl, 2);
	CHECK_INT(IN(&s, 3, 1, "\x20\x21\x00"), SLAM_EV_NACK);
	CHECK(!s.evicted_now);
	slam_srv_free(&s);
}

/* client port p of host h */
static struct sockaddr_storage hp(int h, int p)
{
	struct sockaddr_storage ss = addr(h);

	((struct sockaddr_in *)&ss)->sin_port = htons(20000 + p);
	return ss;
}

static int host_of(const struct sockaddr_storage *a)
{
	return (int)(ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) -
		     0xc6120000);
}

static enum slam_ev in_from(struct slam_srv *s, uint64_t t,
			    struct sockaddr_storage a, const char *nack,
			    size_t len)
{
	return slam_srv_input(s, t, &a, (const uint8_t *)nack, len);
}

#define HELLO "\x20\x21\x00", 3
#define HAVE_ALL "\x2a\x00", 2	/* have 10 (the whole test file) */

/* Pings every listed client once (time moves on) and has each answer
 * with what `answer` says; returns the pings sent. */
static int answer_pings(struct slam_srv *s, uint64_t *t, int rounds,
			const char *answer, size_t alen)
{
	struct slam_out o;
	int pings = 0;

	for (int k = 0; k < rounds; k++) {
		*t += 100 * MS;
		for (;;) {
			slam_srv_next(s, *t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_PING) {
				pings++;
				slam_srv_input(s, *t + MS, &o.addr,
					       (const uint8_t *)answer, alen);
			}
		}
	}
	return pings;
}

TEST(srv_per_host_bound)
{
	struct slam_srv_cfg cfg = { .rate = 1e9, .max_per_addr = 4 };
	struct slam_srv s;
	uint64_t t = 0;
	int p;

	slam_srv_init(&s, &cfg, 0);
	slam_srv_set_file(&s, 7, 100, 10, 0);
	/* a flood from 100 ports of one host: never more than 4 listed,
	 * each newcomer replacing the oldest that never answered */
	for (p = 0; p < 100; p++) {
		CHECK_INT(in_from(&s, t++, hp(1, p), HELLO), SLAM_EV_JOIN);
		CHECK_INT(s.ncl, p < 4 ? p + 1 : 4);
		CHECK_INT(s.evicted_now, p >= 4);
	}
	CHECK_INT(s.evicted, 96);
	/* once those four answer pings, the host's fifth port is refused */
	answer_pings(&s, &t, 8, HAVE_ALL);
	CHECK_INT(s.ncl, 4);
	CHECK_INT(in_from(&s, t, hp(1, 100), HELLO), SLAM_EV_FULL);
	/* ... and another host is welcome */
	CHECK_INT(in_from(&s, t, hp(2, 0), HELLO), SLAM_EV_JOIN);
	CHECK(!s.evicted_now);
	CHECK_INT(s.ncl, 5);
	slam_srv_free(&s);
}

TEST(srv_full_table_never_locks_out_a_new_host)
{
	struct slam_srv_cfg cfg = { .rate = 1e9, .max_clients = 8 };
	struct slam_srv s;
	uint64_t t = 0;
	int p;

	slam_srv_init(&s, &cfg, 0);
	slam_srv_set_file(&s, 7, 100, 10, 0);
	/* two good hosts answer pings; then host 9 floods */
	in_from(&s, t, hp(1, 0), HELLO);
	in_from(&s, t, hp(2, 0), HELLO);
	answer_pings(&s, &t, 4, HAVE_ALL);
	for (p = 0; p < 50; p++)
		in_from(&s, ++t, hp(9, p), HELLO);
	CHECK_INT(s.ncl, 8);
	/* a new host takes the place of a flood client, never of a good
	 * one, however long the flood goes on */
	for (int h = 3; h < 7; h++) {
		CHECK_INT(in_from(&s, ++t, hp(h, 0), HELLO), SLAM_EV_JOIN);
		CHECK(s.evicted_now);
		CHECK_INT(host_of(&s.evicted_addr), 9);
		in_from(&s, ++t, hp(9, 100 + h), HELLO);
	}
	/* everyone answers now, host 9 still holds several ports: a new
	 * host evicts one of those */
	answer_pings(&s, &t, 10, HAVE_ALL);
	CHECK_INT(s.ncl, 8);
	CHECK_INT(in_from(&s, ++t, hp(7, 0), HELLO), SLAM_EV_JOIN);
	CHECK_INT(host_of(&s.evicted_addr), 9);
	/* eight hosts of one port each, all answering: really full */
	slam_srv_free(&s);
	slam_srv_init(&s, &cfg, 0);
	slam_srv_set_file(&s, 7, 100, 10, 0);
	for (int h = 0; h < 8; h++)
		in_from(&s, t, hp(h, 0), HELLO);
	answer_pings(&s, &t, 10, HAVE_ALL);
	CHECK_INT(s.ncl, 8);
	CHECK_INT(in_from(&s, ++t, hp(8, 0), HELLO), SLAM_EV_FULL);
	CHECK_INT(s.full, 1);
	slam_srv_free(&s);
}

/* Pinged rarely (many clients): one that never answered a ping is
 * forgotten after 3 unanswered pings, one that answered after 5. */
TEST(srv_unanswering_client_goes_soon)
{
	struct sockaddr_storage a[2] = { addr(0), addr(1) };
	struct slam_srv s;
	struct slam_out o;
	uint64_t t = 1000 * MS;
	int pings[2] = { 0 }, lost[2] = { 0 }, k, i;

	srv(&s, 30, 10);
	IN(&s, t, 0, "\x20\x21\x00");
	IN(&s, t, 1, "\x20\x21\x00");
	for (k = 0; k < 20; k++) {
		t += 1000 * MS;
		for (;;) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			i = !memcmp(&o.addr, &a[1], sizeof(a[1]));
			if (o.act == SLAM_ACT_LOST)
				lost[i] = k;
			if (o.act != SLAM_ACT_PING)
				continue;
			/* client 1 answers its first ping only */
			if (i && !pings[1]++)
				IN(&s, t + MS, 1, "\x20\x21\x00");
			else if (!i)
				pings[0]++;
		}
	}
	CHECK_INT(pings[0], 3);
	CHECK_INT(pings[1], 1 + 5);
	CHECK(lost[0] && lost[0] < lost[1]);
	CHECK_INT(s.ncl, 0);
	slam_srv_free(&s);
}

/* An honest client and a liar that answers every ping with "everything
 * is missing": the liar is named, has no say in the pace, and what it
 * asks for waits until the honest client wants nothing. */
TEST(srv_liar_is_suspected)
{
	struct slam_srv_cfg cfg = { 0 };	/* adaptive pace */
	struct sockaddr_storage h = hp(1, 0), l = hp(2, 0);
	static const char lie[] = "\x20\x47\xd0\x00";	/* lack 0-1999 */
	struct bitmap got;
	struct slam_srv s;
	struct slam_out o;
	uint64_t t = 1000 * MS, rot, rate0;
	uint8_t nack[SLAM_NACK_MAX4];
	size_t n;
	int suspect = 0, k, liar_pinged = 0;

	slam_srv_init(&s, &cfg, t);
	slam_srv_set_file(&s, 7, 2000 * 100, 100, t);
	rate0 = (uint64_t)s.rate;
	bitmap_init(&got, 2000);
	CHECK_INT(in_from(&s, t, l, lie, 4), SLAM_EV_JOIN);
	CHECK_INT(in_from(&s, t, h, HELLO), SLAM_EV_JOIN);
	for (k = 0; k < 4000 && !bitmap_full(&got); k++) {
		t += MS / 4;
		for (;;) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_DATA) {
				/* the honest one loses one block in ten */
				if (o.block % 10 != 3 || s.round > 1)
					bitmap_set(&got, o.block);
			} else if (o.act == SLAM_ACT_PING &&
				   !memcmp(&o.addr, &l, sizeof(l))) {
				liar_pinged++;
				suspect += in_from(&s, t + MS, l, lie, 4) ==
					   SLAM_EV_SUSPECT;
			} else if (o.act == SLAM_ACT_PING) {
				rot = 0;
				n = slam_nack_build(&got, &rot, nack,
						    sizeof(nack));
				CHECK(in_from(&s, t + MS, h, (char *)nack, n) !=
				      SLAM_EV_SUSPECT);
			}
		}
	}
	CHECK(bitmap_full(&got));
	CHECK_INT(suspect, 1);
	CHECK_INT(s.suspects, 1);
	CHECK(liar_pinged >= 2);
	/* the liar's "100% loss" never slowed the server down */
	CHECK(s.rate >= rate0);
	/* the honest client is done; now the liar gets what it asks for,
	 * but a block the honest client asks for goes first */
	in_from(&s, t, h, "\x00", 1);
	t += 600 * MS;		/* nothing was sent just now */
	in_from(&s, t, l, lie, 4);
	CHECK(slam_srv_outstanding(&s) == 0);
	CHECK(s.want_low.nset > 0);
	in_from(&s, t, h, "\x25\x21\x00", 3);		/* lack block 5 */
	do
		slam_srv_next(&s, t += MS, &o);
	while (o.act != SLAM_ACT_DATA);
	CHECK_INT(o.block, 5);
	bitmap_free(&got);
	slam_srv_free(&s);
}

/* A list client's NACK built from what it holds: blocks [0, n) less the
 * ones in [lo, hi). */
static size_t list_nack(uint8_t *out, size_t cap, uint64_t n, uint64_t lo,
			uint64_t hi)
{
	struct bitmap got;
	uint64_t i, start = 0;
	size_t len;

	bitmap_init(&got, n);
	for (i = 0; i < n; i++)
		if (i < lo || i >= hi)
			bitmap_set(&got, i);
	len = slam_nack_build(&got, &start, out, cap);
	bitmap_free(&got);
	return len;
}

/* The answer to a ping can overtake data sent before the ping (the
 * receiver's queues, CPUs or NIC queues keep no order between the group's
 * flow and ours): a list client's first word on a block sent since its
 * last NACK is not sent again until a NACK confirms it; long gone or
 * confirmed, it is. (Each block used to go out again at once: at 0 %
 * loss, a receiver whose data came in behind the ping cost a second copy
 * of all of it.) */
TEST(srv_list_client_reordered_data_not_resent)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv s;
	uint64_t b[128], t = 1000 * MS;
	uint8_t nk[256];
	size_t len;

	srv(&s, 64 * 100, 100);
	len = list_nack(nk, sizeof(nk), 64, 0, 64);	/* lacks all */
	CHECK_INT(slam_srv_input(&s, t, &a[0], nk, len), SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 128, NULL), 64);	/* at t + 1 ms */
	/* pinged at t + 3 ms, after all 64; the answer (t + 5 ms) shows
	 * 0-31 only: 32-63 come in behind the ping */
	s.cl[0].pinged_ns = t + 3 * MS;
	s.cl[0].ping_seq = s.seq;
	len = list_nack(nk, sizeof(nk), 64, 32, 64);
	CHECK_INT(slam_srv_input(&s, t + 5 * MS, &a[0], nk, len),
		  SLAM_EV_NACK);
	CHECK_INT(drain(&s, t + 5 * MS, b, 128, NULL), 0);
	CHECK_INT(slam_srv_outstanding(&s), 0);
	/* the next answer: 32-47 arrived, 48-63 are lost after all */
	s.cl[0].pinged_ns = t + 13 * MS;
	s.cl[0].ping_seq = s.seq;
	len = list_nack(nk, sizeof(nk), 64, 48, 64);
	slam_srv_input(&s, t + 15 * MS, &a[0], nk, len);
	CHECK_INT(drain(&s, t + 15 * MS, b, 128, NULL), 16);
	CHECK_INT(b[0], 48);
	CHECK_INT(b[15], 63);
	/* first word on 63 (sent again at t + 16 ms) long after it went
	 * out: no data is that late, it is lost */
	s.cl[0].pinged_ns = t + 198 * MS;
	s.cl[0].ping_seq = s.seq;
	len = list_nack(nk, sizeof(nk), 64, 63, 64);
	slam_srv_input(&s, t + 200 * MS, &a[0], nk, len);
	CHECK_INT(drain(&s, t + 200 * MS, b, 128, NULL), 1);
	CHECK_INT(b[0], 63);
	CHECK_INT(s.sent, 64 + 16 + 1);
	slam_srv_free(&s);
}

TEST(srv_pacing)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv_cfg cfg = { .rate = 1000 };
	struct slam_srv s;
	uint64_t b[4096], t = 1000 * MS;
	int total = 0;

	slam_srv_init(&s, &cfg, t);
	slam_srv_set_file(&s, 7, 100000, 10, t);
	IN(&s, t, 0, "\x20\x60\x27\x10\x00");	/* 0..9999 */
	for (; t < 2000 * MS; t += MS)
		total += drain(&s, t, b, 4096, NULL);
	/* 1000 packets/s for a second, plus the small initial burst */
	CHECK(total >= 990 && total <= 1010);
	slam_srv_free(&s);
}

/* The adaptive pace speeds up only on a round trip measured since its
 * last step: NACKs that answer no ping (a client's own timers, newcomers)
 * leave it where it is (each used to be a step up by half, blind, while
 * the queue they could not show was filling). */
TEST(srv_no_faster_blind)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv_cfg cfg = { .rate = 0 };
	struct slam_srv s;
	uint64_t b[4096], t = 1000 * MS;
	uint8_t nk[64];
	size_t len;
	double r0;

	slam_srv_init(&s, &cfg, t);
	slam_srv_set_file(&s, 7, 100000, 10, t);
	r0 = s.rate;
	for (; t < 1100 * MS; t += MS) {
		if (t % (5 * MS) == 0) {
			if (s.ncl)
				s.cl[0].pinged_ns = 0;
			IN(&s, t, 0, "\x20\x60\x27\x10\x00"); /* 0..9999 */
		}
		drain(&s, t, b, 4096, NULL);
	}
	CHECK(s.rate <= r0);
	/* an answer to a ping, with no queue in it, from a client that
	 * shows blocks arrive: faster */
	s.cl[0].pinged_ns = t - MS / 10;
	s.cl[0].ping_seq = s.seq;
	len = list_nack(nk, sizeof(nk), 10000, s.seq, 10000);
	slam_srv_input(&s, t, &a[0], nk, len);
	CHECK(s.rate > r0);
	slam_srv_free(&s);
}

TEST(srv_new_transaction)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv s;
	uint64_t b[16], t = 1000 * MS;

	srv(&s, 30, 10);
	IN(&s, t, 0, "\x23\x00");
	drain(&s, t, b, 16, NULL);
	/* the file changed: listed clients get every block again */
	slam_srv_set_file(&s, 8, 40, 10, t);
	CHECK_INT(slam_srv_outstanding(&s), 4);
	CHECK_INT(drain(&s, t, b, 16, NULL), 4);
	slam_srv_free(&s);
}

/* Runs the server until it waits for more than 50 ms, answering
 * nothing; returns the data blocks sent, and in *before those sent
 * before its first ping to client a that follows data (-1: none). */
static int drain_ping(struct slam_srv *s, uint64_t now,
		      const struct sockaddr_storage *a, int *before)
{
	struct slam_out o;
	int n = 0;

	*before = -1;
	for (;;) {
		slam_srv_next(s, now, &o);
		if (o.act == SLAM_ACT_WAIT) {
			if (!o.until_ns || o.until_ns > now + 50 * MS)
				break;
			now = o.until_ns;
			continue;
		}
		if (o.act == SLAM_ACT_DATA)
			n++;
		if (o.act == SLAM_ACT_PING && *before < 0 && n &&
		    !memcmp(&o.addr, a, sizeof(*a)))
			*before = n;
	}
	return n;
}

TEST(srv_verdicts)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	uint64_t b[64], t = 1000 * MS;

	srv(&s, 10 * 100, 100);
	/* a list that is not served before the goodbye: left, 3 missing */
	IN(&s, t, 0, "\x20\x23\x27\x00");		/* lacks 0-2 */
	CHECK_INT(IN(&s, t, 0, "\x00"), SLAM_EV_LEFT);
	CHECK_INT(s.ev_missing, 3);
	/* served first, then the goodbye: done */
	t += 100 * MS;
	IN(&s, t, 1, "\x20\x2a\x00");			/* lacks all */
	CHECK_INT(drain(&s, t, b, 64, NULL), 10);
	CHECK_INT(IN(&s, t + 5 * MS, 1, "\x00"), SLAM_EV_DONE);
	/* a client that says it holds everything, then goes: done */
	IN(&s, t, 2, "\x20\x2a\x00");
	IN(&s, t + 6 * MS, 2, "\x2a\x00");
	CHECK_INT(IN(&s, t + 7 * MS, 2, "\x00"), SLAM_EV_DONE);
	/* ... and one whose last NACK, long after, shows two missing */
	t += 200 * MS;
	IN(&s, t, 0, "\x20\x2a\x00");
	drain(&s, t, b, 64, NULL);
	s.cl[0].pinged_ns = 0;
	IN(&s, t + 500 * MS, 0, "\x24\x22\x00");	/* lacks 4, 5 */
	CHECK_INT(IN(&s, t + 500 * MS, 0, "\x00"), SLAM_EV_LEFT);
	CHECK_INT(s.ev_missing, 2);
	CHECK_INT(s.done, 2);
	CHECK_INT(s.left, 2);
	/* nobody is left: nothing is wanted any more */
	CHECK_INT(s.ncl, 0);
	CHECK_INT(slam_srv_outstanding(&s), 0);
	slam_srv_free(&s);
}

/* An iPXE NACK: first gap g, 4 blocks. */
static size_t ipxe_nack(uint8_t *b, uint64_t g)
{
	int k = slam_put_int(b, 16, g);

	k += slam_put_int(b + k, 16, 4);
	b[k++] = 0;
	return (size_t)k;
}

TEST(srv_ping_driven_pipeline)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv_cfg cfg = { .rate = 20000 };
	struct slam_srv s;
	uint64_t t = 1000 * MS;
	uint8_t nack[16];
	int n, m, before, i;

	slam_srv_init(&s, &cfg, t);
	slam_srv_set_file(&s, 7, 20000 * 100, 100, t);
	/* iPXE's first NACK asks for block 0; the server sends ahead of it
	 * (it will ask for those next) and pings it once its ask is out */
	IN(&s, t, 0, "\x20\x21\x00");
	n = drain_ping(&s, t, &a[0], &before);
	CHECK(n >= 32);
	CHECK(before >= 1 && before < n);
	/* each answer (first gap, 4 blocks) moves the window on, and the
	 * next ping follows what it asked for at once */
	for (i = 0; i < 5; i++) {
		t += 100 * MS;
		slam_srv_input(&s, t, &a[0], nack, ipxe_nack(nack, n));
		m = drain_ping(&s, t, &a[0], &before);
		CHECK(m >= 32);
		CHECK(before >= 4 && before < m);
		n += m;
	}
	/* nothing went out twice */
	CHECK_INT(s.sent, (uint64_t)n);
	slam_srv_free(&s);
}

/* Etherboot clients that lack blocks when the data stops stay silent
 * for 2 s + U(0, 4 s), and any packet starts that wait over: the first
 * to speak up after the others were served waits (pinged) until all must
 * have spoken, then all are served together; an iPXE (15 s without data
 * and it gives up) ends the wait at once. (A room of ten Etherboot
 * clients at 2 % loss took 22-27 s, one every 2-3 s; a hundred did not
 * finish in 60 s.) */
TEST(srv_gathers_silent_etherboot_clients)
{
	struct sockaddr_storage a[4] = { addr(0), addr(1), addr(2), addr(3) };
	struct slam_srv s;
	uint64_t b[64], t = 1000 * MS, last;
	uint8_t nk[32];
	int pings = 0;

	srv(&s, 10 * 100, 100);
	IN(&s, t, 0, "\x20\x2a\x00");			/* A lacks all */
	CHECK_INT(drain(&s, t, b, 64, NULL), 10);
	last = t + MS;
	IN(&s, t + 5 * MS, 0, "\x2a\x00");		/* has all */
	CHECK_INT(IN(&s, t + 5 * MS, 0, "\x00"), SLAM_EV_DONE);
	/* B wakes 2.5 s after the last block: lacks 3 and 4 (Etherboot
	 * lists every run: have 3, lack 2, have 5) */
	t = last + 2500 * MS;
	CHECK_INT(IN(&s, t, 1, "\x23\x22\x25\x00"), SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 64, &pings), 0);
	CHECK(pings > 0);		/* it is asked, it waits */
	/* C at 4 s: lacks 7; nothing yet either */
	t = last + 4000 * MS;
	CHECK_INT(IN(&s, t, 2, "\x27\x21\x22\x00"), SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 64, NULL), 0);
	/* 6.5 s after the last block every silent one has spoken (they
	 * answer the pings meanwhile) */
	t = last + 6500 * MS;
	IN(&s, t, 1, "\x23\x22\x25\x00");
	IN(&s, t, 2, "\x27\x21\x22\x00");
	CHECK_INT(drain(&s, t, b, 64, NULL), 3);
	CHECK_INT(b[0], 3);
	CHECK_INT(b[2], 7);
	slam_srv_free(&s);

	/* the same with an iPXE speaking up too: the wait ends as its own
	 * gathering of iPXE slaves would (PD_GATHER, 100 ms) */
	srv(&s, 10 * 100, 100);
	t = 1000 * MS;
	IN(&s, t, 0, "\x20\x2a\x00");
	drain(&s, t, b, 64, NULL);
	last = t + MS;
	IN(&s, t + 5 * MS, 0, "\x2a\x00");
	IN(&s, t + 5 * MS, 0, "\x00");
	t = last + 2500 * MS;
	IN(&s, t, 1, "\x23\x22\x25\x00");
	CHECK_INT(drain(&s, t, b, 64, NULL), 0);
	slam_srv_input(&s, t + MS, &a[3], nk, ipxe_nack(nk, 5));
	CHECK_INT(drain(&s, t + MS, b, 64, NULL), 0);
	CHECK(drain(&s, t + 101 * MS, b, 64, NULL) >= 3);
	CHECK_INT(b[0], 3);
	slam_srv_free(&s);
}

TEST(srv_names_a_deaf_client)
{
	struct sockaddr_storage a[2] = { addr(0), addr(1) };
	struct slam_srv s;
	uint64_t b[256], t = 1000 * MS;
	int deaf = 0, k;

	srv(&s, 200 * 100, 100);
	IN(&s, t, 0, "\x20\x21\x00");
	IN(&s, t, 1, "\x20\x21\x00");
	for (k = 0; k < 40 && !deaf; k++) {
		drain(&s, t, b, 256, NULL);
		t += 50 * MS;
		/* client 1 progresses; client 0 never gets a thing */
		if (k < 30) {
			uint8_t nack[8];
			int n = slam_put_int(nack, sizeof(nack),
					     (uint64_t)(k + 1) * 5);

			n += slam_put_int(nack + n, sizeof(nack) - n, 4);
			nack[n++] = 0;
			slam_srv_input(&s, t, &a[1], nack, (size_t)n);
		}
		s.cl[0].pinged_ns = 0;
		deaf = IN(&s, t, 0, "\x20\x24\x00") == SLAM_EV_DEAF;
	}
	CHECK(deaf);
	CHECK_INT(s.ev_block, 0);
	CHECK(s.ev_sends >= 3);
	CHECK(s.ev_others);
	CHECK_INT(s.deaf, 1);
	/* its goodbye: left, lacking all */
	CHECK_INT(IN(&s, t, 0, "\x00"), SLAM_EV_LEFT);
	CHECK_INT(s.ev_missing, 200);
	slam_srv_free(&s);
}

/* Two iPXE clients that listened without asking (their 1 s timers kept
 * restarting on the group's data) lost blocks; the data stops, and they
 * ask some milliseconds apart. The first ask is held so that the second
 * is served in the same burst: sent at once, the repair for the first
 * would restart the second's timer for another second. */
TEST(srv_tail_gathers_hidden_clients)
{
	struct sockaddr_storage a[3] = { addr(0), addr(1), addr(2) };
	struct slam_srv s;
	uint64_t b[256], t = 1000 * MS;
	uint8_t nack[16];
	int n, i, got50 = 0, got120 = 0;

	srv(&s, 200 * 100, 100);
	IN(&s, t, 0, "\x20\x21\x00");
	CHECK_INT(drain(&s, t, b, 256, NULL), 200);
	CHECK_INT(IN(&s, t + 2 * MS, 0, "\x00"), SLAM_EV_DONE);
	/* a second later the hidden ones ask, 30 ms apart */
	t += 1000 * MS;
	CHECK_INT(slam_srv_input(&s, t, &a[1], nack, ipxe_nack(nack, 50)),
		  SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 256, NULL), 0);
	t += 30 * MS;
	CHECK_INT(slam_srv_input(&s, t, &a[2], nack, ipxe_nack(nack, 120)),
		  SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 256, NULL), 0);
	/* then both asks go out together */
	t += 70 * MS;
	n = drain(&s, t, b, 256, NULL);
	for (i = 0; i < n; i++) {
		got50 += b[i] >= 50 && b[i] < 54;
		got120 += b[i] >= 120 && b[i] < 124;
	}
	CHECK_INT(got50, 4);
	CHECK_INT(got120, 4);
	CHECK_INT(s.tail_holds, 1);
	/* while data flows, an ask is served at once */
	CHECK_INT(slam_srv_input(&s, t + 2 * MS, &a[1], nack,
				 ipxe_nack(nack, 60)), SLAM_EV_NACK);
	CHECK(drain(&s, t + 2 * MS, b, 256, NULL) >= 4);
	slam_srv_free(&s);
}

/* A loaded iPXE answers pings late, in order: pinged, then block 7 goes
 * out again (another client asked), then pinged again; its answer to the
 * first ping still asks for block 7, then it ends. That goodbye is judged
 * against the ping it answered, before block 7 went out: done, not left. */
TEST(srv_late_answer_judged_by_its_ping)
{
	struct sockaddr_storage a[2] = { addr(0), addr(1) };
	struct slam_srv s;
	uint64_t b[64], t = 1000 * MS;
	uint8_t nack[16];
	int pings = 0;

	srv(&s, 8 * 100, 100);
	CHECK_INT(slam_srv_input(&s, t, &a[0], nack, ipxe_nack(nack, 0)),
		  SLAM_EV_JOIN);
	CHECK_INT(drain(&s, t, b, 64, &pings), 8);
	CHECK(pings >= 1);
	CHECK(s.cl[0].pq_n >= 1);
	/* the other client asks for block 7: out again; client 0 is pinged
	 * a little after */
	t += 40 * MS;
	IN(&s, t, 1, "\x27\x21\x00");
	{
		struct slam_out o;
		uint64_t now = t, sent = s.sent;

		s.cl[0].ping_now = 0;
		s.ping_at = t + 100 * MS;
		while (now < t + 20 * MS && s.sent == sent) {
			slam_srv_next(&s, now, &o);
			if (o.act == SLAM_ACT_WAIT)
				now = o.until_ns > now ? o.until_ns : now + MS;
		}
		CHECK(s.sent > sent);
		CHECK(s.sent_seq[7] > s.cl[0].pq_seq[0]);
		/* (its earlier answers were quick) */
		s.srtt = 0.5 * MS;
		t = now + 15 * MS;
		s.cl[0].ping_now = 1;
		s.pd_wait = 1;
		s.pd_scan_at = 0;
		s.cl[0].pinged_ns = 0;
		s.cl[0].hold_ns = 0;
		for (now = t; now < t + 20 * MS && !s.cl[0].pinged_ns;) {
			slam_srv_next(&s, now, &o);
			if (o.act == SLAM_ACT_WAIT)
				now = o.until_ns > now ? o.until_ns : now + MS;
		}
		CHECK(s.cl[0].pinged_ns >= t);
		t = now;
	}
	CHECK(s.cl[0].pq_n >= 2);
	/* its answer to the first ping, then its goodbye */
	t += 2 * MS;
	slam_srv_input(&s, t, &a[0], nack, ipxe_nack(nack, 7));
	CHECK_INT(IN(&s, t + MS, 0, "\x00"), SLAM_EV_DONE);
	slam_srv_free(&s);
}

/* A ping that overtook the last blocks on a loaded host: the answer
 * lists them, they arrive just after, the client ends. Its goodbye is not
 * judged by data sent so shortly before the ping: done. */
TEST(srv_goodbye_after_overtaken_data)
{
	struct sockaddr_storage a[1] = { addr(0) };
	struct slam_srv s;
	struct slam_out o;
	uint64_t b[64], t = 1000 * MS, now;
	uint8_t nack[16];

	srv(&s, 8 * 100, 100);
	t += 100 * MS;
	slam_srv_input(&s, t, &a[0], nack, ipxe_nack(nack, 0));
	CHECK_INT(drain(&s, t, b, 64, NULL), 8);
	/* (its earlier answers were quick; older pings were answered) */
	s.srtt = 0.5 * MS;
	s.cl[0].pq_n = 0;
	s.cl[0].pinged_ns = 0;
	t += 6 * MS;
	s.cl[0].ping_now = 1;
	s.cl[0].hold_ns = 0;
	s.pd_wait = 1;
	s.pd_scan_at = 0;
	for (now = t; now < t + 20 * MS && !s.cl[0].pinged_ns;) {
		slam_srv_next(&s, now, &o);
		if (o.act == SLAM_ACT_WAIT)
			now = o.until_ns > now ? o.until_ns : now + MS;
	}
	CHECK(s.cl[0].pinged_ns >= t);
	CHECK_INT(s.sent, 8);
	slam_srv_input(&s, now + MS, &a[0], nack, ipxe_nack(nack, 6));
	CHECK_INT(IN(&s, now + 2 * MS, 0, "\x00"), SLAM_EV_DONE);
	slam_srv_free(&s);
}

TEST(cli_final_nack)
{
	static const uint8_t d0[] = { 0x21, 0x25, 0x24, 0x20, 'H', 'E', 'L', 'L' },
		d1[] = { 0x21, 0x25, 0x24, 0x21, 'O' };
	struct slam_cli c;
	struct slam_cli_ev ev;
	uint8_t out[64];

	slam_cli_init(&c, 1 << 20, SLAM_NACK_MAX4, 1, 0);
	CHECK_INT(slam_cli_final(&c, out, sizeof(out)), 0);
	slam_cli_data(&c, 0, d1, sizeof(d1), 1, &ev);
	/* lacks block 0: the plain list */
	CHECK_INT(slam_cli_final(&c, out, sizeof(out)), 3);
	CHECK_MEM(out, "\x20\x21\x00", 3);
	slam_cli_data(&c, 0, d0, sizeof(d0), 1, &ev);
	/* has both: "have 2" */
	CHECK_INT(slam_cli_final(&c, out, sizeof(out)), 2);
	CHECK_MEM(out, "\x22\x00", 2);
	slam_cli_free(&c);
}

TEST(cli_basic_and_dups)
{
	static const uint8_t d0[] = { 0x21, 0x25, 0x24, 0x20, 'H', 'E', 'L', 'L' },
		d1[] = { 0x21, 0x25, 0x24, 0x21, 'O' },
		ping[] = { 0x21, 0x25, 0x24 };
	struct slam_cli c;
	struct slam_cli_ev ev;
	uint8_t out[64];
	uint64_t t = 5 * MS;
	size_t n;

	slam_cli_init(&c, 1 << 20, SLAM_NACK_MAX4, 1, 0);
	/* the first NACK comes within 100 ms and asks for block 0 */
	CHECK(slam_cli_wake(&c) <= 100 * MS);
	n = slam_cli_nack(&c, 100 * MS, out, sizeof(out));
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x20\x21\x00", 3);
	/* reordered: block 1 first */
	CHECK_INT(slam_cli_data(&c, t, d1, sizeof(d1), 1, &ev), 1);
	CHECK(ev.newhdr && ev.block && !ev.done);
	CHECK_INT(ev.off, 4);
	CHECK_INT(ev.len, 1);
	CHECK_INT(slam_cli_data(&c, t, d1, sizeof(d1), 1, &ev), 0);
	CHECK_INT(c.dups, 1);
	/* pinged: NACK for block 0 at once */
	CHECK_INT(slam_cli_ping(&c, t, ping, sizeof(ping), &ev), 0);
	CHECK_INT(slam_cli_wake(&c), t);
	n = slam_cli_nack(&c, t, out, sizeof(out));
	CHECK_INT(n, 3);
	CHECK_MEM(out, "\x20\x21\x00", 3);
	/* master re-asks after 250 ms of no data */
	CHECK_INT(slam_cli_nack(&c, t + 100 * MS, out, sizeof(out)), 0);
	CHECK_INT(slam_cli_nack(&c, t + 250 * MS, out, sizeof(out)), 3);
	/* after a header, silence backs off: 1 s, then 2 s */
	CHECK(slam_cli_wake(&c) >= t + 500 * MS);
	CHECK_INT(slam_cli_data(&c, t, d0, sizeof(d0), 1, &ev), 1);
	CHECK(ev.done && !ev.newhdr);
	CHECK_INT(ev.off, 0);
	CHECK_INT(slam_cli_wake(&c), 0);
	slam_cli_free(&c);
}

TEST(cli_restart_and_sources)
{
	static const uint8_t a0[] = { 0x21, 0x25, 0x24, 0x20, 'H', 'E', 'L', 'L' },
		a1[] = { 0x21, 0x25, 0x24, 0x21, 'E' },
		b0[] = { 0x22, 0x25, 0x24, 0x20, 'h', 'e', 'l', 'l' },
		nonmin[] = { 0x21, 0x40, 0x05, 0x24 },
		big[] = { 0x21, 0xa1, 0, 0, 0, 0, 0x24 },
		junkping[] = { 0x21, 0x25, 0x24, 0x00 };
	struct slam_cli c;
	struct slam_cli_ev ev;

	slam_cli_init(&c, 1 << 20, SLAM_NACK_MAX4, 1, 0);
	/* another source can neither start the transfer ... */
	CHECK_INT(slam_cli_data(&c, 0, a0, sizeof(a0), 0, &ev), -1);
	CHECK_STR(ev.why, "not from the server");
	CHECK(!c.have_hdr && !c.got.nset && !c.last_rx);
	CHECK_INT(slam_cli_data(&c, 0, a0, sizeof(a0), 1, &ev), 1);
	/* ... nor change it, nor add a block to it */
	CHECK_INT(slam_cli_data(&c, 0, b0, sizeof(b0), 0, &ev), -1);
	CHECK_STR(ev.why, "not from the server");
	CHECK_INT(slam_cli_data(&c, 5, a1, sizeof(a1), 0, &ev), -1);
	CHECK_INT(c.got.nset, 1);
	CHECK_INT(c.last_rx, 0);
	CHECK_INT(c.bad, 3);
	/* the server can: restart */
	CHECK_INT(slam_cli_data(&c, 0, b0, sizeof(b0), 1, &ev), 1);
	CHECK(ev.newhdr && ev.restart && ev.block);
	CHECK_INT(c.got.nset, 1);
	/* same values, other encoding: a new header too (as Etherboot/iPXE) */
	CHECK_INT(slam_cli_ping(&c, 0, nonmin, sizeof(nonmin), &ev), 1);
	CHECK(ev.restart);
	CHECK_INT(c.got.nset, 0);
	CHECK_INT(slam_cli_ping(&c, 0, junkping, sizeof(junkping), &ev), -1);
	/* 4 GiB > --max-size */
	CHECK_INT(slam_cli_ping(&c, 0, big, sizeof(big), &ev), -2);
	slam_cli_free(&c);
}

TEST(cli_empty_file)
{
	static const uint8_t ping[] = { 0x21, 0x20, 0x24 };
	struct slam_cli c;
	struct slam_cli_ev ev;

	slam_cli_init(&c, 1 << 20, SLAM_NACK_MAX4, 1, 0);
	CHECK_INT(slam_cli_ping(&c, 0, ping, sizeof(ping), &ev), 1);
	CHECK(ev.done && ev.newhdr);
	slam_cli_free(&c);
}

TEST(cli_slave_backoff)
{
	struct slam_cli c;
	uint8_t out[16];
	uint64_t t = 0, last = 0, gaps[4];
	int k = 0;

	slam_cli_init(&c, 1 << 20, SLAM_NACK_MAX4, 42, 0);
	for (t = 0; t < 30000 * MS && k < 4; t += MS)
		if (slam_cli_nack(&c, t, out, sizeof(out))) {
			gaps[k++] = t - last;
			last = t;
		}
	/* no server yet: a NACK every 0.1-0.15 s, no back-off */
	CHECK_INT(k, 4);
	CHECK(gaps[1] >= 100 * MS && gaps[1] <= 150 * MS);
	CHECK(gaps[2] >= 100 * MS && gaps[2] <= 150 * MS);
	CHECK(gaps[3] >= 100 * MS && gaps[3] <= 150 * MS);
	slam_cli_free(&c);
}

/* A simulated LAN: one server, NCLI clients; every multicast packet is
 * lost, duplicated or delayed (reordered) per client at random; unicast
 * too. Every client must end with the file, byte for byte. */
#define NCLI 5
#define QMAX 200000

struct pkt {
	uint64_t at;
	int to;			/* client index; -1: the server */
	int uni;
	uint16_t len;
	uint8_t b[96];
};

static struct pkt *q;
static int qn;
static uint64_t rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void push(uint64_t at, int to, int uni, const uint8_t *b, size_t len,
		 int lossp, int dupp)
{
	int copies = 1, i;

	if ((int)rnd(100) < lossp)
		return;
	if ((int)rnd(100) < dupp)
		copies = 2;
	for (i = 0; i < copies && qn < QMAX; i++) {
		q[qn].at = at + rnd(3) * MS;	/* 0-2 ms jitter: reorders */
		q[qn].to = to;
		q[qn].uni = uni;
		q[qn].len = (uint16_t)len;
		memcpy(q[qn].b, b, len);
		qn++;
	}
}

static void sim(uint64_t total, uint64_t bs, int lossp, int dupp, int late)
{
	struct sockaddr_storage a[NCLI];
	struct slam_cli c[NCLI];
	struct slam_cli_ev ev;
	struct slam_srv_cfg cfg = { 0 };
	struct slam_srv s;
	struct slam_out o;
	static uint8_t file[64 * 1024], got[NCLI][64 * 1024];
	uint8_t buf[128];
	uint64_t t = 0, i;
	int k, j, n, done = 0, started[NCLI];
	size_t len;

	q = calloc(QMAX, sizeof(*q));
	qn = 0;
	for (i = 0; i < total; i++)
		file[i] = (uint8_t)(i * 7 + 3);
	memset(got, 0, sizeof(got));
	slam_srv_init(&s, &cfg, 0);
	slam_srv_set_file(&s, 99, total, bs, 0);
	for (k = 0; k < NCLI; k++) {
		a[k] = addr(k);
		started[k] = 0;
	}
	for (t = 0; t < 120000 * MS && done < NCLI; t += MS / 4) {
		for (k = 0; k < NCLI; k++)
			if (!started[k] && t >= (uint64_t)(late && k == NCLI - 1 ?
							   300 : 0) * MS) {
				slam_cli_init(&c[k], 1 << 20, 64, k + 1, t);
				started[k] = 1;
			}
		/* deliver what is due (the queue is unordered: jitter) */
		for (j = 0; j < qn;) {
			struct pkt p = q[j];

			if (p.at > t) {
				j++;
				continue;
			}
			q[j] = q[--qn];
			if (p.to < 0) {
				slam_srv_input(&s, t, &a[p.uni], p.b, p.len);
				continue;
			}
			if (!started[p.to] || c[p.to].done)
				continue;
			n = p.uni ? slam_cli_ping(&c[p.to], t, p.b, p.len, &ev)
				  : slam_cli_data(&c[p.to], t, p.b, p.len, 1,
						  &ev);
			if (n > 0 && ev.block)
				memcpy(got[p.to] + ev.off, ev.data, ev.len);
			if (n > 0 && ev.done) {
				done++;
				push(t, -1, p.to, (const uint8_t *)"", 1, 0, 0);
			}
		}
		for (k = 0; k < NCLI; k++) {
			if (!started[k] || c[k].done)
				continue;
			len = slam_cli_nack(&c[k], t, buf, sizeof(buf));
			if (len) {
				CHECK(len <= 64);
				/* unicast from client k: `uni` is the sender */
				push(t + MS, -1, k, buf, len, lossp, dupp);
			}
		}
		for (;;) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_DATA) {
				n = slam_data_prefix(buf, sizeof(buf), &s.h,
						     o.block);
				len = slam_block_len(&s.h, o.block);
				memcpy(buf + n, file + o.block * bs, len);
				for (k = 0; k < NCLI; k++)
					push(t + MS, k, 0, buf, n + len, lossp,
					     dupp);
			} else if (o.act == SLAM_ACT_PING) {
				for (k = 0; k < NCLI; k++)
					if (!memcmp(&o.addr, &a[k], sizeof(a[k])))
						push(t + MS, k, 1, s.h.raw,
						     s.h.rawlen, lossp, dupp);
			}
		}
	}
	CHECK_INT(done, NCLI);
	/* the last goodbyes still on their way */
	for (j = 0; j < qn; j++)
		if (q[j].to < 0)
			slam_srv_input(&s, t + 3 * MS, &a[q[j].uni], q[j].b,
				       q[j].len);
	/* every client said goodbye with the file: none is judged to have
	 * left without it (one that had it all before it asked was never
	 * known; a NACK overtaken by its goodbye may list one again) */
	CHECK_INT(s.left, 0);
	CHECK(s.done >= 1);
	for (k = 0; k < NCLI; k++) {
		CHECK(!memcmp(got[k], file, total));
		slam_cli_free(&c[k]);
	}
	printf("# loss estimate %.3f rate %.0f, %llu done\n", s.loss, s.rate,
	       (unsigned long long)s.done);
	printf("# sim total %llu bs %llu loss %d%% dup %d%%: %.2f s, %llu "
	       "blocks sent for %llu, %llu pings, %llu nacks\n",
	       (unsigned long long)total, (unsigned long long)bs, lossp, dupp,
	       t / 1e9, (unsigned long long)s.sent,
	       (unsigned long long)s.h.nblocks, (unsigned long long)s.pings,
	       (unsigned long long)s.nacks);
	slam_srv_free(&s);
	free(q);
}

TEST(sim_clean)
{
	sim(50000, 64, 0, 0, 0);
}

TEST(sim_loss_dup_reorder)
{
	sim(50000, 64, 10, 5, 1);
}

TEST(sim_heavy_loss)
{
	sim(20000, 50, 30, 10, 1);
}

TEST(sim_sizes)
{
	sim(1, 64, 5, 5, 0);
	sim(64, 64, 5, 5, 0);
	sim(64 * 10, 64, 5, 5, 0);
}

int main(void)
{
	RUN(srv_nack_vectors);
	RUN(srv_merges_nacks_once_per_round);
	RUN(srv_hostile_nacks);
	RUN(srv_empty_file_pings);
	RUN(srv_pings_in_turn_and_forgets);
	RUN(srv_client_limit);
	RUN(srv_per_host_bound);
	RUN(srv_full_table_never_locks_out_a_new_host);
	RUN(srv_unanswering_client_goes_soon);
	RUN(srv_liar_is_suspected);
	RUN(srv_list_client_reordered_data_not_resent);
	RUN(srv_pacing);
	RUN(srv_no_faster_blind);
	RUN(srv_new_transaction);
	RUN(srv_verdicts);
	RUN(srv_ping_driven_pipeline);
	RUN(srv_gathers_silent_etherboot_clients);
	RUN(srv_names_a_deaf_client);
	RUN(srv_tail_gathers_hidden_clients);
	RUN(srv_late_answer_judged_by_its_ping);
	RUN(srv_goodbye_after_overtaken_data);
	RUN(cli_final_nack);
	RUN(cli_basic_and_dups);
	RUN(cli_restart_and_sources);
	RUN(cli_empty_file);
	RUN(cli_slave_backoff);
	RUN(sim_clean);
	RUN(sim_loss_dup_reorder);
	RUN(sim_heavy_loss);
	RUN(sim_sizes);
	return unit_done();
}
