/* responder.c - the Multicast Ping responder (RFC 6450): policy and
 * answers, sans I/O. */
#include "mcping/responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "net/addr.h"

static const uint8_t *bytes_of(const struct sockaddr_storage *ss, int *bits)
{
	if (ss->ss_family == AF_INET6) {
		*bits = 128;
		return ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	}
	*bits = 32;
	return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
}

static int in_prefix(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *p, int len)
{
	int bits, i;
	const uint8_t *x, *y;

	if (a->ss_family != p->ss_family)
		return 0;
	x = bytes_of(a, &bits);
	y = bytes_of(p, &bits);
	for (i = 0; i + 8 <= len; i += 8)
		if (x[i / 8] != y[i / 8])
			return 0;
	if (i < len) {
		uint8_t mask = (uint8_t)(0xff << (8 - (len - i)));

		if ((x[i / 8] ^ y[i / 8]) & mask)
			return 0;
	}
	return 1;
}

void mcp_resp_init(struct mcp_resp *r, const struct mcp_resp_cfg *cfg,
		   uint64_t now)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->tokens = cfg->rate > 1 ? cfg->rate : 1;
	r->tok_ns = now;
}

int mcp_resp_allowed(const struct mcp_resp *r,
		     const struct sockaddr_storage *g)
{
	int bits;
	const uint8_t *a = bytes_of(g, &bits);

	if (!inet_is_multicast(g))
		return 0;
	/* never the link's control groups, nor a scope that cannot leave
	 * this host */
	if (g->ss_family == AF_INET && a[0] == 224 && !a[1] && !a[2])
		return 0;
	if (g->ss_family == AF_INET6 && (a[1] & 0x0f) < 2)
		return 0;
	if (r->cfg.nallow) {
		for (int i = 0; i < r->cfg.nallow; i++)
			if (in_prefix(g, &r->cfg.allow[i].pfx,
				      r->cfg.allow[i].len))
				return 1;
		return 0;
	}
	if (g->ss_family == AF_INET)
		return a[3] == 234;
	return a[12] == 0x43 && a[13] == 0x21 && a[14] == 0x12 &&
	       a[15] == 0x34;
}

/* A token for one answer (and its multicast twin), if the rate allows. */
static int take_token(struct mcp_resp *r, uint64_t now)
{
	double cap = r->cfg.rate > 1 ? r->cfg.rate : 1;

	if (r->cfg.rate <= 0)
		return 1;
	if (now > r->tok_ns) {
		r->tokens += (double)(now - r->tok_ns) / 1e9 * r->cfg.rate;
		if (r->tokens > cap)
			r->tokens = cap;
	}
	r->tok_ns = now;
	if (r->tokens < 1)
		return 0;
	r->tokens -= 1;
	return 1;
}

static void answer_init(struct mcp_resp *r, const struct mcp_msg *m,
			uint8_t *out, size_t cap, struct mcp_action *act)
{
	struct sockaddr_storage pfx[MCP_MAX_ALLOW + 2];
	int plen[MCP_MAX_ALLOW + 2], n = 0;

	if (r->cfg.nallow) {
		for (int i = 0; i < r->cfg.nallow; i++) {
			pfx[n] = r->cfg.allow[i].pfx;
			plen[n++] = r->cfg.allow[i].len;
		}
	} else {
		mcp_default_group(AF_INET, &pfx[n]);
		plen[n++] = 32;
		mcp_default_group(AF_INET6, &pfx[n]);
		plen[n++] = 128;
	}
	act->len = mcp_build_response(out, cap, m, pfx, plen, n, r->cfg.info);
	act->v = act->len ? MCP_V_RESPONSE : MCP_V_BAD;
	if (act->v == MCP_V_RESPONSE)
		r->responses++;
	else
		snprintf(act->why, sizeof(act->why), "response too large");
}

void mcp_resp_input(struct mcp_resp *r, uint64_t now, uint64_t wall_ns,
		    const struct sockaddr_storage *from, const uint8_t *p,
		    size_t len, uint8_t *out, size_t cap,
		    struct mcp_action *act)
{
	struct mcp_answer ans = { .ttl = r->cfg.ttl, .info = r->cfg.info,
				  .wall_ns = wall_ns, .max = MCP_MAXMSG };
	struct mcp_msg m;
	char g[INET_FMTLEN];

	memset(act, 0, sizeof(*act));
	if (!len || (p[0] != MCP_REQUEST && p[0] != MCP_INIT) ||
	    !inet_port(from) || inet_is_multicast(from)) {
		act->v = MCP_V_IGNORE;
		r->ignored++;
		return;
	}
	if (mcp_decode(p, len, &m) < 0) {
		act->v = MCP_V_BAD;
		snprintf(act->why, sizeof(act->why), "%s", err_str());
		r->bad++;
		return;
	}
	act->has_seq = m.has_seq;
	act->seq = m.seq;
	act->legacy = m.version < 0;
	if (!take_token(r, now)) {
		act->v = MCP_V_LIMITED;
		r->limited++;
		return;
	}
	if (m.type == MCP_INIT) {
		answer_init(r, &m, out, cap, act);
		return;
	}
	if (m.has_group)
		act->group = m.group;
	else
		mcp_default_group(from->ss_family, &act->group);
	inet_set_port(&act->group, inet_port(from));
	act->len = mcp_build_reply(out, cap, p, len, &m, &ans);
	if (!act->len) {
		act->v = MCP_V_BAD;
		snprintf(act->why, sizeof(act->why), "answer too large");
		r->bad++;
		return;
	}
	if (act->group.ss_family != from->ss_family) {
		act->v = MCP_V_UNICAST_ONLY;
		snprintf(act->why, sizeof(act->why),
			 "group %s is of another address family",
			 inet_ntop_ss(&act->group, g, sizeof(g)));
	} else if (!mcp_resp_allowed(r, &act->group)) {
		act->v = MCP_V_UNICAST_ONLY;
		snprintf(act->why, sizeof(act->why), "group %s not allowed%s",
			 inet_ntop_ss(&act->group, g, sizeof(g)),
			 r->cfg.nallow ? " (-g)" : " (not .234 or :4321:1234;"
			 " allow it with -g)");
	} else {
		act->v = MCP_V_ANSWER;
	}
	if (act->v == MCP_V_ANSWER)
		r->answered++;
	else
		r->unicast_only++;
}
