/* test_mac.c - group <-> MAC mapping (RFC 1112, RFC 2464), MAC spellings,
 * the 32 aliases, CIDR ranges and scopes. */
#include <arpa/inet.h>

#include "net/mac.h"
#include "unit.h"

static const char *map(const char *s)
{
	static char buf[MAC_STRLEN];
	struct mac_group g;
	uint8_t mac[6];

	if (mac_parse_group(s, &g))
		return "ERR";
	mac_of_group(&g, mac);
	return mac_format(mac, buf);
}

TEST(forward)
{
	CHECK_STR(map("224.0.0.1"), "01:00:5e:00:00:01");
	CHECK_STR(map("239.255.255.250"), "01:00:5e:7f:ff:fa");
	CHECK_STR(map("239.128.0.1"), "01:00:5e:00:00:01");
	CHECK_STR(map("225.129.2.3"), "01:00:5e:01:02:03");
	CHECK_STR(map("ff02::1"), "33:33:00:00:00:01");
	CHECK_STR(map("ff02::1:ff12:3456"), "33:33:ff:12:34:56");
	CHECK_STR(map("10.0.0.1"), "ERR");
	CHECK_STR(map("240.0.0.1"), "ERR");
	CHECK_STR(map("fe80::1"), "ERR");
	CHECK_STR(map("239.1.1"), "ERR");
}

TEST(reverse)
{
	uint8_t mac[6];
	struct in_addr all[32];
	struct mac_group g = { .family = 4 };
	char s[32];

	CHECK_INT(mac_parse("01:00:5e:01:02:03", mac), 0);
	CHECK_INT(mac_v4_groups(mac, all), 32);
	for (int k = 0; k < 32; k++) {
		uint8_t back[6];

		g.v4 = all[k];
		mac_of_group(&g, back);
		CHECK_MEM(back, mac, 6);
		if (k > 0)
			CHECK(ntohl(all[k].s_addr) > ntohl(all[k - 1].s_addr));
	}
	g.v4 = all[0];
	CHECK_STR(mac_group_str(&g, s, sizeof(s)), "224.1.2.3");
	g.v4 = all[31];
	CHECK_STR(mac_group_str(&g, s, sizeof(s)), "239.129.2.3");
	CHECK_INT(mac_parse("01:00:5e:80:00:00", mac), 0);
	CHECK_INT(mac_v4_groups(mac, all), 0);
	CHECK_INT(mac_parse("0100.5e01.0203", mac), 0);
	CHECK_INT(mac_parse("01-00-5E-01-02-03", mac), 0);
	CHECK_INT(mac_parse("01005e010203", mac), 0);
	CHECK_INT(mac_parse("01:00-5e:01:02:03", mac), -1);
	CHECK_INT(mac_parse("01:00:5e:01:02", mac), -1);
	CHECK_INT(mac_parse("01:00:5g:01:02:03", mac), -1);
	CHECK_INT(mac_parse("33:33:00:00:00:01", mac), 0);
	CHECK_INT(mac_is_v6(mac), 1);
}

TEST(cidr)
{
	struct mac_group first, g;
	uint64_t n;
	char s[64];

	CHECK_INT(mac_parse_cidr("239.1.1.0/28", &first, &n, 65536), 0);
	CHECK_INT(n, 16);
	mac_group_add(&first, 15, &g);
	CHECK_STR(mac_group_str(&g, s, sizeof(s)), "239.1.1.15");
	CHECK_INT(mac_parse_cidr("ff15::ff/120", &first, &n, 65536), 0);
	CHECK_INT(n, 256);
	mac_group_add(&first, 255, &g);
	CHECK_STR(mac_group_str(&g, s, sizeof(s)), "ff15::ff");
	CHECK_INT(mac_parse_cidr("ff15::ff00/104", &first, &n, 1 << 24), 0);
	mac_group_add(&first, 0x10203, &g);
	CHECK_STR(mac_group_str(&g, s, sizeof(s)), "ff15::1:203");
	CHECK_INT(mac_parse_cidr("239.0.0.0/8", &first, &n, 65536), -3);
	CHECK_INT(mac_parse_cidr("0.0.0.0/0", &first, &n, 65536), -2);
	CHECK_INT(mac_parse_cidr("239.0.0.0/x", &first, &n, 65536), -1);
	CHECK_INT(mac_parse_cidr("239.0.0.0/-1", &first, &n, 65536), -1);
	CHECK_INT(mac_parse_cidr("ff00::/0", &first, &n, 65536), -2);
}

TEST(scopes)
{
	struct mac_group g;
	const char *desc, *name;

	mac_parse_group("224.0.0.22", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "link-local");
	CHECK_STR(name, "IGMPv3 reports");
	mac_parse_group("232.0.0.1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "ssm");
	mac_parse_group("233.252.0.1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "ad-hoc");
	mac_parse_group("233.251.0.1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "glop");
	mac_parse_group("225.1.1.1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "global");
	CHECK(name == NULL);
	mac_parse_group("ff3e::8000:1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "ssm");
	mac_parse_group("ff08::1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "organization-local");
	mac_parse_group("ff02::16", &g);
	mac_scope(&g, &desc, &name);
	CHECK_STR(name, "MLDv2 reports");
	mac_parse_group("ff0f::1", &g);
	CHECK_STR(mac_scope(&g, &desc, &name), "reserved-scope");
}

int main(void)
{
	RUN(forward);
	RUN(reverse);
	RUN(cidr);
	RUN(scopes);
	return unit_done();
}
