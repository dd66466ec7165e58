/* test_tftp.c - unit tests for lib/tftp: the codec against the RFC 2090
 * vectors of PROTOCOLS.md §3.4, and the sans-I/O client driven through
 * unicast, roll-over, windows, multicast roles, fallbacks and hostile input. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "base/err.h"
#include "net/inet.h"
#include "tftp/wire.h"
#include "tftp/get.h"
#include "unit.h"

#define SEC 1000000000ull

static size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2hhx", &out[n++]);
		s += 2;
	}
	return n;
}

/* ---- codec ---- */

TEST(decode_rrq_etherboot)
{
	uint8_t b[128];
	size_t n = hex("00 01 73 6D 61 6C 6C 2E 62 69 6E 00 6F 63 74 65 74 00 "
		       "6D 75 6C 74 69 63 61 73 74 00 00 62 6C 6B 73 69 7A 65 "
		       "00 31 30 32 34 00 74 73 69 7A 65 00 00", b);
	struct tftp_pkt p;

	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(p.op, TFTP_RRQ);
	CHECK_STR(p.file, "small.bin");
	CHECK_STR(p.mode, "octet");
	CHECK_INT(p.nopts, 3);
	CHECK_STR(tftp_opt(&p, "MULTICAST"), "");
	CHECK_STR(tftp_opt(&p, "blksize"), "1024");
	CHECK_STR(tftp_opt(&p, "tsize"), "");
	CHECK(tftp_opt(&p, "windowsize") == NULL);
}

TEST(encode_rrq_ipxe_vector)
{
	uint8_t want[128], got[128];
	size_t n = hex("00 01 73 6D 61 6C 6C 2E 62 69 6E 00 6F 63 74 65 74 00 "
		       "62 6C 6B 73 69 7A 65 00 31 34 33 32 00 74 73 69 7A 65 "
		       "00 30 00 6D 75 6C 74 69 63 61 73 74 00 00", want);
	const char *names[] = { "blksize", "tsize", "multicast" };
	const char *vals[] = { "1432", "0", "" };

	CHECK_INT(tftp_encode_rrq(got, sizeof(got), "small.bin", names, vals,
				  3), n);
	CHECK_MEM(got, want, n);
	/* minimal RRQ */
	n = hex("00 01 66 00 6F 63 74 65 74 00 6D 75 6C 74 69 63 61 73 74 00 00",
		want);
	CHECK_INT(tftp_encode_rrq(got, sizeof(got), "f", names + 2, vals + 2,
				  1), n);
	CHECK_MEM(got, want, n);
	/* does not fit */
	CHECK_INT(tftp_encode_rrq(got, 12, "small.bin", names, vals, 3), -1);
}

TEST(decode_oack_vectors)
{
	uint8_t b[128];
	struct tftp_pkt p;
	struct tftp_mcast m;
	size_t n = hex("00 06 74 73 69 7A 65 00 31 30 30 30 00 62 6C 6B 73 69 "
		       "7A 65 00 31 30 32 34 00 6D 75 6C 74 69 63 61 73 74 00 "
		       "32 33 39 2E 32 35 35 2E 30 2E 30 2C 31 37 35 38 2C 31 "
		       "00", b);

	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(p.op, TFTP_OACK);
	CHECK_STR(tftp_opt(&p, "tsize"), "1000");
	CHECK_INT(tftp_parse_mcast(tftp_opt(&p, "multicast"), &m), 0);
	CHECK_INT(m.has_group, 1);
	CHECK_INT(m.master, 1);
	CHECK_INT(ntohs(((struct sockaddr_in *)&m.group)->sin_port), 1758);
	CHECK_INT(ntohl(((struct sockaddr_in *)&m.group)->sin_addr.s_addr),
		  0xefff0000);
	/* promotion with empty fields */
	n = hex("00 06 6D 75 6C 74 69 63 61 73 74 00 2C 2C 31 00", b);
	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(tftp_parse_mcast(tftp_opt(&p, "multicast"), &m), 0);
	CHECK_INT(m.has_group, 0);
	CHECK_INT(m.master, 1);
	/* empty OACK */
	n = hex("00 06", b);
	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(p.nopts, 0);
	/* final of a passive client, and Etherboot's refusal */
	n = hex("00 05 00 00 64 6F 6E 65 00", b);
	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(p.code, 0);
	CHECK_STR(p.msg, "done");
	n = hex("00 05 00 08 52 46 43 32 30 39 30 20 65 72 72 6F 72 00", b);
	CHECK_INT(tftp_decode(b, n, &p), 0);
	CHECK_INT(p.code, TFTP_EOPTNEG);
	CHECK_STR(p.msg, "RFC2090 error");
}

TEST(encode_error_ack)
{
	uint8_t b[64], want[64];
	size_t n = hex("00 05 00 00 64 6F 6E 65 00", want);

	CHECK_INT(tftp_encode_error(b, sizeof(b), 0, "done"), n);
	CHECK_MEM(b, want, n);
	CHECK_INT(tftp_encode_ack(b, sizeof(b), 0x1234), 4);
	CHECK_MEM(b, "\x00\x04\x12\x34", 4);
	CHECK_INT(tftp_encode_error(b, 6, 0, "done"), -1);
}

