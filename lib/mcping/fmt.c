/* fmt.c - mcping's summaries and the mesh matrix, as text and JSON. */
#include "mcping/fmt.h"

#include <stdio.h>
#include <string.h>

#include "net/addr.h"

static const char *hops_str(int lo, int hi, char *b, size_t n)
{
	if (lo < 0)
		snprintf(b, n, "hops unknown");
	else if (lo == hi)
		snprintf(b, n, "%d hop%s", lo, lo == 1 ? "" : "s");
	else
		snprintf(b, n, "%d-%d hops", lo, hi);
	return b;
}

const char *mcp_fmt_path(const struct mcp_client *c, enum mcp_path path,
			 char *buf, size_t len)
{
	const struct mcp_stats *s = &c->path[path];
	char h[32], since[96] = "";
	int n;

	if (path == MCP_MC && s->received)
		snprintf(since, sizeof(since),
			 " (%.1f%% since the first, seq %u after %.3f s)",
			 mcp_client_loss(c, path, 1), s->first_seq,
			 (double)s->first_ns / 1e9);
	n = snprintf(buf, len, "%llu received, %.1f%% loss%s",
		     (unsigned long long)s->received,
		     mcp_client_loss(c, path, 0), since);
	if (s->rtts && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
			      ", rtt min/avg/max/mdev %.3f/%.3f/%.3f/%.3f ms",
			      (double)s->rtt_min / 1e6, mcp_stats_avg_ms(s),
			      (double)s->rtt_max / 1e6, mcp_stats_mdev_ms(s));
	if (s->received && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %s",
			 hops_str(s->hops_min, s->hops_max, h, sizeof(h)));
	return buf;
}

static void int_or_null(struct json *j, const char *key, long long v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_int(j, key, v);
}

void mcp_fmt_path_json(struct json *j, const char *key,
		       const struct mcp_client *c, enum mcp_path path)
{
	const struct mcp_stats *s = &c->path[path];

	json_obj_begin(j, key);
	json_uint(j, "received", s->received);
	json_uint(j, "duplicates", s->dups);
	json_double(j, "loss_pct", mcp_client_loss(c, path, 0), 3);
	if (s->rtts) {
		json_double(j, "rtt_min_ms", (double)s->rtt_min / 1e6, 3);
		json_double(j, "rtt_avg_ms", mcp_stats_avg_ms(s), 3);
		json_double(j, "rtt_max_ms", (double)s->rtt_max / 1e6, 3);
		json_double(j, "rtt_mdev_ms", mcp_stats_mdev_ms(s), 3);
	}
	int_or_null(j, "ttl", s->ttl);
	int_or_null(j, "hops", s->hops_min);
	if (path == MCP_MC && s->received) {
		json_uint(j, "first_seq", s->first_seq);
		json_double(j, "first_ms", (double)s->first_ns / 1e6, 3);
		json_double(j, "loss_since_first_pct",
			    mcp_client_loss(c, path, 1), 3);
	}
	json_obj_end(j);
}

static const char *cell(const struct mcp_mesh *m, int from, int to)
{
	static const char *const c[4] = { "--", "U-", "-M", "UM" };
	struct mcp_pair p;

	if (from == to)
		return ".";
	mcp_mesh_pair(m, from, to, &p);
	if (!p.known)
		return "??";
	return c[p.uc_ok | p.mc_ok << 1];
}

const char *mcp_fmt_matrix(const struct mcp_mesh *m, int line, char *buf,
			   size_t len)
{
	char a[INET_FMTLEN];
	int n, w = 0;

	if (line < 0 || line > m->cfg.n)
		return NULL;
	for (int i = 0; i < m->cfg.n; i++) {
		int l = (int)strlen(inet_ntop_ss(&m->cfg.host[i], a,
						 sizeof(a)));

		w = l > w ? l : w;
	}
	if (!line) {
		n = snprintf(buf, len, "%*s", w + 4, "");
		for (int i = 0; i < m->cfg.n && n > 0 && (size_t)n < len; i++)
			n += snprintf(buf + n, len - (size_t)n, " %-3d", i + 1);
		while (n > 0 && (size_t)n < len && buf[n - 1] == ' ')
			buf[--n] = 0;
		return buf;
	}
	n = snprintf(buf, len, "%2d %-*s ", line, w,
		     inet_ntop_ss(&m->cfg.host[line - 1], a, sizeof(a)));
	for (int i = 0; i < m->cfg.n && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, " %-3s",
			      cell(m, line - 1, i));
	while (n > 0 && (size_t)n < len && buf[n - 1] == ' ')
		buf[--n] = 0;
	return buf;
}

