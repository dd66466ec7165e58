/* mesh.c - mcping --mesh: every host pings every other, answers them
 * unicast and to the group, and shares what it heard; sans I/O. */
#include "mcping/mesh.h"

#include <string.h>

#include "base/err.h"
#include "net/addr.h"

void mcp_mesh_init(struct mcp_mesh *m, const struct mcp_mesh_cfg *cfg,
		   uint64_t now)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (!m->cfg.interval_ns)
		m->cfg.interval_ns = 1000000000u;
	m->t0 = m->next_report = now;
	m->state = MCP_MS_WAIT;
	for (int i = 0; i < m->cfg.n; i++) {
		mcp_stats_init(&m->peer[i].st[MCP_UC]);
		mcp_stats_init(&m->peer[i].st[MCP_MC]);
	}
}

int mcp_mesh_host(const struct mcp_mesh *m, const struct sockaddr_storage *a)
{
	for (int i = 0; i < m->cfg.n; i++)
		if (inet_same_addr(&m->cfg.host[i], a))
			return i;
	return -1;
}

/* The state peer i last reported; -1 when it never did. */
static int peer_state(const struct mcp_mesh *m, int i)
{
	return m->peer[i].have ? m->peer[i].rep.state : -1;
}

/* Does every other host satisfy: heard of (min -1), or state >= min? */
static int all_peers(const struct mcp_mesh *m, int min)
{
	for (int i = 0; i < m->cfg.n; i++) {
		if (i == m->cfg.self)
			continue;
		if (min < 0 ? !m->peer[i].heard && !m->peer[i].have
			    : peer_state(m, i) < min)
			return 0;
	}
	return 1;
}

static void update_state(struct mcp_mesh *m, uint64_t now)
{
	uint64_t iv = m->cfg.interval_ns;

	if (m->state == MCP_MS_WAIT &&
	    (all_peers(m, -1) || now >= m->t0 + m->cfg.wait_ns)) {
		m->state = m->cfg.count ? MCP_MS_RUN : MCP_MS_DONE;
		m->next_round = now;
	}
	if (m->state == MCP_MS_DONE && all_peers(m, MCP_MS_DONE)) {
		m->state = MCP_MS_FINAL;
		m->final_ns = now;
	}
	if (m->state == MCP_MS_FINAL && now >= m->final_ns + 2 * iv) {
		m->state = MCP_MS_SETTLED;
		m->settled_reports = 0;
	}
}

int mcp_mesh_done(const struct mcp_mesh *m)
{
	return m->state == MCP_MS_SETTLED && m->settled_reports >= 2 &&
	       all_peers(m, MCP_MS_SETTLED);
}

static uint32_t avg_us(const struct mcp_stats *s)
{
	return s->rtts ? (uint32_t)(s->rtt_sum / s->rtts / 1000) : 0;
}

static void own_report(const struct mcp_mesh *m, struct mcp_report *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->cid, m->cfg.cid, sizeof(r->cid));
	r->origin = m->cfg.host[m->cfg.self];
	r->state = m->state;
	r->gen = m->gen;
	r->mc_sent = m->mc_sent;
	for (int i = 0; i < m->cfg.n; i++) {
		const struct mcp_peer *p = &m->peer[i];
		struct mcp_cell *c;

		if (i == m->cfg.self)
			continue;
		c = &r->cell[r->ncells++];
		c->peer = m->cfg.host[i];
		c->req_sent = p->req_sent;
		c->req_rx = p->req_rx;
		c->urep_rx = p->urep_rx;
		c->mrep_rx = p->mrep_rx;
		c->rtt_uc_us = avg_us(&p->st[MCP_UC]);
		c->rtt_mc_us = avg_us(&p->st[MCP_MC]);
		c->hops_uc = p->st[MCP_UC].hops_min;
		c->hops_mc = p->st[MCP_MC].hops_min;
	}
}

