/* mroute.h - the Linux kernel multicast routing API (ipmr/ip6mr: MRT_* and
 * MRT6_* socket options, rtnetlink RTNL_FAMILY_IPMR/IP6MR dumps, the
 * /proc/net/ip*_mr_vif tables and NOCACHE upcalls), with its parsers kept
 * free of I/O so that they can be unit-tested and fuzzed. */
#ifndef MCBOX_MROUTE_KERNEL_H
#define MCBOX_MROUTE_KERNEL_H

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

/* A handle on one table of one family: a raw IGMP (IPv4) or ICMPv6 socket
 * with MRT_TABLE set, and a cache of the table's VIFs. */
struct mr {
	int family;			/* AF_INET or AF_INET6 */
	uint32_t table;
	int fd;
	int owner;			/* this socket did MRT_INIT */
	int nvifs;			/* -1: not loaded yet */
	struct mr_vif vifs[MR_MAXVIFS];
};

/* What the running kernel offers for multicast routing. The options are
 * built in or absent, never a module, so the answer is the same for the
 * kernel's lifetime. */
enum mr_support {
	MR_SUPPORTED,			/* or could not tell: try and see */
	MR_NO_ROUTING,			/* CONFIG_IP_MROUTE, CONFIG_IPV6_MROUTE */
	MR_NO_TABLES,			/* ..._MROUTE_MULTIPLE_TABLES */
};
/* Probes without privileges: the /proc/net/ip*_mr_vif files exist exactly
 * when the family has multicast routing (a raw socket's MRT*_VERSION when
 * /proc is not mounted), and rtnetlink knows the family's rules only with
 * multiple tables (probed only for a table other than the default). */
enum mr_support mr_support(int family, uint32_t table);
/* The kernel option behind s ("CONFIG_IP_MROUTE", ...), NULL when
 * supported. */
const char *mr_support_option(int family, enum mr_support s);
/* Sets err_str() to the one line that names what the kernel lacks, e.g.
 * "this kernel has no IPv4 multicast routing (CONFIG_IP_MROUTE is not
 * set)"; family 0 names both families. Returns -1. */
int mr_support_err(int family, enum mr_support s);

/* Opens the socket and selects the table. Needs CAP_NET_RAW for the socket
 * and CAP_NET_ADMIN for MRT_TABLE; -1 with errno and err_str() set. */
int mr_open(struct mr *m, int family, uint32_t table);
void mr_close(struct mr *m);
/* MRT_INIT/MRT6_INIT: become the table's owner. EADDRINUSE when another
 * process holds it. */
int mr_init(struct mr *m);
/* 1 when some socket holds MRT_INIT on the table, 0 when none, -1 error.
 * Probes with a short-lived MRT_INIT: its close flushes only non-static
 * entries, and there are none when nobody held the table. */
int mr_held(int family, uint32_t table);

/* (Re)reads the table's VIFs into m->vifs. */
int mr_vifs_load(struct mr *m);
/* The VIF slot of ifindex, or -1 (errno ENOENT) when it has none. */
int mr_vif_find(struct mr *m, int ifindex);
/* The VIF slot of ifindex, adding one (VIFF_USE_IFINDEX) when needed. */
int mr_vif_get(struct mr *m, int ifindex);
int mr_vif_del(struct mr *m, int vif);

/* (S,G) entries. ttls[vif] = 0 for no forwarding, else the TTL threshold
 * (IPv6 has none: any non-zero value means forward). */
int mr_mfc_add(struct mr *m, const union mr_addr *src,
	       const union mr_addr *grp, int iif_vif,
	       const unsigned char ttls[MR_MAXVIFS]);
int mr_mfc_del(struct mr *m, const union mr_addr *src,
	       const union mr_addr *grp);

/* Every MFC entry of the table, from an rtnetlink dump (unresolved
 * entries skipped). *out is malloc'd; free it. */
int mr_routes(int family, uint32_t table, struct mr_route **out, size_t *n);

/* The interface the unicast route back to addr leaves by (the reverse
 * path that rp_filter checks), 0 when there is no route, -1 on error. */
int mr_route_oif(int family, const union mr_addr *addr);

/* --- parsers (no I/O) --- */

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

#endif
