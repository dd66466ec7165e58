/* grammar.c - mroute(8)'s command grammar, smcroutectl-like: COMMAND
 * IIF [SOURCE] GROUP[/LEN] OIF[/TTL]..., parsed without I/O. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "mroute/grammar.h"

static const struct {
	const char *name;
	enum mrc_op op;
	int min, max;		/* operands after the command word */
} cmds[] = {
	{ "add", MRC_ADD, 3, 2 + MR_MAXVIFS },
	{ "del", MRC_DEL, 2, 3 },
	{ "remove", MRC_DEL, 2, 3 },	/* smcroutectl's word */
	{ "show", MRC_SHOW, 0, 0 },
	{ "status", MRC_STATUS, 0, 0 },
	{ "join", MRC_JOIN, 2, 3 },
	{ "leave", MRC_LEAVE, 2, 3 },
	{ "flush", MRC_FLUSH, 0, 0 },
	{ "stop", MRC_STOP, 0, 0 },
	{ "kill", MRC_STOP, 0, 0 },	/* smcroutectl's word */
	{ "hold", MRC_HOLD, 0, 0 },
};

static const char *fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static int parse_ifname(const char *s, char *out)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/') ||
	    strchr(s, ' ')) {
		err_set("bad interface '%s'", s);
		return -1;
	}
	strcpy(out, s);
	return 0;
}

/* ADDR, or ADDR/LEN when plen is not NULL; family 0 = either. */
static int parse_addr(const char *s, int *family, union mr_addr *a, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	int f;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (!plen)
			return -1;
		*slash = 0;
	}
	f = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (*family && *family != f)
		return -1;
	memset(a, 0, sizeof(*a));
	if (inet_pton(f, buf, a) != 1)
		return -1;
	if (plen) {
		long long n = f == AF_INET6 ? 128 : 32;

		if (slash && parse_ll(slash + 1, 0, n, &n) < 0)
			return -1;
		*plen = n;
	}
	*family = f;
	return 0;
}

static int is_mcast(int family, const union mr_addr *a)
{
	if (family == AF_INET6)
		return a->v6.s6_addr[0] == 0xff;
	return (ntohl(a->v4.s_addr) >> 28) == 14;
}

/* GROUP[/LEN] with an optional SOURCE before it (ops[0..n)). */
static int parse_sg(char **ops, int n, struct mr_cmd *c)
{
	int fam = c->family, k = 0;

	if (n == 2) {
		if (parse_addr(ops[0], &fam, &c->src, NULL) < 0 ||
		    is_mcast(fam, &c->src)) {
			err_set("bad source '%s'", ops[0]);
			return -1;
		}
		c->has_src = !mr_addr_is_any(fam, &c->src);
		k = 1;
	}
	if (parse_addr(ops[k], &fam, &c->grp, &c->plen) < 0 ||
	    !is_mcast(fam, &c->grp)) {
		err_set("bad group '%s'", ops[k]);
		return -1;
	}
	if (c->has_src && c->plen != (fam == AF_INET6 ? 128 : 32)) {
		err_set("bad group '%s': a source route takes one group",
			ops[k]);
		return -1;
	}
	c->family = fam;
	return 0;
}

static int looks_like_addr(const char *s)
{
	int f = 0, plen;
	union mr_addr a;

	return parse_addr(s, &f, &a, &plen) == 0;
}

int mrc_parse(int argc, char **argv, int family_opt, struct mr_cmd *c)
{
	size_t i;
	int n, k;

	memset(c, 0, sizeof(*c));
	c->family = family_opt;
	if (argc < 1) {
		err_set("no command");
		return -1;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		err_set("unknown command '%s'", argv[0]);
		return -1;
	}
	c->op = cmds[i].op;
	n = argc - 1;
	argv++;
	if (n < cmds[i].min || n > cmds[i].max) {
		err_set("%s: %s operands", cmds[i].name,
			n < cmds[i].min ? "missing" : "too many");
		return -1;
	}
	switch (c->op) {
	case MRC_ADD:
		if (parse_ifname(argv[0], c->iif) < 0)
			return -1;
		/* IIF SOURCE GROUP OIF... or IIF GROUP OIF... */
		k = n >= 4 && looks_like_addr(argv[2]) ? 2 : 1;
		if (parse_sg(argv + 1, k, c) < 0)
			return -1;
		for (i = 1 + k; (int)i < n; i++) {
			char *slash = strchr(argv[i], '/');
			long long ttl = 1;
			char name[64];

			if (slash && (slash - argv[i] >= (int)sizeof(name) ||
				      parse_ll(slash + 1, 1, 255, &ttl) < 0)) {
				err_set("bad outgoing interface '%s' "
					"(IFACE or IFACE/TTL, TTL 1-255)",
					argv[i]);
				return -1;
			}
			snprintf(name, sizeof(name), "%.*s",
				 slash ? (int)(slash - argv[i]) : 63, argv[i]);
			if (parse_ifname(name, c->oif[c->noifs]) < 0)
				return -1;
			if (slash && ttl != 1 && c->family == AF_INET6) {
				err_set("bad outgoing interface '%s': IPv6 "
					"routes take no TTL threshold",
					argv[i]);
				return -1;
			}
			c->ttl[c->noifs++] = ttl;
		}
		if (!c->noifs) {
			err_set("add: no outgoing interface");
			return -1;
		}
		return 0;
	case MRC_DEL:
		if (parse_ifname(argv[0], c->iif) < 0)
			return -1;
		return parse_sg(argv + 1, n - 1, c);
	case MRC_JOIN:
	case MRC_LEAVE: {
		char spec[200];

		if (parse_ifname(argv[0], c->iif) < 0)
			return -1;
		/* IFACE [SOURCE,]GROUP, or smcroutectl's IFACE SOURCE GROUP */
		if (n == 3)
			snprintf(spec, sizeof(spec), "%s,%s", argv[1], argv[2]);
		else
			snprintf(spec, sizeof(spec), "%s", argv[1]);
		if (inet_parse_group(spec, 0, &c->g) < 0)
			return -1;
		if (family_opt && c->g.family != family_opt) {
			err_set("bad group '%s': not %s", spec,
				fam_name(family_opt));
			return -1;
		}
		c->family = c->g.family;
		return 0;
	}
	default:
		return 0;
	}
}
