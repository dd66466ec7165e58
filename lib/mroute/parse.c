/* parse.c - mroute's parsers, free of I/O so that they are unit-tested
 * and fuzzed: NOCACHE upcalls (struct igmpmsg, struct mrt6msg), the
 * /proc/net/ip*_mr_vif tables, rtnetlink RTNL_FAMILY_IPMR/IP6MR dumps. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "mroute/parse.h"

int mr_addr_is_any(int family, const union mr_addr *a)
{
	static const union mr_addr zero;

	return !memcmp(a, &zero, mr_alen(family));
}

int mr_addr_eq(int family, const union mr_addr *a, const union mr_addr *b)
{
	return !memcmp(a, b, mr_alen(family));
}

int mr_addr_in(int family, const union mr_addr *a, const union mr_addr *p,
	       int plen)
{
	const unsigned char *x = (const void *)a, *y = (const void *)p;
	int full = plen / 8, rest = plen % 8;

	if (plen < 0 || (size_t)plen > mr_alen(family) * 8)
		return 0;
	if (memcmp(x, y, full))
		return 0;
	if (rest) {
		unsigned char mask = 0xff << (8 - rest);

		if ((x[full] & mask) != (y[full] & mask))
			return 0;
	}
	return 1;
}

const char *mr_ntop(int family, const union mr_addr *a, char *buf,
		    size_t len)
{
	if (!inet_ntop(family, a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* --- parsers --- */

int mr_upcall_parse(int family, const void *buf, size_t len,
		    struct mr_upcall *u)
{
	const unsigned char *p = buf;

	memset(u, 0, sizeof(*u));
	if (family == AF_INET6) {
		struct mrt6msg msg;

		/* real ICMPv6 starts with a non-zero type */
		if (len < 1 || p[0] != 0)
			return 0;
		if (len < sizeof(msg))
			return -1;
		memcpy(&msg, buf, sizeof(msg));
		u->type = msg.im6_msgtype;
		u->vif = msg.im6_mif;
		u->src.v6 = msg.im6_src;
		u->grp.v6 = msg.im6_dst;
		return 1;
	} else {
		struct igmpmsg msg;

		/* im_mbz sits where a real IP header has its protocol (2) */
		if (len < 10 || p[9] != 0)
			return 0;
		if (len < sizeof(msg))
			return -1;
		memcpy(&msg, buf, sizeof(msg));
		u->type = msg.im_msgtype;
		u->vif = msg.im_vif | (msg.im_vif_hi << 8);
		u->src.v4 = msg.im_src;
		u->grp.v4 = msg.im_dst;
		return 1;
	}
}

int mr_parse_proc_vif(const char *line, struct mr_vif *v)
{
	unsigned long long bi, pi, bo, po;
	unsigned flags;
	int vif, n;
	char name[64];

	memset(v, 0, sizeof(*v));
	n = sscanf(line, "%d %63s %llu %llu %llu %llu %x", &vif, name, &bi, &pi,
		   &bo, &po, &flags);
	if (n <= 0)
		return 0;		/* heading "Interface ..." */
	if (n != 7 || vif < 0 || vif >= MR_MAXVIFS ||
	    strlen(name) >= IF_NAMESIZE)
		return -1;
	v->vif = vif;
	memcpy(v->ifname, name, strlen(name) + 1);
	v->bytes_in = bi;
	v->pkts_in = pi;
	v->bytes_out = bo;
	v->pkts_out = po;
	v->flags = flags;
	return 1;
}

/* Walks the attributes in [p, p + len): calls fn for each complete one. */
#define FOR_RTA(rta, p, len)                                                \
	for (struct rtattr *rta = (struct rtattr *)(p);                     \
	     (len) >= (int)sizeof(struct rtattr) &&                         \
	     rta->rta_len >= sizeof(struct rtattr) &&                       \
	     rta->rta_len <= (unsigned)(len);                               \
	     (len) -= RTA_ALIGN(rta->rta_len),                              \
	     rta = (struct rtattr *)((char *)rta + RTA_ALIGN(rta->rta_len)))

static uint64_t get_u64(const struct rtattr *a)
{
	uint64_t v = 0;

	if (RTA_PAYLOAD(a) >= 8)
		memcpy(&v, RTA_DATA(a), 8);
	else if (RTA_PAYLOAD(a) >= 4) {
		uint32_t w;

		memcpy(&w, RTA_DATA(a), 4);
		v = w;
	}
	return v;
}

static uint32_t get_u32(const struct rtattr *a)
{
	uint32_t v = 0;

	if (RTA_PAYLOAD(a) >= 4)
		memcpy(&v, RTA_DATA(a), 4);
	else if (RTA_PAYLOAD(a) >= 2) {
		uint16_t w;

		memcpy(&w, RTA_DATA(a), 2);
		v = w;
	}
	return v;
}

int mr_parse_route_msg(int family, const void *msg, size_t len,
		       struct mr_route *r)
{
	const struct nlmsghdr *nh = msg;
	struct rtmsg rtm;
	int want = family == AF_INET6 ? RTNL_FAMILY_IP6MR : RTNL_FAMILY_IPMR;
	size_t al = mr_alen(family);
	int left;