TEST(mcast_values)
{
	struct tftp_mcast m;

	CHECK_INT(tftp_parse_mcast("239.255.0.1,1758,0", &m), 0);
	CHECK_INT(m.master, 0);
	CHECK_INT(tftp_parse_mcast("239.255.0.1, 1758, 1", &m), 0);
	CHECK_INT(m.master, 1);
	CHECK_INT(tftp_parse_mcast(" , ,0", &m), 0);
	CHECK_INT(m.has_group, 0);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,-25536,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,0x6de,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,0,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,65536,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,1758", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,1758,1,", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,1758,2", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,1758,", &m), -1);
	CHECK_INT(tftp_parse_mcast("10.0.0.1,1758,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.255.9.1,,1", &m), -1);
	CHECK_INT(tftp_parse_mcast(",1758,1", &m), -1);
	CHECK_INT(tftp_parse_mcast("", &m), -1);
	CHECK_INT(tftp_parse_mcast("239.1.1.1111111111111111111111111111,1,1",
				   &m), -1);
}

TEST(hostile_decode)
{
	struct tftp_pkt p;
	uint8_t many[400];
	size_t n = 2;

	CHECK_INT(tftp_decode((const uint8_t *)"", 0, &p), -1);
	CHECK_INT(tftp_decode((const uint8_t *)"\x00", 1, &p), -1);
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x03\x00", 3, &p), -1);
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x09", 2, &p), -1);
	/* unterminated option name / value */
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x06tsize", 7, &p), -1);
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x06tsize\0001", 9, &p),
		  -1);
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x06\0\0", 4, &p), -1);
	/* an unterminated ERROR message is shown as the bytes it has, never
	 * read past the end */
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x05\x00\x01oops", 8, &p),
		  0);
	CHECK_STR(p.msg, "oops (no NUL)");
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x05\x00\x01\xff\\\n", 7,
			      &p), 0);
	CHECK_STR(p.msg, "\\xff\\x5c\\x0a (no NUL)");
	CHECK_INT(tftp_decode((const uint8_t *)"\x00\x05\x00\x01", 4, &p), 0);
	CHECK_STR(p.msg, "");
	memset(many, 'x', sizeof(many));
	memcpy(many, "\x00\x05\x00\x01", 4);
	CHECK_INT(tftp_decode(many, sizeof(many), &p), 0);
	CHECK(strlen(p.msg) < sizeof(p.msgbuf));
	CHECK(strstr(p.msg, "xxx... (no NUL)") != NULL);
	/* too many options */
	many[0] = 0;
	many[1] = 6;
	for (int i = 0; i < TFTP_MAXOPTS + 1; i++)
		n += (size_t)sprintf((char *)many + n, "o%d%c1%c", i, 0, 0);
	CHECK_INT(tftp_decode(many, n, &p), -1);
}

TEST(numbers)
{
	uint64_t v;

	CHECK_INT(tftp_parse_num("1468", 8, 65464, &v), 0);
	CHECK_INT(v, 1468);
	CHECK_INT(tftp_parse_num("7", 8, 65464, &v), -1);
	CHECK_INT(tftp_parse_num("+9", 8, 65464, &v), -1);
	CHECK_INT(tftp_parse_num("", 0, 10, &v), -1);
	CHECK_INT(tftp_parse_num("99999999999999999999999", 0, UINT64_MAX, &v),
		  -1);
	CHECK_INT(tftp_parse_num("18446744073709551615", 0, UINT64_MAX, &v),
		  0);
	CHECK_INT(tftp_parse_num("18446744073709551616", 0, UINT64_MAX, &v),
		  -1);
}

TEST(local_names)
{
	char b[64];

	CHECK_INT(tftp_local_name("boot/pxelinux.0", b, sizeof(b)), 0);
	CHECK_STR(b, "pxelinux.0");
	CHECK_INT(tftp_local_name("../../etc/passwd", b, sizeof(b)), 0);
	CHECK_STR(b, "passwd");
	CHECK_INT(tftp_local_name("\\boot\\x.img", b, sizeof(b)), 0);
	CHECK_STR(b, "x.img");
	CHECK_INT(tftp_local_name("/abs/file", b, sizeof(b)), 0);
	CHECK_STR(b, "file");
	CHECK_INT(tftp_local_name("dir/", b, sizeof(b)), -1);
	CHECK_INT(tftp_local_name("a/..", b, sizeof(b)), -1);
	CHECK_INT(tftp_local_name(".", b, sizeof(b)), -1);
	CHECK_INT(tftp_local_name("x\ny", b, sizeof(b)), -1);
	CHECK_INT(tftp_local_name("abcdefgh", b, 4), -1);
}

