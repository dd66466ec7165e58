/* wire.c - IGMPv1/v2/v3 and MLDv1/v2 codec and membership table
 * (RFC 1112, 2236, 9776, 2710, 9777; Router Alert RFC 2113 and RFC 2711). */
#include "igmp/wire.h"
#include "base/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define IGMP_HOST_QUERY		0x11
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22
#define MLD_QUERY		130
#define MLD_V1_REPORT		131
#define MLD_V1_DONE		132
#define MLD_V2_REPORT		143

#define IPOPT_RA		0x94	/* copied, class 0, number 20 */
#define IP6OPT_RA		0x05
#define IP6_NH_HOP		0
#define IP6_NH_DST		60
#define IP6_NH_FRAG		44
#define IP6_NH_ICMP		58

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* 8-bit code: values >= 128 are 1|exp(3)|mant(4) meaning
 * (mant | 0x10) << (exp + 3); the largest is 0x1f << 10 = 31744. */
uint8_t igmp_code8_encode(unsigned v)
{
	unsigned exp;

	if (v < 128)
		return (uint8_t)v;
	if (v >= 31744)
		return 0xff;
	for (exp = 0; (v >> (exp + 3)) > 0x1f; exp++)
		;
	return (uint8_t)(0x80 | exp << 4 | ((v >> (exp + 3)) & 0x0f));
}

unsigned igmp_code8_decode(uint8_t c)
{
	if (c < 128)
		return c;
	return (unsigned)((c & 0x0f) | 0x10) << (((c >> 4) & 7) + 3);
}

/* 16-bit MLDv2 code: values >= 32768 are 1|exp(3)|mant(12) meaning
 * (mant | 0x1000) << (exp + 3); the largest is 0x1fff << 10 = 8387584. */
uint16_t mld_code16_encode(unsigned long v)
{
	unsigned exp;

	if (v < 32768)
		return (uint16_t)v;
	if (v >= 8387584UL)
		return 0xffff;
	for (exp = 0; (v >> (exp + 3)) > 0x1fff; exp++)
		;
	return (uint16_t)(0x8000 | exp << 12 | ((v >> (exp + 3)) & 0x0fff));
}

unsigned long mld_code16_decode(uint16_t c)
{
	if (c < 32768)
		return c;
	return (unsigned long)((c & 0x0fff) | 0x1000) << (((c >> 12) & 7) + 3);
}

