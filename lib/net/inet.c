/* inet.c - the operand grammar shared by every applet: [SOURCE,]GROUP[:PORT],
 * HOST[:PORT], interfaces, URLs; IPv6 literals in brackets (RFC 3986 §3.2.2)
 * when a port follows, zone ids (%eth0) allowed (RFC 6874 without encoding). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "net/inet.h"

int inet_parse_port(const char *s, int allow_zero)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v > 65535 || (v == 0 && !allow_zero))
		return -1;
	return (int)v;
}

/* Numeric address, with an optional %zone; brackets already removed. */
static int parse_numeric(const char *s, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST,
				  .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;

	if (!*s || getaddrinfo(s, NULL, &hints, &res))
		return -1;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

int inet_parse_addr(const char *s, struct sockaddr_storage *ss)
{
	char buf[INET_FMTLEN];
	size_t n = strlen(s);

	if (n >= sizeof(buf)) {
		err_set("bad address '%.40s...'", s);
		return -1;
	}
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = 0;
	} else {
		strcpy(buf, s);
	}
	if (parse_numeric(buf, ss)) {
		err_set("bad address '%s'", s);
		return -1;
	}
	return 0;
}

/* Splits HOST[:PORT] / [V6][:PORT] / bare V6 into host and port strings,
 * both pointing into buf. */
static int split_hostport(const char *s, char *buf, size_t len, char **host,
			  char **port)
{
	char *p;

	if (strlen(s) >= len)
		return -1;
	strcpy(buf, s);
	*port = NULL;
	if (buf[0] == '[') {
		p = strchr(buf, ']');
		if (!p)
			return -1;
		*p++ = 0;
		*host = buf + 1;
		if (*p == ':')
			*port = p + 1;
		else if (*p)
			return -1;
		return 0;
	}
	*host = buf;
	p = strchr(buf, ':');
	if (p && !strchr(p + 1, ':')) {	/* one colon: IPv4 or name + port */
		*p = 0;
		*port = p + 1;
	}
	return 0;
}

int inet_parse_group(const char *s, int default_port, struct mc_group *g)
{
	char buf[2 * INET_FMTLEN], *host, *port, *comma;
	const char *gs = s;
	int p;

	memset(g, 0, sizeof(*g));
	g->source.ss_family = AF_UNSPEC;
	comma = strchr(s, ',');
	if (comma) {
		char src[INET_FMTLEN];
		size_t n = (size_t)(comma - s);

		if (n == 0 || n >= sizeof(src)) {
			err_set("bad source in '%s'", s);
			return -1;
		}
		memcpy(src, s, n);
		src[n] = 0;
		if (inet_parse_addr(src, &g->source)) {
			err_set("bad source address '%s'", src);
			return -1;
		}
		if (inet_is_multicast(&g->source)) {
			err_set("source '%s' is a multicast address", src);
			return -1;
		}
		gs = comma + 1;
	}
	if (split_hostport(gs, buf, sizeof(buf), &host, &port) ||
	    parse_numeric(host, &g->group)) {
		err_set("bad group '%s'", gs);
		return -1;
	}
	if (!inet_is_multicast(&g->group)) {
		err_set("'%s' is not a multicast address", host);
		return -1;
	}
	if (comma && g->source.ss_family != g->group.ss_family) {
		err_set("source and group of '%s' differ in address family", s);
		return -1;
	}
	g->family = g->group.ss_family;
	if (port) {
		p = inet_parse_port(port, 0);
		if (p < 0) {
			err_set("bad port '%s' in '%s'", port, gs);
			return -1;
		}
		g->has_port = 1;
	} else if (default_port < 0) {
		err_set("no port in '%s' (GROUP:PORT)", gs);
		return -1;
	} else {
		p = default_port;
	}
	inet_set_port(&g->group, p);
	return 0;
}

/* AF_INET or AF_INET6 for a numeric address (IPv6 with or without a
 * %scope), 0 for a name. */
static int numeric_family(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE];
	char *pct;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return AF_INET;
	snprintf(buf, sizeof(buf), "%s", host);
	pct = strchr(buf, '%');
	if (pct)
		*pct = 0;
	return inet_pton(AF_INET6, buf, &a6) == 1 ? AF_INET6 : 0;
}

int inet_parse_server(const char *s, int default_port, int family,
		      struct sockaddr_storage *ss)
{
	if (inet_parse_hostport(s, default_port, family, ss))
		return -1;
	if (inet_is_multicast(ss)) {
		err_set("a multicast address, not one host");
		return -1;
	}
	if (ss->ss_family == AF_INET ?
	    (((struct sockaddr_in *)ss)->sin_addr.s_addr == INADDR_ANY ||
	     ((struct sockaddr_in *)ss)->sin_addr.s_addr == INADDR_BROADCAST) :
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)ss)->sin6_addr)) {
		err_set("a broadcast or unspecified address, not one host");
		return -1;
	}
	return 0;
}

int inet_parse_hostport(const char *s, int default_port, int family,
			struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	char buf[512], *host, *port;
	int p, r;

	if (split_hostport(s, buf, sizeof(buf), &host, &port) || !*host) {
		err_set("bad address '%s'", s);
		return -1;
	}
	if (family && numeric_family(host) &&
	    numeric_family(host) != family) {
		err_set("'%s' is an IPv%c address, not IPv%c", host,
			family == AF_INET ? '6' : '4',
			family == AF_INET ? '4' : '6');
		return -1;
	}
	if (port) {
		p = inet_parse_port(port, 0);
		if (p < 0) {
			err_set("bad port '%s' in '%s'", port, s);
			return -1;
		}
	} else if (default_port < 0) {
		err_set("no port in '%s' (HOST:PORT)", s);
		return -1;
	} else {
		p = default_port;
	}
	r = getaddrinfo(host, NULL, &hints, &res);
	if (r) {
		err_set("%s: %s", host, gai_strerror(r));
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	inet_set_port(ss, p);
	return 0;
}

int inet_ifindex(const char *s)
{
	char name[IF_NAMESIZE];
	char *end;
	unsigned long v;
	unsigned idx;

	if (!s || !*s) {
		err_set("bad interface ''");
		return -1;
	}
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (!*end && !errno && v > 0 && v < 1u << 31 &&
		    if_indextoname((unsigned)v, name))
			return (int)v;
		err_set("no interface with index '%s'", s);
		return -1;
	}
	idx = if_nametoindex(s);
	if (!idx) {
		err_set("no interface '%s'", s);
		return -1;
	}
	return (int)idx;
}

const char *inet_ifname(int ifindex, char *buf)
{
	if (ifindex <= 0 || !if_indextoname((unsigned)ifindex, buf))
		strcpy(buf, "?");
	return buf;
}

int inet_split_url(const char *s, char **buf, char **scheme, char **authority,
		   char **path)
{
	char *copy, *sep, *slash;

	*buf = NULL;
	sep = strstr(s, "://");
	if (!sep || sep == s) {
		err_set("'%s' is not a URL", s);
		return -1;
	}
	for (const char *p = s; p < sep; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '+' &&
		    *p != '.') {
			err_set("'%s' is not a URL", s);
			return -1;
		}
	copy = strdup(s);
	if (!copy) {
		err_set("out of memory");
		return -1;
	}
	sep = copy + (sep - s);
	*sep = 0;
	*scheme = copy;
	*authority = sep + 3;
	slash = strchr(*authority, '/');
	if (slash) {
		*slash = 0;
		*path = slash + 1;
	} else {
		*path = slash = *authority + strlen(*authority);
	}
	*buf = copy;
	return 0;
}
