/* owner.h - who holds a multicast routing table when it is not an mroute
 * holder: the process with a raw IGMP (ICMPv6) socket in this network
 * namespace, found through /proc. */
#ifndef MCBOX_MROUTE_OWNER_H
#define MCBOX_MROUTE_OWNER_H

#include <stddef.h>
#include <sys/types.h>

/* Who holds the table when it is not us: a process with a raw IGMP
 * (ICMPv6) socket in this namespace, preferring known routing daemons.
 * Returns its pid and name in comm, or -1 when none is found. */
pid_t mrh_find_owner(int family, char *comm, size_t len);

#endif
