/* fuzz_probe.c - libFuzzer harness for the probe decoder and statistics
 * (lib/probe/wire.c, lib/probe/stats.c) and the -r RATE parser
 * (lib/net/rate.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/stats.h"
#include "net/rate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_flow f;
	struct probe_hdr h;
	struct rate r;
	char s[40];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = 0;
	if (rate_parse(s, &r) == 0 && rate_pps(&r, 64) <= 0)
		abort();
	probe_decode(data, size, &h);
	/* the input as a stream of probes: sequence numbers, times and
	 * announcements as hostile as they come */
	probe_flow_init(&f);
	for (size_t off = 0; off + PROBE_HDRLEN_V2 <= size; off += 9) {
		uint8_t buf[PROBE_HDRLEN_V2];
		uint64_t now;

		memcpy(buf, data + off, PROBE_HDRLEN_V2);
		memcpy(buf, "MCBP", 4);
		buf[4] = 1 + (buf[4] & 1);
		if (probe_decode(buf, sizeof(buf), &h) < 0) {
			/* only a version 2 header may be out of range */
			if (buf[4] == 1)
				abort();
			continue;
		}
		memcpy(&now, buf + 20, sizeof(now));
		probe_flow_seen(&f, PROBE_HDRLEN_V2, h.seq * 7, (int)h.ttl - 1);
		probe_account(&f, &h, h.seq * 7);
		probe_expect(&f, now ^ h.tx_ns);
		if (probe_loss_pct(&f) < 0 || probe_loss_pct(&f) > 100 ||
		    f.unique > f.received)
			abort();
	}
	return 0;
}
