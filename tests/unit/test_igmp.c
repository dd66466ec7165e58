/* test_igmp.c - unit tests for lib/igmp: floating-point codes (RFC 9776
 * §4.1.1, RFC 9777 §5.1.3), query byte vectors, report parsing of packets
 * a Linux 6.18 host sent, the membership table, and hostile input. */
#include "igmp/capture.h"
#include "igmp/table.h"
#include "igmp/wire.h"
#include "net/mac.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Vectors below: queries computed by an independent script (Python,
 * RFC 1071 sum); reports captured from a Linux host joining with the
 * RFC 3678 API, decoded by tshark with correct checksums. */
static const uint8_t q_v3gs[] = {	/* G&S query, S=1, QRV 2, 20 s */
	0x46, 0xc0, 0x00, 0x2c, 0x12, 0x34, 0x00, 0x00, 0x01, 0x02, 0x62,
	0xc2, 0xc6, 0x12, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x11, 0x89, 0x6e, 0xbc, 0xe8, 0x01, 0x01, 0x01, 0x0a,
	0x7d, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x09, 0xc6, 0x12, 0x00, 0x0a
};
static const uint8_t q_v2[] = {		/* v2 general from 0.0.0.0, 10 s */
	0x46, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x44,
	0x16, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00
};
static const uint8_t q_mld2[] = {	/* MLDv2 general from fe80::1 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0xfe, 0x80, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x05, 0x02,
	0x00, 0x00, 0x01, 0x00, 0x82, 0x00, 0x56, 0x96, 0x27, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00
};
/* IGMPv3 report: ALLOW(232.1.1.1, {198.18.0.9}), TO_EX(239.1.2.3, {}) */
static const uint8_t r_v3join[] = {
	0x46, 0xc0, 0x00, 0x34, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x3d,
	0xd9, 0xc6, 0x12, 0x00, 0x02, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0x34, 0xd9, 0x00, 0x00, 0x00, 0x02, 0x05,
	0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0xc6, 0x12, 0x00, 0x09,
	0x04, 0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03
};
/* IGMPv3 report: TO_IN(239.1.2.3, {}), BLOCK(232.1.1.1, {198.18.0.9}) */
static const uint8_t r_v3leave[] = {
	0x46, 0xc0, 0x00, 0x34, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x3d,
	0xd9, 0xc6, 0x12, 0x00, 0x02, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0x34, 0xd9, 0x00, 0x00, 0x00, 0x02, 0x03,
	0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03, 0x06, 0x00, 0x00, 0x01,
	0xe8, 0x01, 0x01, 0x01, 0xc6, 0x12, 0x00, 0x09
};
/* MLDv2 report: ALLOW(ff3e::4321, {2001:db8::9}), TO_EX(ff3e::1234),
 * TO_EX(ff02::1:ff00:2), TO_EX(ff02::1:ffa3:a195) */
static const uint8_t r_mld2[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, 0x01, 0xfe, 0x80, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xbd, 0x5f, 0xff, 0xfe, 0xa3,
	0xa1, 0x95, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x3a, 0x00, 0x05, 0x02,
	0x00, 0x00, 0x01, 0x00, 0x8f, 0x00, 0x80, 0xed, 0x00, 0x00, 0x00,
	0x04, 0x05, 0x00, 0x00, 0x01, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43, 0x21, 0x20,
	0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x09, 0x04, 0x00, 0x00, 0x00, 0xff, 0x3e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x12, 0x34, 0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02,
	0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xa3, 0xa1, 0x95
};

static struct igmp_addr A(const char *s)
{
	struct igmp_addr a;

	if (igmp_pton(s, &a) < 0)
		abort();
	return a;
}

static const char *S(int family, const struct igmp_addr *a)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return igmp_ntop(family, a, buf[i], sizeof(buf[i]));
}

