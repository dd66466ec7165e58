/* test_mcping.c - the Multicast Ping codec (RFC 6450, and ssmping 0.9's
 * form, from captured bytes), the responder's policy and answers, the
 * client and mesh state machines, fed by vectors and an in-memory
 * network. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/err.h"
#include "mcping/args.h"
#include "mcping/client.h"
#include "mcping/fmt.h"
#include "mcping/mesh.h"
#include "mcping/responder.h"
#include "mcping/wire.h"
#include "net/inet.h"
#include "unit.h"

/* ssmping 0.9.1 -v, as captured from Debian's package: pid 0x3728, seq 1,
 * a timestamp, an empty option request, group 232.43.211.234 in its
 * one-octet-family form */
static const uint8_t ssmping_req[] = {
	0x51, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x37, 0x28, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x08, 0x6b,
	0x15, 0xe8, 0x6f, 0x00, 0x05, 0x64, 0x41, 0x00, 0x05, 0x00, 0x00,
	0x00, 0x04, 0x00, 0x05, 0x01, 0xe8, 0x2b, 0xd3, 0xea,
};

static struct sockaddr_storage addr(const char *s, int port)
{
	struct sockaddr_storage ss;

	if (inet_parse_addr(s, &ss) < 0)
		abort();
	inet_set_port(&ss, port);
	return ss;
}

static int same(const struct sockaddr_storage *a, const char *s)
{
	struct sockaddr_storage b = addr(s, 0);

	return inet_same_addr(a, &b);
}

TEST(decode_ssmping_request)
{
	struct mcp_msg m;

	CHECK_INT(mcp_decode(ssmping_req, sizeof(ssmping_req), &m), 0);
	CHECK_INT(m.type, MCP_REQUEST);
	CHECK_INT(m.version, -1);
	CHECK_INT(m.cid_len, 4);
	CHECK_MEM(m.cid, "\x00\x00\x37\x28", 4);
	CHECK(m.has_seq);
	CHECK_INT(m.seq, 1);
	CHECK_INT(m.cts_sec, 0x6b15e86f);
	CHECK_INT(m.cts_usec, 0x56441);
	CHECK(m.want_info);
	CHECK(m.has_group);
	CHECK(m.group_legacy);
	CHECK(same(&m.group, "232.43.211.234"));
	CHECK_INT(m.nopts, 5);
}

TEST(reply_to_ssmping)
{
	struct mcp_answer a = { .ttl = 64, .info = "x", .max = MCP_MAXMSG };
	static const uint8_t tail[] = { 0, 9, 0, 1, 64, 0, 6, 0, 1, 'x' };
	uint8_t out[MCP_MAXMSG];
	struct mcp_msg m, r;
	size_t n;

	mcp_decode(ssmping_req, sizeof(ssmping_req), &m);
	n = mcp_build_reply(out, sizeof(out), ssmping_req,
			    sizeof(ssmping_req), &m, &a);
	/* ssmping wants all of its request back, so at least as long */
	CHECK_INT(n, sizeof(ssmping_req) + sizeof(tail));
	CHECK_INT(out[0], 'A');
	CHECK_MEM(out + 1, ssmping_req + 1, sizeof(ssmping_req) - 1);
	CHECK_MEM(out + sizeof(ssmping_req), tail, sizeof(tail));
	CHECK_INT(mcp_decode(out, n, &r), 0);
	CHECK_INT(r.ttl, 64);
	CHECK_INT(r.info_len, 1);
	/* too small a buffer: nothing */
	CHECK_INT(mcp_build_reply(out, 20, ssmping_req, sizeof(ssmping_req),
				  &m, &a), 0);
}

static size_t with_size(uint8_t *buf, unsigned size)
{
	memcpy(buf, ssmping_req, sizeof(ssmping_req));
	memcpy(buf + sizeof(ssmping_req), "\x00\x07\x00\x02", 4);
	buf[sizeof(ssmping_req) + 4] = (uint8_t)(size >> 8);
	buf[sizeof(ssmping_req) + 5] = (uint8_t)size;
	return sizeof(ssmping_req) + 6;
}

