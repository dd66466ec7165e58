/* mac.h - IP multicast group <-> Ethernet MAC mapping (RFC 1112 §6.4 for
 * IPv4: 01:00:5e + the low 23 bits; RFC 2464 §7 for IPv6: 33:33 + the low
 * 32 bits), MAC parsing, and the scope/reserved range of a group. */
#ifndef MCBOX_NET_MAC_H
#define MCBOX_NET_MAC_H

#include <netinet/in.h>
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

/* Parses a numeric IPv4/IPv6 address (no brackets, no port). 0, or -1 if it
 * is no address, -2 if it is an address but not multicast. */
int mac_parse_group(const char *s, struct mac_group *g);
/* Parses GROUP/LEN into the first group and the count of groups, capped:
 * -1 malformed, -2 not multicast, -3 more than limit groups. */
int mac_parse_cidr(const char *s, struct mac_group *first, uint64_t *count,
		   uint64_t limit);
/* The i-th group of a range that starts at first. */
void mac_group_add(const struct mac_group *first, uint64_t i,
		   struct mac_group *out);

void mac_of_group(const struct mac_group *g, uint8_t mac[6]);
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

/* The range a group belongs to, as a short key ("link-local", "ssm",
 * "admin-scoped", ...) and a longer description; *name is the well-known
 * use of that exact address, or NULL. */
const char *mac_scope(const struct mac_group *g, const char **desc,
		      const char **name);

/* Formats a group (inet_ntop). */
const char *mac_group_str(const struct mac_group *g, char *buf, size_t len);

#endif
