/* nft.c - nftables netlink dumps of chains and rules, and a decoder that
 * reduces a rule to its UDP destination port conditions and its verdict
 * (lib/net/nft.h). Sans-I/O. */
#include "net/nft.h"

#include <errno.h>
#include <netinet/in.h>		/* before the linux headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>

#define MSGTYPE(m)	((NFNL_SUBSYS_NFTABLES << 8) | (m))

size_t nft_dump_request(uint8_t *buf, size_t size, int msg, uint32_t seq)
{
	struct nlmsghdr nh = {
		.nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg)),
		.nlmsg_type = MSGTYPE(msg),
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlmsg_seq = seq,
	};
	struct nfgenmsg g = { .nfgen_family = NFPROTO_UNSPEC,
			      .version = NFNETLINK_V0 };

	if (size < nh.nlmsg_len)
		return 0;
	memset(buf, 0, nh.nlmsg_len);
	memcpy(buf, &nh, sizeof(nh));
	memcpy(buf + NLMSG_HDRLEN, &g, sizeof(g));
	return nh.nlmsg_len;
}

/* One attribute; its payload in *data, *dlen. 1, 0 at the end, -1 when
 * it claims more than there is. */
struct nla {
	const uint8_t *p;
	size_t left;
};

static int nla_next(struct nla *it, uint16_t *type, const uint8_t **data,
		    size_t *dlen)
{
	uint16_t len, t;
	size_t adv;

	if (it->left < NLA_HDRLEN)
		return 0;
	memcpy(&len, it->p, 2);
	memcpy(&t, it->p + 2, 2);
	if (len < NLA_HDRLEN || len > it->left)
		return -1;
	*type = t & NLA_TYPE_MASK;
	*data = it->p + NLA_HDRLEN;
	*dlen = len - NLA_HDRLEN;
	adv = NLA_ALIGN(len);
	if (adv > it->left)
		adv = it->left;
	it->p += adv;
	it->left -= adv;
	return 1;
}

static uint32_t be32(const uint8_t *p, size_t n)
{
	return n < 4 ? 0 : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p, size_t n)
{
	return n < 8 ? 0 : (uint64_t)be32(p, 4) << 32 | be32(p + 4, 4);
}

static void str(char *dst, const uint8_t *p, size_t n)
{
	size_t k = strnlen((const char *)p, n);

	if (k >= NFT_NAMELEN)
		k = NFT_NAMELEN - 1;
	memcpy(dst, p, k);
	dst[k] = 0;
}

/* The value inside NFTA_DATA_VALUE (or the verdict code inside
 * NFTA_DATA_VERDICT) of nested data. */
static int data_value(const uint8_t *p, size_t n, const uint8_t **v,
		      size_t *vlen, int *verdict)
{
	struct nla it = { p, n }, in;
	uint16_t t, t2;
	const uint8_t *d, *d2;
	size_t dl, dl2;
	int r;

	while ((r = nla_next(&it, &t, &d, &dl)) > 0) {
		if (t == NFTA_DATA_VALUE && v) {
			*v = d;
			*vlen = dl;
			return 0;
		}
		if (t != NFTA_DATA_VERDICT || !verdict)
			continue;
		in = (struct nla){ d, dl };
		while ((r = nla_next(&in, &t2, &d2, &dl2)) > 0)
			if (t2 == NFTA_VERDICT_CODE && dl2 >= 4) {
				*verdict = (int)be32(d2, dl2);
				return 0;
			}
		if (r < 0)
			return -1;
	}
	return r < 0 ? -1 : 1;
}

/* What a register holds, as far as a rule's judgement goes. */
enum { K_NONE, K_L4, K_DPORT, K_STATE, K_OTHER };

struct regs {
	unsigned char kind[32];
};

/* A register number as a 32-bit register index (the 16-byte registers
 * 1-4 start at the 32-bit ones 8, 12, 16, 20); -1 for the verdict or
 * nonsense. */
static int reg_idx(uint32_t r)
{
	if (r >= NFT_REG_1 && r <= NFT_REG_4)
		return NFT_REG32_00 + (int)(r - NFT_REG_1) * 4;
	if (r >= NFT_REG32_00 && r < 32)
		return (int)r;
	return -1;
}