TEST(reply_padded_to_the_size_asked_and_capped)
{
	struct mcp_answer a = { .ttl = 64, .max = MCP_MAXMSG };
	uint8_t req[128], out[2048];
	struct mcp_msg m;
	size_t n = with_size(req, 300);

	CHECK_INT(mcp_decode(req, n, &m), 0);
	CHECK_INT(m.reply_size, 300);
	CHECK_INT(mcp_build_reply(out, sizeof(out), req, n, &m, &a), 300);
	CHECK_INT(mcp_decode(out, 300, &m), 0);
	n = with_size(req, 9000);
	mcp_decode(req, n, &m);
	CHECK_INT(mcp_build_reply(out, sizeof(out), req, n, &m, &a),
		  MCP_MAXMSG);
}

TEST(request_roundtrip_rfc_and_legacy_group)
{
	struct sockaddr_storage g = addr("ff3e::4321:1234", 0);
	static const uint8_t cid[8] = "ABCDEFGH";
	struct mcp_req r = { .cid = cid, .cid_len = 8, .seq = 7,
			     .wall_ns = 1500000000123456789ull, .group = &g,
			     .want_info = 1 };
	uint8_t buf[256];
	struct mcp_msg m;
	size_t n = mcp_build_request(buf, sizeof(buf), &r);

	CHECK(n > 0);
	CHECK_INT(mcp_decode(buf, n, &m), 0);
	CHECK_INT(m.type, 'Q');
	CHECK_INT(m.version, 2);
	CHECK_MEM(m.cid, cid, 8);
	CHECK_INT(m.seq, 7);
	CHECK_INT(m.cts_sec, 1500000000);
	CHECK_INT(m.cts_usec, 123456);
	CHECK(m.want_info);
	CHECK(!m.group_legacy);
	CHECK(same(&m.group, "ff3e::4321:1234"));
	/* the group option last, 2-octet family: 0x0002 then the address */
	CHECK_MEM(buf + n - 22, "\x00\x04\x00\x12\x00\x02\xff\x3e", 8);
	r.legacy = 1;
	n = mcp_build_request(buf, sizeof(buf), &r);
	CHECK_MEM(buf + n - 21, "\x00\x04\x00\x11\x02\xff\x3e", 7);
	CHECK_INT(mcp_decode(buf, n, &m), 0);
	CHECK(m.group_legacy);
	CHECK(same(&m.group, "ff3e::4321:1234"));
	CHECK_INT(mcp_build_request(buf, 30, &r), 0);
}

static int bad(const uint8_t *p, size_t n, const char *why)
{
	struct mcp_msg m;

	if (mcp_decode(p, n, &m) == 0)
		return 0;
	if (!strstr(err_str(), why)) {
		printf("# error '%s' lacks '%s'\n", err_str(), why);
		return 0;
	}
	return 1;
}

TEST(decode_rejects_what_is_malformed)
{
	CHECK(bad((const uint8_t *)"", 0, "empty"));
	CHECK(bad((const uint8_t *)"Q\x00\x02\x00", 4, "stray"));
	CHECK(bad((const uint8_t *)"Q\x00\x02\x00\x04\x00\x01", 7,
		  "past the end"));
	CHECK(bad((const uint8_t *)"Q\x00\x02\x00\x03\x00\x00\x01", 8,
		  "option 2 (sequence number): length 3, expected 4"));
	CHECK(bad((const uint8_t *)"Q\x00\x04\x00\x06\x00\x01\x0a\x00\x00\x01",
		  11, "not a multicast"));
	CHECK(bad((const uint8_t *)"Q\x00\x04\x00\x06\x00\x07\xe8\x00\x00\x01",
		  11, "family"));
	CHECK(bad((const uint8_t *)"Q\x00\x05\x00\x01\x00", 6, "even"));
	CHECK(bad((const uint8_t *)"Q\x00\x00\x00\x02\x02\x02", 7,
		  "version"));
	/* unknown options are skipped */
	struct mcp_msg m;

	CHECK_INT(mcp_decode((const uint8_t *)"Q\x12\x34\x00\x01\x00", 6, &m),
		  0);
}

