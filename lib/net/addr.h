/* addr.h - socket addresses of either family (IPv4, IPv6): lengths, ports,
 * comparison, the multicast test, and formatting as address or address:port
 * with IPv6 in brackets (RFC 3986 §3.2.2). Pure functions, no I/O. */
#ifndef MCBOX_NET_ADDR_H
#define MCBOX_NET_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* "[ffff:...:ffff%ifname]:65535" fits */
#define INET_FMTLEN 80

/* Formatting: address only, or address:port ([v6]:port). */
const char *inet_ntop_ss(const struct sockaddr_storage *ss, char *buf,
			 size_t len);
const char *inet_fmt(const struct sockaddr_storage *ss, char *buf,
		     size_t len);

socklen_t inet_sslen(const struct sockaddr_storage *ss);
int inet_port(const struct sockaddr_storage *ss);
void inet_set_port(struct sockaddr_storage *ss, int port);
int inet_is_multicast(const struct sockaddr_storage *ss);
/* Same address (and family); ports are not compared. */
int inet_same_addr(const struct sockaddr_storage *a,
		   const struct sockaddr_storage *b);

#endif