/* A v1/v2 message of type t for group g from host h, wrapped in IPv4. */
static size_t mk_v2(uint8_t *p, uint8_t t, const char *h, const char *g)
{
	struct igmp_addr ha = A(h), ga = A(g);
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45, p[3] = 28, p[8] = 1, p[9] = 2;
	memcpy(p + 12, ha.b, 4);
	memcpy(p + 16, ga.b, 4);
	p[20] = t;
	memcpy(p + 24, ga.b, 4);
	c = igmp_cksum(p + 20, 8, 0);
	p[22] = c >> 8, p[23] = c & 0xff;
	return 28;
}

TEST(code8)
{
	unsigned v;

	CHECK_INT(igmp_code8_encode(0), 0);
	CHECK_INT(igmp_code8_encode(100), 100);
	CHECK_INT(igmp_code8_encode(127), 127);
	CHECK_INT(igmp_code8_encode(128), 0x80);	/* 16 << 3 */
	CHECK_INT(igmp_code8_encode(136), 0x81);
	CHECK_INT(igmp_code8_encode(200), 0x89);	/* 25 << 3 */
	CHECK_INT(igmp_code8_encode(255), 0x8f);	/* 31 << 3 = 248 */
	CHECK_INT(igmp_code8_encode(256), 0x90);
	CHECK_INT(igmp_code8_encode(31744), 0xff);
	CHECK_INT(igmp_code8_encode(100000), 0xff);
	CHECK_INT(igmp_code8_decode(0xff), 31744);
	CHECK_INT(igmp_code8_decode(0x80), 128);
	CHECK_INT(igmp_code8_decode(0x8f), 248);
	/* every code round-trips, and encoding never rounds up */
	for (v = 0; v < 256; v++)
		CHECK_INT(igmp_code8_encode(igmp_code8_decode((uint8_t)v)), v);
	for (v = 0; v < 40000; v += 7)
		CHECK(igmp_code8_decode(igmp_code8_encode(v)) <= v ||
		      v < 128);
}

TEST(code16)
{
	unsigned long v;

	CHECK_INT(mld_code16_encode(10000), 10000);
	CHECK_INT(mld_code16_encode(32767), 32767);
	CHECK_INT(mld_code16_encode(32768), 0x8000);
	CHECK_INT(mld_code16_encode(60000), 0x8d4c);
	CHECK_INT(mld_code16_decode(0x8d4c), 60000);
	CHECK_INT(mld_code16_decode(0xffff), 8387584);
	CHECK_INT(mld_code16_encode(8387584), 0xffff);
	CHECK_INT(mld_code16_encode(9000000), 0xffff);
	for (v = 32768; v < 65536; v++)
		CHECK_INT(mld_code16_encode(mld_code16_decode((uint16_t)v)),
			  v);
	for (v = 0; v < 9000000; v += 997)
		CHECK(mld_code16_decode(mld_code16_encode(v)) <= v);
}

TEST(build_v3_group_source)
{
	struct igmp_addr srcs[2] = { A("198.18.0.9"), A("198.18.0.10") };
	struct igmp_query q = {
		.family = AF_INET, .version = 3, .src = A("198.18.0.1"),
		.group = A("232.1.1.1"), .max_resp = 200, .s_flag = 1,
		.qrv = 2, .qqi = 125, .nsrc = 2, .srcs = srcs,
		.ip_id = 0x1234,
	};
	struct igmp_addr dst;
	uint8_t buf[1500];
	ssize_t n = igmp_query_build(&q, buf, sizeof(buf), &dst);

	CHECK_INT(n, sizeof(q_v3gs));
	CHECK_MEM(buf, q_v3gs, sizeof(q_v3gs));
	CHECK_STR(S(AF_INET, &dst), "232.1.1.1");
	/* too small a buffer, and fields the version cannot carry */
	CHECK_INT(igmp_query_build(&q, buf, 20, &dst), -1);
	q.version = 2;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	q.nsrc = 0, q.max_resp = 0;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	q.version = 1;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	q.version = 3, q.nsrc = IGMP_MAXSRC + 1;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
}

