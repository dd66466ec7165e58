/* listen.h - igmpquery's driver: the interface and its address, the
 * AF_PACKET socket and the capture (both opened with CAP_NET_RAW, which is
 * then dropped), and the loop that sends the query on schedule
 * (igmp/querier.h) and feeds every captured report to the membership
 * table (igmp/table.h). It reports through a callback. */
#ifndef MCBOX_IGMP_LISTEN_H
#define MCBOX_IGMP_LISTEN_H

#include <net/if.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "igmp/capture.h"
#include "igmp/querier.h"
#include "igmp/table.h"

/* What the listen loop reports to the caller. */
enum igmpq_event {
	IGMPQ_SENT,		/* a query went out */
	IGMPQ_MALFORMED,	/* a malformed packet was ignored: err_str() */
	IGMPQ_DROPPED,		/* a membership was dropped: errno */
};

struct igmpq_run {
	/* set by the caller */
	const struct igmpq_opts *o;	/* checked (igmpq_check) */
	const volatile sig_atomic_t *stop;	/* ends the loop when set */
	void (*on_event)(enum igmpq_event ev, const struct igmpq_run *r);
	/* igmpq_open()'s */
	char ifname[IF_NAMESIZE];
	int fd, ifindex;		/* capture_send_socket() and its link */
	struct capture *cap;
	uint8_t pkt[2048];		/* the query, from igmp_query_build */
	size_t plen;
	struct igmp_addr dst;
	/* results */
	int sent;			/* queries sent */
	unsigned long malformed;	/* malformed packets ignored */
	uint64_t t0;			/* start, CLOCK_MONOTONIC ns */
};

/* Finds the interface (ifname, or the only multicast one) and its
 * address (unless o->source_s), builds the query, opens the sending
 * socket and the capture, and drops every capability. 0; EXIT_USAGE with
 * err_str() (a bad interface or query); or EXIT_FAILURE with err_str()
 * saying what failed, and which capability it needs. */
int igmpq_open(struct igmpq_run *r, const char *ifname);
/* Sends the queries on schedule and feeds every captured report to t
 * until the deadline or *stop. 0, or -1 with err_str() ("send query on
 * eth0: reason", "poll: reason", or the capture's error). */
int igmpq_listen(struct igmpq_run *r, struct igmp_table *t);
void igmpq_close(struct igmpq_run *r);

#endif
