/* parse.h - what the kernel's multicast routing API says, decoded without
 * I/O: the address, VIF, route and upcall types, NOCACHE/WRONGVIF upcalls,
 * /proc/net/ip*_mr_vif lines, rtnetlink RTNL_FAMILY_IPMR/IP6MR route and
 * link messages, and address and prefix helpers. Unit-tested and fuzzed. */
#ifndef MCBOX_MROUTE_PARSE_H
#define MCBOX_MROUTE_PARSE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef RTNL_FAMILY_IPMR
#define RTNL_FAMILY_IPMR 128
#endif
#ifndef RTNL_FAMILY_IP6MR
#define RTNL_FAMILY_IP6MR 129
#endif

/* Address length in bytes for AF_INET or AF_INET6. */
static inline size_t mr_alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

#define MR_MAXVIFS 32			/* MAXVIFS and MAXMIFS in the UAPI */
#define MR_TABLE_DEFAULT 253		/* RT_TABLE_DEFAULT: no MRT_TABLE */
#define MR_VIF_STATIC 0x8000		/* VIFF_STATIC: added by a non-owner */

/* An address of either family; which one is the caller's context. */
union mr_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct mr_vif {
	int vif;			/* slot, 0..MR_MAXVIFS-1 */
	int ifindex;			/* 0 when the device is gone */
	unsigned flags;			/* VIFF_*, MR_VIF_STATIC */
	uint64_t bytes_in, pkts_in, bytes_out, pkts_out;
	char ifname[IF_NAMESIZE];
};

struct mr_route {
	union mr_addr src;		/* all zero: (*,G) */
	union mr_addr grp;
	int iif;			/* ifindex of the inbound VIF's device;
				 * 0 when that VIF is gone */
	int noifs;
	int oif[MR_MAXVIFS];		/* ifindexes */
	int ttl[MR_MAXVIFS];		/* TTL threshold per oif */
	uint64_t pkts, bytes, wrong_if;
	uint32_t table;
	int is_static;			/* added by a non-owner: outlives it */
};

/* A NOCACHE/WRONGVIF/WHOLEPKT upcall read from the owner socket. */
struct mr_upcall {
	int type;			/* IGMPMSG_NOCACHE, MRT6MSG_NOCACHE, ... */
	int vif;
	union mr_addr src, grp;
};
#define MR_UPCALL_NOCACHE 1		/* same value in both families */
#define MR_UPCALL_WRONGVIF 2

/* Returns 1 and fills u for an upcall, 0 for anything else the socket
 * receives (IGMP or ICMPv6 traffic), -1 for a truncated upcall. */
int mr_upcall_parse(int family, const void *buf, size_t len,
		    struct mr_upcall *u);

/* One data line of /proc/net/ip_mr_vif or ip6_mr_vif: 1 and v filled,
 * 0 for the heading, -1 when malformed. v->ifindex is left 0 (the caller
 * maps the name). */
int mr_parse_proc_vif(const char *line, struct mr_vif *v);

/* One RTM_NEWROUTE message of an RTNL_FAMILY_IPMR/IP6MR dump (msg points
 * at the struct nlmsghdr, len bytes available): 1 and r filled, 0 when it
 * is not a resolved entry of the family, -1 when malformed. */
int mr_parse_route_msg(int family, const void *msg, size_t len,
		       struct mr_route *r);
/* One RTM_NEWLINK message of an RTNL_FAMILY_IPMR link dump: appends the
 * VIFs of the table to vifs (at most MR_MAXVIFS in total, *n in/out).
 * 1 when it was the table, 0 another table, -1 malformed. */
int mr_parse_vif_msg(const void *msg, size_t len, uint32_t table,
		     struct mr_vif *vifs, int *n);

/* Group and prefix helpers. */
int mr_addr_is_any(int family, const union mr_addr *a);
int mr_addr_eq(int family, const union mr_addr *a, const union mr_addr *b);
/* a within p/plen */
int mr_addr_in(int family, const union mr_addr *a, const union mr_addr *p,
	       int plen);
const char *mr_ntop(int family, const union mr_addr *a, char *buf,
		    size_t len);
/* "default" or the number. */
const char *mr_table_name(uint32_t table, char *buf, size_t len);

#endif
