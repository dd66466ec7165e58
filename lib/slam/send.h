/* send.h - batches of SLAM data packets to the group (PROTOCOLS.md §1):
 * packets back to back in one buffer, file data read at flush, and runs of
 * equal-length packets sent as one UDP_SEGMENT message (udp(7)). The
 * serve driver (slam/serve.h) fills and flushes them. */
#ifndef MCBOX_SLAM_SEND_H
#define MCBOX_SLAM_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "slam/wire.h"

/* A batch of data packets to the group. Packets sit back to back in one
 * buffer, so a run of equal-length ones is one UDP_SEGMENT message. */
struct slam_pkt {
	uint64_t block;
	size_t off;		/* in buf */
	size_t hlen, dlen;	/* header + index, file data */
};

struct slam_tx {
	int fd;
	const struct sockaddr_storage *dst;
	int gso;		/* UDP_SEGMENT still usable */
	unsigned n, max;	/* packets queued, room */
	struct slam_pkt *p;
	uint8_t *buf;
	size_t used, cap;
	struct mmsghdr *m;
	struct iovec *iov;	/* file reads, then one per message */
	uint8_t *ctl;
	int short_read;		/* the last flush met a shrunk file */
};

/* Room for max packets, sent with UDP_SEGMENT when the kernel has it. 0,
 * or -1 ENOMEM. */
int slam_tx_init(struct slam_tx *t, int fd,
		 const struct sockaddr_storage *dst, unsigned max);
void slam_tx_free(struct slam_tx *t);
/* Queues data packet block of h (the data is read at flush). 0, or -1
 * (ENOMEM, or EINVAL for a block past the end). */
int slam_tx_add(struct slam_tx *t, const struct slam_hdr *h, uint64_t block);
static inline int slam_tx_full(const struct slam_tx *t)
{
	return t->n >= t->max;
}
/* Told of a block that did not go out after all. */
typedef void (*slam_unsent_fn)(void *ctx, uint64_t block);

/* Reads the queued blocks from file (blocks of bs bytes; one preadv per
 * run of consecutive blocks) and sends them: trains of equal-length
 * packets in UDP_SEGMENT messages, all messages in sendmmsg calls. Each
 * block that could not be read (the file shrank: t->short_read) or sent
 * is handed to unsent(ctx, block). Returns the packets sent, or -1 with
 * errno when a send failed. Empty after. */
int slam_tx_flush(struct slam_tx *t, int file, uint64_t bs,
		  slam_unsent_fn unsent, void *ctx);

#endif
