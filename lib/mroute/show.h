/* show.h - mroute show and status: VIFs, routes with counters, (*,G)
 * templates and memberships from the holder, and the forwarding checks
 * (holder, mc_forwarding, rp_filter, reverse path, TTL hints). */
#ifndef MCBOX_MROUTE_SHOW_H
#define MCBOX_MROUTE_SHOW_H

#include "mroute/ctx.h"

/* family 0: both. Writes to x->out (text or JSON Lines). 0 or 1. */
int mrs_print(struct mrc_ctx *x, int family, int status);

#endif