/* The report of origin j (own when j is self) to `to`; 0 when none. */
static int report_to(struct mcp_mesh *m, int j, int to, struct mcp_send *s)
{
	struct mcp_report r;
	const struct mcp_report *rp = &r;

	if (j == m->cfg.self)
		own_report(m, &r);
	else if (m->peer[j].have)
		rp = &m->peer[j].rep;
	else
		return 0;
	s->to = to;
	s->len = mcp_build_report(s->buf, sizeof(s->buf), rp);
	return s->len > 0;
}

static int request_to(struct mcp_mesh *m, uint64_t now, uint64_t wall_ns,
		      int i, struct mcp_send *s)
{
	struct mcp_peer *p = &m->peer[i];
	struct mcp_req r = {
		.cid = m->cfg.cid, .cid_len = sizeof(m->cfg.cid),
		.seq = p->req_sent + 1, .wall_ns = wall_ns,
		.group = &m->cfg.group,
	};
	struct mcp_slot *sl;

	s->to = i;
	s->len = mcp_build_request(s->buf, sizeof(s->buf), &r);
	if (!s->len)
		return 0;
	p->req_sent++;
	sl = &p->ring[p->req_sent % MCP_MESH_RING];
	sl->seq = p->req_sent;
	sl->tx_ns = now;
	sl->got = 0;
	return 1;
}

static uint64_t next_tick(uint64_t t, uint64_t iv, uint64_t now)
{
	t += iv;
	return t > now ? t : now + iv;
}

int mcp_mesh_queued(struct mcp_mesh *m, struct mcp_send *s)
{
	if (!m->nq)
		return 0;
	*s = m->q[0];
	memmove(m->q, m->q + 1, --m->nq * sizeof(m->q[0]));
	return 1;
}

int mcp_mesh_next(struct mcp_mesh *m, uint64_t now, uint64_t wall_ns,
		  struct mcp_send *s, uint64_t *wake)
{
	unsigned n = (unsigned)m->cfg.n;
	uint64_t iv = m->cfg.interval_ns;

	if (mcp_mesh_queued(m, s))
		return 1;
	update_state(m, now);
	if (!m->in_report && now >= m->next_report) {
		m->in_report = 1;
		m->report_i = 0;
		m->gen++;
		m->next_report = next_tick(m->next_report, iv, now);
		if (m->state == MCP_MS_SETTLED)
			m->settled_reports++;
	}
	/* own report to each peer, then every report known to the group */
	while (m->in_report && m->report_i < 2 * n) {
		unsigned i = m->report_i++;

		if (i < n ? (int)i != m->cfg.self &&
			    report_to(m, m->cfg.self, (int)i, s)
			  : report_to(m, (int)(i - n), -1, s))
			return 1;
	}
	m->in_report = 0;
	if (m->state == MCP_MS_RUN && !m->in_round && now >= m->next_round) {
		m->in_round = 1;
		m->round_i = 0;
		m->next_round = next_tick(m->next_round, iv, now);
	}
	while (m->in_round && m->round_i < n) {
		unsigned i = m->round_i++;

		if ((int)i != m->cfg.self && request_to(m, now, wall_ns,
							(int)i, s))
			return 1;
	}
	if (m->in_round) {
		m->in_round = 0;
		if (++m->rounds >= m->cfg.count)
			m->state = MCP_MS_DONE;
	}
	*wake = m->next_report;
	if (m->state == MCP_MS_RUN && m->next_round < *wake)
		*wake = m->next_round;
	if (m->state == MCP_MS_WAIT && m->t0 + m->cfg.wait_ns < *wake)
		*wake = m->t0 + m->cfg.wait_ns;
	if (m->state == MCP_MS_FINAL && m->final_ns + 2 * iv < *wake)
		*wake = m->final_ns + 2 * iv;
	if (*wake < now)
		*wake = now;
	return 0;
}

static uint64_t answer_key(const struct mcp_msg *a)
{
	uint64_t h = 1469598103934665603u;	/* FNV-1a of the Client ID */

	for (size_t i = 0; i < a->cid_len; i++)
		h = (h ^ a->cid[i]) * 1099511628211u;
	return h ^ ((uint64_t)a->seq << 1 | 1);
}