TEST(responder_policy)
{
	struct mcp_resp_cfg cfg = { .ttl = 64 };
	struct mcp_resp r;
	struct sockaddr_storage g;

	mcp_resp_init(&r, &cfg, 0);
#define ALLOWED(s) (g = addr(s, 0), mcp_resp_allowed(&r, &g))
	CHECK(ALLOWED("232.43.211.234"));
	CHECK(ALLOWED("239.1.2.234"));
	CHECK(!ALLOWED("239.1.2.3"));
	CHECK(!ALLOWED("224.0.0.234"));
	CHECK(ALLOWED("ff3e::4321:1234"));
	CHECK(ALLOWED("ff0e::4321:1234"));
	CHECK(!ALLOWED("ff01::4321:1234"));
	CHECK(!ALLOWED("198.18.0.234"));
	CHECK_INT(mcp_resp_allow(&cfg, "239.1.2.0/24"), 0);
	CHECK_INT(mcp_resp_allow(&cfg, "ff15::1"), 0);
	mcp_resp_init(&r, &cfg, 0);
	CHECK(ALLOWED("239.1.2.3"));
	CHECK(!ALLOWED("239.1.3.3"));
	CHECK(!ALLOWED("232.43.211.234"));
	CHECK(ALLOWED("ff15::1"));
	CHECK(!ALLOWED("ff15::2"));
#undef ALLOWED
	CHECK_INT(mcp_resp_allow(&cfg, "239.1.2.0/33"), -1);
	CHECK(strstr(err_str(), "239.1.2.0/33"));
	CHECK_INT(mcp_resp_allow(&cfg, "10.0.0.0/8"), -1);
	CHECK(strstr(err_str(), "10.0.0.0/8"));
	CHECK_INT(mcp_resp_allow(&cfg, "239.1.2.0/x"), -1);
}

static void req_for(const char *grp, uint32_t seq, uint8_t *buf, size_t *n)
{
	struct sockaddr_storage g = addr(grp ? grp : "232.43.211.234", 0);
	struct mcp_req r = { .cid = (const uint8_t *)"12345678", .cid_len = 8,
			     .seq = seq, .group = grp ? &g : NULL };

	*n = mcp_build_request(buf, MCP_MAXMSG, &r);
}

