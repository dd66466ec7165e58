/* test_inet.c - the operand grammar: [SOURCE,]GROUP[:PORT], HOST[:PORT],
 * URLs, and the messages that name the bad value. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "base/err.h"
#include "net/inet.h"
#include "unit.h"

static const char *fmt(const struct sockaddr_storage *ss)
{
	static char buf[INET_FMTLEN];

	return inet_fmt(ss, buf, sizeof(buf));
}

TEST(groups)
{
	struct mc_group g;
	char b[INET_FMTLEN];

	CHECK_INT(inet_parse_group("239.1.2.3:5000", 1234, &g), 0);
	CHECK_STR(fmt(&g.group), "239.1.2.3:5000");
	CHECK_INT(g.has_port, 1);
	CHECK_INT(g.source.ss_family, AF_UNSPEC);
	CHECK_INT(inet_parse_group("239.1.2.3", 1234, &g), 0);
	CHECK_STR(fmt(&g.group), "239.1.2.3:1234");
	CHECK_INT(g.has_port, 0);
	CHECK_INT(inet_parse_group("198.18.0.1,232.1.1.1:4000", -1, &g), 0);
	CHECK_STR(inet_ntop_ss(&g.source, b, sizeof(b)), "198.18.0.1");
	CHECK_STR(fmt(&g.group), "232.1.1.1:4000");
	CHECK_INT(inet_parse_group("[ff3e::1234]:5000", 0, &g), 0);
	CHECK_INT(g.family, AF_INET6);
	CHECK_STR(fmt(&g.group), "[ff3e::1234]:5000");
	CHECK_INT(inet_parse_group("ff02::1", 9, &g), 0);
	CHECK_STR(fmt(&g.group), "[ff02::1]:9");
	CHECK_INT(inet_parse_group("2001:db8::1,[ff3e::1]:7", 0, &g), 0);
	CHECK_INT(inet_parse_group("[2001:db8::1],ff3e::1", 7, &g), 0);
	CHECK_STR(inet_ntop_ss(&g.source, b, sizeof(b)), "2001:db8::1");
}

TEST(group_errors)
{
	struct mc_group g;

	CHECK_INT(inet_parse_group("10.1.2.3:5000", 0, &g), -1);
	CHECK_STR(err_str(), "'10.1.2.3' is not a multicast address");
	CHECK_INT(inet_parse_group("239.1.1.1:70000", 0, &g), -1);
	CHECK_STR(err_str(), "bad port '70000' in '239.1.1.1:70000'");
	CHECK_INT(inet_parse_group("239.1.1.1:0", 0, &g), -1);
	CHECK_INT(inet_parse_group("239.1.1.1", -1, &g), -1);
	CHECK_STR(err_str(), "no port in '239.1.1.1' (GROUP:PORT)");
	CHECK_INT(inet_parse_group("bogus", 1, &g), -1);
	CHECK_STR(err_str(), "bad group 'bogus'");
	CHECK_INT(inet_parse_group("198.18.0.1,ff3e::1", 1, &g), -1);
	CHECK_INT(inet_parse_group("239.1.1.2,239.1.1.1", 1, &g), -1);
	CHECK_STR(err_str(), "source '239.1.1.2' is a multicast address");
	CHECK_INT(inet_parse_group(",239.1.1.1", 1, &g), -1);
	CHECK_INT(inet_parse_group("[ff3e::1", 1, &g), -1);
	CHECK_INT(inet_parse_group("[ff3e::1]x", 1, &g), -1);
	CHECK_INT(inet_parse_group("", 1, &g), -1);
}

TEST(hostport)
{
	struct sockaddr_storage ss;

	CHECK_INT(inet_parse_hostport("198.18.0.1", 69, AF_UNSPEC, &ss), 0);
	CHECK_STR(fmt(&ss), "198.18.0.1:69");
	CHECK_INT(inet_parse_hostport("198.18.0.1:1069", 69, AF_UNSPEC, &ss), 0);
	CHECK_STR(fmt(&ss), "198.18.0.1:1069");
	CHECK_INT(inet_parse_hostport("[2001:db8::1]:10000", 69, AF_UNSPEC, &ss), 0);
	CHECK_STR(fmt(&ss), "[2001:db8::1]:10000");
	CHECK_INT(inet_parse_hostport("2001:db8::2", 69, AF_UNSPEC, &ss), 0);
	CHECK_STR(fmt(&ss), "[2001:db8::2]:69");
	CHECK_INT(inet_parse_hostport("localhost:x", 69, AF_UNSPEC, &ss), -1);
	CHECK_STR(err_str(), "bad port 'x' in 'localhost:x'");
	CHECK_INT(inet_parse_port("65535", 0), 65535);
	CHECK_INT(inet_parse_port("0", 0), -1);
	CHECK_INT(inet_parse_port("0", 1), 0);
	CHECK_INT(inet_parse_port("+1", 1), -1);
}

TEST(urls)
{
	char *buf, *scheme, *auth, *path;

	CHECK_INT(inet_split_url("x-slam://198.18.0.1:10000/239.255.1.1:10000",
				 &buf, &scheme, &auth, &path), 0);
	CHECK_STR(scheme, "x-slam");
	CHECK_STR(auth, "198.18.0.1:10000");
	CHECK_STR(path, "239.255.1.1:10000");
	free(buf);
	CHECK_INT(inet_split_url("tftp://[2001:db8::1]/boot/pxe.0", &buf,
				 &scheme, &auth, &path), 0);
	CHECK_STR(auth, "[2001:db8::1]");
	CHECK_STR(path, "boot/pxe.0");
	free(buf);
	CHECK_INT(inet_split_url("x-tftm://server", &buf, &scheme, &auth,
				 &path), 0);
	CHECK_STR(path, "");
	free(buf);
	CHECK_INT(inet_split_url("server/file", &buf, &scheme, &auth, &path), -1);
	CHECK_INT(inet_split_url("://x", &buf, &scheme, &auth, &path), -1);
	CHECK_INT(inet_split_url("a b://x", &buf, &scheme, &auth, &path), -1);
}

TEST(ifaces)
{
	char name[64];

	CHECK_INT(inet_ifindex("lo"), 1);
	CHECK_INT(inet_ifindex("1"), 1);
	CHECK_STR(inet_ifname(1, name), "lo");
	CHECK_INT(inet_ifindex("nosuchif0"), -1);
	CHECK_STR(err_str(), "no interface 'nosuchif0'");
	CHECK_INT(inet_ifindex("99999"), -1);
	CHECK_INT(inet_ifindex(""), -1);
}

int main(void)
{
	RUN(groups);
	RUN(group_errors);
	RUN(hostport);
	RUN(urls);
	RUN(ifaces);
	return unit_done();
}
