/* macset.c - groups that collide on one Ethernet MAC (RFC 1112 §6.4: 32
 * IPv4 groups a MAC, RFC 2464 §7: 2^88 IPv6 groups a MAC). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/macset.h"

int mac_set_add(struct mac_set *s, const struct mac_group *g)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct mac_entry *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return -1;
		}
		s->v = v;
		s->cap = cap;
	}
	mac_of_group(g, s->v[s->n].mac);
	s->v[s->n++].g = *g;
	return 0;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct mac_entry *a = pa, *b = pb;
	int c = memcmp(a->mac, b->mac, 6);

	if (c)
		return c;
	if (a->g.family != b->g.family)
		return a->g.family - b->g.family;
	return memcmp(&a->g.v6, &b->g.v6, a->g.family == 4 ? 4 : 16);
}

size_t mac_set_sort(struct mac_set *s)
{
	size_t uniq = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_entry);
	for (size_t i = 0; i < s->n; i++)
		if (!i || cmp_entry(&s->v[i - 1], &s->v[i]))
			uniq++;
	return uniq;
}

/* v[k] is v[k - 1] again */
static int repeat(const struct mac_set *s, size_t k)
{
	return k && !cmp_entry(&s->v[k - 1], &s->v[k]);
}

int mac_set_pair(const struct mac_set *s, size_t *i, size_t *k)
{
	for (;;) {
		++*k;
		if (*k < s->n && !memcmp(s->v[*k].mac, s->v[*i].mac, 6)) {
			if (repeat(s, *k))
				continue;
			return 1;
		}
		/* the next distinct group pairs with those after it */
		do
			++*i;
		while (*i < s->n && repeat(s, *i));
		if (*i >= s->n)
			return 0;
		*k = *i;
	}
}

void mac_set_free(struct mac_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const char *mac_set_none_shared(size_t uniq, char *buf, size_t len)
{
	if (uniq > 1)
		snprintf(buf, len, "no two of the %zu groups share a MAC", uniq);
	else
		snprintf(buf, len, "%s", uniq ? "1 group: no other to share "
				   "its MAC" : "no groups to check");
	return buf;
}