static uint32_t sum16(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	for (; len > 1; p += 2, len -= 2) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t igmp_cksum(const void *buf, size_t len, uint32_t sum)
{
	return fold(sum16(buf, len, sum));
}

uint16_t mld_cksum(const struct igmp_addr *src, const struct igmp_addr *dst,
		   const void *msg, size_t len)
{
	uint32_t sum = 0;

	sum = sum16(src->b, 16, sum);
	sum = sum16(dst->b, 16, sum);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += IP6_NH_ICMP;
	return fold(sum16(msg, len, sum));
}

static int is_zero(const struct igmp_addr *a)
{
	static const struct igmp_addr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

/* What IGMPv3 and MLDv2 queries share (RFC 9776 §4.1, RFC 9777 §5.1):
 * the sources fit one packet, name a group, and QRV fits 3 bits. */
static int check_v3(const struct igmp_query *q, unsigned maxsrc)
{
	if (q->nsrc > maxsrc) {
		err_set("%u sources do not fit one query (max %u)", q->nsrc,
			maxsrc);
		return -1;
	}
	if (q->nsrc && is_zero(&q->group)) {
		err_set("a source-specific query needs a group");
		return -1;
	}
	if (q->qrv < 0 || q->qrv > 7) {
		err_set("QRV %d out of range (0-7)", q->qrv);
		return -1;
	}
	return 0;
}

static int check_room(size_t len, size_t tot)
{
	if (len < tot) {
		err_set("query buffer too small");
		return -1;
	}
	return 0;
}

static ssize_t build4(const struct igmp_query *q, uint8_t *buf, size_t len,
		      struct igmp_addr *dst)
{
	size_t mlen, tot;
	uint8_t *ip = buf, *m;
	unsigned i;

	if (q->version == 1) {
		/* v1 has no group-specific query and no response code:
		 * hosts wait up to 10 s (RFC 1112 appendix I). */
		if (!is_zero(&q->group) || q->nsrc) {
			err_set("IGMPv1 has no group-specific query");
			return -1;
		}
		mlen = 8;
	} else if (q->version == 2) {
		/* code 0 would make it a v1 query (RFC 2236 §4) */
		if (q->max_resp < 1 || q->max_resp > 255) {
			err_set("IGMPv2 max response %u.%u s out of range "
				"(0.1-25.5)", q->max_resp / 10,
				q->max_resp % 10);
			return -1;
		}
		if (q->nsrc) {
			err_set("IGMPv2 has no source-specific query");
			return -1;
		}
		mlen = 8;
	} else if (q->version == 3) {
		if (check_v3(q, IGMP_MAXSRC) < 0)
			return -1;
		mlen = 12 + 4 * (size_t)q->nsrc;
	} else {
		err_set("no IGMP version %d", q->version);
		return -1;
	}
	tot = 24 + mlen;
	if (check_room(len, tot) < 0)
		return -1;
	memset(buf, 0, tot);
	memset(dst, 0, sizeof(*dst));
	if (is_zero(&q->group)) {
		dst->b[0] = 224, dst->b[3] = 1;	/* all-systems */
	} else {
		memcpy(dst->b, q->group.b, 4);
	}
	/* IPv4 header with the RFC 2113 Router Alert option, TTL 1 and the
	 * Internet Control precedence (TOS 0xc0), as hosts send theirs. */
	ip[0] = 0x46;
	ip[1] = 0xc0;
	put16(ip + 2, (unsigned)tot);
	put16(ip + 4, q->ip_id);
	ip[8] = 1;
	ip[9] = 2;
	memcpy(ip + 12, q->src.b, 4);
	memcpy(ip + 16, dst->b, 4);
	ip[20] = IPOPT_RA, ip[21] = 4;
	put16(ip + 10, igmp_cksum(ip, 24, 0));

	m = buf + 24;
	m[0] = IGMP_HOST_QUERY;
	if (q->version == 2)
		m[1] = (uint8_t)q->max_resp;
	else if (q->version == 3)
		m[1] = igmp_code8_encode(q->max_resp);
	memcpy(m + 4, q->group.b, 4);
	if (q->version == 3) {
		m[8] = (uint8_t)((q->s_flag ? 0x08 : 0) | (q->qrv & 7));
		m[9] = igmp_code8_encode(q->qqi);
		put16(m + 10, q->nsrc);
		for (i = 0; i < q->nsrc; i++)
			memcpy(m + 12 + 4 * i, q->srcs[i].b, 4);
	}
	put16(m + 2, igmp_cksum(m, mlen, 0));
	return (ssize_t)tot;
}

static ssize_t build6(const struct igmp_query *q, uint8_t *buf, size_t len,
		      struct igmp_addr *dst)
{
	size_t mlen, tot;
	uint8_t *m;
	unsigned i;

	if (q->version == 1) {
		if (q->max_resp > 65535) {
			err_set("MLDv1 max response %u ms out of range "
				"(0-65535)", q->max_resp);
			return -1;
		}
		if (q->nsrc) {
			err_set("MLDv1 has no source-specific query");
			return -1;
		}
		mlen = 24;
	} else if (q->version == 2) {
		if (check_v3(q, MLD_MAXSRC) < 0)
			return -1;
		mlen = 28 + 16 * (size_t)q->nsrc;
	} else {
		err_set("no MLD version %d", q->version);
		return -1;
	}
	tot = 48 + mlen;
	if (check_room(len, tot) < 0)
		return -1;
	memset(buf, 0, tot);
	if (is_zero(&q->group)) {
		memset(dst, 0, sizeof(*dst));
		dst->b[0] = 0xff, dst->b[1] = 0x02, dst->b[15] = 1;
	} else {
		*dst = q->group;
	}
	buf[0] = 0x60;
	put16(buf + 4, (unsigned)(8 + mlen));
	buf[6] = IP6_NH_HOP;
	buf[7] = 1;
	memcpy(buf + 8, q->src.b, 16);
	memcpy(buf + 24, dst->b, 16);
	/* Hop-by-Hop header: Router Alert value 0 = MLD (RFC 2711), then a
	 * 2-byte PadN to fill the 8 bytes. */
	buf[40] = IP6_NH_ICMP;
	buf[41] = 0;
	buf[42] = IP6OPT_RA, buf[43] = 2, buf[44] = 0, buf[45] = 0;
	buf[46] = 1, buf[47] = 0;

	m = buf + 48;
	m[0] = MLD_QUERY;
	if (q->version == 1)
		put16(m + 4, q->max_resp);
	else
		put16(m + 4, mld_code16_encode(q->max_resp));
	memcpy(m + 8, q->group.b, 16);
	if (q->version == 2) {
		m[24] = (uint8_t)((q->s_flag ? 0x08 : 0) | (q->qrv & 7));
		m[25] = igmp_code8_encode(q->qqi);
		put16(m + 26, q->nsrc);
		for (i = 0; i < q->nsrc; i++)
			memcpy(m + 28 + 16 * i, q->srcs[i].b, 16);
	}
	put16(m + 2, mld_cksum(&q->src, dst, m, mlen));
	return (ssize_t)tot;
}

ssize_t igmp_query_build(const struct igmp_query *q, uint8_t *buf,
			 size_t len, struct igmp_addr *dst)
{
	if (q->family == AF_INET)
		return build4(q, buf, len, dst);
	if (q->family == AF_INET6)
		return build6(q, buf, len, dst);
	err_set("bad address family");
	return -1;
}

/* --- parsing ----------------------------------------------------------- */

static int bad(int e, const char *why)
{
	err_set("%s", why);
	errno = e;
	return -1;
}

/* Walks nrec v3/MLDv2 group records from rec; returns the bytes they span,
 * or -1 when one runs past end. fixed: record header incl. the group. */
static long walk_records(const uint8_t *rec, size_t avail, unsigned nrec,
			 size_t fixed, size_t alen)
{
	size_t off = 0, rlen;
	unsigned i;

	for (i = 0; i < nrec; i++) {
		if (avail - off < fixed)
			return -1;
		rlen = fixed + alen * get16(rec + off + 2) +
		       4 * (size_t)rec[off + 1];
		if (avail - off < rlen)
			return -1;
		off += rlen;
	}
	return (long)off;
}

static int parse_igmp(const uint8_t *g, size_t mlen, struct igmp_msg *m)
{
	long span;

	if (mlen < 8)
		return bad(EBADMSG, "IGMP message shorter than 8 bytes");
	m->type = g[0];
	switch (g[0]) {
	case IGMP_HOST_QUERY:
		/* RFC 9776 §7.1: 8 bytes is v1/v2, >= 12 is v3, and 9-11
		 * are to be ignored. */
		if (mlen > 8 && mlen < 12)
			return bad(ENOMSG, "IGMP query of 9-11 bytes");
		break;
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_V2_LEAVE:
	case IGMP_V3_REPORT:
		break;
	default:
		return bad(ENOMSG, "not an IGMP query, report or leave");
	}
	if (igmp_cksum(g, mlen, 0))
		return bad(EBADMSG, "bad IGMP checksum");
	memcpy(m->group.b, g + 4, 4);
	switch (g[0]) {
	case IGMP_HOST_QUERY:
		m->kind = IGMP_QUERY;
		if (mlen == 8) {
			m->version = g[1] ? 2 : 1;
			m->max_resp = g[1] ? g[1] : 100;
			break;
		}
		m->version = 3;
		m->max_resp = igmp_code8_decode(g[1]);
		m->s_flag = !!(g[8] & 0x08);
		m->qrv = g[8] & 7;
		m->qqi = igmp_code8_decode(g[9]);
		m->nsrc = get16(g + 10);
		if ((mlen - 12) / 4 < m->nsrc)
			return bad(EBADMSG, "IGMPv3 query sources past the end");
		m->srcs = g + 12;
		break;
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
		m->kind = IGMP_REPORT;
		m->version = g[0] == IGMP_V1_REPORT ? 1 : 2;
		m->nrec = 1;
		break;
	case IGMP_V2_LEAVE:
		m->kind = IGMP_LEAVE;
		m->version = 2;
		m->nrec = 1;
		break;
	case IGMP_V3_REPORT:
		m->kind = IGMP_REPORT;
		m->version = 3;
		memset(&m->group, 0, sizeof(m->group));
		m->nrec = get16(g + 6);
		span = walk_records(g + 8, mlen - 8, m->nrec, 8, 4);
		if (span < 0)
			return bad(EBADMSG, "IGMPv3 group record past the end");
		m->rec = g + 8;
		m->reclen = (size_t)span;
		break;
	}
	return 0;
}

static int parse_mld(const uint8_t *g, size_t mlen, struct igmp_msg *m)
{
	long span;

	if (mlen < 4)
		return bad(EBADMSG, "ICMPv6 message shorter than 4 bytes");
	m->type = g[0];
	switch (g[0]) {
	case MLD_QUERY:
		/* RFC 9777 §8.1: 24 bytes is v1, >= 28 is v2, others are
		 * ignored. */
		if (mlen != 24 && mlen < 28)
			return bad(mlen < 24 ? EBADMSG : ENOMSG,
				   "MLD query of a length no version has");
		break;
	case MLD_V1_REPORT:
	case MLD_V1_DONE:
		if (mlen < 24)
			return bad(EBADMSG, "MLDv1 message shorter than 24");
		break;
	case MLD_V2_REPORT:
		if (mlen < 8)
			return bad(EBADMSG, "MLDv2 report shorter than 8");
		break;
	default:
		return bad(ENOMSG, "not an MLD message");
	}
	if (mld_cksum(&m->src, &m->dst, g, mlen))
		return bad(EBADMSG, "bad ICMPv6 checksum");
	switch (g[0]) {
	case MLD_QUERY:
		m->kind = IGMP_QUERY;
		memcpy(m->group.b, g + 8, 16);
		if (mlen == 24) {
			m->version = 1;
			m->max_resp = get16(g + 4);
			break;
		}
		m->version = 2;
		m->max_resp = (unsigned)mld_code16_decode(get16(g + 4));
		m->s_flag = !!(g[24] & 0x08);
		m->qrv = g[24] & 7;
		m->qqi = igmp_code8_decode(g[25]);
		m->nsrc = get16(g + 26);
		if ((mlen - 28) / 16 < m->nsrc)
			return bad(EBADMSG, "MLDv2 query sources past the end");
		m->srcs = g + 28;
		break;
	case MLD_V1_REPORT:
	case MLD_V1_DONE:
		m->kind = g[0] == MLD_V1_DONE ? IGMP_LEAVE : IGMP_REPORT;
		m->version = 1;
		memcpy(m->group.b, g + 8, 16);
		m->nrec = 1;
		break;
	case MLD_V2_REPORT:
		m->kind = IGMP_REPORT;
		m->version = 2;
		m->nrec = get16(g + 6);
		span = walk_records(g + 8, mlen - 8, m->nrec, 20, 16);
		if (span < 0)
			return bad(EBADMSG, "MLDv2 address record past the end");
		m->rec = g + 8;
		m->reclen = (size_t)span;
		break;
	}
	return 0;
}

/* IPv4 options: look for Router Alert; stop at a malformed option. */
static int ip4_has_ra(const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
			break;
		if (o[i] == IPOPT_RA)
			return 1;
		i += o[i + 1];
	}
	return 0;
}

/* IPv6 TLV options of a Hop-by-Hop header: look for Router Alert. */
static int ip6_has_ra(const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (o[i] == 0) {	/* Pad1 */
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] > len - i - 2)
			break;
		if (o[i] == IP6OPT_RA)
			return 1;
		i += 2 + (size_t)o[i + 1];
	}
	return 0;
}

