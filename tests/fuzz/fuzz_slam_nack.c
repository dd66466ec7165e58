/* fuzz_slam_nack.c - libFuzzer harness for the SLAM NACK parser and the
 * server state machine: whatever a client sends, the server must not
 * crash, wedge, or want a block past the end (SLAM, PROTOCOLS.md §1.4,
 * §1.10). */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "slam/wire.h"
#include "slam/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct slam_range r[64];
	struct slam_srv_cfg cfg = { .rate = 1e6, .max_clients = 4 };
	struct slam_srv s;
	struct slam_out o;
	struct sockaddr_storage a;
	struct sockaddr_in *sin = (void *)&a;
	uint64_t from, to, nb, t = 1000000000ULL;
	size_t off = 0, n;
	int k, steps;

	if (len < 2)
		return 0;
	nb = (uint64_t)buf[0] * 7;	/* 0 .. 1785 blocks */
	k = slam_nack_parse(buf + 1, len - 1, nb, r, 64, &from, &to);
	for (int i = 0; i < k; i++)
		if (r[i].start >= r[i].end || r[i].end > nb ||
		    (i && r[i].start < r[i - 1].end))
			__builtin_trap();
	slam_srv_init(&s, &cfg, t);
	slam_srv_set_file(&s, 1, nb * 100, 100, t);
	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	/* datagrams: 1 length byte, 1 sender byte, then the bytes */
	off = 1;
	while (off + 2 <= len) {
		n = buf[off];
		sin->sin_port = htons(buf[off + 1] & 7);
		off += 2;
		if (n > len - off)
			n = len - off;
		t += 3000000;
		slam_srv_input(&s, t, &a, buf + off, n);
		off += n;
		/* the server always drains in bounded steps */
		for (steps = 0; steps < 4000; steps++) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_DATA && o.block >= nb)
				__builtin_trap();
			t += 1000;
		}
		if (steps == 4000 && slam_srv_outstanding(&s) > nb)
			__builtin_trap();
	}
	slam_srv_free(&s);
	return 0;
}
