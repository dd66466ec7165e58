/* slamio.h - the socket and file work of the SLAM drivers (slam-serve,
 * slam-get; PROTOCOLS.md §1): sockets, batched data sends with Linux UDP
 * segmentation offload (UDP_SEGMENT: one send, many equal datagrams),
 * batched receives with UDP GRO split back into datagrams, and batched
 * file writes. The protocol itself stays in slamsrv.c and slamcli.c. */
#ifndef MCBOX_SLAM_IO_H
#define MCBOX_SLAM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "net/mcast.h"
#include "slam/server.h"
#include "net/sock.h"
#include "file/xfer.h"

/* ---- server ---- */

/* The server's UDP socket: bound to port (NACKs and ping answers arrive
 * there), multicast TTL, loop on, no foreign groups, interface ifindex
 * (0: the route's), a 4 MB send buffer. -1 with err_str(). */
int slamio_srv_socket(const struct mc_group *g, int port, int ifindex,
		      int ttl);

/* Transaction id from what tells file versions apart (size, mtime,
 * inode); under 2^32 so it stays a short Int. */
uint64_t slamio_txn(const struct stat *st);
/* The default block size for a file of size bytes in transaction txn:
 * data packets fit the MTU of the route to g, and the size is never an
 * exact multiple of it (Etherboot cannot finish such a file, PROTOCOLS.md
 * §1.9). 0 when none fits. */
uint64_t slamio_block_size(const struct mc_group *g, uint64_t txn,
			   uint64_t size);

/* A batch of data packets to the group. Packets sit back to back in one
 * buffer, so a run of equal-length ones is one UDP_SEGMENT message. */
struct slamio_pkt {
	uint64_t block;
	size_t off;		/* in buf */
	size_t hlen, dlen;	/* header + index, file data */
};

struct slamio_tx {
	int fd;
	const struct sockaddr_storage *dst;
	int gso;		/* UDP_SEGMENT still usable */
	unsigned n, max;	/* packets queued, room */
	struct slamio_pkt *p;
	uint8_t *buf;
	size_t used, cap;
	struct mmsghdr *m;
	struct iovec *iov;	/* file reads, then one per message */
	uint8_t *ctl;
	int short_read;		/* the last flush met a shrunk file */
};

/* Room for max packets, sent with UDP_SEGMENT when the kernel has it. 0,
 * or -1 ENOMEM. */
int slamio_tx_init(struct slamio_tx *t, int fd,
		   const struct sockaddr_storage *dst, unsigned max);
void slamio_tx_free(struct slamio_tx *t);
/* Queues data packet block of h (the data is read at flush). 0, or -1
 * (ENOMEM, or EINVAL for a block past the end). */
int slamio_tx_add(struct slamio_tx *t, const struct slam_hdr *h,
		  uint64_t block);
static inline int slamio_tx_full(const struct slamio_tx *t)
{
	return t->n >= t->max;
}
/* Reads the queued blocks from file (one preadv per run of consecutive
 * blocks) and sends them: trains of equal-length packets in UDP_SEGMENT
 * messages, all messages in sendmmsg calls. Blocks that could not be read (the
 * file shrank: t->short_read) or sent go back to s as wanted. Returns
 * the packets sent, or -1 with errno when a send failed. Empty after. */
int slamio_tx_flush(struct slamio_tx *t, struct slam_srv *s, int file);

/* ---- client ---- */

/* The data socket: joined to g on ifindex (0: the route's), a 4 MB
 * receive buffer, UDP GRO asked for. -1 with err_str(). */
int slamio_cli_socket(const struct mc_group *g, int ifindex);

/* Received datagrams, GRO trains split back into datagrams. */
struct slamio_rx {
	struct sock_rx b;
};

int slamio_rx_init(struct slamio_rx *x, unsigned slots);
void slamio_rx_free(struct slamio_rx *x);
/* One recvmmsg without waiting: the slots filled (0 when none), or -1
 * with errno. */
int slamio_rx_recv(struct slamio_rx *x, int fd);
/* The next datagram of the last receive: 1 (data, len, sender), or 0
 * when all are read. */
int slamio_rx_next(struct slamio_rx *x, const uint8_t **data, size_t *len,
		   const struct sockaddr_storage **from);

/* Writes of blocks that arrive in order go out in one pwritev. The data
 * stays where it is (the receive buffers): flush before reusing them.
 * Every few MB the disk is told to start writing what it got, so the
 * fsync at the end waits for the tail, not the whole file. */
#define SLAMIO_WQ_MAX 1024

struct slamio_wq {
	struct outfile *of;
	struct iovec iov[SLAMIO_WQ_MAX];
	int n;
	off_t off, end;
	uint64_t dirty;		/* written since writeback was last started */
};

/* 0 or -1 with err_str() (outfile_pwrite's). */
int slamio_wq_add(struct slamio_wq *w, const void *p, size_t len, off_t off);
int slamio_wq_flush(struct slamio_wq *w);

/* Operands of slam-get: x-slam://SERVER[:PORT][/GROUP[:PORT]] (Etherboot,
 * iPXE), or SERVER[:PORT] [GROUP[:PORT]] (n operands). 0, or -1 with
 * err_str(). */
int slamio_parse_target(int n, char **ops, struct sockaddr_storage *srv,
			struct mc_group *g);

#endif
