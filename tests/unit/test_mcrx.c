/* test_mcrx.c - mcrecv's operands x SSM sources (lib/mcrx) and mcsend's
 * probe buffers (lib/mctx), without sockets. */
#include <stdlib.h>

#include "base/err.h"
#include "probe/send.h"
#include "probe/recv.h"
#include "probe/stats.h"
#include "unit.h"

TEST(groups)
{
	char *ops[] = { "239.1.1.1", "10.0.0.9,232.1.1.1:6000", "ff3e::1" };
	const char *src[] = { "10.0.0.1", "10.0.0.2" };
	struct mc_group *gs;
	int n;

	n = mcrx_groups(ops, 2, src, 2, &gs);
	CHECK_INT(n, 3);	/* 239.1.1.1 x 2 sources, and 10.0.0.9's own */
	if (n == 3) {
		CHECK_INT(inet_port(&gs[0].group), SOCK_DEFAULT_PORT);
		CHECK(gs[0].source.ss_family == AF_INET);
		CHECK(!inet_same_addr(&gs[0].source, &gs[1].source));
		CHECK_INT(inet_port(&gs[2].group), 6000);
	}
	free(gs);
	n = mcrx_groups(ops, 3, NULL, 0, &gs);
	CHECK_INT(n, 3);
	free(gs);
	n = mcrx_groups(ops + 2, 1, src, 1, &gs);
	CHECK_INT(n, -1);
	CHECK_STR(err_str(), "source '10.0.0.1' and group 'ff3e::1' differ in "
		  "address family");
	free(gs);
	src[0] = "239.9.9.9";
	n = mcrx_groups(ops, 1, src, 1, &gs);
	CHECK_INT(n, -1);
	CHECK_STR(err_str(), "bad source '239.9.9.9'");
	free(gs);
}

TEST(probes)
{
	struct mctx t;
	struct probe_hdr h, h2;
	static const char line[] = "hello";

	CHECK_INT(mctx_init(&t, NULL, 0, 64, 1, 1, 7), 0);
	CHECK_INT(t.kmax, SOCK_BATCH);
	CHECK_INT(t.gso, 0);
	mctx_announce(&t, 5, 9, 1, 1000, 0);
	mctx_stamp(&t, 3, 41);
	CHECK_INT(probe_decode(t.iov[0].iov_base, 64, &h), 0);
	CHECK_INT(probe_decode(t.iov[2].iov_base, 64, &h2), 0);
	CHECK_INT(h.seq, 41);
	CHECK_INT(h2.seq, 43);
	CHECK_INT(h.id, h2.id);
	CHECK_INT(h.ttl, 7);
	CHECK_INT(h.version, 2);
	CHECK_INT(h.flags, PROBE_F_TIME);
	CHECK_INT(h.rate_mpps, 5000);
	CHECK_INT(h.count, 9);
	CHECK_INT(h.burst, 1);
	CHECK_INT(h.start_ns, 1000);
	CHECK_INT(h.stop_ns, 0);
	CHECK_INT(mctx_bytes(&t, 3), 192);
	mctx_free(&t);

	/* lines: one datagram a round, pointing at the caller's bytes */
	CHECK_INT(mctx_init(&t, NULL, 0, 1400, 0, 0, 1), 0);
	CHECK_INT(t.kmax, 1);
	mctx_payload(&t, line, 5);
	CHECK(t.iov[0].iov_base == line);
	CHECK_INT(mctx_bytes(&t, 1), 5);
	mctx_free(&t);
}

int main(void)
{
	RUN(groups);
	RUN(probes);
	return unit_done();
}
