/* args.c - mcping's operands: the responder and group of the client, the
 * host list of the mesh. */
#include "mcping/args.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "mcping/wire.h"

/* GROUP of family, or the well-known group; -1 + err_str() when bad. */
static int parse_group(const char *s, int family, struct sockaddr_storage *g)
{
	if (!s) {
		mcp_default_group(family, g);
		return 0;
	}
	if (inet_parse_addr(s, g) < 0 || !inet_is_multicast(g) ||
	    g->ss_family != family) {
		err_set("bad -g '%s' (a multicast group, %s)", s,
			family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	return 0;
}

int mcp_parse_client(const char *op, int family, const char *group,
		     struct sockaddr_storage *responder, struct mc_group *g)
{
	struct sockaddr_storage tmp;
	int gfam = AF_UNSPEC;

	memset(g, 0, sizeof(*g));
	/* -g decides the family of a name; an address decides its own, and
	 * a -g of the other family is then the error */
	if (family == AF_UNSPEC && group && !inet_parse_addr(group, &tmp))
		gfam = tmp.ss_family;
	if (inet_parse_hostport(op, MCP_PORT, family ? family : gfam,
				responder) < 0 &&
	    (family || !gfam ||
	     inet_parse_hostport(op, MCP_PORT, AF_UNSPEC, responder) < 0))
		return -1;
	g->family = responder->ss_family;
	if (parse_group(group, g->family, &g->group) < 0)
		return -1;
	if (mcp_is_ssm(&g->group))
		g->source = *responder;
	return 0;
}

int mcp_parse_hosts(char **ops, int n, int family, int port,
		    const char *group, struct mcp_mesh_cfg *cf)
{
	if (n < 2 || n > MCP_MESH_MAX) {
		err_set("--mesh takes 2 to %d HOSTs, not %d", MCP_MESH_MAX, n);
		return -1;
	}
	cf->n = n;
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage *h = &cf->host[i];

		if (inet_parse_hostport(ops[i], port, family, h) < 0)
			return -1;
		family = h->ss_family;
		if (inet_port(h) != inet_port(&cf->host[0])) {
			err_set("host '%s': every host uses one port, here %d",
				ops[i], inet_port(&cf->host[0]));
			return -1;
		}
		for (int k = 0; k < i; k++)
			if (inet_same_addr(&cf->host[k], h)) {
				err_set("host '%s' is listed twice", ops[i]);
				return -1;
			}
	}
	if (parse_group(group, family, &cf->group) < 0)
		return -1;
	inet_set_port(&cf->group, inet_port(&cf->host[0]));
	return 0;
}

int mcp_parse_allow(const char *s, struct mcp_allow *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	long long len;
	int bits;

	if (strlen(s) >= sizeof(buf)) {
		err_set("bad group '%s'", s);
		return -1;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_parse_addr(buf, &a->pfx) < 0 || !inet_is_multicast(&a->pfx)) {
		err_set("bad group '%s' (a multicast GROUP[/LEN])", s);
		return -1;
	}
	a->len = a->pfx.ss_family == AF_INET6 ? 128 : 32;
	bits = a->len;
	if (slash) {
		char *end;

		len = strtoll(slash, &end, 10);
		if (!*slash || *end || len < 4 || len > bits) {
			err_set("bad prefix length in '%s' (4-%d)", s, bits);
			return -1;
		}
		a->len = (int)len;
	}
	return 0;
}

int mcp_resp_allow(struct mcp_resp_cfg *cfg, const char *s)
{
	if (cfg->nallow == MCP_MAX_ALLOW) {
		err_set("more than %d groups (-g '%s')", MCP_MAX_ALLOW, s);
		return -1;
	}
	if (mcp_parse_allow(s, &cfg->allow[cfg->nallow]) < 0)
		return -1;
	cfg->nallow++;
	return 0;
}