TEST(build_v2_v1_zero_source)
{
	struct igmp_query q = {
		.family = AF_INET, .version = 2, .max_resp = 100, .ip_id = 1,
	};
	struct igmp_addr dst;
	struct igmp_msg m;
	uint8_t buf[64];
	ssize_t n = igmp_query_build(&q, buf, sizeof(buf), &dst);

	CHECK_INT(n, sizeof(q_v2));
	CHECK_MEM(buf, q_v2, sizeof(q_v2));
	CHECK_STR(S(AF_INET, &dst), "224.0.0.1");
	q.version = 1;
	n = igmp_query_build(&q, buf, sizeof(buf), &dst);
	CHECK_INT(n, 32);
	CHECK_INT(buf[25], 0);	/* v1: no response code */
	CHECK_INT(igmp_parse(buf, (size_t)n, &m), 0);
	CHECK_INT(m.version, 1);
	CHECK_INT(m.max_resp, 100);
	CHECK(m.router_alert);
}

TEST(build_mld)
{
	struct igmp_addr srcs[1] = { A("2001:db8::9") };
	struct igmp_query q = {
		.family = AF_INET6, .version = 2, .src = A("fe80::1"),
		.max_resp = 10000, .qrv = 2, .qqi = 125,
	};
	struct igmp_addr dst;
	struct igmp_msg m;
	uint8_t buf[1500];
	ssize_t n = igmp_query_build(&q, buf, sizeof(buf), &dst);

	CHECK_INT(n, sizeof(q_mld2));
	CHECK_MEM(buf, q_mld2, sizeof(q_mld2));
	CHECK_STR(S(AF_INET6, &dst), "ff02::1");
	/* group-and-source, long response time: parse what we built */
	q.group = A("ff3e::1"), q.nsrc = 1, q.srcs = srcs;
	q.max_resp = 60000, q.s_flag = 1, q.qqi = 300;
	n = igmp_query_build(&q, buf, sizeof(buf), &dst);
	CHECK_INT(n, 48 + 28 + 16);
	CHECK_STR(S(AF_INET6, &dst), "ff3e::1");
	CHECK_INT(igmp_parse(buf, (size_t)n, &m), 0);
	CHECK_INT(m.kind, IGMP_QUERY);
	CHECK_INT(m.version, 2);
	CHECK_INT(m.max_resp, 60000);
	CHECK_INT(m.qqi, 288);	/* 300 rounds down to (2|16) << 4 */
	CHECK_INT(m.s_flag, 1);
	CHECK_INT(m.nsrc, 1);
	CHECK_INT(m.ttl, 1);
	CHECK(m.router_alert);
	/* MLDv1 */
	q.version = 1, q.nsrc = 0, q.max_resp = 1000;
	n = igmp_query_build(&q, buf, sizeof(buf), &dst);
	CHECK_INT(n, 72);
	CHECK_INT(igmp_parse(buf, (size_t)n, &m), 0);
	CHECK_INT(m.version, 1);
	CHECK_INT(m.max_resp, 1000);
	q.max_resp = 70000;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
}

TEST(parse_queries)
{
	struct igmp_msg m;

	CHECK_INT(igmp_parse(q_v3gs, sizeof(q_v3gs), &m), 0);
	CHECK_INT(m.family, AF_INET);
	CHECK_INT(m.kind, IGMP_QUERY);
	CHECK_INT(m.version, 3);
	CHECK_INT(m.max_resp, 200);
	CHECK_INT(m.qrv, 2);
	CHECK_INT(m.qqi, 125);
	CHECK_INT(m.nsrc, 2);
	CHECK_STR(S(AF_INET, &m.src), "198.18.0.1");
	CHECK_STR(S(AF_INET, &m.group), "232.1.1.1");
	CHECK(m.router_alert);
	CHECK_INT(igmp_parse(q_v2, sizeof(q_v2), &m), 0);
	CHECK_INT(m.version, 2);
	CHECK_INT(m.max_resp, 100);
	CHECK_INT(igmp_parse(q_mld2, sizeof(q_mld2), &m), 0);
	CHECK_INT(m.family, AF_INET6);
	CHECK_INT(m.version, 2);
	CHECK_INT(m.max_resp, 10000);
}