static int path_str(char *b, size_t n, const char *name, uint32_t rx,
		    int64_t exp, double rtt)
{
	double loss = mcp_pair_loss(rx, exp);
	int k;

	if (exp >= 0)
		k = snprintf(b, n, "%s %u/%lld", name, rx, (long long)exp);
	else
		k = snprintf(b, n, "%s %u/?", name, rx);
	if (loss >= 0 && k > 0 && (size_t)k < n)
		k += snprintf(b + k, n - (size_t)k, " (%.1f%% lost)", loss);
	if (rtt > 0 && k > 0 && (size_t)k < n)
		k += snprintf(b + k, n - (size_t)k, " rtt %.3f ms", rtt);
	return k;
}

const char *mcp_fmt_pair(const struct mcp_mesh *m, int from, int to,
			 char *buf, size_t len)
{
	char a[INET_FMTLEN], b[INET_FMTLEN], u[96], mc[96];
	struct mcp_pair p;

	mcp_mesh_pair(m, from, to, &p);
	inet_ntop_ss(&m->cfg.host[from], a, sizeof(a));
	inet_ntop_ss(&m->cfg.host[to], b, sizeof(b));
	if (!p.known) {
		snprintf(buf, len, "%s -> %s: unknown (no report from %s)", a,
			 b, b);
		return buf;
	}
	path_str(u, sizeof(u), "unicast", p.uc_rx, p.uc_exp, p.rtt_uc_ms);
	path_str(mc, sizeof(mc), "multicast", p.mc_rx, p.mc_exp, p.rtt_mc_ms);
	snprintf(buf, len, "%s -> %s: %s, %s: %s", a, b, u, mc,
		 p.uc_ok && p.mc_ok ? "ok" : !p.uc_ok && !p.mc_ok
		 ? "BROKEN (unicast and multicast)" : !p.uc_ok
		 ? "BROKEN (unicast)" : "BROKEN (multicast)");
	return buf;
}

static void pair_path_json(struct json *j, const char *key, uint32_t rx,
			   int64_t exp, double rtt, int hops, int ok)
{
	double loss = mcp_pair_loss(rx, exp);

	json_obj_begin(j, key);
	json_bool(j, "ok", ok);
	json_uint(j, "received", rx);
	int_or_null(j, "expected", exp);
	if (loss >= 0)
		json_double(j, "loss_pct", loss, 3);
	else
		json_null(j, "loss_pct");
	if (rtt > 0)
		json_double(j, "rtt_ms", rtt, 3);
	else
		json_null(j, "rtt_ms");
	int_or_null(j, "hops", hops);
	json_obj_end(j);
}

void mcp_fmt_pair_json(struct json *j, const struct mcp_mesh *m, int from,
		       int to)
{
	char a[INET_FMTLEN];
	struct mcp_pair p;

	mcp_mesh_pair(m, from, to, &p);
	json_str(j, "from", inet_ntop_ss(&m->cfg.host[from], a, sizeof(a)));
	json_str(j, "to", inet_ntop_ss(&m->cfg.host[to], a, sizeof(a)));
	json_bool(j, "ok", p.uc_ok && p.mc_ok);
	json_bool(j, "known", p.known);
	pair_path_json(j, "unicast", p.uc_rx, p.uc_exp, p.rtt_uc_ms,
		       p.hops_uc, p.uc_ok);
	pair_path_json(j, "multicast", p.mc_rx, p.mc_exp, p.rtt_mc_ms,
		       p.hops_mc, p.mc_ok);
}

static const char *const path_name[] = { "unicast", "multicast" };

const char *mcp_fmt_reply(const struct mcp_reply_ev *e,
			  const struct sockaddr_storage *from, int dup,
			  char *buf, size_t len)
{
	char a[INET_FMTLEN], t[32] = "";

	if (e->rtt_ok)
		snprintf(t, sizeof(t), " time=%.3f ms",
			 (double)e->rtt_ns / 1e6);
	snprintf(buf, len, "%9s from %s: seq=%u ttl=%d hops=%d%s%s",
		 path_name[e->path], inet_ntop_ss(from, a, sizeof(a)), e->seq,
		 e->ttl, e->hops, t, dup ? " (DUP!)" : "");
	return buf;
}