TEST(urls)
{
	struct sockaddr_storage ss;
	char *file, *buf;

	CHECK_INT(tftp_parse_url("x-tftm://198.18.0.1//boot/vm%20linuz", 0,
				 &ss, &file, &buf), 0);
	CHECK_STR(file, "/boot/vm linuz");
	CHECK_INT(inet_port(&ss), 1758);
	free(buf);
	CHECK_INT(tftp_parse_url("tftm://198.18.0.1:6969/a/b", 0, &ss, &file,
				 &buf), 0);
	CHECK_STR(file, "a/b");
	CHECK_INT(inet_port(&ss), 6969);
	free(buf);
	CHECK_INT(tftp_parse_url("TFTP://198.18.0.1/x", 0, &ss, &file, &buf),
		  0);
	CHECK_INT(inet_port(&ss), 69);
	free(buf);
	CHECK_INT(tftp_parse_url("ftp://198.18.0.1/x", 0, &ss, &file, &buf),
		  -1);
	CHECK_INT(tftp_parse_url("tftp://198.18.0.1/", 0, &ss, &file, &buf),
		  -1);
	CHECK_INT(tftp_parse_url("tftp://198.18.0.1/a%00b", 0, &ss, &file,
				 &buf), -1);
	CHECK_INT(tftp_parse_url("tftp://198.18.0.1/a%4", 0, &ss, &file, &buf),
		  -1);
	CHECK_INT(tftp_parse_url("198.18.0.1", 0, &ss, &file, &buf), -1);
}

/* ---- client harness ---- */

struct rec {
	int nsend, ndata, njoin, nleave, nnote, done, failed, fail, code;
	uint8_t sent[64][600];
	size_t sentlen[64];
	struct sockaddr_storage sentto[64];
	uint64_t size;
	uint8_t file[1 << 20];
	uint64_t fmax;
	char msg[200], notes[400];
	struct sockaddr_storage group;
};

static struct rec R;
static struct tftp_client C;
static struct sockaddr_storage SRV, TID, OTHER;
static uint64_t NOW;

static void addr(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	inet_pton(AF_INET, a, &s->sin_addr);
	s->sin_port = htons((uint16_t)port);
}

static void drain(void)
{
	struct tftp_ev e;

	while (tftp_client_event(&C, &e)) {
		switch (e.type) {
		case TFTP_EV_SEND:
			if (R.nsend < 64) {
				memcpy(R.sent[R.nsend], e.buf, e.len);
				R.sentlen[R.nsend] = e.len;
				R.sentto[R.nsend] = e.addr;
			}
			R.nsend++;
			break;
		case TFTP_EV_DATA:
			if (e.off + e.len <= sizeof(R.file)) {
				memcpy(R.file + e.off, e.buf, e.len);
				if (e.off + e.len > R.fmax)
					R.fmax = e.off + e.len;
			}
			R.ndata++;
			break;
		case TFTP_EV_JOIN:
			R.njoin++;
			R.group = e.addr;
			break;
		case TFTP_EV_LEAVE:
			R.nleave++;
			break;
		case TFTP_EV_NOTE:
			R.nnote++;
			strncat(R.notes, e.msg, sizeof(R.notes) - strlen(R.notes)
								- 1);
			break;
		case TFTP_EV_DONE:
			R.done = 1;
			R.size = e.size;
			break;
		case TFTP_EV_FAIL:
			R.failed = 1;
			R.fail = e.fail;
			R.code = e.code;
			snprintf(R.msg, sizeof(R.msg), "%s", e.msg);
			break;
		}
	}
}

static void setup(const char *file, unsigned blksize, unsigned window,
		  int mcast)
{
	struct tftp_cfg cfg = { .file = file, .blksize = blksize,
				.windowsize = window, .multicast = mcast,
				.tsize = 1 };

	memset(&R, 0, sizeof(R));
	tftp_client_free(&C);
	addr(&SRV, "198.18.0.1", 69);
	addr(&TID, "198.18.0.1", 40000);
	addr(&OTHER, "198.18.0.9", 40000);
	NOW = 1000 * SEC;
	CHECK_INT(tftp_client_init(&C, &cfg, &SRV), 0);
	tftp_client_start(&C, NOW);
	drain();
}

static void in_from(const void *b, size_t n, const struct sockaddr_storage *f,
		    int mc)
{
	tftp_client_input(&C, b, n, f, mc, NOW);
	drain();
}

static void in(const void *b, size_t n)
{
	in_from(b, n, &TID, 0);
}

static void oack(const char *kv, size_t n)
{
	uint8_t b[256] = { 0, 6 };

	memcpy(b + 2, kv, n);
	in(b, n + 2);
}

#define OACK(lit) oack(lit, sizeof(lit) - 1)

static void data(uint16_t blk, const uint8_t *d, size_t n, int mc)
{
	uint8_t b[2000];

	tftp_encode_data(b, sizeof(b), blk, d, n);
	in_from(b, n + 4, &TID, mc);
}

static int last_ack(void)
{
	const uint8_t *s = R.sent[(R.nsend - 1) % 64];

	if (s[1] != TFTP_ACK)
		return -1;
	return s[2] << 8 | s[3];
}

static int last_op(void)
{
	return R.sent[(R.nsend - 1) % 64][1];
}

static uint8_t SRC[1 << 20];

static void fill_src(void)
{
	for (size_t i = 0; i < sizeof(SRC); i++)
		SRC[i] = (uint8_t)(i * 131 + (i >> 8));
}