static int reg_kind(const struct regs *rg, uint32_t r)
{
	int i = reg_idx(r);

	return i < 0 ? K_NONE : rg->kind[i];
}

static void reg_set(struct regs *rg, uint32_t r, int kind)
{
	int i = reg_idx(r);

	if (i >= 0)
		rg->kind[i] = (unsigned char)kind;
}

/* A port condition [lo, hi], or its complement when excl. */
static void port_cond(struct nft_rule *r, int excl, uint32_t lo,
		      uint32_t hi)
{
	r->has_port = 1;
	if (excl) {
		if (r->nexcl < NFT_MAXEXCL) {
			r->excl_lo[r->nexcl] = (uint16_t)lo;
			r->excl_hi[r->nexcl++] = (uint16_t)hi;
		}
		return;
	}
	if (lo > r->port_lo)
		r->port_lo = (uint16_t)lo;
	if (hi < r->port_hi)
		r->port_hi = (uint16_t)hi;
}

/* A comparison (cmp or range) of what register sreg holds. */
static void compare(struct nft_rule *r, int kind, uint32_t op, int range,
		    const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	uint32_t v, w;

	switch (kind) {
	case K_L4:
		if (al < 1)
			return;
		if (!range && op == NFT_CMP_EQ)
			r->l4 = a[0] == IPPROTO_UDP && r->l4 != -1 ? 17 : -1;
		else if (!range && op == NFT_CMP_NEQ && a[0] == IPPROTO_UDP)
			r->l4 = -1;
		else if (range || op != NFT_CMP_NEQ)
			r->others++;	/* rare: we cannot tell */
		return;
	case K_DPORT:
		if (al < 2 || (range && bl < 2))
			return;
		v = (uint32_t)a[0] << 8 | a[1];
		w = range ? (uint32_t)b[0] << 8 | b[1] : v;
		if (range) {
			port_cond(r, op == NFT_RANGE_NEQ, v, w);
			return;
		}
		switch (op) {
		case NFT_CMP_EQ: port_cond(r, 0, v, v); break;
		case NFT_CMP_NEQ: port_cond(r, 1, v, v); break;
		case NFT_CMP_LT: v ? port_cond(r, 0, 0, v - 1)
				   : port_cond(r, 0, 1, 0); break;
		case NFT_CMP_LTE: port_cond(r, 0, 0, v); break;
		case NFT_CMP_GT: port_cond(r, 0, v + 1, 65535); break;
		case NFT_CMP_GTE: port_cond(r, 0, v, 65535); break;
		default: r->others++;
		}
		return;
	case K_STATE:
		r->stateful++;
		return;
	default:
		r->others++;
	}
}

/* One expression of a rule, in order: registers carry what was loaded
 * into them to the comparisons that follow. */
