/* kernel.h - the Linux kernel multicast routing API (ipmr/ip6mr: MRT_* and
 * MRT6_* socket options, rtnetlink RTNL_FAMILY_IPMR/IP6MR dumps, the
 * /proc/net/ip*_mr_vif tables and NOCACHE upcalls). What it reads is
 * decoded by mroute/parse.h, free of I/O so that it can be unit-tested
 * and fuzzed. */
#ifndef MCBOX_MROUTE_KERNEL_H
#define MCBOX_MROUTE_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mroute/parse.h"

/* Raises CAP_NET_RAW and CAP_NET_ADMIN, each when permitted (once per
 * process). */
void mr_raise(void);

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

#endif
