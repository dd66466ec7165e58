/* fuzz_gro.c - libFuzzer harness for the receive path of slam-get and
 * mcrecv: a batch as recvmmsg leaves it (lengths, senders, truncation and
 * the ancillary data the kernel writes: UDP_GRO segment size, TTL/hop
 * limit, TOS/traffic class, receive time), split back into datagrams by
 * sock_rx_next (UDP GRO trains, RFC 768 datagrams of the announced size,
 * the last maybe shorter) and fed to the SLAM client state machine with
 * "from the server" as slam-get decides it (PROTOCOLS.md section 1.8). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "net/addr.h"
#include "net/sock.h"
#include "slam/client.h"
#include "fuzz.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define SLOTS 8
#define SLOT 4096

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t u32(struct in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | byte(in);
	return v;
}

/* Appends one well-formed control message (the kernel writes no other
 * kind); 0 when it does not fit. */
static int cmsg(struct msghdr *h, size_t cap, int level, int type,
		const void *v, size_t len)
{
	struct cmsghdr *c;

	if (h->msg_controllen + CMSG_SPACE(len) > cap)
		return 0;
	c = (struct cmsghdr *)((uint8_t *)h->msg_control + h->msg_controllen);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), v, len);
	h->msg_controllen += CMSG_SPACE(len);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sock_rx b;
	static uint8_t ctl[SLOTS][256] __attribute__((aligned(8)));
	struct sockaddr_storage srv = { 0 }, other = { 0 };
	struct in in = { data, size };
	struct slam_cli c;
	struct slam_cli_ev ev;
	const uint8_t *p;
	size_t len, seen[SLOTS] = { 0 };
	unsigned k, last = 0, nseg = 0;
	uint64_t t = 1000000000ull;

	if (!b.n && sock_rx_init(&b, SLOTS, SLOT) < 0)
		return 0;
	((struct sockaddr_in *)&srv)->sin_family = AF_INET;
	((struct sockaddr_in *)&srv)->sin_addr.s_addr = htonl(0xc6120001);
	((struct sockaddr_in *)&srv)->sin_port = htons(10000);
	other = srv;
	((struct sockaddr_in *)&other)->sin_addr.s_addr = htonl(0xc6120009);
	/* the batch: per slot a length, a sender, flags for which control
	 * messages came and their values; the payloads follow */
	b.got = byte(&in) % (SLOTS + 1);
	b.k = 0;
	b.off = 0;
	for (unsigned i = 0; i < b.got; i++) {
		struct msghdr *h = &b.msgs[i].msg_hdr;
		unsigned f = byte(&in);
		int v;

		b.msgs[i].msg_len = (byte(&in) << 8 | byte(&in)) % (SLOT + 64);
		b.from[i] = f & 1 ? other : srv;
		h->msg_flags = f & 2 ? MSG_TRUNC : 0;
		h->msg_control = ctl[i];
		h->msg_controllen = 0;
		if (f & 4) {
			v = (int)u32(&in);
			cmsg(h, sizeof(ctl[i]), SOL_UDP, UDP_GRO, &v, sizeof(v));
		}
		if (f & 8) {
			v = (int)u32(&in);
			cmsg(h, sizeof(ctl[i]), IPPROTO_IP, IP_TTL, &v,
			     sizeof(v));
		}
		if (f & 16) {
			uint8_t tos = (uint8_t)byte(&in);

			cmsg(h, sizeof(ctl[i]), IPPROTO_IP, IP_TOS, &tos, 1);
		}
		if (f & 32) {
			struct timespec ts;

			ts.tv_sec = (time_t)(int32_t)u32(&in);
			ts.tv_nsec = (long)(u32(&in) % 1000000000u);
			cmsg(h, sizeof(ctl[i]), SOL_SOCKET, SCM_TIMESTAMPNS,
			     &ts, sizeof(ts));
		}
		if (f & 64) {
			v = (int)u32(&in);
			cmsg(h, sizeof(ctl[i]), IPPROTO_IPV6, IPV6_HOPLIMIT,
			     &v, sizeof(v));
			v = (int)u32(&in);
			cmsg(h, sizeof(ctl[i]), IPPROTO_IPV6, IPV6_TCLASS,
			     &v, sizeof(v));
		}
		if (!h->msg_controllen)
			h->msg_control = NULL;
	}
	/* payloads: the rest of the input, over and over */
	for (unsigned i = 0; i < b.got; i++) {
		size_t all = b.msgs[i].msg_len < SLOT ? b.msgs[i].msg_len : SLOT;

		for (size_t o = 0; o < all; o++)
			b.bufs[i * SLOT + o] = in.n ? in.p[o % in.n] : 0;
	}
	for (unsigned i = 0; i < b.got; i++) {
		sock_rx_ttl(&b, i);
		sock_rx_tos(&b, i);
		sock_rx_time(&b, i);
		sock_rx_truncated(&b, i);
	}
	slam_cli_init(&c, 1 << 24, SLAM_NACK_MAX4, 7, t);
	while (sock_rx_next(&b, &k, &p, &len)) {
		size_t all, seg;
		const uint8_t *base = sock_rx_data(&b, k, &all);

		/* in order, inside the slot, each piece at most a segment
		 * long, and together exactly the slot */
		seg = sock_rx_gso(&b, k);
		if (k >= b.got || k < last || p != base + seen[k] ||
		    seen[k] + len > all || (seg && seg <= all && len > seg) ||
		    ++nseg > b.got * (SLOT + 64))
			__builtin_trap();
		seen[k] += len;
		last = k;
		t += 1000;
		if (slam_cli_data(&c, t, p, len,
				  inet_same_addr(sock_rx_from(&b, k), &srv),
				  &ev) > 0 && ev.block &&
		    (ev.data < p || ev.data + ev.len > p + len))
			__builtin_trap();
	}
	for (unsigned i = 0; i < b.got; i++) {
		size_t all;

		sock_rx_data(&b, i, &all);
		if (seen[i] != all)
			__builtin_trap();
	}
	slam_cli_free(&c);
	return 0;
}
