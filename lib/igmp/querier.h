/* querier.h - igmpquery's one-shot querier: its settings checked against
 * each other and against the protocol versions (IGMPv1/v2/v3: RFC 1112,
 * 2236, 9776; MLDv1/v2: RFC 2710, 9777), the query they describe, and
 * when it goes out. Sans-I/O: the loop is igmp/listen.c. */
#ifndef MCBOX_IGMP_QUERIER_H
#define MCBOX_IGMP_QUERIER_H

#include <stddef.h>
#include <stdint.h>

#include "igmp/wire.h"

struct igmpq_opts {
	const char *group_s, *source_s;	/* -g, --source as given */
	int family, srcfam, version, count, qrv, qqi, suppress;
	double max_resp, interval, timeout;	/* seconds; < 0: default */
	struct igmp_addr group, srcs[IGMP_MAXSRC];
	unsigned nsrc;
};

#define IGMPQ_OPTS_INIT { .count = 1, .qrv = 2, .qqi = 125, .interval = 1, \
			  .max_resp = -1, .timeout = -1 }

/* Adds the comma-separated sources of one -s (which may repeat). 0, -1
 * with err_str() as a usage message, or -2 with errno ENOMEM. */
int igmpq_add_sources(struct igmpq_opts *o, const char *arg);
/* Checks the settings against each other and fills in the defaults
 * (family, version, max response). 0, or -1 with err_str() as a usage
 * message. */
int igmpq_check(struct igmpq_opts *o);
/* The query the checked settings describe, but for q->src and q->ip_id
 * (the driver's). */
void igmpq_query(const struct igmpq_opts *o, struct igmp_query *q);

/* When the queries go out and when listening ends: count queries
 * interval apart from the start, then until the deadline (-w, or the last
 * query + max response + 1 s). Times are CLOCK_MONOTONIC ns, given. */
struct igmpq_sched {
	uint64_t next, interval, deadline;
	int count, sent;
};

void igmpq_sched_init(struct igmpq_sched *s, const struct igmpq_opts *o,
		      uint64_t now);
/* 1 when a query is due at now: send it, then call igmpq_sched_sent(). */
int igmpq_sched_due(const struct igmpq_sched *s, uint64_t now);
void igmpq_sched_sent(struct igmpq_sched *s);
/* When to wake: the next query, or the deadline. */
uint64_t igmpq_sched_wake(const struct igmpq_sched *s);
/* 1 once the deadline has passed. */
int igmpq_sched_over(const struct igmpq_sched *s, uint64_t now);

#endif
