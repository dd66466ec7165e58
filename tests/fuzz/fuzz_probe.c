/* fuzz_probe.c - libFuzzer harness for the probe decoder and its timing
 * arithmetic (lib/probe: sequence window, loss, TTL and hops, one-way
 * delay and RFC 3550 jitter from send times the sender chose), the text
 * and JSON summaries made of them, and the -r RATE parser (lib/net/rate). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "net/rate.h"
#include "probe/fmt.h"
#include "probe/stats.h"
#include "fuzz.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_flow f;
	struct probe_hdr h;
	struct rate r;
	char s[40], line[512];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	uint64_t rx = 0;
	FILE *out;

	memcpy(s, data, n);
	s[n] = 0;
	if (rate_parse(s, &r) == 0 && rate_pps(&r, 64) <= 0)
		abort();
	probe_decode(data, size, &h);
	/* the input as a stream of probes, each followed by its receive
	 * time (absolute, or an offset from the last) and arrival TTL:
	 * sequence numbers, flags and times as hostile as they come */
	probe_flow_init(&f);
	for (size_t off = 0; off + PROBE_HDRLEN + 10 <= size;
	     off += PROBE_HDRLEN + 10) {
		const uint8_t *p = data + off;
		uint8_t buf[PROBE_HDRLEN];
		uint64_t t = get64(p + PROBE_HDRLEN);
		int64_t transit;

		memcpy(buf, p, PROBE_HDRLEN);
		memcpy(buf, "MCBP\x01", 5);
		if (probe_decode(buf, sizeof(buf), &h) < 0)
			abort();
		rx = p[PROBE_HDRLEN + 8] & 1 ? rx + (t >> 20) : t;
		if (probe_transit(&h, rx, &transit) == 0 &&
		    (transit > (int64_t)PROBE_MAX_SKEW ||
		     transit < -(int64_t)PROBE_MAX_SKEW))
			abort();
		probe_flow_seen(&f, PROBE_HDRLEN, rx, (int)p[PROBE_HDRLEN + 9] - 1);
		probe_account(&f, &h, rx);
		if (probe_lost(&f) > f.top - f.base + 1 ||
		    probe_loss_pct(&f) < 0 || probe_loss_pct(&f) > 100 ||
		    f.unique > f.received || !isfinite(f.jitter) ||
		    f.jitter < 0 || !isfinite(f.delay_sum) ||
		    (f.ndelay && (f.delay_min > f.delay_max ||
				  f.delay_max > (int64_t)PROBE_MAX_SKEW ||
				  f.delay_min < -(int64_t)PROBE_MAX_SKEW)))
			abort();
		if (probe_hops(&f) > 255)
			abort();
	}
	/* what mcrecv prints of it */
	probe_fmt_line(&f, 0, line, sizeof(line));
	out = fopen("/dev/null", "w");
	if (out) {
		struct json j;

		json_begin(&j, out);
		json_arr_begin(&j, "senders");
		probe_fmt_json(&j, &f);
		json_arr_end(&j);
		json_end(&j);
		fclose(out);
	}
	/* the input as version 2 probes and end markers: announcements as
	 * hostile as they come, and what is expected of them */
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
