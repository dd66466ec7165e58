/* wire.c - Multicast Ping Protocol messages (RFC 6450), and the pre-RFC
 * form of ssmping 0.9, decoded and built without I/O. */
#include "mcping/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "base/err.h"

/* IANA address family numbers, as the Multicast Group option carries */
#define IANA_IP		1
#define IANA_IP6	2

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static const char *opt_name(unsigned t)
{
	static const char *const n[] = {
		"version", "client id", "sequence number", "client timestamp",
		"multicast group", "option request", "server information",
		"reply size", "pad", "ttl", "multicast prefix", "session id",
		"server timestamp",
	};

	if (t < sizeof(n) / sizeof(n[0]))
		return n[t];
	if (t == MCP_O_MESH_ORIGIN)
		return "mesh origin";
	if (t == MCP_O_MESH_CELL)
		return "mesh cell";
	return "unknown";
}

static int bad_len(unsigned t, unsigned l, const char *want)
{
	err_set("option %u (%s): length %u, expected %s", t, opt_name(t), l,
		want);
	return -1;
}

/* family + address of alen bytes into ss; -1 when the family is not 1/2
 * or does not match alen. */
static int get_addr(unsigned af, const uint8_t *a, size_t alen,
		    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (af == IANA_IP && alen == 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a, 4);
		return 0;
	}
	if (af == IANA_IP6 && alen == 16) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, a, 16);
		return 0;
	}
	return -1;
}

static int is_mcast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return IN_MULTICAST(ntohl(
			((const struct sockaddr_in *)ss)->sin_addr.s_addr));
	return ss->ss_family == AF_INET6 &&
	       IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static int dec_group(const uint8_t *v, unsigned l, struct mcp_msg *m)
{
	int r;

	/* ssmping 0.9 writes a one-octet family (5 or 17 bytes); RFC 6450
	 * a 16-bit one (6 or 18) */
	if (l == 5 || l == 17) {
		r = get_addr(v[0], v + 1, l - 1, &m->group);
		m->group_legacy = 1;
	} else if (l == 6 || l == 18) {
		r = get_addr(get16(v), v + 2, l - 2, &m->group);
		m->group_legacy = 0;
	} else {
		return bad_len(MCP_O_GROUP, l, "5, 6, 17 or 18");
	}
	if (r < 0) {
		err_set("option 4 (multicast group): bad address family");
		return -1;
	}
	if (!is_mcast(&m->group)) {
		err_set("option 4 (multicast group): not a multicast address");
		return -1;
	}
	m->has_group = 1;
	return 0;
}

static int dec_prefix(const uint8_t *v, unsigned l, struct mcp_msg *m)
{
	uint8_t a[16] = { 0 };
	unsigned af, plen, alen, n;

	if (l < 3)
		return bad_len(MCP_O_PREFIX, l, "at least 3");
	af = get16(v);
	plen = v[2];
	alen = af == IANA_IP ? 4 : af == IANA_IP6 ? 16 : 0;
	n = l - 3;
	if (!alen || n > alen || plen > alen * 8 || n * 8 < plen) {
		err_set("option 10 (multicast prefix): bad family or length");
		return -1;
	}
	memcpy(a, v + 3, n);
	get_addr(af, a, alen, &m->prefix);
	m->prefix_len = (int)plen;
	m->has_prefix = 1;
	return 0;
}

static int dec_opt(unsigned t, const uint8_t *v, unsigned l,
		   struct mcp_msg *m)
{
	switch (t) {
	case MCP_O_VERSION:
		if (l != 1)
			return bad_len(t, l, "1");
		m->version = v[0];
		break;
	case MCP_O_CLIENT_ID:
		m->cid = v;
		m->cid_len = l;
		break;
	case MCP_O_SEQ:
		if (l != 4)
			return bad_len(t, l, "4");
		m->seq = get32(v);
		m->has_seq = 1;
		break;
	case MCP_O_CLIENT_TS:
	case MCP_O_SERVER_TS:
		if (l != 8)
			return bad_len(t, l, "8");
		if (t == MCP_O_CLIENT_TS) {
			m->cts_sec = get32(v);
			m->cts_usec = get32(v + 4);
			m->has_cts = 1;
		} else {
			m->sts_sec = get32(v);
			m->sts_usec = get32(v + 4);
			m->has_sts = 1;
		}
		break;
	case MCP_O_GROUP:
		/* the first one counts, as in ssmpingd */
		if (!m->has_group)
			return dec_group(v, l, m);
		break;
	case MCP_O_ORO:
		if (l % 2)
			return bad_len(t, l, "even");
		if (!l)		/* ssmping 0.9 -v: "send your version" */
			m->want_info = 1;
		for (unsigned i = 0; i + 1 < l; i += 2) {
			unsigned o = get16(v + i);

			m->want_info |= o == MCP_O_SERVER_INFO;
			m->want_sts |= o == MCP_O_SERVER_TS;
		}
		break;
	case MCP_O_SERVER_INFO:
		m->info = v;
		m->info_len = l;
		break;
	case MCP_O_REPLY_SIZE:
		if (l != 2)
			return bad_len(t, l, "2");
		m->reply_size = get16(v);
		break;
	case MCP_O_TTL:
		if (l != 1)
			return bad_len(t, l, "1");
		m->ttl = v[0];
		break;
	case MCP_O_PREFIX:
		if (!m->has_prefix)
			return dec_prefix(v, l, m);
		break;
	}
	return 0;
}