TEST(rrq_has_options)
{
	struct tftp_pkt p;

	setup("dir/f.bin", 1468, 8, 1);
	CHECK_INT(R.nsend, 1);
	CHECK_INT(tftp_decode(R.sent[0], R.sentlen[0], &p), 0);
	CHECK_STR(p.file, "dir/f.bin");
	CHECK_STR(tftp_opt(&p, "blksize"), "1468");
	CHECK_STR(tftp_opt(&p, "tsize"), "0");
	CHECK_STR(tftp_opt(&p, "multicast"), "");
	/* windowsize goes with multicast only when asked for */
	CHECK(tftp_opt(&p, "windowsize") == NULL);
	CHECK_INT(inet_port(&R.sentto[0]), 69);
	{
		struct tftp_cfg cfg = { .file = "f", .blksize = 1468,
					.windowsize = 8, .mc_window = 1,
					.multicast = 1 };

		tftp_client_free(&C);
		CHECK_INT(tftp_client_init(&C, &cfg, &SRV), 0);
		tftp_client_start(&C, NOW);
		R.nsend = 0;
		drain();
		CHECK_INT(tftp_decode(R.sent[0], R.sentlen[0], &p), 0);
		CHECK_STR(tftp_opt(&p, "windowsize"), "8");
		CHECK_STR(tftp_opt(&p, "multicast"), "");
	}
}

TEST(unicast_fallback_no_mcast_in_oack)
{
	setup("f", 16, 0, 1);
	OACK("blksize\0" "16\0tsize\0" "40\0");
	CHECK_INT(last_ack(), 0);
	CHECK(C.fallback != NULL);
	CHECK_STR(tftp_client_mode(&C), "unicast");
	CHECK_INT(R.nnote, 1);
	data(1, SRC, 16, 0);
	CHECK_INT(last_ack(), 1);
	data(2, SRC + 16, 16, 0);
	data(3, SRC + 32, 8, 0);
	CHECK_INT(last_ack(), 3);
	CHECK_INT(R.done, 1);
	CHECK_INT(R.size, 40);
	CHECK_MEM(R.file, SRC, 40);
	CHECK_INT(C.st.blocks, 3);
	/* all ACKs went to the TID, not port 69 */
	CHECK_INT(inet_port(&R.sentto[R.nsend - 1]), 40000);
}

TEST(unicast_plain_data1)
{
	setup("f", 1468, 0, 1);
	data(1, SRC, 512, 0);
	CHECK_INT(last_ack(), 1);
	CHECK(C.fallback != NULL);
	CHECK_INT(C.blksize, 512);
	data(2, SRC + 512, 0, 0);
	CHECK_INT(R.done, 1);
	CHECK_INT(R.size, 512);
}

TEST(empty_oack_means_512)
{
	setup("f", 1468, 0, 1);
	OACK("");
	CHECK_INT(last_ack(), 0);
	CHECK_INT(C.blksize, 512);
	data(1, SRC, 100, 0);
	CHECK_INT(R.done, 1);
}

TEST(error8_retries_without_mcast_then_plain)
{
	struct tftp_pkt p;

	setup("f", 1024, 0, 1);
	in("\x00\x05\x00\x08nope", 9);
	CHECK_INT(R.nsend, 2);
	CHECK_INT(tftp_decode(R.sent[1], R.sentlen[1], &p), 0);
	CHECK_INT(p.op, TFTP_RRQ);
	CHECK(tftp_opt(&p, "multicast") == NULL);
	CHECK_STR(tftp_opt(&p, "blksize"), "1024");
	/* the retry may be answered from a new TID */
	addr(&TID, "198.18.0.1", 40001);
	in("\x00\x05\x00\x08nope", 9);
	CHECK_INT(R.nsend, 3);
	CHECK_INT(tftp_decode(R.sent[2], R.sentlen[2], &p), 0);
	CHECK_INT(p.nopts, 0);
	addr(&TID, "198.18.0.1", 40002);
	data(1, SRC, 3, 0);
	CHECK_INT(R.done, 1);
	CHECK(C.fallback != NULL);
	/* a third ERROR 8 is a real failure */
	setup("f", 1024, 0, 0);
	in("\x00\x05\x00\x08nope", 9);
	in("\x00\x05\x00\x08still", 10);
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.code, 8);
}

TEST(error0_to_mcast_request_retries_unicast)
{
	struct tftp_pkt p;

	setup("big", 512, 0, 1);
	in("\x00\x05\x00\x00Undefined error code\0", 25);
	CHECK_INT(R.failed, 0);
	CHECK_INT(tftp_decode(R.sent[1], R.sentlen[1], &p), 0);
	CHECK_INT(p.op, TFTP_RRQ);
	CHECK(tftp_opt(&p, "multicast") == NULL);
	CHECK(C.fallback != NULL);
	/* the same error again is the server's last word */
	addr(&TID, "198.18.0.1", 40001);
	in("\x00\x05\x00\x00Undefined error code\0", 25);
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.code, 0);
	/* not found is never retried */
	setup("nothere", 512, 0, 1);
	in("\x00\x05\x00\x01nope\0", 9);
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.nsend, 1);
}

TEST(server_error)
{
	setup("nothere", 1024, 0, 1);
	in("\x00\x05\x00\x01" "File not found\0", 19);
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.fail, TFTP_FAIL_SERVER);
	CHECK_INT(R.code, 1);
	CHECK_STR(R.msg, "File not found");
	/* a hostile message cannot drive the terminal */
	setup("x", 1024, 0, 0);
	in("\x00\x05\x00\x02\x1b[2Jgone\0", 13);
	CHECK_STR(R.msg, "?[2Jgone");
}