TEST(responder_answers_refuses_and_ignores)
{
	struct mcp_resp_cfg cfg = { .ttl = 64, .info = "t" };
	struct sockaddr_storage from = addr("198.18.0.2", 40000);
	uint8_t in[MCP_MAXMSG], out[MCP_MAXMSG];
	struct mcp_action a;
	struct mcp_resp r;
	struct mcp_msg m;
	size_t n;

	mcp_resp_init(&r, &cfg, 0);
	req_for(NULL, 1, in, &n);
	mcp_resp_input(&r, 0, 0, &from, in, n, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_ANSWER);
	CHECK(same(&a.group, "232.43.211.234"));
	CHECK_INT(inet_port(&a.group), 40000);
	CHECK_INT(a.seq, 1);
	CHECK(!a.legacy);
	CHECK_INT(out[0], 'A');
	CHECK_INT(mcp_decode(out, a.len, &m), 0);
	CHECK_INT(m.ttl, 64);

	req_for("239.1.2.3", 2, in, &n);
	mcp_resp_input(&r, 0, 0, &from, in, n, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_UNICAST_ONLY);
	CHECK(a.len > 0);
	CHECK(strstr(a.why, "239.1.2.3 not allowed"));

	req_for("ff3e::4321:1234", 3, in, &n);
	mcp_resp_input(&r, 0, 0, &from, in, n, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_UNICAST_ONLY);
	CHECK(strstr(a.why, "another address family"));

	mcp_resp_input(&r, 0, 0, &from, ssmping_req, sizeof(ssmping_req), out,
		       sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_ANSWER);
	CHECK(a.legacy);

	/* an answer, our own for instance, is not a request */
	mcp_resp_input(&r, 0, 0, &from, out, a.len, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_IGNORE);
	CHECK_INT(a.len, 0);
	/* port 0, or a multicast source: nobody to answer */
	from = addr("198.18.0.2", 0);
	mcp_resp_input(&r, 0, 0, &from, in, n, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_IGNORE);
	from = addr("239.1.1.1", 5);
	mcp_resp_input(&r, 0, 0, &from, in, n, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_IGNORE);
	from = addr("198.18.0.2", 40000);
	mcp_resp_input(&r, 0, 0, &from, (const uint8_t *)"Q\x00", 2, out,
		       sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_BAD);
	CHECK_INT(a.len, 0);
	CHECK(strstr(a.why, "stray"));

	/* Init: a Server Response with the allowed groups */
	mcp_resp_input(&r, 0, 0, &from, (const uint8_t *)"I\x00\x05\x00\x02"
		       "\x00\x06", 7, out, sizeof(out), &a);
	CHECK_INT(a.v, MCP_V_RESPONSE);
	CHECK_INT(mcp_decode(out, a.len, &m), 0);
	CHECK_INT(m.type, 'S');
	CHECK(m.has_prefix);
	CHECK(same(&m.prefix, "232.43.211.234"));
	CHECK_INT(m.prefix_len, 32);
	CHECK_INT(m.info_len, 1);
	CHECK_INT(r.answered, 2);
	CHECK_INT(r.unicast_only, 2);
	CHECK_INT(r.bad, 1);
}

TEST(responder_rate_limit)
{
	struct mcp_resp_cfg cfg = { .ttl = 64, .rate = 10 };
	struct sockaddr_storage from = addr("198.18.0.2", 40000);
	uint8_t in[MCP_MAXMSG], out[MCP_MAXMSG];
	struct mcp_action a;
	struct mcp_resp r;
	size_t n;
	int answered = 0;

	mcp_resp_init(&r, &cfg, 0);
	req_for(NULL, 1, in, &n);
	for (int i = 0; i < 100; i++) {
		mcp_resp_input(&r, 1000, 0, &from, in, n, out, sizeof(out),
			       &a);
		answered += a.v == MCP_V_ANSWER;
	}
	CHECK_INT(answered, 10);
	CHECK_INT(r.limited, 90);
	/* half a second later, five more */
	for (int i = 0; i < 100; i++) {
		mcp_resp_input(&r, 500001000, 0, &from, in, n, out,
			       sizeof(out), &a);
		answered += a.v == MCP_V_ANSWER;
	}
	CHECK_INT(answered, 15);
}

static void client(struct mcp_client *c, uint64_t count)
{
	struct mcp_client_cfg cfg = { .count = count,
				      .interval_ns = 1000000000u,
				      .linger_ns = 1000000000u };

	cfg.responder = addr("198.18.0.1", 0);
	cfg.group = addr("232.43.211.234", 0);
	memcpy(cfg.cid, "ourownid", 8);
	mcp_client_init(c, &cfg, 1000);
}

/* The responder's answer to request buf, as the client would get it. */
static size_t answer(const uint8_t *req, size_t n, uint8_t *out, int ttl)
{
	struct mcp_resp_cfg cfg = { .ttl = ttl, .info = "srv" };
	struct sockaddr_storage from = addr("198.18.0.2", 40000);
	struct mcp_action a;
	struct mcp_resp r;

	mcp_resp_init(&r, &cfg, 0);
	mcp_resp_input(&r, 0, 0, &from, req, n, out, MCP_MAXMSG, &a);
	return a.len;
}

