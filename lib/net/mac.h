/* mac.h - IP multicast group <-> Ethernet MAC mapping (RFC 1112 §6.4 for
 * IPv4: 01:00:5e + the low 23 bits; RFC 2464 §7 for IPv6: 33:33 + the low
 * 32 bits), MAC parsing, and the scope/reserved range of a group. */
#ifndef MCBOX_NET_MAC_H
#define MCBOX_NET_MAC_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* A group in network byte order; family 4 or 6. */
struct mac_group {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

#define MAC_STRLEN 18

/* Why an operand is no group (or range of groups). */
enum mac_bad {
	MAC_OK = 0,
	MAC_MALFORMED = -1,	/* no address (or GROUP/LEN) at all */
	MAC_UNICAST = -2,	/* an address, but not (all) multicast */
	MAC_TOOMANY = -3,	/* a range of more groups than the limit */
};

/* Parses a numeric IPv4/IPv6 address (no brackets, no port): MAC_OK,
 * MAC_MALFORMED or MAC_UNICAST. */
enum mac_bad mac_parse_group(const char *s, struct mac_group *g);
/* Parses GROUP/LEN into the first group and the count of groups, capped
 * at limit: MAC_OK, MAC_MALFORMED, MAC_UNICAST or MAC_TOOMANY. */
enum mac_bad mac_parse_cidr(const char *s, struct mac_group *first,
			    uint64_t *count, uint64_t limit);
/* ADDRESS or ADDRESS/LEN: the first group and how many. 0, or -1 (and
 * *count 0) with err_str() finishing the sentence "'OPERAND' ..." ("is
 * not a multicast address", "expands to more than 65536 groups (see
 * --limit)"...). */
int mac_parse_groups(const char *s, uint64_t limit, struct mac_group *first,
		     uint64_t *count);
/* The i-th group of a range that starts at first. */
void mac_group_add(const struct mac_group *first, uint64_t i,
		   struct mac_group *out);

void mac_of_group(const struct mac_group *g, uint8_t mac[6]);
/* The same for a group given by its address bytes in network order: 4
 * (v6 0) or 16 (v6 1). The one mapping every module uses. */
void mac_of_ip(int v6, const uint8_t *addr, uint8_t mac[6]);
/* "01:00:5e:01:02:03" */
char *mac_format(const uint8_t mac[6], char buf[MAC_STRLEN]);
/* Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff, aabbccddeeff.
 * 0 or -1. */
int mac_parse(const char *s, uint8_t mac[6]);

/* For an IPv4 multicast MAC (01:00:5e, 4th byte < 0x80): the 32 groups that
 * map to it, in ascending order; returns 32. 0 when mac is not one. */
int mac_v4_groups(const uint8_t mac[6], struct in_addr out[32]);
/* 1 when mac is an IPv6 multicast MAC (33:33:...). */
int mac_is_v6(const uint8_t mac[6]);
/* The IPv6 groups an IPv6 multicast MAC stands for, as a pattern:
 * "ffxx:xxxx:xxxx:xxxx:xxxx:xxxx:0000:0001" (buf: 48 bytes). */
const char *mac_v6_pattern(const uint8_t mac[6], char *buf, size_t len);
/* A MAC operand of ip2mac -r: 6 for an IPv6 multicast MAC, 4 for an IPv4
 * one with its 32 groups in out, or -1 with err_str() finishing the
 * sentence "'OPERAND' ..." ("is not a multicast MAC"...). */
int mac_reverse(const char *s, uint8_t mac[6], struct in_addr out[32]);

/* The mapping of g to mac explained bit by bit, as lines of text ending
 * in an empty line (a few hundred bytes for IPv6, about 1.5 KB for
 * IPv4: the 32 groups that share the MAC). */
const char *mac_explain(const struct mac_group *g, const uint8_t mac[6],
			char *buf, size_t len);

/* The range a group belongs to, as a short key ("link-local", "ssm",
 * "admin-scoped", ...) and a longer description; *name is the well-known
 * use of that exact address, or NULL. */
const char *mac_scope(const struct mac_group *g, const char **desc,
		      const char **name);

/* Formats a group (inet_ntop). */
const char *mac_group_str(const struct mac_group *g, char *buf, size_t len);

#endif