TEST(parse_v3_reports)
{
	struct igmp_msg m;
	struct igmp_record r;
	struct igmp_addr a;
	unsigned pos = 0;

	CHECK_INT(igmp_parse(r_v3join, sizeof(r_v3join), &m), 0);
	CHECK_INT(m.kind, IGMP_REPORT);
	CHECK_INT(m.version, 3);
	CHECK_INT(m.nrec, 2);
	CHECK(m.router_alert);
	CHECK_STR(S(AF_INET, &m.src), "198.18.0.2");
	CHECK_INT(igmp_record_next(&m, &pos, &r), 1);
	CHECK_INT(r.mode, IGMP_MODE_ALLOW);
	CHECK_STR(S(AF_INET, &r.group), "232.1.1.1");
	CHECK_INT(r.nsrc, 1);
	igmp_src_at(AF_INET, r.srcs, 0, &a);
	CHECK_STR(S(AF_INET, &a), "198.18.0.9");
	CHECK_INT(igmp_record_next(&m, &pos, &r), 1);
	CHECK_INT(r.mode, IGMP_MODE_TO_EX);
	CHECK_STR(S(AF_INET, &r.group), "239.1.2.3");
	CHECK_INT(igmp_record_next(&m, &pos, &r), 0);
	CHECK_INT(igmp_record_next(&m, &pos, &r), 0);
}

TEST(parse_mld2_report)
{
	struct igmp_msg m;
	struct igmp_record r;
	unsigned pos = 0, n = 0;

	CHECK_INT(igmp_parse(r_mld2, sizeof(r_mld2), &m), 0);
	CHECK_INT(m.family, AF_INET6);
	CHECK_INT(m.version, 2);
	CHECK_INT(m.nrec, 4);
	CHECK(m.router_alert);
	CHECK_STR(S(AF_INET6, &m.src), "fe80::c0bd:5fff:fea3:a195");
	while (igmp_record_next(&m, &pos, &r))
		n++;
	CHECK_INT(n, 4);
	CHECK_STR(S(AF_INET6, &r.group), "ff02::1:ffa3:a195");
}

TEST(table_v3_join_leave)
{
	struct igmp_table t;
	struct igmp_msg m;
	char s[64];

	igmp_table_init(&t);
	CHECK_INT(igmp_parse(r_v3join, sizeof(r_v3join), &m), 0);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	/* duplicated report: same state */
	CHECK_INT(igmp_table_update(&t, &m), 0);
	igmp_table_sort(&t);
	CHECK_INT(t.n, 2);
	CHECK_INT(t.reports, 2);
	CHECK_STR(S(AF_INET, &t.m[0].group), "232.1.1.1");
	CHECK_STR(igmp_mode_name(t.m[0].mode), "INCLUDE");
	CHECK_INT(t.m[0].nsrc, 1);
	CHECK_STR(igmp_ntop(AF_INET, &t.m[0].srcs[0], s, sizeof(s)),
		  "198.18.0.9");
	CHECK_STR(S(AF_INET, &t.m[1].group), "239.1.2.3");
	CHECK_STR(igmp_mode_name(t.m[1].mode), "EXCLUDE");
	CHECK_STR(igmp_version_name(AF_INET, t.m[1].version), "IGMPv3");
	CHECK_INT(igmp_parse(r_v3leave, sizeof(r_v3leave), &m), 0);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 0);
	/* reordered: the leave first, then the join */
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(igmp_parse(r_v3join, sizeof(r_v3join), &m), 0);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 2);
	igmp_table_free(&t);
}