int mcp_decode(const uint8_t *p, size_t len, struct mcp_msg *m)
{
	size_t off = 1;

	memset(m, 0, sizeof(*m));
	m->version = -1;
	m->ttl = -1;
	if (!len) {
		err_set("empty message");
		return -1;
	}
	m->type = p[0];
	while (off < len) {
		unsigned t, l;

		if (len - off < 4) {
			err_set("%zu stray bytes after the last option",
				len - off);
			return -1;
		}
		t = get16(p + off);
		l = get16(p + off + 2);
		off += 4;
		if (l > len - off) {
			err_set("option %u (%s): length %u runs %zu bytes past "
				"the end", t, opt_name(t), l, l - (len - off));
			return -1;
		}
		if (dec_opt(t, p + off, l, m) < 0)
			return -1;
		off += l;
		m->nopts++;
	}
	return 0;
}

int mcp_is_ssm(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
			>> 24) == 232;
	if (ss->ss_family == AF_INET6) {
		const uint8_t *a =
			((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;

		/* RFC 4607: FF3x::/32 (prefix length 0, prefix 0) */
		return a[0] == 0xff && (a[1] & 0xf0) == 0x30 && !a[2] && !a[3];
	}
	return 0;
}

void mcp_default_group(int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, MCP_GROUP6, &s->sin6_addr);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		inet_pton(AF_INET, MCP_GROUP4, &s->sin_addr);
	}
}

/* ---- building ---- */

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int full;
};

static void w_init(struct wbuf *w, uint8_t *buf, size_t cap, int type)
{
	w->p = buf;
	w->cap = cap;
	w->len = 0;
	w->full = !cap;
	if (cap)
		buf[w->len++] = (uint8_t)type;
}

/* Room for an option of l bytes: a pointer to its value, or NULL. */
static uint8_t *w_opt(struct wbuf *w, unsigned t, size_t l)
{
	uint8_t *v;

	if (w->full || l > 0xffff || w->cap - w->len < 4 + l) {
		w->full = 1;
		return NULL;
	}
	put16(w->p + w->len, t);
	put16(w->p + w->len + 2, (unsigned)l);
	v = w->p + w->len + 4;
	w->len += 4 + l;
	return v;
}

static void w_bytes(struct wbuf *w, unsigned t, const void *b, size_t l)
{
	uint8_t *v = w_opt(w, t, l);

	if (v && l)
		memcpy(v, b, l);
}

static void w_u8(struct wbuf *w, unsigned t, unsigned x)
{
	uint8_t b = (uint8_t)x;

	w_bytes(w, t, &b, 1);
}

static void w_u32(struct wbuf *w, unsigned t, uint32_t x)
{
	uint8_t *v = w_opt(w, t, 4);

	if (v)
		put32(v, x);
}

static void w_ts(struct wbuf *w, unsigned t, uint64_t ns)
{
	uint8_t *v = w_opt(w, t, 8);

	if (v) {
		put32(v, (uint32_t)(ns / 1000000000u));
		put32(v + 4, (uint32_t)(ns % 1000000000u / 1000));
	}
}

/* The address bytes of ss and their IANA family. */
static const uint8_t *addr_of(const struct sockaddr_storage *ss, size_t *alen,
			      unsigned *af)
{
	if (ss->ss_family == AF_INET6) {
		*alen = 16;
		*af = IANA_IP6;
		return ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	}
	*alen = 4;
	*af = IANA_IP;
	return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
}

