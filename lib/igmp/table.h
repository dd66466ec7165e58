/* table.h - the membership table a one-shot querier builds from IGMP and
 * MLD reports (RFC 9776 §5.1, RFC 9777 §4.2), and the other queriers it
 * heard. Sans-I/O: parsed messages in (igmp/wire.h), entries out. */
#ifndef MCBOX_IGMP_TABLE_H
#define MCBOX_IGMP_TABLE_H

#include "igmp/wire.h"

/* The membership table: one entry per (group, host), as a querier infers
 * it from reports: a v3/MLDv2 host's INCLUDE/EXCLUDE state with sources,
 * or ASM for the older versions. Leaves and empty INCLUDE remove it. */
struct igmp_member {
	int family;
	struct igmp_addr group, host;
	int version;
	int mode;		/* IGMP_MODE_ASM, IGMP_MODE_IS_IN, IGMP_MODE_IS_EX */
	unsigned nsrc;
	struct igmp_addr *srcs;	/* sorted */
};

struct igmp_querier {
	int family, version;
	struct igmp_addr addr;
	unsigned count;
};

#define IGMP_TABLE_MAX 65536	/* (group, host) entries */
#define IGMP_TABLE_MAXSRC 4096	/* sources per entry */
#define IGMP_QUERIERS_MAX 64

struct igmp_table {
	struct igmp_member *m;
	unsigned n, cap;
	struct igmp_querier q[IGMP_QUERIERS_MAX];
	unsigned nq;
	unsigned long reports, leaves, queries, dropped;
};

void igmp_table_init(struct igmp_table *t);
void igmp_table_free(struct igmp_table *t);
/* Applies one parsed message. Returns 0, or -1 with errno ENOMEM or
 * ENOSPC (a documented cap reached: the change is dropped and counted). */
int igmp_table_update(struct igmp_table *t, const struct igmp_msg *m);
/* Keeps only the entries of group (all when NULL). */
void igmp_table_keep_group(struct igmp_table *t, const struct igmp_addr *g);
/* Sorts by family, group, host for printing. */
void igmp_table_sort(struct igmp_table *t);

#endif