	memset(r, 0, sizeof(*r));
	if (len < NLMSG_LENGTH(sizeof(rtm)) || nh->nlmsg_len > len ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(rtm)))
		return -1;
	if (nh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	memcpy(&rtm, NLMSG_DATA(nh), sizeof(rtm));
	if (rtm.rtm_family != want)
		return 0;
	r->table = rtm.rtm_table;
	r->is_static = rtm.rtm_protocol != RTPROT_MROUTED;
	if (rtm.rtm_flags & RTNH_F_UNRESOLVED)
		return 0;		/* waiting for its upcall's answer */
	left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(rtm));
	left = left > 0 ? left : 0;
	/* attributes begin at the aligned end of struct rtmsg */
	FOR_RTA(a, (const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(rtm)),
		left) {
		switch (a->rta_type) {
		case RTA_TABLE:
			r->table = get_u32(a);
			break;
		case RTA_SRC:
			if (RTA_PAYLOAD(a) != al)
				return -1;
			memcpy(&r->src, RTA_DATA(a), al);
			break;
		case RTA_DST:
			if (RTA_PAYLOAD(a) != al)
				return -1;
			memcpy(&r->grp, RTA_DATA(a), al);
			break;
		case RTA_IIF:
			r->iif = get_u32(a);
			break;
		case RTA_MULTIPATH: {
			const char *p = RTA_DATA(a);
			int n = RTA_PAYLOAD(a);

			while (n >= (int)sizeof(struct rtnexthop)) {
				struct rtnexthop nhop;

				memcpy(&nhop, p, sizeof(nhop));
				if (nhop.rtnh_len < sizeof(nhop) ||
				    nhop.rtnh_len > n)
					return -1;
				if (r->noifs < MR_MAXVIFS) {
					r->oif[r->noifs] = nhop.rtnh_ifindex;
					r->ttl[r->noifs] = nhop.rtnh_hops;
					r->noifs++;
				}
				n -= RTNH_ALIGN(nhop.rtnh_len);
				p += RTNH_ALIGN(nhop.rtnh_len);
			}
			break;
		}
		case RTA_MFC_STATS: {
			struct rta_mfc_stats st;

			if (RTA_PAYLOAD(a) < sizeof(st))
				return -1;
			memcpy(&st, RTA_DATA(a), sizeof(st));
			r->pkts = st.mfcs_packets;
			r->bytes = st.mfcs_bytes;
			r->wrong_if = st.mfcs_wrong_if;
			break;
		}
		}
	}
	/* no RTA_IIF: the inbound VIF was deleted under the entry */
	return 1;
}

static void parse_one_vif(const struct rtattr *vifattr, struct mr_vif *v)
{
	int left = RTA_PAYLOAD(vifattr);

	memset(v, 0, sizeof(*v));
	v->vif = -1;
	FOR_RTA(a, RTA_DATA(vifattr), left) {
		switch (a->rta_type) {
		case IPMRA_VIFA_IFINDEX:
			v->ifindex = get_u32(a);
			break;
		case IPMRA_VIFA_VIF_ID:
			v->vif = get_u32(a);
			break;
		case IPMRA_VIFA_FLAGS:
			v->flags = get_u32(a);
			break;
		case IPMRA_VIFA_BYTES_IN:
			v->bytes_in = get_u64(a);
			break;
		case IPMRA_VIFA_BYTES_OUT:
			v->bytes_out = get_u64(a);
			break;
		case IPMRA_VIFA_PACKETS_IN:
			v->pkts_in = get_u64(a);
			break;
		case IPMRA_VIFA_PACKETS_OUT:
			v->pkts_out = get_u64(a);
			break;
		}
	}
}

int mr_parse_vif_msg(const void *msg, size_t len, uint32_t table,
		     struct mr_vif *vifs, int *n)
{
	const struct nlmsghdr *nh = msg;
	const struct rtattr *vifs_attr = NULL;
	struct ifinfomsg ifi;
	uint32_t id = 0;
	int have_id = 0, left;

	if (len < NLMSG_LENGTH(sizeof(ifi)) || nh->nlmsg_len > len ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(ifi)))
		return -1;
	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	memcpy(&ifi, NLMSG_DATA(nh), sizeof(ifi));
	if (ifi.ifi_family != RTNL_FAMILY_IPMR)
		return 0;
	left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(ifi));
	left = left > 0 ? left : 0;
	/* the table's attributes sit in an IFLA_AF_SPEC nest */
	FOR_RTA(spec, (const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(ifi)),
		left) {
		int l = RTA_PAYLOAD(spec);

		if (spec->rta_type != IFLA_AF_SPEC)
			continue;
		FOR_RTA(a, RTA_DATA(spec), l) {
			if (a->rta_type == IPMRA_TABLE_ID) {
				id = get_u32(a);
				have_id = 1;
			} else if (a->rta_type == IPMRA_TABLE_VIFS) {
				vifs_attr = a;
			}
		}
	}
	if (!have_id || id != table)
		return 0;
	if (vifs_attr) {
		int l = RTA_PAYLOAD(vifs_attr);

		FOR_RTA(a, RTA_DATA(vifs_attr), l) {
			struct mr_vif v;

			if (a->rta_type != IPMRA_VIF)
				continue;
			parse_one_vif(a, &v);
			if (v.vif < 0 || v.vif >= MR_MAXVIFS)
				return -1;
			if (*n < MR_MAXVIFS)
				vifs[(*n)++] = v;
		}
	}
	return 1;
}

const char *mr_table_name(uint32_t table, char *buf, size_t len)
{
	if (table == MR_TABLE_DEFAULT)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%u", table);
	return buf;
}
