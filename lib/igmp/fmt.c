/* fmt.c - igmpquery's table as JSON objects and text columns. */
#include "igmp/fmt.h"

#include <string.h>

void igmp_fmt_member_json(struct json *j, const struct igmp_member *m,
			  const char *ifname)
{
	char a[64];

	json_str(j, "type", "membership");
	json_str(j, "interface", ifname);
	json_str(j, "group", igmp_ntop(m->family, &m->group, a, sizeof(a)));
	json_str(j, "host", igmp_ntop(m->family, &m->host, a, sizeof(a)));
	json_str(j, "version", igmp_version_name(m->family, m->version));
	json_str(j, "mode", igmp_mode_name(m->mode));
	json_arr_begin(j, "sources");
	for (unsigned k = 0; k < m->nsrc; k++)
		json_str(j, NULL, igmp_ntop(m->family, &m->srcs[k], a,
					    sizeof(a)));
	json_arr_end(j);
}

void igmp_fmt_querier_json(struct json *j, const struct igmp_querier *q)
{
	char a[64];

	json_str(j, "type", "querier");
	json_str(j, "address", igmp_ntop(q->family, &q->addr, a, sizeof(a)));
	json_str(j, "version", igmp_version_name(q->family, q->version));
	json_uint(j, "queries", q->count);
}

void igmp_fmt_summary_json(struct json *j, const struct igmpq_run *r,
			   const struct igmp_table *t, double secs)
{
	json_str(j, "type", "summary");
	json_str(j, "interface", r->ifname);
	json_str(j, "protocol", igmp_version_name(r->o->family,
						  r->o->version));
	json_uint(j, "queries_sent", (unsigned)r->sent);
	json_uint(j, "reports", t->reports);
	json_uint(j, "leaves", t->leaves);
	json_uint(j, "malformed", r->malformed);
	json_uint(j, "memberships", t->n);
	json_uint(j, "other_queriers", t->nq);
	json_double(j, "seconds", secs, 3);
}

static int maxw(int w, const char *s)
{
	return (int)strlen(s) > w ? (int)strlen(s) : w;
}

void igmp_fmt_widths(const struct igmp_table *t, int *gw, int *hw)
{
	char a[64];

	*gw = 5;	/* "GROUP" */
	*hw = 4;	/* "HOST" */
	for (unsigned i = 0; i < t->n; i++) {
		*gw = maxw(*gw, igmp_ntop(t->m[i].family, &t->m[i].group, a,
					  sizeof(a)));
		*hw = maxw(*hw, igmp_ntop(t->m[i].family, &t->m[i].host, a,
					  sizeof(a)));
	}
}