TEST(timeouts_give_up)
{
	setup("f", 1024, 0, 1);
	for (int i = 0; i < 20 && !R.failed; i++) {
		NOW = tftp_client_timer(&C);
		tftp_client_tick(&C, NOW);
		drain();
	}
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.fail, TFTP_FAIL_TIMEOUT);
	CHECK_INT(R.nsend, 7);		/* RRQ + 6 resends */
	CHECK_INT(C.st.retrans, 6);
	CHECK_INT(R.sent[6][1], TFTP_RRQ);
	/* back-off 1 2 4 8 8 8 s (capped at 8 x the first), then one more
	 * wait of 8 s before giving up */
	CHECK_INT(NOW, 1000 * SEC + 39 * SEC);
}

TEST(stray_sources)
{
	setup("f", 16, 0, 0);
	OACK("blksize\0" "16\0");
	/* another host: ignored silently; the server from another port:
	 * ERROR 5 to it, transfer untouched */
	{
		uint8_t b[20];

		tftp_encode_data(b, sizeof(b), 1, SRC, 16);
		in_from(b, 20, &OTHER, 0);
		CHECK_INT(R.ndata, 0);
		addr(&OTHER, "198.18.0.1", 5555);
		in_from(b, 20, &OTHER, 0);
		CHECK_INT(R.ndata, 0);
		CHECK_INT(last_op(), TFTP_ERROR);
		CHECK_INT(inet_port(&R.sentto[R.nsend - 1]), 5555);
		CHECK_INT(C.st.bad, 2);
	}
	data(1, SRC, 10, 0);
	CHECK_INT(R.done, 1);
}

TEST(rollover_zero_and_one)
{
	static uint8_t blk[8];
	uint64_t total = 70000;

	for (int variant = 0; variant < 2; variant++) {
		setup("big", 8, 0, 0);
		C.cfg.max_size = 0;
		OACK("blksize\0" "8\0");
		for (uint64_t a = 1; a <= total; a++) {
			uint16_t w = a <= 65535 ? (uint16_t)a :
				     variant ? (uint16_t)((a - 1) % 65535 + 1) :
					       (uint16_t)a;

			memcpy(blk, &a, 8);
			data(w, blk, a == total ? 3 : 8, 0);
			if (a == 65535)
				data(65535, blk, 8, 0);	/* duplicate */
		}
		CHECK_INT(R.done, 1);
		CHECK_INT(R.size, (total - 1) * 8 + 3);
		CHECK_INT(C.st.blocks, total);
		CHECK_INT(C.st.dups, 1);
		CHECK_INT(C.wrap_to_one, variant);
	}
}

TEST(window_gap_and_dups)
{
	setup("w", 16, 4, 0);
	OACK("blksize\0" "16\0windowsize\0" "4\0");
	CHECK_INT(C.window, 4);
	CHECK_INT(last_ack(), 0);
	data(1, SRC, 16, 0);
	data(2, SRC + 16, 16, 0);
	CHECK_INT(R.nsend, 2);		/* RRQ, ACK 0: no ACK mid-window */
	data(4, SRC + 48, 16, 0);	/* block 3 lost */
	CHECK_INT(last_ack(), 2);
	data(5, SRC + 64, 16, 0);	/* rest of the window: one ACK only */
	CHECK_INT(R.nsend, 3);
	data(3, SRC + 32, 16, 0);
	data(4, SRC + 48, 16, 0);
	data(5, SRC + 64, 16, 0);
	data(6, SRC + 80, 16, 0);
	CHECK_INT(last_ack(), 6);
	data(6, SRC + 80, 16, 0);	/* duplicated window: one re-ACK */
	data(6, SRC + 80, 16, 0);
	CHECK_INT(R.nsend, 5);
	CHECK_INT(last_ack(), 6);
	data(7, SRC + 96, 1, 0);
	CHECK_INT(R.done, 1);
	CHECK_MEM(R.file, SRC, 97);
}

TEST(blksize_larger_than_asked)
{
	setup("f", 512, 0, 0);
	OACK("blksize\0" "1024\0");
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.fail, TFTP_FAIL_PROTO);
	CHECK_INT(last_op(), TFTP_ERROR);
}

TEST(max_size)
{
	setup("f", 16, 0, 0);
	C.cfg.max_size = 20;
	OACK("tsize\0" "100\0");
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.fail, TFTP_FAIL_SIZE);
	/* without tsize: caught on the data */
	setup("f", 16, 0, 0);
	C.cfg.max_size = 20;
	OACK("blksize\0" "16\0");
	data(1, SRC, 16, 0);
	data(2, SRC, 16, 0);
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.ndata, 1);
}

