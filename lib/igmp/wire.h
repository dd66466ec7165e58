/* wire.h - IGMPv1/v2/v3 and MLDv1/v2 codec (RFC 1112, 2236, 9776 (ex 3376),
 * 2710, 9777 (ex 3810)), Router Alert (RFC 2113, 2711), and the membership
 * table a one-shot querier builds from the reports. Sans-I/O: whole IP
 * packets in and out, no sockets, no clocks. */
#ifndef MCBOX_IGMP_WIRE_H
#define MCBOX_IGMP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes, the rest are 0,
 * so memcmp orders and compares both. */
struct igmp_addr {
	uint8_t b[16];
};

#define IGMP_MAXSRC 366		/* sources that fit a 1500-byte IPv4 query */
#define MLD_MAXSRC 89		/* and an IPv6 one */

/* Floating-point codes (RFC 9776 §4.1.1/4.1.7, RFC 9777 §5.1.3/5.1.9).
 * Encoding rounds down to the nearest representable value (a shorter
 * response time or interval, never a longer one) and saturates at the
 * largest: 31744 for the 8-bit code, 8387584 for the 16-bit one. */
uint8_t igmp_code8_encode(unsigned v);
unsigned igmp_code8_decode(uint8_t c);
uint16_t mld_code16_encode(unsigned long v);
unsigned long mld_code16_decode(uint16_t c);

/* RFC 1071 Internet checksum over buf, starting from a partial sum. */
uint16_t igmp_cksum(const void *buf, size_t len, uint32_t sum);
/* ICMPv6 checksum with the RFC 8200 §8.1 pseudo-header. */
uint16_t mld_cksum(const struct igmp_addr *src, const struct igmp_addr *dst,
		   const void *msg, size_t len);

/* A query to build. version: IGMP 1, 2, 3; MLD 1, 2. */
struct igmp_query {
	int family;			/* AF_INET or AF_INET6 */
	int version;
	struct igmp_addr src;		/* IP source (0.0.0.0 allowed) */
	struct igmp_addr group;		/* 0: general query */
	unsigned max_resp;		/* IGMP: tenths of s; MLD: ms */
	int s_flag;			/* v3/MLDv2: suppress router-side */
	int qrv;			/* v3/MLDv2: 0-7 */
	unsigned qqi;			/* v3/MLDv2: seconds */
	unsigned nsrc;			/* v3/MLDv2: group-and-source */
	const struct igmp_addr *srcs;
	uint16_t ip_id;			/* IPv4 identification */
};

/* Builds the whole IP packet (IPv4 header with the Router Alert option and
 * TTL 1, or IPv6 header, Hop-by-Hop Router Alert and hop limit 1) into buf,
 * and the destination (224.0.0.1/ff02::1, or the group for a specific
 * query) into *dst. Returns the length, or -1 with err_str() (a field out
 * of range for the version, or len too small). */
ssize_t igmp_query_build(const struct igmp_query *q, uint8_t *buf,
			 size_t len, struct igmp_addr *dst);


/* Message kinds. */
enum {
	IGMP_QUERY = 1,
	IGMP_REPORT,		/* v1/v2 report, MLDv1 report, v3/MLDv2 report */
	IGMP_LEAVE,		/* IGMPv2 leave, MLDv1 done */
};

/* Group record modes: RFC 9776 §4.2.12 record types 1-6, plus ASM for
 * v1/v2/MLDv1 reports (a join without sources: EXCLUDE {}). */
enum {
	IGMP_MODE_IS_IN = 1,
	IGMP_MODE_IS_EX,
	IGMP_MODE_TO_IN,
	IGMP_MODE_TO_EX,
	IGMP_MODE_ALLOW,
	IGMP_MODE_BLOCK,
	IGMP_MODE_ASM = 16,
};

/* A parsed message; pointers point into the packet given to igmp_parse. */
struct igmp_msg {
	int family;
	int kind;		/* IGMP_QUERY, IGMP_REPORT, IGMP_LEAVE */
	int version;		/* IGMP 1-3, MLD 1-2 */
	int type;		/* the IGMP/ICMPv6 type byte */
	struct igmp_addr src, dst;
	int ttl;		/* TTL / hop limit */
	int router_alert;	/* the IP Router Alert option was present */
	/* query fields */
	struct igmp_addr group;
	unsigned max_resp;	/* IGMP: tenths of s (v1: 100); MLD: ms */
	int s_flag, qrv;
	unsigned qqi;
	unsigned nsrc;		/* query sources at srcs (4 or 16 bytes each) */
	const uint8_t *srcs;
	/* reports and leaves */
	unsigned nrec;		/* group records, validated against the packet */
	const uint8_t *rec;	/* first record (v3/MLDv2), or NULL */
	size_t reclen;
};

/* A group record, from igmp_record_next. */
struct igmp_record {
	int mode;		/* IGMP_MODE_* */
	struct igmp_addr group;
	unsigned nsrc;
	const uint8_t *srcs;	/* nsrc addresses, 4 or 16 bytes each */
};

/* Parses an IPv4 or IPv6 packet (starting at the IP header) carrying IGMP
 * or MLD. Every length and count is checked against len and the IP
 * length; the checksum is verified. Returns 0 and fills *m, or -1 with
 * errno EBADMSG (malformed, bad checksum) or ENOMSG (not IGMP/MLD, or a
 * type we do not use) and err_str() saying why. */
int igmp_parse(const uint8_t *pkt, size_t len, struct igmp_msg *m);

/* Iterates the group records of a report or leave: *pos starts at 0.
 * v1/v2/MLDv1 messages give one record (ASM, or TO_IN {} for a leave).
 * Returns 1 with *r filled, 0 at the end. */
int igmp_record_next(const struct igmp_msg *m, unsigned *pos,
		     struct igmp_record *r);

/* Source address i of a query or record. */
void igmp_src_at(int family, const uint8_t *srcs, unsigned i,
		 struct igmp_addr *a);

/* "IGMPv3", "MLDv1", ... and "INCLUDE", "EXCLUDE", "ASM", ... */
const char *igmp_version_name(int family, int version);
const char *igmp_mode_name(int mode);
/* Formats an address of family into buf (INET6_ADDRSTRLEN). */
const char *igmp_ntop(int family, const struct igmp_addr *a, char *buf,
		      size_t len);
/* 1 when a is a multicast address of family (224/4, ff00::/8). */
int igmp_is_multicast(int family, const struct igmp_addr *a);
/* Parses a numeric address; returns its family, or -1. */
int igmp_pton(const char *s, struct igmp_addr *a);

#endif
