/* inet.h - the operand grammar, parsed once: [SOURCE,]GROUP[:PORT] with IPv6
 * in brackets when a port follows, HOST[:PORT], interface names or indexes,
 * and scheme://HOST[:PORT]/PATH URLs. IPv4 and IPv6 (RFC 3986 for brackets). */
#ifndef MCBOX_NET_INET_H
#define MCBOX_NET_INET_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/addr.h"

struct mc_group {
	int family;			/* AF_INET or AF_INET6 */
	struct sockaddr_storage group;	/* port in sin_port/sin6_port */
	struct sockaddr_storage source;	/* ss_family AF_UNSPEC: ASM */
	int has_port;			/* the operand named a port */
};

/* Parses [SOURCE,]GROUP[:PORT]; GROUP must be multicast, SOURCE unicast and
 * of the same family. default_port is used when none is given (-1: a port is
 * required). Returns 0, or -1 with err_str() naming the value. */
int inet_parse_group(const char *s, int default_port, struct mc_group *g);

/* Parses a numeric address (no port) into ss (port 0). 0 or -1 + err_str(). */
int inet_parse_addr(const char *s, struct sockaddr_storage *ss);

/* Parses HOST[:PORT] ([v6]:port for IPv6); HOST may be a name, resolved with
 * getaddrinfo (family AF_UNSPEC, AF_INET or AF_INET6). 0 or -1 + err_str(). */
int inet_parse_hostport(const char *s, int default_port, int family,
			struct sockaddr_storage *ss);

/* inet_parse_hostport() for a server: one host, so a multicast,
 * broadcast or unspecified address is refused, naming it. */
int inet_parse_server(const char *s, int default_port, int family,
		      struct sockaddr_storage *ss);

/* Parses a port number 1-65535 ("0" allowed when allow_zero). */
int inet_parse_port(const char *s, int allow_zero);

/* Interface name or index -> index; -1 + err_str() when there is none. */
int inet_ifindex(const char *s);
/* Index -> name in buf (IF_NAMESIZE); "?" when unknown. */
const char *inet_ifname(int ifindex, char *buf);

/* Splits scheme://AUTHORITY/PATH. On success *scheme, *authority and *path
 * point into a malloc'd copy returned in *buf (free it); path excludes the
 * leading '/', and may be empty. -1 + err_str() when not a URL. */
int inet_split_url(const char *s, char **buf, char **scheme, char **authority,
		   char **path);

#endif