TEST(table_v2_and_queriers)
{
	struct igmp_table t;
	struct igmp_msg m;
	uint8_t p[64];
	size_t n;

	igmp_table_init(&t);
	n = mk_v2(p, 0x16, "198.18.0.3", "239.9.9.9");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.router_alert, 0);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	n = mk_v2(p, 0x12, "198.18.0.4", "239.9.9.9");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.version, 1);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(igmp_mode_name(t.m[0].mode), "ASM");
	n = mk_v2(p, 0x17, "198.18.0.3", "239.9.9.9");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.kind, IGMP_LEAVE);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 1);
	CHECK_STR(S(AF_INET, &t.m[0].host), "198.18.0.4");
	CHECK_INT(t.leaves, 1);
	CHECK_INT(igmp_parse(q_v3gs, sizeof(q_v3gs), &m), 0);
	igmp_table_update(&t, &m);
	igmp_table_update(&t, &m);
	CHECK_INT(igmp_parse(q_v2, sizeof(q_v2), &m), 0);
	igmp_table_update(&t, &m);
	CHECK_INT(t.nq, 2);
	CHECK_INT(t.q[0].count, 2);
	CHECK_INT(t.queries, 3);
	igmp_table_free(&t);
}

TEST(table_allow_block)
{
	/* a synthetic v3 report: ALLOW {1,2,2}, BLOCK {1}, IS_EX {5},
	 * BLOCK {6}, ALLOW {5}, unknown type 9 */
	uint8_t p[128] = { 0 };
	uint8_t *r = p + 32;
	struct igmp_table t;
	struct igmp_msg m;
	size_t n;
	uint16_t c;

	p[0] = 0x46, p[8] = 1, p[9] = 2;
	p[12] = 198, p[13] = 18, p[15] = 7;
	p[16] = 224, p[19] = 22;
	p[20] = 0x94, p[21] = 4;
	p[24] = 0x22, p[31] = 6;
	r[0] = IGMP_MODE_ALLOW, r[3] = 3, r[4] = 232, r[7] = 5;
	r[8] = 10, r[11] = 1, r[12] = 10, r[15] = 2, r[16] = 10, r[19] = 2;
	r += 20;
	r[0] = IGMP_MODE_BLOCK, r[3] = 1, r[4] = 232, r[7] = 5;
	r[8] = 10, r[11] = 1;
	r += 12;
	r[0] = IGMP_MODE_IS_EX, r[3] = 1, r[4] = 239, r[7] = 6;
	r[8] = 10, r[11] = 5;
	r += 12;
	r[0] = IGMP_MODE_BLOCK, r[3] = 1, r[4] = 239, r[7] = 6;
	r[8] = 10, r[11] = 6;
	r += 12;
	r[0] = IGMP_MODE_ALLOW, r[3] = 1, r[4] = 239, r[7] = 6;
	r[8] = 10, r[11] = 5;
	r += 12;
	r[0] = 9, r[4] = 239, r[7] = 7;
	r += 8;
	n = (size_t)(r - p);
	p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
	c = igmp_cksum(p + 24, n - 24, 0);
	p[26] = c >> 8, p[27] = c & 0xff;
	igmp_table_init(&t);
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.nrec, 6);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	igmp_table_sort(&t);
	CHECK_INT(t.n, 2);
	CHECK_STR(igmp_mode_name(t.m[0].mode), "INCLUDE");
	CHECK_INT(t.m[0].nsrc, 1);
	CHECK_STR(S(AF_INET, &t.m[0].srcs[0]), "10.0.0.2");
	CHECK_STR(igmp_mode_name(t.m[1].mode), "EXCLUDE");
	CHECK_INT(t.m[1].nsrc, 1);
	CHECK_STR(S(AF_INET, &t.m[1].srcs[0]), "10.0.0.6");
	igmp_table_free(&t);
}

