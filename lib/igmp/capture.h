/* capture.h - the link layer for igmpquery: a libpcap capture of IGMP or MLD
 * on one interface (all-multicast, BPF-filtered, incoming only), and an
 * AF_PACKET socket that sends whole IP packets as built by igmp/wire.h. */
#ifndef MCBOX_IGMP_CAPTURE_H
#define MCBOX_IGMP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "igmp/wire.h"

struct capture;

/* Opens a live capture on ifname for family's group management protocol
 * (AF_INET: IGMP; AF_INET6: MLD): immediate mode, non-blocking, incoming
 * packets only, the interface in all-multicast mode while it is open.
 * Needs CAP_NET_RAW. NULL with errno (EPERM, ENODEV...) and err_str(). */
struct capture *capture_open(const char *ifname, int family);
/* A descriptor for poll(). */
int capture_fd(const struct capture *c);
/* The next captured packet from its IP header on: 1 with *pkt and *len
 * set (valid until the next call), 0 when none is pending, -1 on error. */
int capture_next(struct capture *c, const uint8_t **pkt, size_t *len);
void capture_close(struct capture *c);

/* Skips the link-layer header of a frame of libpcap link type dlt
 * (Ethernet with 802.1Q/802.1ad tags, Linux cooked v1/v2, raw IP).
 * 0 with *l3 and *len set, -1 when the frame carries no IP. */
int capture_l3(int dlt, const uint8_t *frame, size_t caplen,
	       const uint8_t **l3, size_t *len);

/* An AF_PACKET datagram socket for sending on ifindex (CAP_NET_RAW).
 * It lets igmpquery send exactly the packet it built, including a 0.0.0.0
 * source, which a raw IP socket rewrites. -1 with errno. */
int capture_send_socket(int ifindex);
/* Sends one IP packet of family to the Ethernet address of group dst. */
ssize_t capture_send(int fd, int ifindex, int family,
		     const struct igmp_addr *dst, const uint8_t *pkt,
		     size_t len);

/* The interface's address to query from: its first IPv4 address, or for
 * IPv6 its link-local one. 0, or -1 with err_str() when it has none. */
int capture_if_addr(const char *ifname, int family, struct igmp_addr *a);
/* The only up, multicast, non-loopback interface with an address of
 * family, into name (IF_NAMESIZE). -1 with err_str() when there is none
 * or more than one. */
int capture_default_if(int family, char *name);

#endif
