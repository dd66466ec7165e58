/* fuzz_slam_data.c - libFuzzer harness for the SLAM data/ping parsers and
 * the client state machine fed with arbitrary datagrams (SLAM,
 * PROTOCOLS.md §1.4). */
#include <stdint.h>
#include <string.h>

#include "slam/wire.h"
#include "slam/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct slam_cli c;
	struct slam_cli_ev ev;
	struct slam_data d;
	struct slam_hdr h;
	const char *why;
	uint8_t out[SLAM_NACK_MAX4];
	size_t off = 0, n;
	uint64_t t = 0;

	if (slam_data_parse(&d, buf, len, &why) == 0) {
		/* what parsed must be consistent */
		if (d.idx >= d.h.nblocks || d.len != slam_block_len(&d.h, d.idx))
			__builtin_trap();
	}
	slam_hdr_parse(&h, buf, len);
	/* the input as a stream of datagrams: 1 length byte, 1 kind byte */
	slam_cli_init(&c, 1 << 24, SLAM_NACK_MAX4, 7, 0);
	while (off + 2 <= len) {
		n = buf[off];
		int kind = buf[off + 1];

		off += 2;
		if (n > len - off)
			n = len - off;
		t += 1000000;
		if (kind & 1)
			slam_cli_ping(&c, t, buf + off, n, &ev);
		else if (slam_cli_data(&c, t, buf + off, n, kind & 2, &ev) > 0 &&
			 ev.block &&
			 (ev.off + ev.len > c.h.total || ev.data < buf ||
			  ev.data + ev.len > buf + len))
			__builtin_trap();
		n = slam_cli_nack(&c, t + (kind & 4 ? 2000000000ULL : 0), out,
				  sizeof(out));
		if (n > sizeof(out))
			__builtin_trap();
		off += n;
	}
	slam_cli_free(&c);
	return 0;
}
