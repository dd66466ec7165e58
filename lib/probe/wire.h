/* wire.h - mcbox probe datagrams (mcsend --probe, mcrecv): encoding,
 * stamping and decoding. Pure functions over byte buffers.
 *
 * Wire format, network byte order, PROBE_HDRLEN bytes then zero padding:
 *	0  magic "MCBP"       4  version (1)     5  flags (bit 0: tx time valid)
 *	6  TTL set by sender  7  reserved (0)
 *	8  sender id (u32, random per run)
 *	12 sequence (u64, from 0)
 *	20 send time (u64, ns since the Unix epoch, CLOCK_REALTIME)
 */
#ifndef MCBOX_PROBE_WIRE_H
#define MCBOX_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_MAGIC	0x4d434250u	/* "MCBP" */
#define PROBE_VERSION	1
#define PROBE_HDRLEN	28
#define PROBE_F_TIME	0x01

struct probe_hdr {
	uint8_t flags;
	uint8_t ttl;		/* TTL/hop limit the sender set; 0: unknown */
	uint32_t id;
	uint64_t seq;
	uint64_t tx_ns;		/* valid when flags & PROBE_F_TIME */
};

/* Writes a probe of exactly size bytes (header, then zeros) into buf.
 * Returns size, or 0 when size < PROBE_HDRLEN. */
size_t probe_encode(void *buf, size_t size, const struct probe_hdr *h);
/* Rewrites sequence and send time in an encoded probe (the fast path for
 * senders that reuse buffers). */
void probe_stamp(void *buf, uint64_t seq, uint64_t tx_ns);
/* 0 and *h filled when buf is a probe of a version we read; -1 if not. */
int probe_decode(const void *buf, size_t len, struct probe_hdr *h);

#endif