/* multicast: master, out of order, completion with the final ACK */
TEST(mcast_master_any_order)
{
	setup("m", 16, 0, 1);
	OACK("tsize\0" "70\0blksize\0" "16\0multicast\0"
	     "239.255.0.1,1758,1\0");
	CHECK_INT(R.njoin, 1);
	CHECK_INT(inet_port(&R.group), 1758);
	CHECK_STR(tftp_client_mode(&C), "multicast");
	CHECK_INT(last_ack(), 0);
	CHECK_INT(C.nblocks, 5);
	data(3, SRC + 32, 16, 1);	/* early: stored, no new ACK */
	CHECK_INT(R.nsend, 2);
	data(1, SRC, 16, 1);
	CHECK_INT(last_ack(), 1);
	data(2, SRC + 16, 16, 1);	/* fills the hole: ACK jumps to 3 */
	CHECK_INT(last_ack(), 3);
	data(3, SRC + 32, 16, 1);	/* duplicate of acked: re-ACK once */
	data(3, SRC + 32, 16, 1);
	CHECK_INT(R.nsend, 5);
	data(5, SRC + 64, 5, 1);
	data(5, SRC + 64, 6, 1);	/* wrong length for the last block */
	CHECK_INT(C.st.bad, 1);
	data(9, SRC, 16, 1);		/* beyond the end */
	CHECK_INT(C.st.bad, 2);
	data(0, SRC, 16, 1);		/* block 0 never exists */
	CHECK_INT(C.st.bad, 3);
	data(4, SRC + 48, 16, 1);
	CHECK_INT(R.done, 1);
	CHECK_INT(last_ack(), 5);
	CHECK_INT(R.size, 70);
	CHECK_MEM(R.file, SRC, 70);
	CHECK_INT(C.st.mcast_blocks, 5);
	CHECK_INT(R.nleave, 1);
}

/* windowsize with multicast (atftpd): the master ACKs once a window, at
 * its last block, not every block (an ACK inside atftpd's window restarts
 * it and doubles what is sent); a repeat is answered at once; from the
 * file's last block on, and when promoted, every block */
TEST(mcast_window_acks_per_window)
{
	setup("m", 16, 4, 1);
	C.cfg.mc_window = 1;
	OACK("tsize\0" "160\0blksize\0" "16\0windowsize\0" "4\0"
	     "multicast\0" "239.255.0.1,1758,1\0");
	CHECK_INT(C.window, 4);
	CHECK_INT(C.nblocks, 11);	/* 160/16 + 1: empty final block */
	CHECK_INT(last_ack(), 0);
	CHECK_INT(R.nsend, 2);
	data(1, SRC, 16, 1);
	data(2, SRC + 16, 16, 1);
	data(3, SRC + 32, 16, 1);
	CHECK_INT(R.nsend, 2);		/* inside the window: no ACK */
	data(4, SRC + 48, 16, 1);
	CHECK_INT(R.nsend, 3);
	CHECK_INT(last_ack(), 4);
	data(5, SRC + 64, 16, 1);	/* 6 is lost */
	data(7, SRC + 96, 16, 1);
	CHECK_INT(R.nsend, 3);
	data(8, SRC + 112, 16, 1);	/* the window's end: ACK the hole */
	CHECK_INT(R.nsend, 4);
	CHECK_INT(last_ack(), 5);
	data(6, SRC + 80, 16, 1);	/* the server goes on from 6 */
	CHECK_INT(R.nsend, 4);
	data(7, SRC + 96, 16, 1);	/* a repeat: answered at once */
	CHECK_INT(R.nsend, 5);
	CHECK_INT(last_ack(), 8);
	data(9, SRC + 128, 16, 1);
	CHECK_INT(R.nsend, 5);
	data(11, SRC, 0, 1);		/* the last block: lock-step from now */
	CHECK_INT(R.nsend, 6);
	CHECK_INT(last_ack(), 9);
	data(10, SRC + 144, 16, 1);
	CHECK_INT(R.done, 1);
	CHECK_INT(last_ack(), 11);
	CHECK_INT(R.size, 160);
	CHECK_MEM(R.file, SRC, 160);

	/* passive with a window, promoted: every block is ACKed */
	setup("m", 16, 4, 1);
	C.cfg.mc_window = 1;
	OACK("tsize\0" "160\0blksize\0" "16\0windowsize\0" "4\0"
	     "multicast\0" "239.255.0.1,1758,0\0");
	for (int b = 1; b <= 8; b++)
		if (b != 2 && b != 3)
			data((uint16_t)b, SRC + (b - 1) * 16, 16, 1);
	CHECK_INT(R.nsend, 1);
	OACK("multicast\0,,1\0");
	CHECK_INT(last_ack(), 1);
	data(2, SRC + 16, 16, 1);
	CHECK_INT(last_ack(), 2);
	data(3, SRC + 32, 16, 1);
	CHECK_INT(last_ack(), 8);
}

