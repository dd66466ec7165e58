/* test_igmpq.c - igmpquery's settings checks and query (lib/igmpq), and
 * the IGMPv3/MLDv2 query checks they share in lib/igmp. */
#include <sys/socket.h>

#include "base/err.h"
#include "igmp/querier.h"
#include "unit.h"

static int check(struct igmpq_opts *o)
{
	int rc = igmpq_check(o);

	if (rc < 0)
		printf("# %s\n", err_str());
	return rc;
}

TEST(defaults)
{
	struct igmpq_opts o = IGMPQ_OPTS_INIT;
	struct igmp_query q;

	CHECK_INT(check(&o), 0);
	CHECK_INT(o.family, AF_INET);
	CHECK_INT(o.version, 3);
	CHECK(o.max_resp == 2);
	igmpq_query(&o, &q);
	CHECK_INT(q.max_resp, 20);	/* tenths of a second */
	CHECK_INT(q.qrv, 2);
	CHECK_INT(q.qqi, 125);

	struct igmpq_opts o6 = IGMPQ_OPTS_INIT;

	o6.family = AF_INET6;
	CHECK_INT(check(&o6), 0);
	CHECK_INT(o6.version, 2);
	igmpq_query(&o6, &q);
	CHECK_INT(q.max_resp, 2000);	/* ms */

	struct igmpq_opts v1 = IGMPQ_OPTS_INIT;

	v1.version = 1;
	CHECK_INT(check(&v1), 0);
	CHECK(v1.max_resp == 10);
}

TEST(messages)
{
	struct igmpq_opts o = IGMPQ_OPTS_INIT;

	o.group_s = "1.2.3.4";
	CHECK_INT(igmpq_check(&o), -1);
	CHECK_STR(err_str(), "bad group '1.2.3.4'");

	struct igmpq_opts f = IGMPQ_OPTS_INIT;

	f.family = AF_INET;
	f.group_s = "ff02::1";
	CHECK_INT(igmpq_check(&f), -1);
	CHECK_STR(err_str(), "group 'ff02::1' is not IPv4");

	struct igmpq_opts l = IGMPQ_OPTS_INIT;

	l.source_s = "2001:db8::1";
	CHECK_INT(igmpq_check(&l), -1);
	CHECK_STR(err_str(), "--source '2001:db8::1' is not link-local");

	struct igmpq_opts m = IGMPQ_OPTS_INIT;

	m.version = 2;
	m.max_resp = 30;
	CHECK_INT(igmpq_check(&m), -1);
	CHECK_STR(err_str(), "bad -m '30' for IGMPv2 (0.1-25.5)");

	struct igmpq_opts v = IGMPQ_OPTS_INIT;

	v.family = AF_INET6;
	v.version = 3;
	CHECK_INT(igmpq_check(&v), -1);
	CHECK_STR(err_str(), "bad -V '3' for MLD (1-2)");
}

TEST(sources)
{
	struct igmpq_opts o = IGMPQ_OPTS_INIT;

	/* empty items are skipped, as strtok does */
	CHECK_INT(igmpq_add_sources(&o, ",10.0.0.1,,10.0.0.2,"), 0);
	CHECK_INT(o.nsrc, 2);
	/* but a list names one at least */
	CHECK_INT(igmpq_add_sources(&o, ""), -1);
	CHECK_STR(err_str(), "bad -s '': no source");
	CHECK_INT(igmpq_add_sources(&o, ",,"), -1);
	CHECK_STR(err_str(), "bad -s ',,': no source");
	CHECK_INT(o.nsrc, 2);
	CHECK_INT(igmpq_add_sources(&o, "10.0.0.3,2001:db8::1"), -1);
	CHECK_STR(err_str(), "bad source '2001:db8::1'");
	CHECK_INT(o.nsrc, 3);
	CHECK_INT(igmpq_add_sources(&o, "239.1.1.1"), -1);
	CHECK_STR(err_str(), "bad source '239.1.1.1'");
	CHECK_INT(igmpq_check(&o), -1);
	CHECK_STR(err_str(), "-s needs -g GROUP");
	o.group_s = "239.1.2.3";
	o.version = 2;
	CHECK_INT(igmpq_check(&o), -1);
	CHECK_STR(err_str(), "-s needs IGMPv3");
	o.version = 3;
	CHECK_INT(check(&o), 0);
}