int igmp_parse(const uint8_t *p, size_t len, struct igmp_msg *m)
{
	size_t hl, tot, off;
	unsigned nh, n;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return bad(EBADMSG, "empty packet");
	if (p[0] >> 4 == 4) {
		if (len < 20)
			return bad(EBADMSG, "IPv4 header truncated");
		hl = (size_t)(p[0] & 0x0f) * 4;
		tot = get16(p + 2);
		if (hl < 20 || tot < hl || tot > len)
			return bad(EBADMSG, "IPv4 lengths out of bounds");
		if (get16(p + 6) & 0x3fff)
			return bad(ENOMSG, "IPv4 fragment");
		if (p[9] != 2)
			return bad(ENOMSG, "not IGMP");
		m->family = AF_INET;
		m->ttl = p[8];
		memcpy(m->src.b, p + 12, 4);
		memcpy(m->dst.b, p + 16, 4);
		m->router_alert = ip4_has_ra(p + 20, hl - 20);
		return parse_igmp(p + hl, tot - hl, m);
	}
	if (p[0] >> 4 != 6)
		return bad(ENOMSG, "not IPv4 or IPv6");
	if (len < 40)
		return bad(EBADMSG, "IPv6 header truncated");
	tot = 40 + (size_t)get16(p + 4);
	if (tot > len)
		return bad(EBADMSG, "IPv6 payload length past the end");
	m->family = AF_INET6;
	m->ttl = p[7];
	memcpy(m->src.b, p + 8, 16);
	memcpy(m->dst.b, p + 24, 16);
	nh = p[6];
	off = 40;
	/* Extension headers: Hop-by-Hop (first only) and Destination
	 * Options are walked; anything else is not for us. */
	for (n = 0; nh != IP6_NH_ICMP; n++) {
		if (n >= 8 || (nh != IP6_NH_DST && !(nh == IP6_NH_HOP && !n)))
			return bad(ENOMSG, "not ICMPv6");
		if (tot - off < 8)
			return bad(EBADMSG, "IPv6 extension header truncated");
		hl = ((size_t)p[off + 1] + 1) * 8;
		if (tot - off < hl)
			return bad(EBADMSG, "IPv6 extension header truncated");
		if (nh == IP6_NH_HOP && ip6_has_ra(p + off + 2, hl - 2))
			m->router_alert = 1;
		nh = p[off];
		off += hl;
	}
	return parse_mld(p + off, tot - off, m);
}