/* passive, then promoted by ",,1", asks for its first hole */
TEST(mcast_passive_promotion)
{
	setup("m", 16, 0, 1);
	OACK("tsize\0" "64\0blksize\0" "16\0multicast\0"
	     "239.255.0.1,1758,0\0");
	CHECK_INT(R.nsend, 1);		/* passive: no ACK */
	CHECK_INT(C.nblocks, 5);	/* 64/16 + 1: empty final block */
	data(2, SRC + 16, 16, 1);
	data(3, SRC + 32, 16, 1);
	data(3, SRC + 32, 16, 1);
	CHECK_INT(R.nsend, 1);
	OACK("multicast\0,,1\0");
	CHECK_INT(C.master, 1);
	CHECK_INT(C.st.promotions, 1);
	CHECK_INT(last_ack(), 0);	/* first hole is block 1 */
	data(1, SRC, 16, 1);
	CHECK_INT(last_ack(), 3);
	/* demoted again, then the rest arrives: ends with ERROR "done" */
	OACK("multicast\0,,0\0");
	CHECK_INT(C.master, 0);
	data(5, SRC, 0, 1);
	data(4, SRC + 48, 16, 1);
	CHECK_INT(R.done, 1);
	CHECK_INT(last_op(), TFTP_ERROR);
	CHECK_INT(R.sent[R.nsend - 1][3], 0);
	CHECK_STR((char *)R.sent[R.nsend - 1] + 4, "done");
	CHECK_INT(R.size, 64);
	CHECK_MEM(R.file, SRC, 64);
}

/* without tsize: the short block sets the end; promoted after all is in */
TEST(mcast_no_tsize_promoted_when_complete)
{
	setup("m", 16, 0, 1);
	OACK("blksize\0" "16\0multicast\0" "239.255.0.2,1758,0\0");
	data(2, SRC + 16, 3, 1);
	CHECK_INT(C.nblocks, 2);
	data(3, SRC, 16, 1);		/* beyond the short block: refused */
	CHECK_INT(C.st.bad, 1);
	OACK("multicast\0,,1\0");	/* asks for block 1 */
	CHECK_INT(last_ack(), 0);
	data(1, SRC, 16, 1);
	CHECK_INT(R.done, 1);
	CHECK_INT(last_ack(), 2);
	CHECK_INT(R.size, 19);
}

TEST(mcast_source_checks)
{
	setup("m", 16, 0, 1);
	OACK("tsize\0" "20\0blksize\0" "16\0multicast\0"
	     "239.255.0.1,1758,0\0");
	{
		uint8_t b[20];
		struct sockaddr_storage wrongport;

		tftp_encode_data(b, sizeof(b), 1, SRC, 16);
		addr(&wrongport, "198.18.0.1", 40001);
		in_from(b, 20, &wrongport, 1);
		in_from(b, 20, &OTHER, 1);
		CHECK_INT(R.ndata, 0);
		CHECK_INT(R.nsend, 1);	/* no ERROR 5 for multicast */
	}
	/* an OACK never comes by multicast */
	in_from("\x00\x06multicast\0,,1\0", 16, &TID, 1);
	CHECK_INT(C.master, 0);
}

TEST(mcast_group_change)
{
	setup("m", 16, 0, 1);
	OACK("blksize\0" "16\0multicast\0" "239.255.0.2,1758,0\0");
	OACK("multicast\0" "239.255.0.3,1759,1\0");
	CHECK_INT(R.njoin, 2);
	CHECK_INT(R.nleave, 1);
	CHECK_INT(inet_port(&R.group), 1759);
	CHECK_INT(C.master, 1);
}

TEST(mcast_bad_value_falls_back)
{
	struct tftp_pkt p;

	setup("m", 16, 0, 1);
	OACK("blksize\0" "16\0multicast\0" "239.255.9.1,-25536,1\0");
	CHECK_INT(R.njoin, 0);
	CHECK_INT(R.sent[1][1], TFTP_ERROR);
	CHECK_INT(R.sent[1][3], TFTP_EOPTNEG);
	CHECK_INT(tftp_decode(R.sent[2], R.sentlen[2], &p), 0);
	CHECK_INT(p.op, TFTP_RRQ);
	CHECK(tftp_opt(&p, "multicast") == NULL);
	CHECK(C.fallback != NULL);
	/* ",,1" in the first OACK has no group: same */
	setup("m", 16, 0, 1);
	OACK("multicast\0,,1\0");
	CHECK_INT(R.njoin, 0);
	CHECK_INT(R.sent[1][1], TFTP_ERROR);
	CHECK_INT(R.sent[2][1], TFTP_RRQ);
}

TEST(mcast_too_big)
{
	struct tftp_pkt p;

	setup("m", 512, 0, 1);
	OACK("tsize\0" "33553920\0multicast\0" "239.255.0.1,1758,1\0");
	/* 33553920 / 512 + 1 = 65536 blocks: refused, retried by unicast */
	CHECK_INT(R.njoin, 0);
	CHECK_INT(R.sent[1][1], TFTP_ERROR);
	CHECK_INT(tftp_decode(R.sent[2], R.sentlen[2], &p), 0);
	CHECK(tftp_opt(&p, "multicast") == NULL);
	/* without tsize: noticed at a full block 65535 */
	setup("m", 8, 0, 1);
	C.cfg.tsize = 0;
	OACK("blksize\0" "8\0multicast\0" "239.255.0.1,1758,0\0");
	data(65535, SRC, 8, 1);
	CHECK_INT(R.nleave, 1);
	CHECK_INT(R.sent[R.nsend - 1][1], TFTP_RRQ);
	CHECK_INT(R.sent[R.nsend - 2][1], TFTP_ERROR);
}

