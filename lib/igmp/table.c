/* table.c - the membership table a one-shot querier builds from IGMP
 * and MLD reports: per (group, host) state as in RFC 9776 §5.1 / RFC 9777
 * §4.2 (a host's own INCLUDE/EXCLUDE state, applied record by record). */
#include "igmp/table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void igmp_table_init(struct igmp_table *t)
{
	memset(t, 0, sizeof(*t));
}

void igmp_table_free(struct igmp_table *t)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		free(t->m[i].srcs);
	free(t->m);
	memset(t, 0, sizeof(*t));
}

static int addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct igmp_addr));
}

static int member_cmp(const void *a, const void *b)
{
	const struct igmp_member *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = addr_cmp(&x->group, &y->group);
	return c ? c : addr_cmp(&x->host, &y->host);
}

void igmp_table_keep_group(struct igmp_table *t, const struct igmp_addr *g)
{
	unsigned i, n = 0;

	for (i = 0; g && i < t->n; i++) {
		if (addr_cmp(&t->m[i].group, g))
			free(t->m[i].srcs);
		else
			t->m[n++] = t->m[i];
	}
	if (g)
		t->n = n;
}

void igmp_table_sort(struct igmp_table *t)
{
	if (t->n)
		qsort(t->m, t->n, sizeof(*t->m), member_cmp);
}

static struct igmp_member *find(struct igmp_table *t, int family,
				const struct igmp_addr *g,
				const struct igmp_addr *h)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->m[i].family == family &&
		    !addr_cmp(&t->m[i].group, g) && !addr_cmp(&t->m[i].host, h))
			return &t->m[i];
	return NULL;
}

static struct igmp_member *add(struct igmp_table *t, int family,
			       const struct igmp_addr *g,
			       const struct igmp_addr *h)
{
	struct igmp_member *nm;
	unsigned cap;

	if (t->n >= IGMP_TABLE_MAX) {
		errno = ENOSPC;
		return NULL;
	}
	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 16;
		nm = realloc(t->m, cap * sizeof(*nm));
		if (!nm)
			return NULL;
		t->m = nm, t->cap = cap;
	}
	nm = &t->m[t->n++];
	memset(nm, 0, sizeof(*nm));
	nm->family = family;
	nm->group = *g;
	nm->host = *h;
	return nm;
}

static void del(struct igmp_table *t, struct igmp_member *e)
{
	free(e->srcs);
	*e = t->m[--t->n];
}

static int has(const struct igmp_member *e, const struct igmp_addr *a)
{
	return e->nsrc && bsearch(a, e->srcs, e->nsrc, sizeof(*a), addr_cmp);
}

/* e->srcs = e->srcs + the record's sources (deduplicated, sorted). */
static int src_union(struct igmp_member *e, const struct igmp_record *r,
		     int family)
{
	struct igmp_addr a, *ns;
	unsigned i, n = e->nsrc, cap = e->nsrc + r->nsrc;
	int ret = 0;

	if (cap > IGMP_TABLE_MAXSRC)
		cap = IGMP_TABLE_MAXSRC;
	if (!cap)
		return 0;
	ns = realloc(e->srcs, cap * sizeof(*ns));
	if (!ns)
		return -1;
	e->srcs = ns;
	for (i = 0; i < r->nsrc; i++) {
		igmp_src_at(family, r->srcs, i, &a);
		/* sorted part [0, e->nsrc) is searchable; the tail is
		 * scanned, so duplicates within a record collapse too */
		if (has(e, &a))
			continue;
		unsigned k;
		for (k = e->nsrc; k < n && addr_cmp(&ns[k], &a); k++)
			;
		if (k < n)
			continue;
		if (n >= cap) {
			errno = ENOSPC;
			ret = -1;
			break;
		}
		ns[n++] = a;
	}
	e->nsrc = n;
	qsort(e->srcs, e->nsrc, sizeof(*e->srcs), addr_cmp);
	return ret;
}