int igmp_record_next(const struct igmp_msg *m, unsigned *pos,
		     struct igmp_record *r)
{
	size_t alen = m->family == AF_INET ? 4 : 16, fixed = 4 + alen, rlen;
	const uint8_t *rec;

	if (m->kind != IGMP_REPORT && m->kind != IGMP_LEAVE)
		return 0;
	if (!m->rec) {
		/* v1/v2/MLDv1: one group, no sources */
		if (*pos)
			return 0;
		*pos = 1;
		memset(r, 0, sizeof(*r));
		r->mode = m->kind == IGMP_LEAVE ? IGMP_MODE_TO_IN :
						  IGMP_MODE_ASM;
		r->group = m->group;
		return 1;
	}
	/* parse validated that the records span exactly reclen bytes */
	while (*pos < m->reclen) {
		rec = m->rec + *pos;
		rlen = fixed + alen * get16(rec + 2) + 4 * (size_t)rec[1];
		*pos += (unsigned)rlen;
		/* RFC 9776 §4.2.12: unknown record types are ignored */
		if (rec[0] < IGMP_MODE_IS_IN || rec[0] > IGMP_MODE_BLOCK)
			continue;
		memset(r, 0, sizeof(*r));
		r->mode = rec[0];
		r->nsrc = get16(rec + 2);
		memcpy(r->group.b, rec + 4, alen);
		r->srcs = rec + fixed;
		return 1;
	}
	return 0;
}