/* 1 when this multicast answer of p was not seen before. */
static int fresh_answer(struct mcp_peer *p, uint64_t key)
{
	unsigned n = p->nkeys < MCP_MESH_KEYS ? p->nkeys : MCP_MESH_KEYS;

	for (unsigned i = 0; i < n; i++)
		if (p->keys[i] == key)
			return 0;
	p->keys[p->nkeys++ % MCP_MESH_KEYS] = key;
	return 1;
}

static void on_request(struct mcp_mesh *m, int i, const struct mcp_msg *q,
		       const uint8_t *p, size_t len, uint64_t wall_ns)
{
	struct mcp_answer a = { .ttl = m->cfg.ttl, .wall_ns = wall_ns,
				.max = MCP_MAXMSG };
	struct mcp_peer *pe = &m->peer[i];
	uint32_t *seen = &pe->req_seq[q->seq % MCP_MESH_RING];

	if (*seen != q->seq) {
		*seen = q->seq;
		pe->req_rx++;
	}
	if (m->nq + 2 > MCP_MESH_QUEUE)
		return;
	m->q[m->nq].to = i;
	m->q[m->nq].len = mcp_build_reply(m->q[m->nq].buf, MCP_MAXMSG, p,
					  len, q, &a);
	if (!m->q[m->nq].len)
		return;
	m->q[m->nq + 1] = m->q[m->nq];
	m->q[m->nq + 1].to = -1;
	m->nq += 2;
	m->mc_sent++;
}

static void on_reply(struct mcp_mesh *m, uint64_t now, enum mcp_path path,
		     int i, const struct mcp_msg *a, size_t len, int ttl,
		     struct mcp_mesh_ev *ev)
{
	struct mcp_peer *pe = &m->peer[i];
	struct mcp_slot *sl;
	struct mcp_reply_ev *r = &ev->r;

	ev->mine = a->cid_len == sizeof(m->cfg.cid) &&
		   !memcmp(a->cid, m->cfg.cid, sizeof(m->cfg.cid));
	if (path == MCP_MC) {
		if (!fresh_answer(pe, answer_key(a)))
			return;
		pe->mrep_rx++;
	}
	if (!ev->mine || !a->seq || a->seq > pe->req_sent)
		return;
	sl = &pe->ring[a->seq % MCP_MESH_RING];
	r->path = path;
	r->seq = a->seq;
	r->ttl = ttl;
	r->len = len;
	r->sent_ttl = a->ttl >= 0 ? a->ttl : MCP_TTL;
	r->hops = mcp_hops(r->sent_ttl, ttl);
	if (sl->seq == a->seq) {
		if (sl->got & (1u << path))
			return;
		sl->got |= (uint8_t)(1u << path);
		r->rtt_ok = 1;
		r->rtt_ns = now - sl->tx_ns;
	}
	if (path == MCP_UC)
		pe->urep_rx++;
	r->first = !pe->st[path].received;
	mcp_stats_add(&pe->st[path], a->seq, r->rtt_ns, r->rtt_ok, ttl,
		      r->hops, now - m->t0);
	ev->counted = 1;
}

static void on_report(struct mcp_mesh *m, const uint8_t *p, size_t len,
		      struct mcp_mesh_ev *ev)
{
	struct mcp_report r;
	struct mcp_peer *pe;
	int o;

	if (mcp_decode_report(p, len, &r) < 0)
		return;
	o = mcp_mesh_host(m, &r.origin);
	if (o < 0 || o == m->cfg.self) {
		err_set("a report from a host not listed");
		return;
	}
	pe = &m->peer[o];
	/* a newer one, or one from a new run of that host */
	if (!pe->have || r.gen > pe->rep.gen ||
	    memcmp(r.cid, pe->rep.cid, sizeof(r.cid))) {
		pe->rep = r;
		pe->have = 1;
	}
	ev->kind = MCP_MESH;
}

void mcp_mesh_input(struct mcp_mesh *m, uint64_t now, uint64_t wall_ns,
		    enum mcp_path path, const struct sockaddr_storage *from,
		    const uint8_t *p, size_t len, int ttl,
		    struct mcp_mesh_ev *ev)
{
	struct mcp_msg msg;

