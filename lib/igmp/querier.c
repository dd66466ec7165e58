/* querier.c - igmpquery's one-shot querier: settings checked per IGMP/MLD
 * version (RFC 1112, 2236, 9776, 2710, 9777), the query, and its
 * schedule. No I/O. */
#include "igmp/querier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/err.h"

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

int igmpq_add_sources(struct igmpq_opts *o, const char *arg)
{
	char *list = strdup(arg), *tok, *save = NULL;
	struct igmp_addr a;
	int fam, rc = 0, n = 0;

	if (!list)
		return -2;
	/* empty items are skipped ("a,b," is a list of two), but a list
	 * must name one source at least */
	for (tok = strtok_r(list, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save), n++) {
		fam = igmp_pton(tok, &a);
		if (fam < 0 || igmp_is_multicast(fam, &a) ||
		    (o->nsrc && fam != o->srcfam)) {
			err_set("bad source '%s'", tok);
			rc = -1;
		} else if (o->nsrc >= IGMP_MAXSRC) {
			err_set("too many sources (max %d)", IGMP_MAXSRC);
			rc = -1;
		} else {
			o->srcs[o->nsrc++] = a, o->srcfam = fam;
		}
	}
	if (!rc && !n) {
		err_set("bad -s '%s': no source", arg);
		rc = -1;
	}
	free(list);
	return rc;
}

/* Sets o->family from -4/-6, -g, -s and --source, which must agree. */
static int check_family(struct igmpq_opts *o, int fam, const char *what,
			const char *val)
{
	if (o->family && fam != o->family) {
		err_set("%s '%s' is not %s", what, val, fam_name(o->family));
		return -1;
	}
	o->family = fam;
	return 0;
}

/* a usage error: the reason for err_str(), and -1 */
#define usage(...)	(err_set(__VA_ARGS__), -1)

int igmpq_check(struct igmpq_opts *o)
{
	/* largest max response per family and version, in seconds */
	static const double max4[] = { 0, 10, 25.5, 3174.4 };
	static const double max6[] = { 0, 65.535, 8387.584 };
	struct igmp_addr a;
	const char *v;
	int fam;

	if (o->group_s) {
		fam = igmp_pton(o->group_s, &o->group);
		if (fam < 0 || !igmp_is_multicast(fam, &o->group))
			return usage("bad group '%s'", o->group_s);
		if (check_family(o, fam, "group", o->group_s))
			return -1;
	}
	if (o->source_s) {
		fam = igmp_pton(o->source_s, &a);
		if (fam < 0)
			return usage("bad --source '%s'", o->source_s);
		if (check_family(o, fam, "--source", o->source_s))
			return -1;
		/* RFC 9777 §5.1.14: hosts drop queries not from a
		 * link-local address */
		if (fam == AF_INET6 && !(a.b[0] == 0xfe &&
					 (a.b[1] & 0xc0) == 0x80))
			return usage("--source '%s' is not link-local",
				     o->source_s);
	}
	if (o->nsrc && !o->group_s)
		return usage("-s needs -g GROUP");
	if (o->nsrc && o->srcfam != o->family)
		return usage("-s sources are not %s", fam_name(o->family));
	if (!o->family)
		o->family = AF_INET;
	if (!o->version)
		o->version = o->family == AF_INET ? 3 : 2;
	if (o->family == AF_INET6 && o->version > 2)
		return usage("bad -V '%d' for MLD (1-2)", o->version);
	v = igmp_version_name(o->family, o->version);
	if (o->nsrc && o->version != (o->family == AF_INET ? 3 : 2))
		return usage("-s needs %s",
			     o->family == AF_INET ? "IGMPv3" : "MLDv2");
	if (o->family == AF_INET && o->version == 1) {
		if (o->group_s)
			return usage("IGMPv1 has no group-specific query");
		if (o->max_resp >= 0)
			return usage("IGMPv1 has no max response time "
				     "(hosts use 10 s)");
		o->max_resp = 10;
	}
	if (o->max_resp < 0)
		o->max_resp = 2;
	/* IGMP counts tenths of a second: 0.1 is the least but zero */
	if ((o->family == AF_INET && o->max_resp < 0.1) ||
	    o->max_resp > (o->family == AF_INET ? max4 : max6)[o->version])
		return usage("bad -m '%g' for %s (%g-%g)", o->max_resp, v,
			     o->family == AF_INET ? 0.1 : 0.001,
			     (o->family == AF_INET ? max4 : max6)[o->version]);
	return 0;
}

void igmpq_query(const struct igmpq_opts *o, struct igmp_query *q)
{
	memset(q, 0, sizeof(*q));
	q->family = o->family;
	q->version = o->version;
	q->group = o->group;
	q->srcs = o->srcs;
	q->nsrc = o->nsrc;
	q->qrv = o->qrv;
	q->qqi = (unsigned)o->qqi;
	q->s_flag = o->suppress;
	q->max_resp = o->family == AF_INET ?
			      (unsigned)(o->max_resp * 10 + 0.5) :
			      (unsigned)(o->max_resp * 1000 + 0.5);
}

void igmpq_sched_init(struct igmpq_sched *s, const struct igmpq_opts *o,
		      uint64_t now)
{
	uint64_t wait = (uint64_t)(((o->count - 1) * o->interval +
				    o->max_resp + 1) * 1e9);

	if (o->timeout > 0)
		wait = (uint64_t)(o->timeout * 1e9);
	s->next = now;
	s->interval = (uint64_t)(o->interval * 1e9);
	s->deadline = now + wait;
	s->count = o->count;
	s->sent = 0;
}

int igmpq_sched_due(const struct igmpq_sched *s, uint64_t now)
{
	return s->sent < s->count && now >= s->next && now < s->deadline;
}

void igmpq_sched_sent(struct igmpq_sched *s)
{
	s->sent++;
	s->next += s->interval;
}

uint64_t igmpq_sched_wake(const struct igmpq_sched *s)
{
	return s->sent < s->count && s->next < s->deadline ? s->next :
							     s->deadline;
}

int igmpq_sched_over(const struct igmpq_sched *s, uint64_t now)
{
	return now >= s->deadline;
}