TEST(client_counts_each_path)
{
	static struct mcp_client c;
	struct sockaddr_storage resp = addr("198.18.0.1", 4321);
	struct sockaddr_storage other = addr("198.18.0.9", 4321);
	uint8_t req[MCP_MAXMSG], ans[MCP_MAXMSG];
	struct mcp_reply_ev ev;
	uint64_t wake;
	size_t n, a;

	client(&c, 3);
	n = mcp_client_poll(&c, 1000, 0, req, sizeof(req), &wake);
	CHECK(n > 0);
	CHECK_INT(wake, 1000 + 1000000000u);
	CHECK_INT(mcp_client_poll(&c, 2000, 0, req + 0, 0, &wake), 0);
	a = answer(req, n, ans, 64);
	CHECK_INT(mcp_client_input(&c, 501000, MCP_UC, NULL, ans, a, 63, &ev),
		  MCP_IN_REPLY);
	CHECK_INT(ev.seq, 1);
	CHECK_INT(ev.rtt_ns, 500000);
	CHECK_INT(ev.hops, 1);
	CHECK(ev.first);
	CHECK(ev.new_info);
	CHECK_STR(c.info, "srv");
	CHECK_INT(mcp_client_input(&c, 502000, MCP_MC, &resp, ans, a, 62, &ev),
		  MCP_IN_REPLY);
	CHECK_INT(ev.hops, 2);
	CHECK_INT(mcp_client_input(&c, 503000, MCP_MC, &resp, ans, a, 62, &ev),
		  MCP_IN_DUP);
	/* to the group, but from someone else */
	CHECK_INT(mcp_client_input(&c, 503000, MCP_MC, &other, ans, a, 62,
				   &ev), MCP_IN_FOREIGN);
	CHECK_INT(c.path[MCP_UC].received, 1);
	CHECK_INT(c.path[MCP_MC].received, 1);
	CHECK_INT(c.path[MCP_MC].dups, 1);
	CHECK(!c.legacy);
	CHECK_INT(mcp_client_verdict(&c), 0);

	/* an answer to a request never sent, one to another client */
	{
		struct mcp_req r = { .cid = (const uint8_t *)"ourownid",
				     .cid_len = 8, .seq = 9 };
		struct mcp_req o = { .cid = (const uint8_t *)"someone!",
				     .cid_len = 8, .seq = 1 };

		n = mcp_build_request(req, sizeof(req), &r);
		a = answer(req, n, ans, 64);
		CHECK_INT(mcp_client_input(&c, 600000, MCP_UC, NULL, ans, a,
					   64, &ev), MCP_IN_BAD);
		CHECK(strstr(err_str(), "never sent"));
		n = mcp_build_request(req, sizeof(req), &o);
		a = answer(req, n, ans, 64);
		CHECK_INT(mcp_client_input(&c, 600000, MCP_UC, NULL, ans, a,
					   64, &ev), MCP_IN_FOREIGN);
	}
	/* a request is not an answer */
	CHECK_INT(mcp_client_input(&c, 600000, MCP_UC, NULL, req, n, 64, &ev),
		  MCP_IN_BAD);

	/* the rest: sent a second apart, the last one's answers missing */
	CHECK_INT(mcp_client_done(&c, 2000), 0);
	CHECK(mcp_client_poll(&c, 1000001000, 0, req, sizeof(req), &wake));
	a = answer(req, mcp_build_request(req, sizeof(req), &(struct mcp_req){
		.cid = (const uint8_t *)"ourownid", .cid_len = 8, .seq = 2 }),
		ans, 64);
	CHECK_INT(mcp_client_input(&c, 1001000000, MCP_UC, NULL, ans, a, 64,
				   &ev), MCP_IN_REPLY);
	CHECK(mcp_client_poll(&c, 2000001000, 0, req, sizeof(req), &wake));
	CHECK_INT(c.sent, 3);
	CHECK_INT(wake, 3000001000u);
	CHECK_INT(mcp_client_done(&c, 3000001000u - 1), 0);
	CHECK_INT(mcp_client_done(&c, 3000001000u), 1);
	CHECK_INT((int)mcp_client_loss(&c, MCP_UC, 0), 33);
	CHECK_INT((int)mcp_client_loss(&c, MCP_MC, 0), 66);
}

