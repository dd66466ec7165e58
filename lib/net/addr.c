/* addr.c - socket addresses of either family: lengths, ports, comparison,
 * multicast test and formatting ([v6]:port, RFC 3986 §3.2.2). No I/O. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "net/addr.h"

socklen_t inet_sslen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in);
}

int inet_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void inet_set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

int inet_is_multicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(
			&((const struct sockaddr_in6 *)ss)->sin6_addr);
	if (ss->ss_family == AF_INET)
		return IN_MULTICAST(
			ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr));
	return 0;
}

int inet_same_addr(const struct sockaddr_storage *a,
		   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return 0;
}

const char *inet_ntop_ss(const struct sockaddr_storage *ss, char *buf,
			 size_t len)
{
	if (getnameinfo((const struct sockaddr *)ss, inet_sslen(ss), buf,
			(socklen_t)len, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, len, "?");
	return buf;
}

const char *inet_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET_FMTLEN];

	inet_ntop_ss(ss, a, sizeof(a));
	if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", a, inet_port(ss));
	else
		snprintf(buf, len, "%s:%d", a, inet_port(ss));
	return buf;
}