void mcp_fmt_reply_json(struct json *j, const struct mcp_reply_ev *e,
			const struct sockaddr_storage *from, int dup)
{
	char a[INET_FMTLEN];

	json_str(j, "type", "reply");
	json_str(j, "path", path_name[e->path]);
	json_str(j, "from", inet_ntop_ss(from, a, sizeof(a)));
	json_uint(j, "seq", e->seq);
	int_or_null(j, "ttl", e->ttl);
	int_or_null(j, "hops", e->hops);
	if (e->rtt_ok)
		json_double(j, "rtt_ms", (double)e->rtt_ns / 1e6, 3);
	else
		json_null(j, "rtt_ms");
	json_uint(j, "length", e->len);
	json_bool(j, "duplicate", dup);
}

static const char *mode(const struct mcp_client *c)
{
	return mcp_is_ssm(&c->cfg.group) ? "SSM" : "ASM";
}

const char *mcp_fmt_client(const struct mcp_client *c, double secs,
			   int line, char *buf, size_t len)
{
	char r[INET_FMTLEN], g[INET_FMTLEN], p[256];

	switch (line) {
	case 0:
		snprintf(buf, len, "--- %s mcping statistics, group %s (%s) "
			 "---", inet_ntop_ss(&c->cfg.responder, r, sizeof(r)),
			 inet_ntop_ss(&c->cfg.group, g, sizeof(g)), mode(c));
		return buf;
	case 1:
		snprintf(buf, len, "%u requests sent in %.3f s%s%s", c->sent,
			 secs, c->info[0] ? "; responder: " : "", c->info);
		return buf;
	case 2:
	case 3:
		snprintf(buf, len, "%-10s %s", line == 2 ? "unicast:"
			 : "multicast:", mcp_fmt_path(c, line - 2, p,
						      sizeof(p)));
		return buf;
	}
	return NULL;
}

void mcp_fmt_client_json(struct json *j, const struct mcp_client *c,
			 double secs)
{
	static const char *const v[] = { "ok", "no-answer", "", "unicast-only" };
	char a[INET_FMTLEN];

	json_str(j, "type", "summary");
	json_str(j, "responder", inet_ntop_ss(&c->cfg.responder, a, sizeof(a)));
	json_str(j, "group", inet_ntop_ss(&c->cfg.group, a, sizeof(a)));
	json_str(j, "mode", mcp_is_ssm(&c->cfg.group) ? "ssm" : "asm");
	json_uint(j, "sent", c->sent);
	json_double(j, "elapsed_s", secs, 3);
	json_str(j, "server", c->info[0] ? c->info : NULL);
	json_bool(j, "legacy_server", c->know_server && c->legacy);
	mcp_fmt_path_json(j, "unicast", c, MCP_UC);
	mcp_fmt_path_json(j, "multicast", c, MCP_MC);
	json_str(j, "verdict", v[mcp_client_verdict(c)]);
}

const char *mcp_fmt_verdict(const struct mcp_client *c, int line, char *buf,
			    size_t len)
{
	char r[INET_FMTLEN], g[INET_FMTLEN];
	int v = mcp_client_verdict(c);

	inet_ntop_ss(&c->cfg.responder, r, sizeof(r));
	inet_ntop_ss(&c->cfg.group, g, sizeof(g));
	if (!v || line > 1 || (v == 1 && line))
		return NULL;
	if (v == 1)
		snprintf(buf, len, "no answer from %s, neither unicast nor "
			 "multicast", r);
	else if (!line)
		snprintf(buf, len, "unicast works, multicast doesn't: no answer"
			 " from %s reached %s (%s)", r, g, mode(c));
	else if (c->legacy)
		snprintf(buf, len, "the responder sent no TTL option, as "
			 "ssmpingd 0.9 does, which answers only groups ending in "
			 ".234 or :4321:1234");
	else
		snprintf(buf, len, "check that the responder allows %s "
			 "(mcping --respond -g), the routers between (PIM, %s) "
			 "and the firewalls", g, mcp_is_ssm(&c->cfg.group)
			 ? "SSM range" : "RP");
	return buf;
}