TEST(client_speaks_ssmpingd_s_form_once_it_knows)
{
	static struct mcp_client c;
	uint8_t req[MCP_MAXMSG], ans[MCP_MAXMSG];
	struct mcp_reply_ev ev;
	struct mcp_msg m;
	uint64_t wake;
	size_t n;

	client(&c, 0);
	n = mcp_client_poll(&c, 1000, 0, req, sizeof(req), &wake);
	/* ssmpingd: everything back, with 'A', nothing added */
	memcpy(ans, req, n);
	ans[0] = 'A';
	CHECK_INT(mcp_client_input(&c, 2000, MCP_UC, NULL, ans, n, 60, &ev),
		  MCP_IN_REPLY);
	CHECK(c.legacy);
	CHECK_INT(ev.sent_ttl, 64);
	CHECK_INT(ev.hops, 4);
	n = mcp_client_poll(&c, 1000001000, 0, req, sizeof(req), &wake);
	CHECK_INT(mcp_decode(req, n, &m), 0);
	CHECK(m.group_legacy);
	CHECK_INT(mcp_client_verdict(&c), 3);
}

TEST(report_roundtrip)
{
	static struct mcp_report r, d;
	uint8_t buf[MCP_MAXMSG];
	size_t n;

	memcpy(r.cid, "runid123", 8);
	r.origin = addr("2001:db8::1", 0);
	r.state = MCP_MS_FINAL;
	r.gen = 77;
	r.mc_sent = 30;
	r.ncells = MCP_MESH_MAX;
	for (unsigned i = 0; i < r.ncells; i++) {
		r.cell[i].peer = addr("2001:db8::2", 0);
		r.cell[i].req_sent = 10 + i;
		r.cell[i].mrep_rx = 29;
		r.cell[i].rtt_mc_us = 1234;
		r.cell[i].hops_uc = i % 2 ? -1 : 3;
	}
	n = mcp_build_report(buf, sizeof(buf), &r);
	CHECK(n > 0 && n <= 1232);
	CHECK_INT(mcp_decode_report(buf, n, &d), 0);
	CHECK_MEM(d.cid, "runid123", 8);
	CHECK(same(&d.origin, "2001:db8::1"));
	CHECK_INT(d.state, MCP_MS_FINAL);
	CHECK_INT(d.gen, 77);
	CHECK_INT(d.mc_sent, 30);
	CHECK_INT(d.ncells, MCP_MESH_MAX);
	CHECK_INT(d.cell[5].req_sent, 15);
	CHECK_INT(d.cell[5].mrep_rx, 29);
	CHECK_INT(d.cell[5].rtt_mc_us, 1234);
	CHECK_INT(d.cell[5].hops_uc, -1);
	CHECK_INT(d.cell[4].hops_uc, 3);
	CHECK_INT(mcp_decode_report(buf, n - 1, &d), -1);
	buf[1 + 4 + 1 + 4 + 8 + 4 + 2 + 16] = 9;	/* state */
	CHECK_INT(mcp_decode_report(buf, n, &d), -1);
	CHECK(strstr(err_str(), "bad state"));
}

/* ---- the mesh, on an in-memory network ---- */

#define HOSTS 4
static struct mcp_mesh mesh[HOSTS];
static int cut[HOSTS][HOSTS][2];	/* [from][to][path]: dropped */

