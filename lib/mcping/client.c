/* client.c - the Multicast Ping client state machine (RFC 6450), sans I/O. */
#include "mcping/client.h"

#include <string.h>

#include "base/err.h"
#include "base/fmath.h"
#include "net/addr.h"

void mcp_stats_init(struct mcp_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->ttl = -1;
	s->hops_min = s->hops_max = -1;
}

void mcp_stats_add(struct mcp_stats *s, uint32_t seq, uint64_t rtt,
		   int rtt_ok, int ttl, int hops, uint64_t now_rel)
{
	if (!s->received) {
		s->first_seq = seq;
		s->first_ns = now_rel;
	}
	s->received++;
	if (seq < s->first_seq)		/* a late one overtaken */
		s->first_seq = seq;
	if (rtt_ok) {
		if (!s->rtts || rtt < s->rtt_min)
			s->rtt_min = rtt;
		if (rtt > s->rtt_max)
			s->rtt_max = rtt;
		s->rtt_sum += rtt;
		s->rtt_sq += (double)rtt * (double)rtt;
		s->rtts++;
	}
	if (ttl >= 0)
		s->ttl = ttl;
	if (hops >= 0) {
		if (s->hops_min < 0 || hops < s->hops_min)
			s->hops_min = hops;
		if (hops > s->hops_max)
			s->hops_max = hops;
	}
}

double mcp_stats_avg_ms(const struct mcp_stats *s)
{
	return s->rtts ? (double)s->rtt_sum / (double)s->rtts / 1e6 : 0;
}

double mcp_stats_mdev_ms(const struct mcp_stats *s)
{
	double m, v;

	if (!s->rtts)
		return 0;
	m = (double)s->rtt_sum / (double)s->rtts;
	v = s->rtt_sq / (double)s->rtts - m * m;
	return v > 0 ? fm_sqrt(v) / 1e6 : 0;
}

int mcp_hops(int sent_ttl, int ttl)
{
	if (ttl < 0 || sent_ttl < 0 || ttl > sent_ttl)
		return -1;
	return sent_ttl - ttl;
}

void mcp_client_init(struct mcp_client *c, const struct mcp_client_cfg *cfg,
		     uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (!c->cfg.interval_ns)
		c->cfg.interval_ns = 1000000000u;
	c->t0 = c->next_ns = now;
	mcp_stats_init(&c->path[MCP_UC]);
	mcp_stats_init(&c->path[MCP_MC]);
}

static int all_sent(const struct mcp_client *c)
{
	return c->cfg.count && c->sent >= c->cfg.count;
}

size_t mcp_client_poll(struct mcp_client *c, uint64_t now, uint64_t wall_ns,
		       uint8_t *buf, size_t cap, uint64_t *wake)
{
	struct mcp_req r = {
		.cid = c->cfg.cid, .cid_len = sizeof(c->cfg.cid),
		.wall_ns = wall_ns, .group = &c->cfg.group,
		.legacy = c->legacy, .want_info = !c->info[0],
	};
	struct mcp_slot *s;
	size_t len;

	if (all_sent(c) || c->sent == UINT32_MAX) {
		*wake = c->last_ns + c->cfg.linger_ns;
		return 0;
	}
	if (now < c->next_ns) {
		*wake = c->next_ns;
		return 0;
	}
	r.seq = c->sent + 1;
	len = mcp_build_request(buf, cap, &r);
	if (!len) {
		*wake = now;
		return 0;
	}
	c->sent++;
	s = &c->ring[c->sent % MCP_RING];
	s->seq = c->sent;
	s->tx_ns = now;
	s->got = 0;
	c->last_ns = now;
	/* after a stall, carry on from now rather than send a burst */
	c->next_ns += c->cfg.interval_ns;
	if (c->next_ns <= now)
		c->next_ns = now + c->cfg.interval_ns;
	*wake = all_sent(c) ? now + c->cfg.linger_ns : c->next_ns;
	return len;
}

