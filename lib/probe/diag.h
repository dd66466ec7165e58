/* diag.h - why did nothing arrive? Checks a receiver can make by itself,
 * without privileges: a route for the group, rp_filter (RFC 3704 strict
 * reverse-path filtering) on the interface, and the kernel's membership
 * tables /proc/net/igmp and /proc/net/igmp6; with CAP_NET_RAW, whether the
 * datagrams reach the interface at all (lib/net/udptap.h), and with
 * CAP_NET_ADMIN, which firewall rules drop them (lib/probe/fw.h). */
#ifndef MCBOX_PROBE_DIAG_H
#define MCBOX_PROBE_DIAG_H

#include <stdint.h>
#include <sys/socket.h>

#include "probe/fw.h"

/* A count of the group's datagrams reaching its interface, kept while
 * nothing arrives at the socket. */
struct mcdiag_watch {
	int fd;			/* -1: not (or no longer) counting */
	int err;		/* 0, or why there is no count (EPERM...) */
	uint64_t seen;
};

/* 1 when the kernel has a route for the group's address (so a join
 * without -i lands somewhere), 0 when not, -1 with errno on error. */
int mcdiag_has_route(const struct sockaddr_storage *group);
/* Interface index where group is joined according to /proc/net/igmp or
 * igmp6 (the first one found, or ifindex itself when given and joined
 * there); 0 when no membership is visible, -1 when the file is unreadable. */
int mcdiag_joined(const struct sockaddr_storage *group, int ifindex);
/* Effective rp_filter of the interface: max(all, ifname); -1 when
 * unreadable. 1 is strict. */
int mcdiag_rp_filter(const char *ifname);

/* Starts counting group's datagrams on ifname, raising CAP_NET_RAW while
 * it opens the tap when permitted; w->err says why not otherwise. */
void mcdiag_watch(struct mcdiag_watch *w, const char *ifname,
		  const struct sockaddr_storage *group);
/* Takes the last count and stops (again: nothing). */
void mcdiag_unwatch(struct mcdiag_watch *w);

/* Why might nothing have arrived for group, joined on ifname ("" when not
 * known) and watched by w (NULL: not)? Runs the checks above and writes
 * one finding per line into out[0..max-1]: datagrams that reached the
 * interface but not the socket, the firewall rules that drop them,
 * "rp_filter is strict (1) on eth0: ...", or a line saying all of them
 * look fine and sending the user upstream. Returns the number of lines
 * (>= 1). */
#define MCDIAG_LINE FW_LINE
int mcdiag_explain(const struct sockaddr_storage *group, const char *ifname,
		   struct mcdiag_watch *w, char out[][MCDIAG_LINE], int max);

#endif
