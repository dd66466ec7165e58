/* mcast.c - multicast socket options: RFC 3678 protocol-independent joins
 * (MCAST_JOIN_GROUP / MCAST_JOIN_SOURCE_GROUP) for ASM and SSM, outgoing
 * interface, TTL/hop limit, loop, and Linux's IP_MULTICAST_ALL. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "net/mcast.h"

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

static int level_of(int family)
{
	return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}

static int join_leave(int fd, const struct mc_group *g, int ifindex, int join)
{
	if (g->source.ss_family == AF_UNSPEC) {
		struct group_req gr;

		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = (uint32_t)ifindex;
		memcpy(&gr.gr_group, &g->group, sizeof(g->group));
		return setsockopt(fd, level_of(g->family),
				  join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP,
				  &gr, sizeof(gr));
	} else {
		struct group_source_req gsr;

		memset(&gsr, 0, sizeof(gsr));
		gsr.gsr_interface = (uint32_t)ifindex;
		memcpy(&gsr.gsr_group, &g->group, sizeof(g->group));
		memcpy(&gsr.gsr_source, &g->source, sizeof(g->source));
		return setsockopt(fd, level_of(g->family),
				  join ? MCAST_JOIN_SOURCE_GROUP
				       : MCAST_LEAVE_SOURCE_GROUP,
				  &gsr, sizeof(gsr));
	}
}

int mc_join(int fd, const struct mc_group *g, int ifindex)
{
	return join_leave(fd, g, ifindex, 1);
}

int mc_leave(int fd, const struct mc_group *g, int ifindex)
{
	return join_leave(fd, g, ifindex, 0);
}

int mc_set_if(int fd, int family, int ifindex)
{
	if (family == AF_INET6) {
		unsigned idx = (unsigned)ifindex;

		return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
				  sizeof(idx));
	}
	struct ip_mreqn mr;

	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = ifindex;
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
}

int mc_set_ttl(int fd, int family, int ttl)
{
	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
				  sizeof(ttl));
	unsigned char t = (unsigned char)ttl;

	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t));
}

int mc_set_loop(int fd, int family, int on)
{
	if (family == AF_INET6) {
		unsigned v = !!on;

		return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &v,
				  sizeof(v));
	}
	unsigned char v = !!on;

	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v, sizeof(v));
}

int mc_set_all(int fd, int family, int on)
{
	int v = !!on;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &v,
			       sizeof(v)) && errno != ENOPROTOOPT)
			return -1;
		return 0;
	}
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &v, sizeof(v));
}

int mc_recv_socket(const struct mc_group *g, int ifindex)
{
	struct sockaddr_storage bind_ss;
	int fd, on = 1, e;
	const char *step;

	fd = socket(g->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err_set("socket: %s", strerror(errno));
		return -1;
	}
	step = "SO_REUSEADDR";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)))
		goto fail;
	if (g->family == AF_INET6) {
		step = "IPV6_V6ONLY";
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
			goto fail;
	}
	step = "IP_MULTICAST_ALL";
	if (mc_set_all(fd, g->family, 0))
		goto fail;
	/* Bound to the group address, the socket sees that group only,
	 * whatever else is joined on the host. */
	memcpy(&bind_ss, &g->group, sizeof(bind_ss));
	if (g->family == AF_INET6)
		((struct sockaddr_in6 *)&bind_ss)->sin6_scope_id =
			(uint32_t)ifindex;
	step = "bind";
	if (bind(fd, (struct sockaddr *)&bind_ss, inet_sslen(&bind_ss)))
		goto fail;
	step = "join";
	if (mc_join(fd, g, ifindex))
		goto fail;
	return fd;
fail:
	e = errno;
	err_set("%s: %s", step, strerror(e));
	close(fd);
	errno = e;
	return -1;
}