static const char *const act_name[] = {
	[MCP_V_ANSWER] = "answered", [MCP_V_UNICAST_ONLY] = "unicast only",
	[MCP_V_RESPONSE] = "server response", [MCP_V_IGNORE] = "ignored",
	[MCP_V_BAD] = "bad", [MCP_V_LIMITED] = "rate limited",
};

const char *mcp_fmt_request(const struct sockaddr_storage *from,
			    const struct mcp_action *a, char *buf,
			    size_t len)
{
	char f[INET_FMTLEN], g[INET_FMTLEN] = "", s[16] = "";

	if (a->v == MCP_V_ANSWER)
		inet_ntop_ss(&a->group, g, sizeof(g));
	if (a->has_seq)
		snprintf(s, sizeof(s), " seq=%u", a->seq);
	snprintf(buf, len, "request from %s%s: %s%s%s%s%s",
		 inet_fmt(from, f, sizeof(f)), s, act_name[a->v],
		 g[0] ? " to " : "", g, a->why[0] ? ": " : "", a->why);
	return buf;
}

void mcp_fmt_request_json(struct json *j, const struct sockaddr_storage *from,
			  const struct mcp_action *a)
{
	char f[INET_FMTLEN];

	json_str(j, "type", "request");
	json_str(j, "from", inet_fmt(from, f, sizeof(f)));
	if (a->has_seq)
		json_uint(j, "seq", a->seq);
	else
		json_null(j, "seq");
	json_str(j, "action", act_name[a->v]);
	if (a->v == MCP_V_ANSWER)
		json_str(j, "group", inet_ntop_ss(&a->group, f, sizeof(f)));
	json_str(j, "client", a->legacy ? "ssmping" : "rfc6450");
	if (a->why[0])
		json_str(j, "why", a->why);
}

const char *mcp_fmt_resp_totals(const struct mcp_resp *r, char *buf,
				size_t len)
{
	snprintf(buf, len, "answered %llu, unicast only %llu, server responses "
		 "%llu, rate limited %llu, bad %llu",
		 (unsigned long long)r->answered,
		 (unsigned long long)r->unicast_only,
		 (unsigned long long)r->responses,
		 (unsigned long long)r->limited, (unsigned long long)r->bad);
	return buf;
}

/* The ordered pair number k: from, to (from != to). */
static void pair_k(const struct mcp_mesh *m, int k, int *from, int *to)
{
	int n = m->cfg.n;

	*from = k / (n - 1);
	*to = k % (n - 1);
	if (*to >= *from)
		++*to;
}

const char *mcp_fmt_mesh(const struct mcp_mesh *m, int line, char *buf,
			 size_t len)
{
	int n = m->cfg.n, f, t;

	if (line <= n)
		return mcp_fmt_matrix(m, line, buf, len);
	line -= n + 1;
	if (line >= n * (n - 1))
		return NULL;
	pair_k(m, line, &f, &t);
	return mcp_fmt_pair(m, f, t, buf, len);
}

int mcp_fmt_mesh_json(struct json *j, const struct mcp_mesh *m, int k)
{
	int n = m->cfg.n, f, t, broken;

	if (k < n * (n - 1)) {
		pair_k(m, k, &f, &t);
		json_str(j, "type", "pair");
		mcp_fmt_pair_json(j, m, f, t);
		return 1;
	}
	if (k > n * (n - 1))
		return 0;
	mcp_mesh_verdict(m, &broken);
	json_str(j, "type", "summary");
	json_int(j, "hosts", n);
	json_int(j, "pairs", n * (n - 1));
	json_int(j, "broken", broken);
	json_bool(j, "settled", mcp_mesh_done(m));
	return 1;
}

const char *mcp_fmt_mesh_verdict(const struct mcp_mesh *m, char *buf,
				 size_t len)
{
	int broken, v = mcp_mesh_verdict(m, &broken);

	if (!v)
		return NULL;
	snprintf(buf, len, "%d of %d ordered pairs do not work%s", broken,
		 m->cfg.n * (m->cfg.n - 1), v == 3
		 ? " on multicast (unicast works)" : "");
	return buf;
}