	memset(ev, 0, sizeof(*ev));
	ev->host = mcp_mesh_host(m, from);
	if (ev->host < 0 || ev->host == m->cfg.self || !len) {
		err_set("not from a listed host");
		return;
	}
	m->peer[ev->host].heard = 1;
	if (p[0] == MCP_MESH) {
		on_report(m, p, len, ev);
		return;
	}
	if (mcp_decode(p, len, &msg) < 0)
		return;
	if (!msg.has_seq || !msg.cid) {
		err_set("no sequence number or client id");
		return;
	}
	if (msg.type == MCP_REQUEST && path == MCP_UC) {
		if (msg.has_group && !inet_same_addr(&msg.group,
						     &m->cfg.group)) {
			err_set("a request for another group");
			return;
		}
		on_request(m, ev->host, &msg, p, len, wall_ns);
		ev->kind = MCP_REQUEST;
	} else if (msg.type == MCP_REPLY) {
		ev->kind = MCP_REPLY;
		on_reply(m, now, path, ev->host, &msg, len, ttl, ev);
	}
}

/* The cell `to` reports about `from` in its last report; NULL if none. */
static const struct mcp_cell *cell_of(const struct mcp_mesh *m, int to,
				      int from)
{
	const struct mcp_report *r = &m->peer[to].rep;

	if (!m->peer[to].have)
		return NULL;
	for (unsigned k = 0; k < r->ncells; k++)
		if (inet_same_addr(&r->cell[k].peer, &m->cfg.host[from]))
			return &r->cell[k];
	return NULL;
}

void mcp_mesh_pair(const struct mcp_mesh *m, int from, int to,
		   struct mcp_pair *p)
{
	int self = m->cfg.self;
	const struct mcp_cell *c;

	memset(p, 0, sizeof(*p));
	p->uc_exp = p->mc_exp = -1;
	p->hops_uc = p->hops_mc = -1;
	/* what `from` sent */
	if (from == self) {
		p->uc_exp = m->peer[to].req_sent;
		p->mc_exp = m->mc_sent;
	} else if ((c = cell_of(m, from, to))) {
		p->uc_exp = c->req_sent;
		p->mc_exp = m->peer[from].rep.mc_sent;
	}
	/* what `to` heard */
	if (to == self) {
		const struct mcp_peer *pe = &m->peer[from];

		p->known = 1;
		p->uc_rx = pe->req_rx;
		p->mc_rx = pe->mrep_rx;
		p->rtt_uc_ms = avg_us(&pe->st[MCP_UC]) / 1e3;
		p->rtt_mc_ms = avg_us(&pe->st[MCP_MC]) / 1e3;
		p->hops_uc = pe->st[MCP_UC].hops_min;
		p->hops_mc = pe->st[MCP_MC].hops_min;
	} else if ((c = cell_of(m, to, from))) {
		p->known = 1;
		p->uc_rx = c->req_rx;
		p->mc_rx = c->mrep_rx;
		p->rtt_uc_ms = c->rtt_uc_us / 1e3;
		p->rtt_mc_ms = c->rtt_mc_us / 1e3;
		p->hops_uc = c->hops_uc;
		p->hops_mc = c->hops_mc;
	}
	p->uc_ok = p->known && p->uc_rx > 0;
	p->mc_ok = p->known && p->mc_rx > 0;
}

double mcp_pair_loss(uint32_t rx, int64_t exp)
{
	if (exp <= 0)
		return -1;
	return rx >= exp ? 0 : 100.0 * (double)(exp - rx) / (double)exp;
}

int mcp_mesh_verdict(const struct mcp_mesh *m, int *broken)
{
	int uc_bad = 0;
	struct mcp_pair p;

	*broken = 0;
	for (int f = 0; f < m->cfg.n; f++)
		for (int t = 0; t < m->cfg.n; t++) {
			if (f == t)
				continue;
			mcp_mesh_pair(m, f, t, &p);
			uc_bad += !p.uc_ok;
			*broken += !p.uc_ok || !p.mc_ok;
		}
	return !*broken ? 0 : !uc_bad ? 3 : 1;
}
