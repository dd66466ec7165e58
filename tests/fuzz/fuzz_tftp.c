/* fuzz_tftp.c - libFuzzer harness for lib/tftp: the packet decoder, the
 * RFC 2090 value parser, and the download client fed the input as a run of
 * datagrams (split on a length byte) in whatever state they lead it to. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "tftp/client.h"

static void addr(struct sockaddr_storage *ss, uint32_t a, int port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(a);
	s->sin_port = htons((uint16_t)port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_pkt p;
	struct tftp_mcast m;
	static struct tftp_client c;
	struct tftp_cfg cfg = { .file = "f", .blksize = 16, .tsize = 1 };
	struct sockaddr_storage srv, tid;
	struct tftp_ev ev;
	char s[256], name[64];
	uint64_t now = 1000000000ull;
	size_t pos;

	if (tftp_decode(data, size, &p) == 0)
		for (int i = 0; i < p.nopts; i++)
			tftp_parse_mcast(p.val[i], &m);
	if (size < sizeof(s)) {
		memcpy(s, data, size);
		s[size] = 0;
		tftp_parse_mcast(s, &m);
		tftp_local_name(s, name, sizeof(name));
	}
	if (size < 1)
		return 0;
	/* first byte: configuration; then [len][datagram]... where the top
	 * bit of len says "came by multicast" */
	cfg.multicast = data[0] & 1;
	cfg.windowsize = data[0] & 2 ? 4 : 0;
	cfg.max_size = data[0] & 4 ? 4096 : 0;
	cfg.blksize = data[0] & 8 ? 8 : 16;
	addr(&srv, 0xc6120001, 69);
	addr(&tid, 0xc6120001, 40000);
	if (tftp_client_init(&c, &cfg, &srv) < 0)
		return 0;
	tftp_client_start(&c, now);
	while (tftp_client_event(&c, &ev))
		;
	for (pos = 1; pos < size;) {
		size_t n = data[pos] & 0x7f;
		int mc = data[pos] >> 7;

		pos++;
		if (n > size - pos)
			n = size - pos;
		if (n == 0x7f - 1) {	/* a tick instead of a datagram */
			now = tftp_client_timer(&c) ? tftp_client_timer(&c) :
						      now + 1;
			tftp_client_tick(&c, now);
		} else {
			tftp_client_input(&c, data + pos, n, &tid, mc, now);
		}
		while (tftp_client_event(&c, &ev))
			if (ev.type == TFTP_EV_DATA && ev.len > 65464)
				__builtin_trap();
		pos += n;
		now += 1000;
	}
	tftp_client_free(&c);
	return 0;
}
