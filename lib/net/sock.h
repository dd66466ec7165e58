/* sock.h - UDP sockets for multicast senders and receivers: socket buffer
 * sizes, TOS/traffic class, receive metadata (arrival TTL or hop limit via
 * IP_RECVTTL / IPV6_RECVHOPLIMIT, kernel receive time via SO_TIMESTAMPNS),
 * batched I/O with sendmmsg(2)/recvmmsg(2), and Linux UDP segmentation
 * offload (UDP_SEGMENT: one send, many datagrams) and UDP GRO (UDP_GRO:
 * one receive, many datagrams), see udp(7). */
#ifndef MCBOX_NET_SOCK_H
#define MCBOX_NET_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* The port mcsend and mcrecv use when an operand names none. */
#define SOCK_DEFAULT_PORT 5000

/* Datagrams moved per sendmmsg/recvmmsg call. */
#define SOCK_BATCH 64

struct mc_group;

/* How a sender's socket is set up; -1 (or 0 for sport and ifindex, NULL
 * for bind) leaves the kernel's default. */
struct sock_send_opts {
	const struct sockaddr_storage *bind;	/* local address, same family */
	int sport;		/* local port */
	int ifindex;		/* outgoing interface */
	int ttl, loop, tos;
};

/* A UDP socket connected to group g (the route is looked up once, and a
 * link-local IPv6 group is scoped to ifindex), bound as asked, with
 * multicast interface, TTL, loop, TOS and a 4 MB send buffer. Returns the
 * fd, or -1 with errno and err_str() naming the step ("connect
 * 239.1.2.3:5000"). */
int sock_mc_sender(const struct mc_group *g, const struct sock_send_opts *o);

/* A close-on-exec UDP socket of family. -1 with errno. */
int sock_udp(int family);
/* The MTU of the route to dst (IP_MTU/IPV6_MTU of a connected socket),
 * or -1 when there is none. */
int sock_route_mtu(const struct sockaddr_storage *dst);
/* Asks for bytes of SO_SNDBUF or SO_RCVBUF (which, the option name); the
 * kernel caps the request at net.core.wmem_max/rmem_max. Returns the size
 * the kernel granted (it doubles it for bookkeeping) or -1 with errno. */
int sock_bufsize(int fd, int which, int bytes);
/* The CPU that took in fd's latest datagram (SO_INCOMING_CPU), or -1. */
int sock_incoming_cpu(int fd);
/* How full fd's receive buffer is, in thousandths (SO_MEMINFO), or -1
 * with errno. */
int sock_rx_fill(int fd);
/* IP_TOS or IPV6_TCLASS (0-255). */
int sock_set_tos(int fd, int family, int tos);
/* A blocking receive returns EAGAIN after ms milliseconds (SO_RCVTIMEO). */
int sock_rcvtimeo(int fd, unsigned ms);
/* Ask for the arrival TTL/hop limit, TOS/traffic class and kernel receive
 * time of every datagram (sock_rx_ttl, sock_rx_tos, sock_rx_time). */
int sock_recv_meta(int fd, int family);

/* Most datagrams the kernel accepts in one UDP_SEGMENT send. */
#define SOCK_GSO_MAX 64

/* Sends of more than size bytes are cut by the kernel (or the NIC) into
 * datagrams of size bytes, the last one shorter (UDP_SEGMENT; 0 turns it
 * off). -1 with errno ENOPROTOOPT on kernels before 4.18. */
int sock_set_gso(int fd, int size);
/* Let the kernel hand over a train of same-sized datagrams from one
 * sender in one receive (UDP_GRO); sock_rx_gso() tells the size. */
int sock_set_gro(int fd);

/* A batch of receive buffers for recvmmsg. */
struct sock_rx {
	unsigned n;			/* slots */
	size_t bufsize;			/* bytes per slot */
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_storage *from;
	uint8_t *bufs;
	uint8_t *ctl;			/* ancillary data, SOCK_CTLSIZE each */
	/* sock_rx_next's place in the last batch */
	unsigned got, k;		/* slots filled, slot being read */
	size_t off, seg;		/* in it, and its datagram size */
};

int sock_rx_init(struct sock_rx *b, unsigned n, size_t bufsize);
void sock_rx_free(struct sock_rx *b);
/* recvmmsg on fd (flags: MSG_DONTWAIT, MSG_WAITFORONE...). Returns the
 * datagrams received (>0), or -1 with errno (EAGAIN when none were
 * waiting or the receive timeout passed, EINTR on a signal). */
int sock_rx_recv(int fd, struct sock_rx *b, int flags);
/* Datagram i of the last batch: data and length, 1 when it was longer
 * than bufsize and was cut, sender address, arrival TTL (-1: unknown),
 * kernel receive time in ns since the epoch (0: unknown). */
const uint8_t *sock_rx_data(const struct sock_rx *b, unsigned i, size_t *len);
int sock_rx_truncated(const struct sock_rx *b, unsigned i);
const struct sockaddr_storage *sock_rx_from(const struct sock_rx *b,
					    unsigned i);
int sock_rx_ttl(const struct sock_rx *b, unsigned i);
/* TOS byte or IPv6 traffic class on arrival; -1: unknown. */
int sock_rx_tos(const struct sock_rx *b, unsigned i);
uint64_t sock_rx_time(const struct sock_rx *b, unsigned i);
/* Size of each datagram when slot i holds a coalesced train (UDP_GRO),
 * else 0. */
size_t sock_rx_gso(const struct sock_rx *b, unsigned i);
/* The next datagram of the last batch, a GRO train split back into its
 * datagrams (the last one maybe shorter): 1 with its slot (for the
 * sender and the rest), data and length, or 0 when all were read. */
int sock_rx_next(struct sock_rx *b, unsigned *slot, const uint8_t **data,
		 size_t *len);

/* Sends every message of m with sendmmsg, retrying after partial sends and
 * EINTR; ENOBUFS (a full device queue) counts the datagram as sent, as
 * the kernel would have dropped it after a successful send anyway.
 * Returns n, or -1 with errno (and *done set to how many went out). */
int sock_send_all(int fd, struct mmsghdr *m, unsigned n, unsigned *done);

#endif
