/* fmt.h - what igmpquery shows of its table: memberships, other queriers
 * and the summary as JSON objects with stable keys, and the column widths
 * of the text table. Formatting only: the caller owns the stream. */
#ifndef MCBOX_IGMP_FMT_H
#define MCBOX_IGMP_FMT_H

#include "base/json.h"
#include "igmp/listen.h"
#include "igmp/table.h"

/* The members of a membership's object: type, interface, group, host,
 * version, mode, sources. */
void igmp_fmt_member_json(struct json *j, const struct igmp_member *m,
			  const char *ifname);
/* The members of another querier's object: type, address, version,
 * queries. */
void igmp_fmt_querier_json(struct json *j, const struct igmp_querier *q);
/* The members of the summary: type, interface, protocol, queries_sent,
 * reports, leaves, malformed, memberships, other_queriers, seconds. */
void igmp_fmt_summary_json(struct json *j, const struct igmpq_run *r,
			   const struct igmp_table *t, double secs);
/* The widths of the GROUP and HOST columns (at least their headings). */
void igmp_fmt_widths(const struct igmp_table *t, int *gw, int *hw);

#endif
