/* udptap.h - counts the UDP datagrams for one group and port that reach an
 * interface, before anything on this host (tc, nftables, rp_filter, the
 * socket layer) may drop them: an AF_PACKET socket (packet(7)) behind a
 * classic BPF filter that keeps the count only. Needs CAP_NET_RAW. */
#ifndef MCBOX_NET_UDPTAP_H
#define MCBOX_NET_UDPTAP_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDPTAP_PROGLEN	24	/* instructions of the filter, at most */

/* The filter for datagrams to group's address and port (IPv4 without
 * fragments, IPv6 without extension headers), incoming only, into prog.
 * Returns its length in instructions, 0 for another family. */
size_t udptap_filter(const struct sockaddr_storage *group,
		     struct sock_filter *prog);
/* A descriptor counting them on interface ifindex, or -1 with errno
 * (EPERM: no CAP_NET_RAW in effect). */
int udptap_open(int ifindex, const struct sockaddr_storage *group);
/* Adds what was counted since the last call (datagrams the socket had no
 * room for included) to *total and throws the queued copies away. 0, or
 * -1 with errno. */
int udptap_count(int fd, uint64_t *total);

#endif