/* family (one octet when legacy, else two) + address, inside a value. */
static size_t put_addr(uint8_t *v, const struct sockaddr_storage *ss,
		       int legacy)
{
	size_t alen, n = legacy ? 1 : 2;
	unsigned af;
	const uint8_t *a = addr_of(ss, &alen, &af);

	if (legacy)
		v[0] = (uint8_t)af;
	else
		put16(v, af);
	memcpy(v + n, a, alen);
	return n + alen;
}

static void w_addr(struct wbuf *w, unsigned t,
		   const struct sockaddr_storage *ss, int legacy)
{
	uint8_t tmp[18];
	size_t n = put_addr(tmp, ss, legacy);

	w_bytes(w, t, tmp, n);
}

static size_t w_done(struct wbuf *w)
{
	return w->full ? 0 : w->len;
}

size_t mcp_build_request(uint8_t *buf, size_t cap, const struct mcp_req *r)
{
	struct wbuf w;

	w_init(&w, buf, cap, MCP_REQUEST);
	w_u8(&w, MCP_O_VERSION, MCP_VERSION);
	if (r->cid)
		w_bytes(&w, MCP_O_CLIENT_ID, r->cid, r->cid_len);
	w_u32(&w, MCP_O_SEQ, r->seq);
	w_ts(&w, MCP_O_CLIENT_TS, r->wall_ns);
	if (r->want_info) {
		uint8_t o[2];

		put16(o, MCP_O_SERVER_INFO);
		w_bytes(&w, MCP_O_ORO, o, 2);
	}
	if (r->group)
		w_addr(&w, MCP_O_GROUP, r->group, r->legacy);
	return w_done(&w);
}

static int server_only(unsigned t)
{
	return t == MCP_O_SERVER_INFO || t == MCP_O_PAD || t == MCP_O_TTL ||
	       t == MCP_O_PREFIX || t == MCP_O_SESSION ||
	       t == MCP_O_SERVER_TS;
}

size_t mcp_build_reply(uint8_t *out, size_t cap, const uint8_t *req,
		       size_t len, const struct mcp_msg *m,
		       const struct mcp_answer *a)
{
	struct wbuf w;
	size_t off = 1, want;

	w_init(&w, out, cap, MCP_REPLY);
	/* the request decoded, so every option fits in it */
	while (off + 4 <= len) {
		unsigned t = get16(req + off), l = get16(req + off + 2);

		if (l > len - off - 4)
			break;
		if (!server_only(t))
			w_bytes(&w, t, req + off + 4, l);
		off += 4 + (size_t)l;
	}
	w_u8(&w, MCP_O_TTL, (unsigned)a->ttl);
	if (m->want_info && a->info)
		w_bytes(&w, MCP_O_SERVER_INFO, a->info, strlen(a->info));
	if (m->want_sts)
		w_ts(&w, MCP_O_SERVER_TS, a->wall_ns);
	want = m->reply_size < a->max ? m->reply_size : a->max;
	if (!w.full && want >= w.len + 4) {
		uint8_t *v = w_opt(&w, MCP_O_PAD, want - w.len - 4);

		if (v)
			memset(v, 0, want - (size_t)(v - out));
	}
	return w_done(&w);
}

size_t mcp_build_response(uint8_t *out, size_t cap, const struct mcp_msg *m,
			  const struct sockaddr_storage *prefix,
			  const int *plen, int n, const char *info)
{
	struct wbuf w;

	w_init(&w, out, cap, MCP_RESPONSE);
	w_u8(&w, MCP_O_VERSION, MCP_VERSION);
	if (m->cid)
		w_bytes(&w, MCP_O_CLIENT_ID, m->cid, m->cid_len);
	if (m->has_seq)
		w_u32(&w, MCP_O_SEQ, m->seq);
	for (int i = 0; i < n; i++) {
		uint8_t v[19];
		size_t alen;
		unsigned af;
		const uint8_t *a = addr_of(&prefix[i], &alen, &af);

		if (m->has_prefix && prefix[i].ss_family != m->prefix.ss_family)
			continue;
		put16(v, af);
		v[2] = (uint8_t)plen[i];
		memcpy(v + 3, a, alen);
		w_bytes(&w, MCP_O_PREFIX, v, 3 + alen);
	}
	if (m->want_info && info)
		w_bytes(&w, MCP_O_SERVER_INFO, info, strlen(info));
	return w_done(&w);
}

/* ---- mesh reports ---- */

#define CELL_FIXED	26	/* counters after the address */