int mcp_client_done(const struct mcp_client *c, uint64_t now)
{
	if (!all_sent(c))
		return 0;
	if (c->path[MCP_UC].received >= c->sent &&
	    c->path[MCP_MC].received >= c->sent)
		return 1;
	return now >= c->last_ns + c->cfg.linger_ns;
}

enum mcp_in mcp_client_input(struct mcp_client *c, uint64_t now,
			     enum mcp_path path,
			     const struct sockaddr_storage *from,
			     const uint8_t *p, size_t len, int ttl,
			     struct mcp_reply_ev *ev)
{
	struct mcp_msg m;
	struct mcp_slot *s;

	memset(ev, 0, sizeof(*ev));
	if (from && !inet_same_addr(from, &c->cfg.responder)) {
		c->foreign++;
		return MCP_IN_FOREIGN;
	}
	if (mcp_decode(p, len, &m) < 0) {
		c->bad++;
		return MCP_IN_BAD;
	}
	if (m.type != MCP_REPLY || !m.has_seq) {
		err_set(m.type != MCP_REPLY ? "not an echo reply (type %d)"
			: "echo reply without a sequence number", m.type);
		c->bad++;
		return MCP_IN_BAD;
	}
	if (!m.cid || m.cid_len != sizeof(c->cfg.cid) ||
	    memcmp(m.cid, c->cfg.cid, sizeof(c->cfg.cid))) {
		c->foreign++;
		return MCP_IN_FOREIGN;
	}
	if (!m.seq || m.seq > c->sent) {
		err_set("echo reply to request %u, which was never sent",
			m.seq);
		c->bad++;
		return MCP_IN_BAD;
	}
	if (!c->know_server) {
		c->know_server = 1;
		c->legacy = m.ttl < 0;
	}
	if (!c->info[0] && m.info && m.info_len) {
		size_t n = m.info_len < sizeof(c->info) - 1
			 ? m.info_len : sizeof(c->info) - 1;

		for (size_t i = 0; i < n; i++)	/* printable only */
			c->info[i] = m.info[i] >= 0x20 && m.info[i] < 0x7f
				   ? (char)m.info[i] : '?';
		c->info[n] = 0;
		ev->new_info = 1;
	}
	ev->path = path;
	ev->seq = m.seq;
	ev->ttl = ttl;
	ev->len = len;
	if (m.ttl >= 0)
		ev->sent_ttl = m.ttl;
	else
		ev->sent_ttl = ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
	ev->hops = mcp_hops(ev->sent_ttl, ttl);
	s = &c->ring[m.seq % MCP_RING];
	if (s->seq == m.seq) {
		ev->rtt_ok = 1;
		ev->rtt_ns = now - s->tx_ns;
		if (s->got & (1u << path)) {
			c->path[path].dups++;
			return MCP_IN_DUP;
		}
		s->got |= (uint8_t)(1u << path);
	} else {
		/* forgotten: cannot tell a duplicate, nor time it */
		c->late++;
	}
	ev->first = !c->path[path].received;
	mcp_stats_add(&c->path[path], m.seq, ev->rtt_ns, ev->rtt_ok, ttl,
		      ev->hops, now - c->t0);
	return MCP_IN_REPLY;
}

double mcp_client_loss(const struct mcp_client *c, enum mcp_path path,
		       int since_first)
{
	const struct mcp_stats *s = &c->path[path];
	double n = c->sent, got = (double)s->received;

	if (since_first && s->received)
		n = (double)c->sent - s->first_seq + 1;
	if (n <= 0)
		return 0;
	return got >= n ? 0 : 100.0 * (n - got) / n;
}

int mcp_client_verdict(const struct mcp_client *c)
{
	return c->path[MCP_MC].received ? 0 : c->path[MCP_UC].received ? 3
								       : 1;
}
