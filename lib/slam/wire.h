/* wire.h - the SLAM wire codec (Etherboot/iPXE "Scalable Local Area
 * Multicast"; no RFC, see PROTOCOLS.md §1): the variable-length Int, the
 * header shared by data and status-request ("ping") packets, data packets
 * and run-length NACKs. Pure functions over byte buffers, no I/O. */
#ifndef MCBOX_SLAM_WIRE_H
#define MCBOX_SLAM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "file/bitmap.h"

#define SLAM_PORT	10000
#define SLAM_GROUP	"239.255.1.1"
#define SLAM_INT_MAX	((UINT64_C(1) << 53) - 1)	/* 7-byte Int */
#define SLAM_INT_LEN	7		/* longest Int */
#define SLAM_HDR_MAX	(3 * SLAM_INT_LEN)
/* NACKs: mini-slamd reads at most 1500 - 20 - 8 bytes; Etherboot builds
 * at most that. We never send more than the family's 1500-byte MTU allows. */
#define SLAM_NACK_MAX4	1472
#define SLAM_NACK_MAX6	1452

/* Bytes the shortest encoding of v takes (1..7); 0 when v > SLAM_INT_MAX. */
int slam_int_len(uint64_t v);
/* Encodes v at buf; returns the length, or -1 when v is unencodable or
 * does not fit in cap (nothing written). */
int slam_put_int(uint8_t *buf, size_t cap, uint64_t v);
/* Decodes one Int at *p (not past end) and advances *p. Returns the
 * length used (1..7); 0 at a 00 terminator (not consumed); -1 for a
 * truncated or invalid Int (length bits 0 with a non-zero byte). */
int slam_get_int(const uint8_t **p, const uint8_t *end, uint64_t *v);

struct slam_hdr {
	uint64_t txn, total, bs;
	uint64_t nblocks;		/* ceil(total / bs) */
	uint8_t raw[SLAM_HDR_MAX];	/* the bytes as on the wire: clients */
	size_t rawlen;			/* compare these, not the values */
};

/* Builds a minimal-encoding header. 0, or -1 (bs 0, value too big). */
int slam_hdr_build(struct slam_hdr *h, uint64_t txn, uint64_t total,
		   uint64_t bs);
/* Parses the header at the start of buf; returns its length, or -1 when
 * it is truncated, malformed or has a block size of 0. */
int slam_hdr_parse(struct slam_hdr *h, const uint8_t *buf, size_t len);
/* Bytes of data block idx carries (bs, or the remainder for the last). */
uint64_t slam_block_len(const struct slam_hdr *h, uint64_t idx);

/* A parsed data packet: header, index, payload (pointing into buf). */
struct slam_data {
	struct slam_hdr h;
	uint64_t idx;
	const uint8_t *data;
	size_t len;
};

/* Parses and validates a data packet: index < nblocks and the payload is
 * exactly slam_block_len() bytes (stricter than Etherboot and iPXE).
 * 0, or -1 with *why set to a short reason. */
int slam_data_parse(struct slam_data *d, const uint8_t *buf, size_t len,
		    const char **why);
/* Writes header + Int(idx) at buf; returns the prefix length or -1. The
 * caller appends slam_block_len() bytes of file data. */
int slam_data_prefix(uint8_t *buf, size_t cap, const struct slam_hdr *h,
		     uint64_t idx);
/* Largest block size whose data packets fit in a UDP payload of
 * udp_payload bytes (and Etherboot's rule: header + Int(nblocks) + bs
 * fit) for a file of total bytes with transaction txn. 0 when none. */
uint64_t slam_fit_bs(uint64_t udp_payload, uint64_t txn, uint64_t total);

/* NACKs. A client NACK lists alternating have/lack run lengths starting
 * with a have run, then 00; the server reads (skip, send) pairs. */

/* Builds the NACK for bitmap b (got blocks set) with as many runs as fit
 * in cap bytes including the terminator; with b NULL (no header yet) it
 * is 20 21 00 ("send block 0"). Returns the length (>= 1). When nothing is
 * missing the result is the 1-byte disconnect 00.
 * *start rotates long lists: the list reports blocks before *start as
 * held and starts listing gaps there; on return *start is where a list
 * that did not fit stopped (0 when it reached the end), so successive
 * NACKs tell the server about every gap, not only the first few hundred.
 * Pass 0 for a plain list (what Etherboot sends). */
size_t slam_nack_build(const struct bitmap *b, uint64_t *start, uint8_t *out,
		       size_t cap);

/* Where a list must start (see *start above) for its runs to reach the
 * last gap: a NACK that shows the server what went missing lately. */
uint64_t slam_nack_tail(const struct bitmap *b, size_t cap);

struct slam_range {
	uint64_t start, end;		/* blocks [start, end) */
};

/* Server side: parses a NACK against a file of nblocks blocks, clamping
 * every range to the file and skipping send counts of 0; stops at the
 * first malformed Int, at the terminator, or after max ranges. Returns the
 * number of ranges stored, -1 when the packet is a disconnect (starts
 * with 00), -2 when its first Int is garbage. [*from, *to) is the span of
 * blocks the list speaks about after its first have run: blocks past *to
 * are unknown (long lists get truncated), those before *from may be a
 * rotated list's claim (see slam_nack_build). */
int slam_nack_parse(const uint8_t *buf, size_t len, uint64_t nblocks,
		    struct slam_range *r, int max, uint64_t *from,
		    uint64_t *to);

#endif