TEST(mcast_timers)
{
	setup("m", 16, 0, 1);
	OACK("blksize\0" "16\0multicast\0" "239.255.0.2,1758,1\0");
	NOW = tftp_client_timer(&C);
	tftp_client_tick(&C, NOW);
	drain();
	CHECK_INT(last_ack(), 0);	/* master resends its ACK */
	CHECK_INT(C.st.retrans, 1);
	OACK("multicast\0,,0\0");
	CHECK_INT(tftp_client_timer(&C) - NOW, 60 * SEC);
	NOW = tftp_client_timer(&C) - 1;
	tftp_client_tick(&C, NOW);
	drain();
	CHECK_INT(R.failed, 0);
	NOW++;
	tftp_client_tick(&C, NOW);
	drain();
	CHECK_INT(R.failed, 1);
	CHECK_INT(R.fail, TFTP_FAIL_TIMEOUT);
}

/* a random shuffle with duplicates: the file comes out exact */
TEST(mcast_shuffled_duplicated)
{
	enum { N = 300, BS = 32 };
	uint16_t order[2 * N];
	unsigned seed = 12345;
	uint64_t size = (N - 1) * BS + 7;
	char kv[128];
	int n;

	setup("m", BS, 0, 1);
	n = snprintf(kv, sizeof(kv), "tsize%c%llu%cblksize%c%d%cmulticast%c"
		     "239.255.0.1,1758,0", 0, (unsigned long long)size, 0, 0,
		     BS, 0, 0);
	oack(kv, (size_t)n + 1);
	for (int i = 0; i < 2 * N; i++)
		order[i] = (uint16_t)(i % N + 1);
	for (int i = 2 * N - 1; i > 0; i--) {
		int j = (int)((seed = seed * 1103515245 + 12345) % (unsigned)(i + 1));
		uint16_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < 2 * N && !R.done; i++) {
		uint16_t b = order[i];

		data(b, SRC + (b - 1) * BS, b == N ? 7 : BS, 1);
	}
	CHECK_INT(R.done, 1);
	CHECK_INT(R.size, size);
	CHECK_MEM(R.file, SRC, size);
	CHECK_INT(C.st.blocks, N);
}

TEST(hostile_random_input)
{
	uint8_t b[600];
	unsigned seed = 99;

	for (int round = 0; round < 200; round++) {
		setup("h", 64, round % 3 ? 0 : 4, round & 1);
		if (round % 4 == 1)
			OACK("blksize\0" "64\0multicast\0"
			     "239.255.0.2,1758,0\0");
		for (int k = 0; k < 50; k++) {
			size_t n = (seed = seed * 1103515245 + 12345) % 80;

			for (size_t i = 0; i < n; i++)
				b[i] = (uint8_t)((seed = seed * 1103515245 +
							 12345) >> 16);
			if (n >= 2 && k % 2)
				b[0] = 0, b[1] = (uint8_t)(k % 7);
			in_from(b, n, &TID, k % 3 == 0);
		}
	}
	CHECK(1);
}

/* A passive client's sleep between reads follows how full its socket
 * was on waking: shorter when over half full, longer when nearly empty,
 * the same in between, and always within 50 us .. 10 ms. */
TEST(passive_nap_follows_the_queue)
{
	uint64_t nap = 1000000;

	CHECK(tftp_nap_next(nap, 300) == 1000000);
	CHECK(tftp_nap_next(nap, 125) == 1000000);
	CHECK(tftp_nap_next(nap, 500) == 1000000);
	CHECK(tftp_nap_next(nap, 501) == 500000);
	CHECK(tftp_nap_next(nap, 124) == 1250000);
	CHECK(tftp_nap_next(nap, 0) == 1250000);
	for (int i = 0; i < 40; i++)
		nap = tftp_nap_next(nap, 1000);
	CHECK(nap == 50000);
	for (int i = 0; i < 40; i++)
		nap = tftp_nap_next(nap, 0);
	CHECK(nap == 10000000);
}

int main(void)
{
	fill_src();
	RUN(decode_rrq_etherboot);
	RUN(encode_rrq_ipxe_vector);
	RUN(decode_oack_vectors);
	RUN(encode_error_ack);
	RUN(mcast_values);
	RUN(hostile_decode);
	RUN(numbers);
	RUN(local_names);
	RUN(urls);
	RUN(rrq_has_options);
	RUN(unicast_fallback_no_mcast_in_oack);
	RUN(unicast_plain_data1);
	RUN(empty_oack_means_512);
	RUN(error8_retries_without_mcast_then_plain);
	RUN(error0_to_mcast_request_retries_unicast);
	RUN(server_error);
	RUN(timeouts_give_up);
	RUN(stray_sources);
	RUN(rollover_zero_and_one);
	RUN(window_gap_and_dups);
	RUN(blksize_larger_than_asked);
	RUN(max_size);
	RUN(mcast_master_any_order);
	RUN(mcast_window_acks_per_window);
	RUN(mcast_passive_promotion);
	RUN(mcast_no_tsize_promoted_when_complete);
	RUN(mcast_source_checks);
	RUN(mcast_group_change);
	RUN(mcast_bad_value_falls_back);
	RUN(mcast_too_big);
	RUN(mcast_timers);
	RUN(mcast_shuffled_duplicated);
	RUN(hostile_random_input);
	RUN(passive_nap_follows_the_queue);
	tftp_client_free(&C);
	return unit_done();
}
