/* diag.h - why did nothing arrive? Checks a receiver can make by itself,
 * without privileges: a route for the group, rp_filter (RFC 3704 strict
 * reverse-path filtering) on the interface, and the kernel's membership
 * tables /proc/net/igmp and /proc/net/igmp6. */
#ifndef MCBOX_PROBE_DIAG_H
#define MCBOX_PROBE_DIAG_H

#include <sys/socket.h>

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

/* Why might nothing have arrived for group, joined on ifname ("" when not
 * known)? Runs the checks above and writes one finding per line into
 * out[0..max-1], e.g. "rp_filter is strict (1) on eth0: ...", or a line
 * saying all of them look fine. Returns the number of lines (>= 1). */
#define MCDIAG_LINE 192
int mcdiag_explain(const struct sockaddr_storage *group, const char *ifname,
		   char out[][MCDIAG_LINE], int max);

#endif