static void deliver(int from, const struct mcp_send *s, uint64_t now)
{
	struct mcp_mesh_ev ev;

	for (int to = 0; to < HOSTS; to++) {
		if (to == from || (s->to >= 0 && s->to != to))
			continue;
		if (cut[from][to][s->to < 0])
			continue;
		mcp_mesh_input(&mesh[to], now, 0, s->to < 0 ? MCP_MC : MCP_UC,
			       &mesh[from].cfg.host[from], s->buf, s->len, 63,
			       &ev);
	}
}

/* Runs the mesh to its end (or 60 virtual seconds); every host's verdict
 * must be the same: returns it. */
static int run_mesh(int rounds)
{
	static struct mcp_send s;
	struct mcp_mesh_cfg cfg = { .n = HOSTS, .count = (uint64_t)rounds,
				    .interval_ns = 100000000, .ttl = 64 };
	uint64_t now = 0, wake;
	int v = -1, broken;

	cfg.group = addr("232.43.211.234", 4321);
	for (int i = 0; i < HOSTS; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.0.%d", i + 1);
		cfg.host[i] = addr(a, 4321);
	}
	for (int i = 0; i < HOSTS; i++) {
		cfg.self = i;
		cfg.cid[0] = (uint8_t)i;
		cfg.wait_ns = 1000000000;
		/* they start a little apart */
		mcp_mesh_init(&mesh[i], &cfg, (uint64_t)i * 30000000);
	}
	for (; now < 60000000000ull; now += 1000000) {
		int done = 1;

		for (int i = 0; i < HOSTS; i++) {
			if ((uint64_t)i * 30000000 > now)
				continue;
			while (mcp_mesh_next(&mesh[i], now, 0, &s, &wake)) {
				deliver(i, &s, now);
				for (int k = 0; k < HOSTS; k++)
					while (mcp_mesh_queued(&mesh[k], &s))
						deliver(k, &s, now);
			}
			done &= mcp_mesh_done(&mesh[i]);
		}
		if (done)
			break;
	}
	for (int i = 0; i < HOSTS; i++) {
		int vi = mcp_mesh_verdict(&mesh[i], &broken);

		if (v >= 0 && vi != v)
			return -1;
		v = vi;
	}
	return now < 60000000000ull ? v : -2;
}

TEST(mesh_all_pairs_work)
{
	struct mcp_pair p;
	char line[512];

	memset(cut, 0, sizeof(cut));
	CHECK_INT(run_mesh(5), 0);
	mcp_mesh_pair(&mesh[2], 0, 1, &p);
	CHECK(p.known);
	CHECK_INT(p.uc_rx, 5);
	CHECK_INT(p.uc_exp, 5);
	CHECK_INT(p.mc_rx, 15);
	CHECK_INT(p.mc_exp, 15);
	CHECK_INT(p.hops_uc, 1);
	CHECK(mcp_fmt_matrix(&mesh[0], 1, line, sizeof(line)));
	CHECK_STR(line, " 1 198.18.0.1  .   UM  UM  UM");
	CHECK(!mcp_fmt_mesh_verdict(&mesh[0], line, sizeof(line)));
}

TEST(mesh_one_direction_cut)
{
	char line[512];
	int broken;

	memset(cut, 0, sizeof(cut));
	cut[0][1][0] = cut[0][1][1] = 1;	/* 1 -> 2, both paths */
	CHECK_INT(run_mesh(5), 1);
	for (int h = 0; h < HOSTS; h++) {
		CHECK_INT(mcp_mesh_verdict(&mesh[h], &broken), 1);
		CHECK_INT(broken, 1);
		for (int f = 0; f < HOSTS; f++)
			for (int t = 0; t < HOSTS; t++) {
				struct mcp_pair p;

				if (f == t)
					continue;
				mcp_mesh_pair(&mesh[h], f, t, &p);
				CHECK_INT(p.uc_ok && p.mc_ok, !(f == 0 && t == 1));
				CHECK(p.known);
			}
	}
	/* host 2 never hears host 1, yet learns what host 1 heard */
	CHECK(mcp_fmt_pair(&mesh[1], 0, 1, line, sizeof(line)));
	CHECK_STR(line, "198.18.0.1 -> 198.18.0.2: unicast 0/5 (100.0% lost), "
		  "multicast 0/15 (100.0% lost): BROKEN (unicast and "
		  "multicast)");
	CHECK(mcp_fmt_matrix(&mesh[1], 1, line, sizeof(line)));
	CHECK_STR(line, " 1 198.18.0.1  .   --  UM  UM");
	CHECK(mcp_fmt_mesh_verdict(&mesh[3], line, sizeof(line)));
	CHECK_STR(line, "1 of 12 ordered pairs do not work");
}

