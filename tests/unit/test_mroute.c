/* test_mroute.c - the mroute parsers without a kernel: NOCACHE upcalls,
 * /proc VIF lines, rtnetlink MFC and VIF dump messages (well-formed,
 * truncated, hostile), (*,G) templates and the command grammar. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/err.h"
#include "mroute/hold.h"
#include "mroute/kernel.h"
#include "mroute/cmd.h"
#include "unit.h"

/* --- a tiny netlink message builder --- */
struct msg {
	unsigned char b[1024];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += NLMSG_ALIGN(n);
}

static size_t attr(struct msg *m, int type, const void *p, size_t n)
{
	struct rtattr a = { .rta_len = RTA_LENGTH(n), .rta_type = type };
	size_t at = m->len;

	memcpy(m->b + m->len, &a, sizeof(a));
	if (n)
		memcpy(m->b + m->len + sizeof(a), p, n);
	m->len += RTA_ALIGN(a.rta_len);
	return at;
}

/* closes a nest opened at 'at' */
static void nest_end(struct msg *m, size_t at)
{
	struct rtattr *a = (void *)(m->b + at);

	a->rta_len = m->len - at;
}

static void route_msg(struct msg *m, int family, int proto, uint32_t table,
		      const void *src, const void *grp, int alen, int iif)
{
	struct nlmsghdr nh = { .nlmsg_type = RTM_NEWROUTE };
	struct rtmsg rtm = { .rtm_family = family, .rtm_protocol = proto,
			     .rtm_table = table < 256 ? table : 252 };
	struct rtnexthop nhx[2] = {
		{ .rtnh_len = sizeof(nhx[0]), .rtnh_hops = 1, .rtnh_ifindex = 7 },
		{ .rtnh_len = sizeof(nhx[0]), .rtnh_hops = 4, .rtnh_ifindex = 9 },
	};
	struct rta_mfc_stats st = { .mfcs_packets = 10, .mfcs_bytes = 480,
				    .mfcs_wrong_if = 2 };

	memset(m, 0, sizeof(*m));
	put(m, &nh, sizeof(nh));
	put(m, &rtm, sizeof(rtm));
	attr(m, RTA_TABLE, &table, 4);
	if (src)
		attr(m, RTA_SRC, src, alen);
	attr(m, RTA_DST, grp, alen);
	if (iif)
		attr(m, RTA_IIF, &iif, 4);
	attr(m, RTA_MULTIPATH, nhx, sizeof(nhx));
	attr(m, RTA_MFC_STATS, &st, sizeof(st));
	((struct nlmsghdr *)m->b)->nlmsg_len = m->len;
}

TEST(route_v4)
{
	struct in_addr s, g;
	struct mr_route r;
	struct msg m;

	inet_pton(AF_INET, "198.18.1.1", &s);
	inet_pton(AF_INET, "239.1.2.3", &g);
	route_msg(&m, RTNL_FAMILY_IPMR, RTPROT_STATIC, 253, &s, &g, 4, 3);
	CHECK_INT(mr_parse_route_msg(AF_INET, m.b, m.len, &r), 1);
	CHECK(r.src.v4.s_addr == s.s_addr && r.grp.v4.s_addr == g.s_addr);
	CHECK_INT(r.iif, 3);
	CHECK_INT(r.noifs, 2);
	CHECK_INT(r.oif[1], 9);
	CHECK_INT(r.ttl[1], 4);
	CHECK_INT(r.pkts, 10);
	CHECK_INT(r.bytes, 480);
	CHECK_INT(r.wrong_if, 2);
	CHECK_INT(r.table, 253);
	CHECK_INT(r.is_static, 1);
	/* the owner's entry, and one of the other family */
	route_msg(&m, RTNL_FAMILY_IPMR, RTPROT_MROUTED, 253, &s, &g, 4, 3);
	CHECK_INT(mr_parse_route_msg(AF_INET, m.b, m.len, &r), 1);
	CHECK_INT(r.is_static, 0);
	CHECK_INT(mr_parse_route_msg(AF_INET6, m.b, m.len, &r), 0);
	/* (*,G): no RTA_SRC; a table id above 255 */
	route_msg(&m, RTNL_FAMILY_IPMR, RTPROT_STATIC, 100000, NULL, &g, 4, 3);
	CHECK_INT(mr_parse_route_msg(AF_INET, m.b, m.len, &r), 1);
	CHECK(mr_addr_is_any(AF_INET, &r.src));
	CHECK_INT(r.table, 100000);
}