void igmp_src_at(int family, const uint8_t *srcs, unsigned i,
		 struct igmp_addr *a)
{
	size_t alen = family == AF_INET ? 4 : 16;

	memset(a, 0, sizeof(*a));
	memcpy(a->b, srcs + alen * i, alen);
}

const char *igmp_version_name(int family, int version)
{
	static const char *v4[] = { "IGMP?", "IGMPv1", "IGMPv2", "IGMPv3" };
	static const char *v6[] = { "MLD?", "MLDv1", "MLDv2" };

	if (family == AF_INET)
		return version >= 1 && version <= 3 ? v4[version] : v4[0];
	return version >= 1 && version <= 2 ? v6[version] : v6[0];
}

const char *igmp_mode_name(int mode)
{
	switch (mode) {
	case IGMP_MODE_IS_IN:
	case IGMP_MODE_TO_IN:
		return "INCLUDE";
	case IGMP_MODE_IS_EX:
	case IGMP_MODE_TO_EX:
		return "EXCLUDE";
	case IGMP_MODE_ALLOW:
		return "ALLOW";
	case IGMP_MODE_BLOCK:
		return "BLOCK";
	case IGMP_MODE_ASM:
		return "ASM";
	}
	return "?";
}

const char *igmp_ntop(int family, const struct igmp_addr *a, char *buf,
		      size_t len)
{
	if (!inet_ntop(family, a->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int igmp_is_multicast(int family, const struct igmp_addr *a)
{
	if (family == AF_INET)
		return a->b[0] >= 224 && a->b[0] < 240;
	return a->b[0] == 0xff;
}

int igmp_pton(const char *s, struct igmp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a->b) == 1)
		return AF_INET6;
	return -1;
}