size_t mcp_build_report(uint8_t *buf, size_t cap, const struct mcp_report *r)
{
	struct wbuf w;
	uint8_t v[18 + CELL_FIXED], *p;
	size_t n;

	w_init(&w, buf, cap, MCP_MESH);
	w_u8(&w, MCP_O_VERSION, MCP_VERSION);
	w_bytes(&w, MCP_O_CLIENT_ID, r->cid, sizeof(r->cid));
	n = put_addr(v, &r->origin, 0);
	p = v + n;
	p[0] = (uint8_t)r->state;
	put32(p + 1, r->gen);
	put32(p + 5, r->mc_sent);
	w_bytes(&w, MCP_O_MESH_ORIGIN, v, n + 9);
	for (unsigned i = 0; i < r->ncells && i < MCP_MESH_MAX; i++) {
		const struct mcp_cell *c = &r->cell[i];

		n = put_addr(v, &c->peer, 0);
		p = v + n;
		put32(p, c->req_sent);
		put32(p + 4, c->req_rx);
		put32(p + 8, c->urep_rx);
		put32(p + 12, c->mrep_rx);
		put32(p + 16, c->rtt_uc_us);
		put32(p + 20, c->rtt_mc_us);
		p[24] = c->hops_uc < 0 ? 0xff : (uint8_t)c->hops_uc;
		p[25] = c->hops_mc < 0 ? 0xff : (uint8_t)c->hops_mc;
		w_bytes(&w, MCP_O_MESH_CELL, v, n + CELL_FIXED);
	}
	return w_done(&w);
}

/* family + address at the start of an option value of l bytes, fixed
 * bytes following it; the address length is told by the family. */
static int dec_mesh_addr(unsigned t, const uint8_t *v, unsigned l,
			 unsigned fixed, struct sockaddr_storage *ss)
{
	unsigned af, alen;

	if (l < 2)
		return bad_len(t, l, "at least 2");
	af = get16(v);
	alen = af == IANA_IP ? 4 : af == IANA_IP6 ? 16 : 0;
	if (!alen || l != 2 + alen + fixed) {
		err_set("option %u (%s): bad family %u or length %u", t,
			opt_name(t), af, l);
		return -1;
	}
	get_addr(af, v + 2, alen, ss);
	return (int)(2 + alen);
}

int mcp_decode_report(const uint8_t *p, size_t len, struct mcp_report *r)
{
	size_t off = 1;
	int origin = 0, n;

	memset(r, 0, sizeof(*r));
	if (!len || p[0] != MCP_MESH) {
		err_set("not a mesh report");
		return -1;
	}
	while (off < len) {
		unsigned t, l;
		const uint8_t *v;

		if (len - off < 4) {
			err_set("%zu stray bytes after the last option",
				len - off);
			return -1;
		}
		t = get16(p + off);
		l = get16(p + off + 2);
		v = p + off + 4;
		off += 4;
		if (l > len - off) {
			err_set("option %u (%s): length %u runs past the end",
				t, opt_name(t), l);
			return -1;
		}
		off += l;
		if (t == MCP_O_VERSION && (l != 1 || v[0] != MCP_VERSION)) {
			err_set("mesh report of another version");
			return -1;
		}
		if (t == MCP_O_CLIENT_ID) {
			if (l != sizeof(r->cid))
				return bad_len(t, l, "8");
			memcpy(r->cid, v, l);
		} else if (t == MCP_O_MESH_ORIGIN) {
			n = dec_mesh_addr(t, v, l, 9, &r->origin);
			if (n < 0)
				return -1;
			r->state = v[n];
			r->gen = get32(v + n + 1);
			r->mc_sent = get32(v + n + 5);
			if (r->state > MCP_MS_MAX) {
				err_set("mesh report: bad state %d", r->state);
				return -1;
			}
			origin = 1;
		} else if (t == MCP_O_MESH_CELL) {
			struct mcp_cell *c;
			const uint8_t *q;

			if (r->ncells == MCP_MESH_MAX) {
				err_set("mesh report: more than %d cells",
					MCP_MESH_MAX);
				return -1;
			}
			c = &r->cell[r->ncells];
			n = dec_mesh_addr(t, v, l, CELL_FIXED, &c->peer);
			if (n < 0)
				return -1;
			q = v + n;
			c->req_sent = get32(q);
			c->req_rx = get32(q + 4);
			c->urep_rx = get32(q + 8);
			c->mrep_rx = get32(q + 12);
			c->rtt_uc_us = get32(q + 16);
			c->rtt_mc_us = get32(q + 20);
			c->hops_uc = q[24] == 0xff ? -1 : q[24];
			c->hops_mc = q[25] == 0xff ? -1 : q[25];
			r->ncells++;
		}
	}
	if (!origin) {
		err_set("mesh report without an origin");
		return -1;
	}
	return 0;
}
