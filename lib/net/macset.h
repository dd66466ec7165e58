/* macset.h - groups that collide on one Ethernet MAC (ip2mac --check): a
 * set of groups with their MACs, sorted, and the pairs of distinct groups
 * that share a MAC. No I/O. */
#ifndef MCBOX_NET_MACSET_H
#define MCBOX_NET_MACSET_H

#include <stddef.h>
#include <stdint.h>

#include "net/mac.h"

struct mac_entry {
	uint8_t mac[6];
	struct mac_group g;
};

struct mac_set {
	struct mac_entry *v;
	size_t n, cap;
};

/* Adds g (and its MAC). 0, or -1 with errno ENOMEM. */
int mac_set_add(struct mac_set *s, const struct mac_group *g);
/* Sorts by MAC, then group; returns how many distinct groups it holds
 * (a group given twice is one). */
size_t mac_set_sort(struct mac_set *s);
/* The next pair of distinct groups sharing a MAC in a sorted set, each
 * pair once: *i and *k start at 0; 1 with v[*i] and v[*k] the pair, 0 at
 * the end. */
int mac_set_pair(const struct mac_set *s, size_t *i, size_t *k);
void mac_set_free(struct mac_set *s);
/* The all-clear for uniq distinct groups with no pair: "no two of the N
 * groups share a MAC", or what is true of 0 or 1 group. */
const char *mac_set_none_shared(size_t uniq, char *buf, size_t len);

#endif