TEST(hostile)
{
	uint8_t p[256];
	struct igmp_msg m;
	size_t i;

	/* every truncation of every vector fails cleanly */
	for (i = 0; i < sizeof(r_mld2); i++)
		CHECK_INT(igmp_parse(r_mld2, i, &m), -1);
	for (i = 0; i < sizeof(r_v3join); i++)
		CHECK_INT(igmp_parse(r_v3join, i, &m), -1);
	/* a flipped bit: bad checksum */
	memcpy(p, r_v3join, sizeof(r_v3join));
	p[40] ^= 1;
	CHECK_INT(igmp_parse(p, sizeof(r_v3join), &m), -1);
	CHECK_INT(errno, EBADMSG);
	/* a record count past the end, with a fixed-up checksum */
	memcpy(p, r_v3join, sizeof(r_v3join));
	p[31] = 3;
	p[26] = p[27] = 0;
	{
		uint16_t c = igmp_cksum(p + 24, sizeof(r_v3join) - 24, 0);
		p[26] = c >> 8, p[27] = c & 0xff;
	}
	CHECK_INT(igmp_parse(p, sizeof(r_v3join), &m), -1);
	CHECK_INT(errno, EBADMSG);
	/* source count past the end in a query */
	memcpy(p, q_v3gs, sizeof(q_v3gs));
	p[35] = 200;
	CHECK_INT(igmp_parse(p, sizeof(q_v3gs), &m), -1);
	/* IP total length larger than the capture, IHL too small */
	memcpy(p, q_v2, sizeof(q_v2));
	p[3] = 40;
	CHECK_INT(igmp_parse(p, sizeof(q_v2), &m), -1);
	memcpy(p, q_v2, sizeof(q_v2));
	p[0] = 0x44;
	CHECK_INT(igmp_parse(p, sizeof(q_v2), &m), -1);
	/* a fragment, other protocols, other ICMPv6 types: not for us */
	memcpy(p, q_v2, sizeof(q_v2));
	p[7] = 8;
	CHECK_INT(igmp_parse(p, sizeof(q_v2), &m), -1);
	CHECK_INT(errno, ENOMSG);
	memcpy(p, q_mld2, sizeof(q_mld2));
	p[48] = 135;
	CHECK_INT(igmp_parse(p, sizeof(q_mld2), &m), -1);
	CHECK_INT(errno, ENOMSG);
	/* Hop-by-Hop length past the end */
	memcpy(p, q_mld2, sizeof(q_mld2));
	p[41] = 30;
	CHECK_INT(igmp_parse(p, sizeof(q_mld2), &m), -1);
	CHECK_INT(errno, EBADMSG);
	/* garbage */
	memset(p, 0xff, sizeof(p));
	CHECK_INT(igmp_parse(p, sizeof(p), &m), -1);
	memset(p, 0x60, sizeof(p));
	CHECK_INT(igmp_parse(p, sizeof(p), &m), -1);
}