TEST(route_v6_and_unresolved)
{
	struct in6_addr s, g;
	struct mr_route r;
	struct msg m;

	inet_pton(AF_INET6, "2001:db8:1::1", &s);
	inet_pton(AF_INET6, "ff0e::1:3", &g);
	route_msg(&m, RTNL_FAMILY_IP6MR, RTPROT_STATIC, 254, &s, &g, 16, 5);
	CHECK_INT(mr_parse_route_msg(AF_INET6, m.b, m.len, &r), 1);
	CHECK(!memcmp(&r.grp.v6, &g, 16));
	CHECK_INT(r.iif, 5);
	/* an IPv4-sized address in an IPv6 message is malformed */
	route_msg(&m, RTNL_FAMILY_IP6MR, RTPROT_STATIC, 254, &s, &g, 4, 5);
	CHECK_INT(mr_parse_route_msg(AF_INET6, m.b, m.len, &r), -1);
	/* unresolved entries are skipped */
	route_msg(&m, RTNL_FAMILY_IP6MR, RTPROT_STATIC, 254, &s, &g, 16, 5);
	((struct rtmsg *)NLMSG_DATA((struct nlmsghdr *)m.b))->rtm_flags =
		RTNH_F_UNRESOLVED;
	CHECK_INT(mr_parse_route_msg(AF_INET6, m.b, m.len, &r), 0);
}

TEST(route_hostile)
{
	struct in_addr s, g;
	struct mr_route r;
	struct msg m;
	size_t cut;

	inet_pton(AF_INET, "198.18.1.1", &s);
	inet_pton(AF_INET, "239.1.2.3", &g);
	route_msg(&m, RTNL_FAMILY_IPMR, RTPROT_STATIC, 253, &s, &g, 4, 3);
	/* every truncation: never a crash, never beyond len */
	for (cut = 0; cut < m.len; cut++) {
		struct nlmsghdr *nh = (void *)m.b;
		unsigned char copy[1024];

		memcpy(copy, m.b, m.len);
		nh = (void *)copy;
		nh->nlmsg_len = cut;
		mr_parse_route_msg(AF_INET, copy, cut, &r);
		nh->nlmsg_len = m.len;	/* lies about its length */
		CHECK_INT(mr_parse_route_msg(AF_INET, copy, cut, &r),
			  cut < NLMSG_LENGTH(sizeof(struct rtmsg)) ||
			  cut < m.len ? -1 : 1);
	}
	/* a nexthop claiming more than its attribute holds */
	route_msg(&m, RTNL_FAMILY_IPMR, RTPROT_STATIC, 253, &s, &g, 4, 3);
	for (size_t off = NLMSG_LENGTH(sizeof(struct rtmsg)); off < m.len;) {
		struct rtattr *a = (void *)(m.b + off);

		if (a->rta_type == RTA_MULTIPATH)
			((struct rtnexthop *)RTA_DATA(a))->rtnh_len = 200;
		off += RTA_ALIGN(a->rta_len);
	}
	CHECK_INT(mr_parse_route_msg(AF_INET, m.b, m.len, &r), -1);
}

static void vif_msg(struct msg *m, uint32_t table, int nvif, int bad_id)
{
	struct nlmsghdr nh = { .nlmsg_type = RTM_NEWLINK };
	struct ifinfomsg ifi = { .ifi_family = RTNL_FAMILY_IPMR };
	size_t spec, vifs, v;
	int i;

	memset(m, 0, sizeof(*m));
	put(m, &nh, sizeof(nh));
	put(m, &ifi, sizeof(ifi));
	spec = attr(m, IFLA_AF_SPEC, NULL, 0);
	attr(m, IPMRA_TABLE_ID, &table, 4);
	vifs = attr(m, IPMRA_TABLE_VIFS, NULL, 0);
	for (i = 0; i < nvif; i++) {
		uint32_t ifindex = 10 + i, id = bad_id ? 40 : i;
		uint16_t flags = 0x8008;
		uint64_t pk = 100 + i;

		v = attr(m, IPMRA_VIF, NULL, 0);
		attr(m, IPMRA_VIFA_IFINDEX, &ifindex, 4);
		attr(m, IPMRA_VIFA_VIF_ID, &id, 4);
		attr(m, IPMRA_VIFA_FLAGS, &flags, 2);
		attr(m, IPMRA_VIFA_PACKETS_IN, &pk, 8);
		nest_end(m, v);
	}
	nest_end(m, vifs);
	nest_end(m, spec);
	((struct nlmsghdr *)m->b)->nlmsg_len = m->len;
}

