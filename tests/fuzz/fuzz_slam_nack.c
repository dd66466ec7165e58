/* fuzz_slam_nack.c - libFuzzer harness for the SLAM NACK parser and the
 * server state machine: whatever clients send, from however many source
 * addresses and ports (IPv4 and IPv6; one record can send the same NACK
 * from thousands of ports, to fill the client table), with time passing so
 * that pings go unanswered, the server must not crash, wedge, keep more
 * clients than its table, or want a block past the end (SLAM,
 * PROTOCOLS.md sections 1.4 and 1.10). */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "slam/server.h"
#include "slam/wire.h"
#include "fuzz.h"

static void source(struct sockaddr_storage *a, unsigned sel, unsigned port)
{
	memset(a, 0, sizeof(*a));
	if (sel & 0x80) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)a;

		s->sin6_family = AF_INET6;
		s->sin6_addr.s6_addr[0] = 0x20;
		s->sin6_addr.s6_addr[1] = 0x01;
		s->sin6_addr.s6_addr[2] = 0x0d;
		s->sin6_addr.s6_addr[3] = 0xb8;
		s->sin6_addr.s6_addr[15] = (uint8_t)(sel & 0x7f);
		s->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)a;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(0xc6120000 | (sel & 0x7f));
		s->sin_port = htons((uint16_t)port);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct slam_range r[64];
	struct slam_srv_cfg cfg = { .rate = 1e6 };
	static struct slam_srv s;
	struct slam_out o;
	struct sockaddr_storage a;
	uint64_t from, to, nb, t = 1000000000ULL;
	unsigned max;
	size_t off, n;
	int k, steps;

	if (len < 3)
		return 0;
	nb = (uint64_t)buf[0] * 7;	/* 0 .. 1785 blocks */
	/* the table: tiny, mid-size, or the default (4096) */
	max = buf[1] & 0x80 ? 0 : (unsigned)buf[1] + 1;
	cfg.max_clients = max;
	if (!max)
		max = SLAM_SRV_MAX_CLIENTS;
	k = slam_nack_parse(buf + 2, len - 2, nb, r, 64, &from, &to);
	for (int i = 0; i < k; i++)
		if (r[i].start >= r[i].end || r[i].end > nb ||
		    (i && r[i].start < r[i - 1].end))
			__builtin_trap();
	if (slam_srv_init(&s, &cfg, t) < 0)
		return 0;
	slam_srv_set_file(&s, 1, nb * 100, 100, t);
	/* records: [len][sender][repeat] then len bytes; the sender byte
	 * picks one of 256 hosts (top bit: IPv6), repeat sends the same
	 * datagram from that many ports (x8 above 127); len 255 lets time
	 * pass */
	off = 2;
	while (off + 3 <= len) {
		unsigned sel = buf[off + 1], rep = buf[off + 2];

		n = buf[off];
		off += 3;
		if (n == 255) {
			t += (uint64_t)(rep + 1) * 100000000ULL;
			n = 0;
			rep = 0;
		}
		if (n > len - off)
			n = len - off;
		rep = rep > 127 ? (rep - 127) * 8 : rep ? rep : 1;
		for (unsigned j = 0; j < rep; j++) {
			source(&a, sel, 1024 + (sel & 7) * 8192 + j);
			t += 1000;
			slam_srv_input(&s, t, &a, buf + off, n);
		}
		off += n;
		if (s.ncl > max)
			__builtin_trap();
		/* the server always drains in bounded steps */
		for (steps = 0; steps < 4000; steps++) {
			slam_srv_next(&s, t, &o);
			if (o.act == SLAM_ACT_WAIT)
				break;
			if (o.act == SLAM_ACT_DATA && o.block >= nb)
				__builtin_trap();
			t += 1000;
		}
		if (slam_srv_outstanding(&s) > nb || s.ncl > max)
			__builtin_trap();
	}
	slam_srv_free(&s);
	return 0;
}