/* e->srcs = e->srcs - the record's sources. */
static void src_minus(struct igmp_member *e, const struct igmp_record *r,
		      int family)
{
	struct igmp_addr a;
	unsigned i, j, n = 0;

	for (i = 0; i < e->nsrc; i++) {
		for (j = 0; j < r->nsrc; j++) {
			igmp_src_at(family, r->srcs, j, &a);
			if (!addr_cmp(&a, &e->srcs[i]))
				break;
		}
		if (j == r->nsrc)
			e->srcs[n++] = e->srcs[i];
	}
	e->nsrc = n;
}

static void note_querier(struct igmp_table *t, const struct igmp_msg *m)
{
	unsigned i;

	t->queries++;
	for (i = 0; i < t->nq; i++)
		if (t->q[i].family == m->family &&
		    t->q[i].version == m->version &&
		    !addr_cmp(&t->q[i].addr, &m->src)) {
			t->q[i].count++;
			return;
		}
	if (t->nq >= IGMP_QUERIERS_MAX)
		return;
	t->q[t->nq].family = m->family;
	t->q[t->nq].version = m->version;
	t->q[t->nq].addr = m->src;
	t->q[t->nq].count = 1;
	t->nq++;
}

static int apply(struct igmp_table *t, const struct igmp_msg *m,
		 const struct igmp_record *r)
{
	struct igmp_member *e = find(t, m->family, &r->group, &m->src);
	int fam = m->family;

	switch (r->mode) {
	case IGMP_MODE_ASM:
	case IGMP_MODE_IS_EX:
	case IGMP_MODE_TO_EX:
	case IGMP_MODE_IS_IN:
	case IGMP_MODE_TO_IN:
		/* a current-state or mode-change record replaces the state;
		 * INCLUDE {} (and a v2 leave, MLDv1 done) means gone */
		if ((r->mode == IGMP_MODE_IS_IN || r->mode == IGMP_MODE_TO_IN) &&
		    !r->nsrc) {
			if (e)
				del(t, e);
			return 0;
		}
		if (!e && !(e = add(t, fam, &r->group, &m->src)))
			return -1;
		e->version = m->version;
		e->mode = r->mode == IGMP_MODE_ASM ? IGMP_MODE_ASM :
			  (r->mode == IGMP_MODE_IS_IN ||
			   r->mode == IGMP_MODE_TO_IN) ? IGMP_MODE_IS_IN :
							 IGMP_MODE_IS_EX;
		e->nsrc = 0;
		return src_union(e, r, fam);
	case IGMP_MODE_ALLOW:
		if (!r->nsrc)
			return 0;
		if (!e) {
			if (!(e = add(t, fam, &r->group, &m->src)))
				return -1;
			e->mode = IGMP_MODE_IS_IN;
		}
		e->version = m->version;
		if (e->mode == IGMP_MODE_IS_IN)
			return src_union(e, r, fam);
		src_minus(e, r, fam);	/* EXCLUDE: no longer blocked */
		return 0;
	case IGMP_MODE_BLOCK:
		if (!e || !r->nsrc)
			return 0;
		e->version = m->version;
		if (e->mode == IGMP_MODE_IS_IN) {
			src_minus(e, r, fam);
			if (!e->nsrc)
				del(t, e);
			return 0;
		}
		if (e->mode == IGMP_MODE_ASM)
			e->mode = IGMP_MODE_IS_EX;
		return src_union(e, r, fam);
	}
	return 0;
}

int igmp_table_update(struct igmp_table *t, const struct igmp_msg *m)
{
	struct igmp_record r;
	unsigned pos = 0;
	int ret = 0;

	if (m->kind == IGMP_QUERY) {
		note_querier(t, m);
		return 0;
	}
	if (m->kind == IGMP_LEAVE)
		t->leaves++;
	else
		t->reports++;
	while (igmp_record_next(m, &pos, &r))
		if (apply(t, m, &r) < 0) {
			t->dropped++;
			ret = -1;
		}
	return ret;
}