TEST(vif_dump)
{
	struct mr_vif v[MR_MAXVIFS];
	struct msg m;
	int n = 0;

	vif_msg(&m, 253, 3, 0);
	CHECK_INT(mr_parse_vif_msg(m.b, m.len, 253, v, &n), 1);
	CHECK_INT(n, 3);
	CHECK_INT(v[2].vif, 2);
	CHECK_INT(v[2].ifindex, 12);
	CHECK_INT(v[2].flags, 0x8008);
	CHECK_INT(v[2].pkts_in, 102);
	n = 0;
	CHECK_INT(mr_parse_vif_msg(m.b, m.len, 10, v, &n), 0);
	CHECK_INT(n, 0);
	vif_msg(&m, 253, 1, 1);		/* VIF id beyond MAXVIFS */
	CHECK_INT(mr_parse_vif_msg(m.b, m.len, 253, v, &n), -1);
	/* more VIFs than slots: capped */
	n = MR_MAXVIFS - 1;
	vif_msg(&m, 253, 3, 0);
	CHECK_INT(mr_parse_vif_msg(m.b, m.len, 253, v, &n), 1);
	CHECK_INT(n, MR_MAXVIFS);
}

TEST(upcall)
{
	unsigned char buf[64] = { 0 };
	struct igmpmsg im = { .im_msgtype = IGMPMSG_NOCACHE, .im_vif = 2 };
	struct mrt6msg m6 = { .im6_msgtype = MRT6MSG_NOCACHE, .im6_mif = 3 };
	struct mr_upcall u;

	inet_pton(AF_INET, "198.18.1.1", &im.im_src);
	inet_pton(AF_INET, "239.1.2.3", &im.im_dst);
	memcpy(buf, &im, sizeof(im));
	CHECK_INT(mr_upcall_parse(AF_INET, buf, sizeof(im), &u), 1);
	CHECK_INT(u.type, MR_UPCALL_NOCACHE);
	CHECK_INT(u.vif, 2);
	CHECK(u.grp.v4.s_addr == im.im_dst.s_addr);
	CHECK_INT(mr_upcall_parse(AF_INET, buf, 12, &u), -1);
	/* a real IGMP packet: IP header with protocol 2 */
	buf[0] = 0x45;
	buf[9] = IPPROTO_IGMP;
	CHECK_INT(mr_upcall_parse(AF_INET, buf, 28, &u), 0);
	CHECK_INT(mr_upcall_parse(AF_INET, buf, 3, &u), 0);

	inet_pton(AF_INET6, "ff0e::1:3", &m6.im6_dst);
	memcpy(buf, &m6, sizeof(m6));
	CHECK_INT(mr_upcall_parse(AF_INET6, buf, sizeof(m6), &u), 1);
	CHECK_INT(u.vif, 3);
	CHECK_INT(mr_upcall_parse(AF_INET6, buf, sizeof(m6) - 1, &u), -1);
	buf[0] = 130;			/* an MLD query */
	CHECK_INT(mr_upcall_parse(AF_INET6, buf, sizeof(m6), &u), 0);
	CHECK_INT(mr_upcall_parse(AF_INET6, buf, 0, &u), 0);
}

TEST(proc_vif)
{
	struct mr_vif v;

	CHECK_INT(mr_parse_proc_vif("Interface      BytesIn  PktsIn  BytesOut "
				    "PktsOut Flags Local    Remote\n", &v), 0);
	CHECK_INT(mr_parse_proc_vif(" 1 eth1              0       0       320"
				    "      10 08008 00000003 00000000\n", &v), 1);
	CHECK_INT(v.vif, 1);
	CHECK_STR(v.ifname, "eth1");
	CHECK_INT(v.pkts_out, 10);
	CHECK_INT(v.flags, 0x8008);
	CHECK_INT(mr_parse_proc_vif(" 1 eth1 0 0\n", &v), -1);
	CHECK_INT(mr_parse_proc_vif("99 eth1 0 0 0 0 0\n", &v), -1);
	CHECK_INT(mr_parse_proc_vif(" 1 averyveryverylongname 0 0 0 0 0\n", &v),
		  -1);
}

