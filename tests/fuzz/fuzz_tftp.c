/* fuzz_tftp.c - libFuzzer harness for lib/tftp: the packet decoder, the
 * RFC 2090 value parser, and the download client (RFC 1350, 2347-2349,
 * 7440, 2090) fed the input as a run of datagrams from a server and TIDs
 * the input chooses (the server's own address on other ports, other
 * hosts, IPv4 or IPv6), through the get driver's event handling: its file
 * output (blocks into the temp file, then commit or abort) and its error
 * paths (server errors, protocol failures, joins that cannot be made in
 * this harness's empty network namespace, writes that fail). */
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tftp/client.h"
#include "tftp/get.h"
#include "tftp/wire.h"
#include "fuzz.h"

static char dir[64], path[96];

static void addr(struct sockaddr_storage *ss, int v6, const uint8_t *a,
		 int port)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, a, 16);
		s->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a, 4);
		s->sin_port = htons((uint16_t)port);
	}
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void note(const char *msg)
{
	if (!msg)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const volatile sig_atomic_t stop;
	static struct tftp_client c;
	static struct tftp_get g;
	/* another host: 198.18.0.99 or 2001:db8::99 */
	static const uint8_t other[20] = { 198, 18, 0, 99, 0x20, 0x01, 0x0d,
					   0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 0x99 };
	struct tftp_pkt p;
	struct tftp_mcast m;
	struct tftp_cfg cfg = { .file = "f", .blksize = 16, .tsize = 1 };
	struct sockaddr_storage srv, from;
	struct stat sb;
	char s[256], name[64];
	uint64_t now = 1000000000ull;
	uint8_t sa[16];
	int v6, sport, tport;
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
	if (!*dir) {
		strcpy(dir, access("/dev/shm", W_OK) ? "/tmp/fuzz_tftp.XXXXXX"
						  : "/dev/shm/fuzz_tftp.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/out", dir);
		atexit(cleanup);
	}
	/* 1 byte of configuration, 1 of server (family, address, port);
	 * then [len][sender][datagram]... where the top bit of len says
	 * "came by multicast" */
	if (size < 2)
		return 0;
	cfg.multicast = data[0] & 1;
	cfg.windowsize = data[0] & 2 ? 4 : 0;
	cfg.max_size = data[0] & 4 ? 4096 : 0;
	cfg.blksize = data[0] & 8 ? 8 : 16;
	cfg.mc_window = data[0] & 16;
	v6 = data[1] & 1;
	memset(sa, 0, sizeof(sa));
	if (v6) {
		sa[0] = 0x20, sa[1] = 0x01, sa[2] = 0x0d, sa[3] = 0xb8;
		sa[15] = (uint8_t)(data[1] >> 1);
	} else {
		sa[0] = 198, sa[1] = 18, sa[2] = 0, sa[3] = data[1] >> 1;
	}
	sport = data[1] & 0x80 ? 1758 : 69;
	addr(&srv, v6, sa, sport);
	if (tftp_client_init(&c, &cfg, &srv) < 0)
		return 0;
	memset(&g, 0, sizeof(g));
	g.out = path;
	g.stop = &stop;
	g.note = note;
	g.ufd = -1;		/* sends fail: EBADF, nothing leaves */
	g.mfd = -1;
	snprintf(g.server_s, sizeof(g.server_s), "server");
	if (outfile_open(&g.of, path) < 0) {
		tftp_client_free(&c);
		return 0;
	}
	tftp_client_start(&c, now);
	tftp_get_events(&g, &c);
	for (pos = 2; pos + 2 <= size && !g.failed &&
		      c.state != TFTP_S_DONE;) {
		size_t n = data[pos] & 0x7f;
		int mc = data[pos] >> 7, who = data[pos + 1];

		pos += 2;
		if (n > size - pos)
			n = size - pos;
		/* the TID: the server's address on a port of the input's
		 * choosing, or another host */
		tport = who & 0x40 ? sport : 40000 + (who & 7);
		addr(&from, v6, who & 0x80 ? other + (v6 ? 4 : 0) : sa, tport);
		if (n == 0x7f - 1) {	/* a tick instead of a datagram */
			now = tftp_client_timer(&c) ? tftp_client_timer(&c) :
						      now + 1;
			tftp_client_tick(&c, now);
		} else {
			tftp_client_input(&c, data + pos, n, &from, mc, now);
		}
		tftp_get_events(&g, &c);
		pos += n;
		now += 1000;
	}
	if (g.mfd >= 0)
		close(g.mfd);
	/* the driver's ending: a complete file is committed whole; any
	 * other ending leaves nothing */
	if (!g.failed && c.state == TFTP_S_DONE) {
		if (outfile_commit(&g.of, (off_t)c.st.bytes) == 0) {
			if (stat(path, &sb) || (uint64_t)sb.st_size != c.st.bytes ||
			    (cfg.max_size && c.st.bytes > cfg.max_size))
				__builtin_trap();
			unlink(path);
		}
	} else {
		outfile_abort(&g.of);
		if (!stat(path, &sb))
			__builtin_trap();
	}
	tftp_client_free(&c);
	return 0;
}
