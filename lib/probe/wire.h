/* wire.h - the mcbox probe datagram (mcsend --probe, read by mcrecv): its
 * codec, versions 1 and 2. Sans-I/O. mcsend(1) documents it for users.
 *
 * Network byte order. Version 1, PROBE_HDRLEN bytes then zero padding:
 *	0  magic "MCBP"       4  version         5  flags
 *	6  TTL set by sender  7  reserved (0)
 *	8  sender id (u32, random per run)
 *	12 sequence (u64, from 0)
 *	20 send time (u64, ns since the Unix epoch, CLOCK_REALTIME)
 * Version 2 keeps that prefix and adds, up to PROBE_HDRLEN_V2 bytes:
 *	28 rate (u64, probes per 1000 s; 0: unpaced)
 *	36 start (u64, ns since the epoch: when sequence 0 was due)
 *	44 count (u64, probes the run sends in all; 0: until stopped)
 *	52 stop (u64, ns since the epoch: the run stops by then; 0: no limit)
 *	60 burst (u32, probes due together, 1-65535)
 * Flags: bit 0 the send time is valid; bit 1 an end marker: the run is over,
 * count says how many probes it sent, and the sequence is 2^64-1 (which a
 * version 1 reader drops as an implausible jump).
 * A later version keeps the version 2 prefix: a reader takes what it knows.
 */
#ifndef MCBOX_PROBE_WIRE_H
#define MCBOX_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_MAGIC	0x4d434250u	/* "MCBP" */
#define PROBE_VERSION	2
#define PROBE_HDRLEN	28		/* version 1: the smallest probe */
#define PROBE_HDRLEN_V2	64
#define PROBE_F_TIME	0x01
#define PROBE_F_END	0x02
#define PROBE_END_SEQ	UINT64_MAX

/* What a reader accepts of the version 2 fields; anything beyond is not a
 * probe (a peer may lie, and these go into arithmetic). */
#define PROBE_MAX_RATE	1000000000000000ull	/* 10^12 probes/s, in 1/1000 */
#define PROBE_MAX_COUNT	(1ull << 62)
#define PROBE_MAX_BURST	65535

struct probe_hdr {
	uint8_t version;	/* as read; probe_encode writes what fits */
	uint8_t flags;
	uint8_t ttl;		/* TTL/hop limit the sender set; 0: unknown */
	uint32_t id;
	uint64_t seq;
	uint64_t tx_ns;		/* valid when flags & PROBE_F_TIME */
	/* version 2; all 0 from a version 1 probe */
	uint64_t rate_mpps;	/* probes per 1000 s; 0: unpaced/unknown */
	uint64_t start_ns;
	uint64_t count;		/* 0: unknown; end marker: probes sent */
	uint64_t stop_ns;	/* 0: no limit */
	uint32_t burst;		/* 0 from version 1 */
};

/* Writes a probe of exactly size bytes (header, then zeros) into buf: a
 * version 2 header when size >= PROBE_HDRLEN_V2, else version 1. Returns
 * size, or 0 when size < PROBE_HDRLEN. */
size_t probe_encode(void *buf, size_t size, const struct probe_hdr *h);
/* Rewrites sequence and send time in an encoded probe (the fast path for
 * senders that reuse buffers). */
void probe_stamp(void *buf, uint64_t seq, uint64_t tx_ns);
/* 0 and *h filled when buf is a probe of a version we read (1, or 2 and
 * later with the version 2 fields in range); -1 if not. */
int probe_decode(const void *buf, size_t len, struct probe_hdr *h);

#endif