static int expr(struct nft_rule *r, struct regs *rg, const char *name,
		const uint8_t *p, size_t n)
{
	struct nla it = { p, n };
	uint32_t u[8] = { 0 };
	int has[8] = { 0 }, verdict = NFT_V_NONE, rc;
	const uint8_t *d, *v[5] = { NULL };
	size_t dl, vl[5] = { 0 };
	uint16_t t;
	const uint8_t *cnt[3] = { NULL, NULL, NULL };
	size_t cntl[3] = { 0, 0, 0 };

	/* every attribute these expressions use is a u32 or nested data;
	 * the few that carry data are kept aside */
	while ((rc = nla_next(&it, &t, &d, &dl)) > 0) {
		if (t < 8 && dl >= 4) {
			u[t] = be32(d, dl);
			has[t] = 1;
		}
		if (t < 3) {
			cnt[t] = d;
			cntl[t] = dl;
		}
		/* the nested data: a value, or a verdict */
		if (((!strcmp(name, "cmp") && t == NFTA_CMP_DATA) ||
		     (!strcmp(name, "range") && (t == NFTA_RANGE_FROM_DATA ||
						 t == NFTA_RANGE_TO_DATA)) ||
		     (!strcmp(name, "immediate") && t == NFTA_IMMEDIATE_DATA)) &&
		    data_value(d, dl, &v[t], &vl[t], &verdict) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!strcmp(name, "meta") && has[NFTA_META_DREG])
		reg_set(rg, u[NFTA_META_DREG], u[NFTA_META_KEY] ==
			NFT_META_L4PROTO ? K_L4 : K_OTHER);
	else if (!strcmp(name, "payload") && has[NFTA_PAYLOAD_DREG]) {
		uint32_t base = u[NFTA_PAYLOAD_BASE], off = u[NFTA_PAYLOAD_OFFSET],
			 len = u[NFTA_PAYLOAD_LEN];
		int k = K_OTHER;

		if (base == NFT_PAYLOAD_TRANSPORT_HEADER && off == 2 && len == 2)
			k = K_DPORT;
		else if (base == NFT_PAYLOAD_NETWORK_HEADER && len == 1 &&
			 ((r->family == NFPROTO_IPV4 && off == 9) ||
			  (r->family == NFPROTO_IPV6 && off == 6)))
			k = K_L4;
		reg_set(rg, u[NFTA_PAYLOAD_DREG], k);
	} else if (!strcmp(name, "numgen") && has[NFTA_NG_DREG])
		reg_set(rg, u[NFTA_NG_DREG], K_STATE);
	else if ((!strcmp(name, "byteorder") || !strcmp(name, "bitwise")) &&
		 has[1] && has[2])	/* SREG 1, DREG 2 in both */
		reg_set(rg, u[2], reg_kind(rg, u[1]));
	else if (!strcmp(name, "cmp") && v[NFTA_CMP_DATA])
		compare(r, reg_kind(rg, u[NFTA_CMP_SREG]), u[NFTA_CMP_OP], 0,
			v[NFTA_CMP_DATA], vl[NFTA_CMP_DATA], NULL, 0);
	else if (!strcmp(name, "range") && v[NFTA_RANGE_FROM_DATA] &&
		 v[NFTA_RANGE_TO_DATA])
		compare(r, reg_kind(rg, u[NFTA_RANGE_SREG]), u[NFTA_RANGE_OP],
			1, v[NFTA_RANGE_FROM_DATA],
			vl[NFTA_RANGE_FROM_DATA], v[NFTA_RANGE_TO_DATA],
			vl[NFTA_RANGE_TO_DATA]);
	else if (!strcmp(name, "lookup") && has[NFTA_LOOKUP_SREG]) {
		int k = reg_kind(rg, u[NFTA_LOOKUP_SREG]);

		if (k == K_DPORT)
			r->port_set = r->has_port = 1;
		else if (k != K_L4)
			r->others++;
	} else if (!strcmp(name, "immediate") && has[NFTA_IMMEDIATE_DREG] &&
		   u[NFTA_IMMEDIATE_DREG] == NFT_REG_VERDICT &&
		   verdict != NFT_V_NONE)
		r->verdict = verdict;
	else if (!strcmp(name, "reject"))
		r->reject = 1;
	else if (!strcmp(name, "counter")) {
		r->has_counter = 1;
		r->bytes = be64(cnt[NFTA_COUNTER_BYTES],
				cntl[NFTA_COUNTER_BYTES]);
		r->packets = be64(cnt[NFTA_COUNTER_PACKETS],
				  cntl[NFTA_COUNTER_PACKETS]);
	} else if (!strcmp(name, "quota") || !strcmp(name, "limit") ||
		   !strcmp(name, "connlimit"))
		r->stateful++;
	return 0;
}

static int rule(const uint8_t *p, size_t n, uint8_t family,
		const struct nft_sink *s)
{
	struct nft_rule r = { .family = family, .port_hi = 65535,
			      .verdict = NFT_V_NONE };
	struct regs rg = { { 0 } };
	struct nla it = { p, n }, list, el;
	const uint8_t *d, *d2, *d3, *edata;
	size_t dl, dl2, dl3, elen;
	uint16_t t, t2, t3;
	char name[16];
	int rc, rc2, rc3;

	while ((rc = nla_next(&it, &t, &d, &dl)) > 0) {
		if (t == NFTA_RULE_TABLE)
			str(r.table, d, dl);
		else if (t == NFTA_RULE_CHAIN)
			str(r.chain, d, dl);
		else if (t == NFTA_RULE_HANDLE)
			r.handle = be64(d, dl);
		if (t != NFTA_RULE_EXPRESSIONS)
			continue;
		list = (struct nla){ d, dl };
		while ((rc2 = nla_next(&list, &t2, &d2, &dl2)) > 0) {
			if (t2 != NFTA_LIST_ELEM)
				continue;
			name[0] = 0;
			edata = NULL;
			elen = 0;
			el = (struct nla){ d2, dl2 };
			while ((rc3 = nla_next(&el, &t3, &d3, &dl3)) > 0) {
				if (t3 == NFTA_EXPR_NAME) {
					size_t k = strnlen((const char *)d3,
							   dl3);

					if (k >= sizeof(name))
						k = sizeof(name) - 1;
					memcpy(name, d3, k);
					name[k] = 0;
				} else if (t3 == NFTA_EXPR_DATA) {
					edata = d3;
					elen = dl3;
				}
			}
			if (rc3 < 0 || (edata && expr(&r, &rg, name, edata,
						      elen) < 0))
				return -1;
		}
		if (rc2 < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (s->rule)
		s->rule(s->ctx, &r);
	return 0;
}

static int chain(const uint8_t *p, size_t n, uint8_t family,
		 const struct nft_sink *s)
{
	struct nft_chain c = { .family = family, .hook = -1, .policy = -1 };
	struct nla it = { p, n }, hk;
	const uint8_t *d, *d2;
	size_t dl, dl2;
	uint16_t t, t2;
	int rc;

	while ((rc = nla_next(&it, &t, &d, &dl)) > 0) {
		if (t == NFTA_CHAIN_TABLE)
			str(c.table, d, dl);
		else if (t == NFTA_CHAIN_NAME)
			str(c.name, d, dl);
		else if (t == NFTA_CHAIN_POLICY && dl >= 4)
			c.policy = (int)be32(d, dl);
		else if (t == NFTA_CHAIN_HOOK) {
			hk = (struct nla){ d, dl };
			while ((rc = nla_next(&hk, &t2, &d2, &dl2)) > 0)
				if (t2 == NFTA_HOOK_HOOKNUM && dl2 >= 4)
					c.hook = (int)(be32(d2, dl2) & 0xff);
			if (rc < 0)
				return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (s->chain)
		s->chain(s->ctx, &c);
	return 0;
}

int nft_parse(const uint8_t *buf, size_t len, const struct nft_sink *s)
{
	while (len >= NLMSG_HDRLEN) {
		struct nlmsghdr nh;
		struct nlmsgerr e;
		const uint8_t *p = buf + NLMSG_HDRLEN;
		size_t n, adv;
		uint8_t family;

		memcpy(&nh, buf, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len)
			goto bad;
		n = nh.nlmsg_len - NLMSG_HDRLEN;
		if (nh.nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh.nlmsg_type == NLMSG_ERROR) {
			if (n < sizeof(e.error))
				goto bad;
			memcpy(&e.error, p, sizeof(e.error));
			if (e.error < 0) {
				errno = e.error == -2147483647 - 1 ? EIO
								   : -e.error;
				return -1;
			}
		} else if (nh.nlmsg_type == MSGTYPE(NFT_MSG_NEWRULE) ||
			   nh.nlmsg_type == MSGTYPE(NFT_MSG_NEWCHAIN)) {
			if (n < sizeof(struct nfgenmsg))
				goto bad;
			family = p[0];
			p += sizeof(struct nfgenmsg);
			n -= sizeof(struct nfgenmsg);
			if ((nh.nlmsg_type == MSGTYPE(NFT_MSG_NEWRULE) ?
			     rule(p, n, family, s) : chain(p, n, family, s)) < 0)
				goto bad;
		}
		adv = NLMSG_ALIGN(nh.nlmsg_len);
		if (adv > len)
			adv = len;
		buf += adv;
		len -= adv;
	}
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int nft_rule_port(const struct nft_rule *r, uint16_t port)
{
	if (!r->has_port)
		return 1;
	if (port < r->port_lo || port > r->port_hi)
		return 0;
	for (int i = 0; i < r->nexcl; i++)
		if (port >= r->excl_lo[i] && port <= r->excl_hi[i])
			return 0;
	return 1;
}
