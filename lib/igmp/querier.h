/* igmpq.h - igmpquery's one-shot querier: its settings checked against
 * each other and against the protocol versions (IGMPv1/v2/v3: RFC 1112,
 * 2236, 9776; MLDv1/v2: RFC 2710, 9777), the query they describe, and the
 * loop that sends it on schedule and feeds captured reports to the
 * membership table (lib/igmp.h). Printing stays with the caller. */
#ifndef MCBOX_IGMP_QUERIER_H
#define MCBOX_IGMP_QUERIER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "igmp/capture.h"
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
/* The query the checked settings describe, but for q->src. */
void igmpq_query(const struct igmpq_opts *o, struct igmp_query *q);

/* What the listen loop reports to the caller. */
enum igmpq_event {
	IGMPQ_SENT,		/* a query went out */
	IGMPQ_MALFORMED,	/* a malformed packet was ignored: err_str() */
	IGMPQ_DROPPED,		/* a membership was dropped: errno */
};

struct igmpq_run {
	const struct igmpq_opts *o;
	struct capture *cap;
	int fd, ifindex;		/* capture_send_socket() and its link */
	const char *ifname;
	const uint8_t *pkt;		/* the query, from igmp_query_build */
	size_t plen;
	struct igmp_addr dst;
	const volatile sig_atomic_t *stop;	/* ends the loop when set */
	void (*on_event)(enum igmpq_event ev, const struct igmpq_run *r);
	int sent;			/* queries sent */
	unsigned long malformed;	/* malformed packets ignored */
};

/* Sends the queries on schedule and feeds every captured report to t
 * until the deadline (-w, or the last query + max response + 1 s) or
 * *stop. 0, or -1 with err_str() ("send query on eth0: reason", "poll:
 * reason", or the capture's error). */
int igmpq_listen(struct igmpq_run *r, struct igmp_table *t);

#endif