/* the checks IGMPv3 and MLDv2 share, in both families */
TEST(v3_checks)
{
	static struct igmp_addr srcs[IGMP_MAXSRC + 1];
	struct igmp_query q = { .family = AF_INET, .version = 3, .qrv = 2 };
	struct igmp_addr dst;
	uint8_t buf[2048];

	q.srcs = srcs;
	q.nsrc = 1;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	CHECK_STR(err_str(), "a source-specific query needs a group");
	q.family = AF_INET6;
	q.version = 2;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	CHECK_STR(err_str(), "a source-specific query needs a group");
	q.nsrc = MLD_MAXSRC + 1;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	CHECK_STR(err_str(), "90 sources do not fit one query (max 89)");
	q.family = AF_INET;
	q.version = 3;
	q.nsrc = IGMP_MAXSRC + 1;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	CHECK_STR(err_str(), "367 sources do not fit one query (max 366)");
	q.nsrc = 0;
	q.qrv = 8;
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), -1);
	CHECK_STR(err_str(), "QRV 8 out of range (0-7)");
	q.qrv = 2;
	CHECK_INT(igmp_query_build(&q, buf, 20, &dst), -1);
	CHECK_STR(err_str(), "query buffer too small");
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), 36);
	q.family = AF_INET6;
	q.version = 2;
	CHECK_INT(igmp_query_build(&q, buf, 40, &dst), -1);
	CHECK_STR(err_str(), "query buffer too small");
	CHECK_INT(igmp_query_build(&q, buf, sizeof(buf), &dst), 76);
}

/* The schedule: count queries interval apart, then listening until the
 * last one's max response + 1 s, or -w. */
TEST(schedule)
{
	struct igmpq_opts o = IGMPQ_OPTS_INIT;
	struct igmpq_sched s;
	uint64_t t = 1000000000000ull, sec = 1000000000ull;

	o.count = 3;
	o.max_resp = 2;
	igmpq_sched_init(&s, &o, t);
	CHECK_INT(igmpq_sched_due(&s, t), 1);
	igmpq_sched_sent(&s);
	CHECK_INT(igmpq_sched_due(&s, t), 0);
	CHECK(igmpq_sched_wake(&s) == t + sec);
	CHECK_INT(igmpq_sched_due(&s, t + sec), 1);
	igmpq_sched_sent(&s);
	CHECK_INT(igmpq_sched_due(&s, t + 2 * sec), 1);
	igmpq_sched_sent(&s);
	/* all sent: wait for the last answers until 2 + 2 + 1 s */
	CHECK_INT(igmpq_sched_due(&s, t + 3 * sec), 0);
	CHECK(igmpq_sched_wake(&s) == t + 5 * sec);
	CHECK_INT(igmpq_sched_over(&s, t + 5 * sec - 1), 0);
	CHECK_INT(igmpq_sched_over(&s, t + 5 * sec), 1);
	/* -w bounds it, even with queries left to send */
	o.timeout = 1.5;
	igmpq_sched_init(&s, &o, t);
	igmpq_sched_sent(&s);
	CHECK_INT(igmpq_sched_due(&s, t + sec), 1);
	igmpq_sched_sent(&s);
	CHECK(igmpq_sched_wake(&s) == t + 3 * sec / 2);
	CHECK_INT(igmpq_sched_due(&s, t + 2 * sec), 0);
}

int main(void)
{
	RUN(schedule);
	RUN(defaults);
	RUN(messages);
	RUN(sources);
	RUN(v3_checks);
	return unit_done();
}
