/* listen.c - igmpquery's driver (IGMPv1/v2/v3: RFC 1112, 2236, 9776;
 * MLDv1/v2: RFC 2710, 9777): interface, privileged sockets, and the loop
 * that sends queries on the querier's schedule and builds the membership
 * table from what the capture sees. */
#include "igmp/listen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/priv.h"

int igmpq_open(struct igmpq_run *r, const char *ifname)
{
	const struct igmpq_opts *o = r->o;
	struct igmp_query q;
	ssize_t plen;

	r->fd = -1;
	if (ifname)
		snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	else if (capture_default_if(o->family, r->ifname) < 0)
		return EXIT_USAGE;
	r->ifindex = (int)if_nametoindex(r->ifname);
	if (!r->ifindex) {
		err_set("no interface '%s'", r->ifname);
		return EXIT_USAGE;
	}
	igmpq_query(o, &q);
	q.ip_id = (uint16_t)(getpid() ^ clock_wall_ns());
	if (o->source_s) {
		igmp_pton(o->source_s, &q.src);
	} else if (capture_if_addr(r->ifname, o->family, &q.src) < 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err_str());
		err_set("%s (give --source%s)", why, o->family == AF_INET ?
			" 0.0.0.0 to query anyway" : "");
		return EXIT_FAILURE;
	}
	plen = igmp_query_build(&q, r->pkt, sizeof(r->pkt), &r->dst);
	if (plen < 0)
		return EXIT_USAGE;
	r->plen = (size_t)plen;
	/* privileged: the sending socket and the capture, then drop all */
	if (priv_raise(PRIV_NET_RAW) < 0 ||
	    (r->fd = capture_send_socket(r->ifindex)) < 0) {
		err_set("raw socket %s: %s%s", r->ifname, strerror(errno),
			errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return EXIT_FAILURE;
	}
	r->cap = capture_open(r->ifname, o->family);
	if (!r->cap) {
		if (errno == EPERM) {
			char why[200];

			snprintf(why, sizeof(why), "%s", err_str());
			err_set("%s (needs CAP_NET_RAW)", why);
		}
		return EXIT_FAILURE;
	}
	if (priv_drop_all() < 0) {
		err_errno("drop capabilities");
		return EXIT_FAILURE;
	}
	return 0;
}

static void event(struct igmpq_run *r, enum igmpq_event ev)
{
	if (r->on_event)
		r->on_event(ev, r);
}

int igmpq_listen(struct igmpq_run *r, struct igmp_table *t)
{
	const struct igmpq_opts *o = r->o;
	struct pollfd pfd = { .fd = capture_fd(r->cap), .events = POLLIN };
	struct igmpq_sched s;
	const uint8_t *p;
	struct igmp_msg m;
	uint64_t now;
	size_t len;
	int rc;

	r->t0 = clock_ns();
	igmpq_sched_init(&s, o, r->t0);
	while (!(r->stop && *r->stop) &&
	       !igmpq_sched_over(&s, now = clock_ns())) {
		if (igmpq_sched_due(&s, now)) {
			if (capture_send(r->fd, r->ifindex, o->family, &r->dst,
					 r->pkt, r->plen) < 0)
				return err_errno("send query on %s", r->ifname);
			event(r, IGMPQ_SENT);
			igmpq_sched_sent(&s);
			r->sent = s.sent;
			continue;
		}
		if (poll(&pfd, 1, clock_poll_ms(igmpq_sched_wake(&s))) < 0 &&
		    errno != EINTR)
			return err_errno("poll");
		while ((rc = capture_next(r->cap, &p, &len)) > 0) {
			if (igmp_parse(p, len, &m) < 0) {
				if (errno == EBADMSG) {
					r->malformed++;
					event(r, IGMPQ_MALFORMED);
				}
				continue;
			}
			if (igmp_table_update(t, &m) < 0)
				event(r, IGMPQ_DROPPED);
		}
		if (rc < 0)
			return -1;	/* capture_next set err_str() */
	}
	return 0;
}

void igmpq_close(struct igmpq_run *r)
{
	capture_close(r->cap);
	r->cap = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