TEST(templates)
{
	struct mrh_tmpl t[3];
	struct mr_upcall u = { .vif = 0 };
	char buf[256];

	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0/16 1:1,2:4", &t[0]), 0);
	CHECK_INT(t[0].plen, 16);
	CHECK_INT(t[0].ttls[2], 4);
	CHECK_INT(mrh_tmpl_format(AF_INET, &t[0], buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0 239.2.0.0/16 1:1,2:4");
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.3.0/24 3:1", &t[1]), 0);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "1 239.0.0.0/8 3:1", &t[2]), 0);
	inet_pton(AF_INET, "239.2.3.4", &u.grp);
	CHECK_INT(mrh_match(AF_INET, t, 3, &u), 1);	/* longest prefix */
	inet_pton(AF_INET, "239.2.9.4", &u.grp);
	CHECK_INT(mrh_match(AF_INET, t, 3, &u), 0);
	u.vif = 1;
	CHECK_INT(mrh_match(AF_INET, t, 3, &u), 2);	/* by inbound VIF */
	u.vif = 5;
	CHECK_INT(mrh_match(AF_INET, t, 3, &u), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET6, "0 ff0e::/16 1:1", &t[0]), 0);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0/33 1:1", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0 1:1", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "32 239.2.0.0/16 1:1", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0/16 40:1", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0/16 1:0", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "0 239.2.0.0/16 x", &t[0]), -1);
	CHECK_INT(mrh_tmpl_parse(AF_INET, "", &t[0]), -1);
}

static int parse(const char *line, int fam, struct mr_cmd *c)
{
	char buf[512], *argv[64], *p, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	return mrc_parse(argc, argv, fam, c);
}

TEST(grammar)
{
	struct mr_cmd c;

	CHECK_INT(parse("add eth0 198.18.1.1 239.1.2.3 eth1 eth2/4", 0, &c), 0);
	CHECK_INT(c.op, MRC_ADD);
	CHECK_INT(c.family, AF_INET);
	CHECK_INT(c.has_src, 1);
	CHECK_INT(c.plen, 32);
	CHECK_INT(c.noifs, 2);
	CHECK_STR(c.oif[1], "eth2");
	CHECK_INT(c.ttl[1], 4);
	/* (*,G) forms */
	CHECK_INT(parse("add eth0 239.1.2.3 eth1", 0, &c), 0);
	CHECK_INT(c.has_src, 0);
	CHECK_INT(parse("add eth0 239.2.0.0/16 eth1 eth2", 0, &c), 0);
	CHECK_INT(c.plen, 16);
	CHECK_INT(c.noifs, 2);
	CHECK_INT(parse("del eth0 ff0e::1:3", 0, &c), 0);
	CHECK_INT(c.family, AF_INET6);
	CHECK_INT(parse("remove eth0 2001:db8::1 ff0e::1:3", 0, &c), 0);
	CHECK_INT(c.op, MRC_DEL);
	CHECK_INT(parse("join eth1 198.18.1.1,232.1.1.1", 0, &c), 0);
	CHECK_INT(c.op, MRC_JOIN);
	CHECK_INT(parse("join eth1 198.18.1.1 232.1.1.1", 0, &c), 0);
	CHECK_INT(c.g.source.ss_family, AF_INET);
	CHECK_INT(parse("show", AF_INET6, &c), 0);
	CHECK_INT(c.family, AF_INET6);
	/* errors name the word */
	CHECK_INT(parse("add eth0 198.18.1.1 10.0.0.1 eth1", 0, &c), -1);
	CHECK_STR(err_str(), "bad group '10.0.0.1'");
	CHECK_INT(parse("add eth0 239.0.0.1 198.18.1.1 eth1", 0, &c), -1);
	CHECK_INT(parse("add eth0 198.18.1.1 ff0e::1 eth1", 0, &c), -1);
	CHECK_INT(parse("add eth0 198.18.1.1 239.1.1.1/24 eth1", 0, &c), -1);
	CHECK_INT(parse("add eth0 198.18.1.1 239.1.1.1 eth1/0", 0, &c), -1);
	CHECK_INT(parse("add eth0 198.18.1.1 239.1.1.1 eth1/256", 0, &c), -1);
	CHECK_INT(parse("add eth0 2001:db8::1 ff0e::1 eth1/2", 0, &c), -1);
	CHECK_INT(parse("add eth0 198.18.1.1 239.1.1.1 a2345678901234567", 0,
			&c), -1);
	CHECK_INT(parse("add eth0 239.1.1.1", 0, &c), -1);
	CHECK_INT(parse("add eth0 239.1.1.1 eth1", AF_INET6, &c), -1);
	CHECK_INT(parse("show me", 0, &c), -1);
	CHECK_INT(parse("frob", 0, &c), -1);
	CHECK_STR(err_str(), "unknown command 'frob'");
	CHECK_INT(mrc_parse(0, NULL, 0, &c), -1);
	/* every command the completions offer is one the grammar knows */
	char words[] = MRC_COMMANDS, *w, *save = NULL;

	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (mrc_parse(1, &w, 0, &c) < 0)
			CHECK(strncmp(err_str(), "unknown command", 15) != 0);
	}
}