TEST(group_mac)
{
	uint8_t mac[6];
	struct igmp_addr g = A("239.129.2.3");
	static const uint8_t m4[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	static const uint8_t m6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

	mac_of_ip(0, g.b, mac);
	CHECK_MEM(mac, m4, 6);
	g = A("ff02::1");
	mac_of_ip(1, g.b, mac);
	CHECK_MEM(mac, m6, 6);
}

/* An MLDv1 message of type t for group g from host h, with the
 * Hop-by-Hop Router Alert as RFC 2710 §3 asks. */
static size_t mk_mld1(uint8_t *p, uint8_t t, const char *h, const char *g)
{
	struct igmp_addr ha = A(h), ga = A(g);
	uint16_t c;

	memset(p, 0, 72);
	p[0] = 0x60, p[5] = 32, p[6] = 0, p[7] = 1;
	memcpy(p + 8, ha.b, 16);
	memcpy(p + 24, ga.b, 16);
	p[40] = 58, p[42] = 5, p[43] = 2, p[46] = 1;
	p[48] = t;
	memcpy(p + 56, ga.b, 16);
	c = mld_cksum(&ha, &ga, p + 48, 24);
	p[50] = c >> 8, p[51] = c & 0xff;
	return 72;
}

TEST(mld1_report_done)
{
	struct igmp_table t;
	struct igmp_msg m;
	uint8_t p[80];
	size_t n;

	igmp_table_init(&t);
	n = mk_mld1(p, 131, "fe80::2", "ff3e::1234");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.kind, IGMP_REPORT);
	CHECK_INT(m.version, 1);
	CHECK(m.router_alert);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	n = mk_mld1(p, 131, "fe80::3", "ff3e::1234");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(igmp_version_name(AF_INET6, t.m[0].version), "MLDv1");
	CHECK_STR(igmp_mode_name(t.m[0].mode), "ASM");
	/* done: to ff02::2 in real life; the group is in the message */
	n = mk_mld1(p, 132, "fe80::2", "ff3e::1234");
	CHECK_INT(igmp_parse(p, n, &m), 0);
	CHECK_INT(m.kind, IGMP_LEAVE);
	CHECK_INT(igmp_table_update(&t, &m), 0);
	CHECK_INT(t.n, 1);
	CHECK_STR(S(AF_INET6, &t.m[0].host), "fe80::3");
	/* a bad checksum: the pseudo-header covers the source */
	p[23] ^= 1;
	CHECK_INT(igmp_parse(p, n, &m), -1);
	CHECK_INT(errno, EBADMSG);
	igmp_table_free(&t);
}

TEST(link_layer)
{
	/* Ethernet, 802.1Q-tagged Ethernet, Linux cooked, raw IP */
	uint8_t f[64] = { 0 };
	const uint8_t *l3;
	size_t len;

	f[12] = 0x08, f[13] = 0x00, f[14] = 0x46;
	CHECK_INT(capture_l3(1, f, 40, &l3, &len), 0);
	CHECK(l3 == f + 14);
	CHECK_INT(len, 26);
	f[12] = 0x81, f[13] = 0x00, f[16] = 0x86, f[17] = 0xdd;
	CHECK_INT(capture_l3(1, f, 40, &l3, &len), 0);
	CHECK(l3 == f + 18);
	CHECK_INT(capture_l3(1, f, 17, &l3, &len), -1);	/* cut tag */
	f[16] = 0x08, f[17] = 0x06;				/* ARP */
	CHECK_INT(capture_l3(1, f, 40, &l3, &len), -1);
	CHECK_INT(capture_l3(1, f, 13, &l3, &len), -1);
	memset(f, 0, sizeof(f));
	f[14] = 0x08;
	CHECK_INT(capture_l3(113, f, 40, &l3, &len), 0);
	CHECK(l3 == f + 16);
	CHECK_INT(capture_l3(113, f, 15, &l3, &len), -1);
	f[0] = 0x60;
	CHECK_INT(capture_l3(12, f, 40, &l3, &len), 0);
	CHECK(l3 == f);
	CHECK_INT(capture_l3(12, f, 0, &l3, &len), -1);
	CHECK_INT(capture_l3(9999, f, 40, &l3, &len), -1);
}

int main(void)
{
	RUN(code8);
	RUN(code16);
	RUN(build_v3_group_source);
	RUN(build_v2_v1_zero_source);
	RUN(build_mld);
	RUN(parse_queries);
	RUN(parse_v3_reports);
	RUN(parse_mld2_report);
	RUN(table_v3_join_leave);
	RUN(table_v2_and_queriers);
	RUN(table_allow_block);
	RUN(hostile);
	RUN(group_mac);
	RUN(mld1_report_done);
	RUN(link_layer);
	return unit_done();
}