TEST(mesh_multicast_only_cut)
{
	char line[512];

	memset(cut, 0, sizeof(cut));
	cut[3][2][1] = 1;			/* 4 -> 3 multicast */
	CHECK_INT(run_mesh(5), 3);
	CHECK(mcp_fmt_pair(&mesh[0], 3, 2, line, sizeof(line)));
	CHECK(strstr(line, ": BROKEN (multicast)"));
	CHECK(mcp_fmt_mesh_verdict(&mesh[0], line, sizeof(line)));
	CHECK_STR(line, "1 of 12 ordered pairs do not work on multicast "
		  "(unicast works)");
}

TEST(mesh_ignores_strangers_and_lies)
{
	static struct mcp_mesh m;
	struct mcp_mesh_cfg cfg = { .n = 2, .count = 1, .ttl = 64 };
	struct sockaddr_storage stranger = addr("198.18.0.99", 4321);
	struct mcp_mesh_ev ev;
	uint8_t buf[MCP_MAXMSG];
	static struct mcp_report r;
	size_t n;

	cfg.host[0] = addr("198.18.0.1", 4321);
	cfg.host[1] = addr("198.18.0.2", 4321);
	cfg.group = addr("232.43.211.234", 4321);
	mcp_mesh_init(&m, &cfg, 0);
	mcp_mesh_input(&m, 0, 0, MCP_UC, &stranger, ssmping_req,
		       sizeof(ssmping_req), 64, &ev);
	CHECK_INT(ev.kind, 0);
	CHECK_INT(m.nq, 0);
	/* a report about a host not listed, from a listed one */
	r.origin = stranger;
	n = mcp_build_report(buf, sizeof(buf), &r);
	mcp_mesh_input(&m, 0, 0, MCP_UC, &cfg.host[1], buf, n, 64, &ev);
	CHECK_INT(ev.kind, 0);
	CHECK(!m.peer[1].have);
	/* a request for another group */
	{
		struct sockaddr_storage g = addr("239.9.9.9", 0);
		struct mcp_req q = { .cid = (const uint8_t *)"x", .cid_len = 1,
				     .seq = 1, .group = &g };

		n = mcp_build_request(buf, sizeof(buf), &q);
		mcp_mesh_input(&m, 0, 0, MCP_UC, &cfg.host[1], buf, n, 64,
			       &ev);
		CHECK_INT(m.nq, 0);
		CHECK_INT(m.mc_sent, 0);
	}
}

int main(void)
{
	RUN(decode_ssmping_request);
	RUN(reply_to_ssmping);
	RUN(reply_padded_to_the_size_asked_and_capped);
	RUN(request_roundtrip_rfc_and_legacy_group);
	RUN(decode_rejects_what_is_malformed);
	RUN(responder_policy);
	RUN(responder_answers_refuses_and_ignores);
	RUN(responder_rate_limit);
	RUN(client_counts_each_path);
	RUN(client_speaks_ssmpingd_s_form_once_it_knows);
	RUN(report_roundtrip);
	RUN(mesh_all_pairs_work);
	RUN(mesh_one_direction_cut);
	RUN(mesh_multicast_only_cut);
	RUN(mesh_ignores_strangers_and_lies);
	return unit_done();
}