/* mroute -b reads whole lines: a line over 4095 bytes is refused
 * with its number, and no tail of it ever runs as a command (issue 15
 * item 12: fgets split it, and "frobnicate" ran as line 2). Every line
 * here fails before any kernel call. */
static char batch_errs[4096];

static void batch_error(const char *msg)
{
	size_t n = strlen(batch_errs);

	snprintf(batch_errs + n, sizeof(batch_errs) - n, "%s\n", msg);
}

TEST(batch_lines)
{
	static char in[20000];
	struct mrc_ctx x;
	size_t n = 0;
	FILE *f;
	int words;

	/* 1: 4106 bytes, a comment whose tail would be a command */
	in[n++] = '#';
	memset(in + n, 'x', 4094);
	n += 4094;
	n += (size_t)sprintf(in + n, " frobnicate\n");
	/* 2, 3: a bad command, then a comment of exactly 4095 bytes */
	n += (size_t)sprintf(in + n, "bogus\n#");
	memset(in + n, 'y', 4095 - 1);
	n += 4095 - 1;
	/* 4: too many words; 5: CRLF; 6: a NUL byte; 7: no newline */
	n += (size_t)sprintf(in + n, "\nadd");
	for (words = 1; words <= 64; words++)
		n += (size_t)sprintf(in + n, " w");
	n += (size_t)sprintf(in + n, "\nfrob5\r\nfrob6");
	in[n++] = 0;
	n += (size_t)sprintf(in + n, "x\nfrob7");
	f = fmemopen(in, n, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	batch_errs[0] = 0;
	mrc_init(&x, 0);
	CHECK_INT(mrc_batch(&x, f, "b", 0, batch_error), 2);
	fclose(f);
	CHECK_STR(batch_errs, "b:1: line longer than 4095 bytes\n"
			      "b:2: unknown command 'bogus'\n"
			      "b:4: more than 64 words\n"
			      "b:5: unknown command 'frob5'\n"
			      "b:6: NUL byte in the line\n"
			      "b:7: unknown command 'frob7'\n");
}

/* What mroute says on a kernel without routing or without tables: the
 * tables case cannot be met on a host kernel that lacks routing. */
TEST(kernel_support_lines)
{
	CHECK_INT(mr_support_err(AF_INET, MR_NO_ROUTING), -1);
	CHECK_STR(err_str(), "this kernel has no IPv4 multicast routing "
		  "(CONFIG_IP_MROUTE is not set)");
	mr_support_err(AF_INET6, MR_NO_ROUTING);
	CHECK_STR(err_str(), "this kernel has no IPv6 multicast routing "
		  "(CONFIG_IPV6_MROUTE is not set)");
	mr_support_err(0, MR_NO_ROUTING);
	CHECK_STR(err_str(), "this kernel has no multicast routing "
		  "(CONFIG_IP_MROUTE and CONFIG_IPV6_MROUTE are not set)");
	mr_support_err(AF_INET, MR_NO_TABLES);
	CHECK_STR(err_str(), "this kernel has only the default IPv4 "
		  "multicast routing table "
		  "(CONFIG_IP_MROUTE_MULTIPLE_TABLES is not set)");
	mr_support_err(AF_INET6, MR_NO_TABLES);
	CHECK_STR(err_str(), "this kernel has only the default IPv6 "
		  "multicast routing table "
		  "(CONFIG_IPV6_MROUTE_MULTIPLE_TABLES is not set)");
	mr_support_err(0, MR_NO_TABLES);
	CHECK_STR(err_str(), "this kernel has only the default multicast "
		  "routing tables (CONFIG_IP_MROUTE_MULTIPLE_TABLES and "
		  "CONFIG_IPV6_MROUTE_MULTIPLE_TABLES are not set)");
	CHECK(mr_support_option(AF_INET, MR_SUPPORTED) == NULL);
}

int main(void)
{
	RUN(route_v4);
	RUN(route_v6_and_unresolved);
	RUN(route_hostile);
	RUN(vif_dump);
	RUN(upcall);
	RUN(proc_vif);
	RUN(templates);
	RUN(grammar);
	RUN(batch_lines);
	RUN(kernel_support_lines);
	return unit_done();
}
