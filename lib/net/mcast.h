/* mcast.h - multicast socket options: ASM/SSM join and leave through the
 * protocol-independent RFC 3678 API, outgoing interface, TTL, loop, and
 * IP_MULTICAST_ALL (Linux: off, so other groups on the port never leak in). */
#ifndef MCBOX_NET_MCAST_H
#define MCBOX_NET_MCAST_H

#include "net/inet.h"

/* Join g (SSM when g->source is set) on ifindex (0: the kernel's choice by
 * route). Returns 0 or -1 with errno. */
int mc_join(int fd, const struct mc_group *g, int ifindex);
int mc_leave(int fd, const struct mc_group *g, int ifindex);
/* Outgoing interface for multicast sends. */
int mc_set_if(int fd, int family, int ifindex);
int mc_set_ttl(int fd, int family, int ttl);
int mc_set_loop(int fd, int family, int on);
/* IP_MULTICAST_ALL / IPV6_MULTICAST_ALL; ENOPROTOOPT is not an error for
 * IPv6 on kernels before 4.20 (returns 0). */
int mc_set_all(int fd, int family, int on);

/* A UDP socket bound to the group's port (and address, so only that group
 * arrives), joined on ifindex, IP_MULTICAST_ALL off, SO_REUSEADDR so
 * several receivers share the port. Returns the fd, or -1 with errno and
 * err_str() saying which step failed. */
int mc_recv_socket(const struct mc_group *g, int ifindex);

#endif
