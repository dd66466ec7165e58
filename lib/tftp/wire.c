/* wire.c - TFTP packet codec: RFC 1350 packets, RFC 2347 option lists and
 * the RFC 2090 "addr,port,mc" value, every length bounded by the packet. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "tftp/wire.h"

/* Next NUL-terminated string at *pos inside buf[0..len); NULL when the
 * terminator is missing (a hostile packet must not make us read on). */
static const char *take_str(const uint8_t *buf, size_t len, size_t *pos)
{
	const uint8_t *s = buf + *pos, *z;

	if (*pos >= len)
		return NULL;
	z = memchr(s, 0, len - *pos);
	if (!z)
		return NULL;
	*pos = (size_t)(z - buf) + 1;
	return (const char *)s;
}

static int take_opts(const uint8_t *buf, size_t len, size_t pos,
		     struct tftp_pkt *p)
{
	p->nopts = 0;
	while (pos < len) {
		const char *n = take_str(buf, len, &pos), *v;

		if (!n) {
			err_set("option name not terminated");
			return -1;
		}
		v = take_str(buf, len, &pos);
		if (!v) {
			err_set("option '%.32s' has no value", n);
			return -1;
		}
		if (!*n) {
			err_set("empty option name");
			return -1;
		}
		if (p->nopts == TFTP_MAXOPTS) {
			err_set("more than %d options", TFTP_MAXOPTS);
			return -1;
		}
		p->name[p->nopts] = n;
		p->val[p->nopts++] = v;
	}
	return 0;
}

/* The n bytes of an ERROR message without its NUL, as text: printable
 * ASCII as is, anything else as \xNN, a long one cut with "...". */
static const char *unterminated(char *out, size_t cap, const uint8_t *b,
				size_t n)
{
	static const char note[] = " (no NUL)";
	size_t w = 0, i;

	if (!n)
		return "";
	for (i = 0; i < n && w + 4 + 3 + sizeof(note) < cap; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			out[w++] = (char)b[i];
		else
			w += (size_t)snprintf(out + w, cap - w, "\\x%02x",
					      b[i]);
	}
	if (i < n)
		w += (size_t)snprintf(out + w, cap - w, "...");
	snprintf(out + w, cap - w, "%s", note);
	return out;
}

int tftp_decode(const uint8_t *buf, size_t len, struct tftp_pkt *p)
{
	size_t pos = 2;

	memset(p, 0, sizeof(*p));
	if (len < 2) {
		err_set("packet of %zu byte%s", len, len == 1 ? "" : "s");
		return -1;
	}
	p->op = buf[0] << 8 | buf[1];
	switch (p->op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		p->file = take_str(buf, len, &pos);
		p->mode = p->file ? take_str(buf, len, &pos) : NULL;
		if (!p->mode) {
			err_set("request not terminated");
			return -1;
		}
		return take_opts(buf, len, pos, p);
	case TFTP_DATA:
	case TFTP_ACK:
		if (len < 4) {
			err_set("%s of %zu byte%s",
				p->op == TFTP_DATA ? "DATA" : "ACK", len,
				len == 1 ? "" : "s");
			return -1;
		}
		p->block = (uint16_t)(buf[2] << 8 | buf[3]);
		if (p->op == TFTP_DATA) {
			p->data = buf + 4;
			p->len = len - 4;
		}
		return 0;
	case TFTP_ERROR:
		if (len < 4) {
			err_set("ERROR of %zu byte%s", len,
				len == 1 ? "" : "s");
			return -1;
		}
		p->code = (uint16_t)(buf[2] << 8 | buf[3]);
		pos = 4;
		/* Many servers forget the NUL: the bytes there are, in
		 * printable form, never read past the packet. */
		p->msg = take_str(buf, len, &pos);
		if (!p->msg)
			p->msg = unterminated(p->msgbuf, sizeof(p->msgbuf),
					      buf + 4, len - 4);
		return 0;
	case TFTP_OACK:
		return take_opts(buf, len, pos, p);
	}
	err_set("unknown opcode %d", p->op);
	return -1;
}

const char *tftp_opt(const struct tftp_pkt *p, const char *name)
{
	for (int i = 0; i < p->nopts; i++)
		if (!strcasecmp(p->name[i], name))
			return p->val[i];
	return NULL;
}

int tftp_encode_ack(uint8_t *buf, size_t cap, uint16_t block)
{
	if (cap < 4) {
		err_set("buffer too small");
		return -1;
	}
	buf[0] = 0;
	buf[1] = TFTP_ACK;
	buf[2] = (uint8_t)(block >> 8);
	buf[3] = (uint8_t)block;
	return 4;
}

int tftp_encode_data(uint8_t *buf, size_t cap, uint16_t block,
		     const void *data, size_t len)
{
	if (cap < 4 || len > cap - 4) {
		err_set("buffer too small");
		return -1;
	}
	buf[0] = 0;
	buf[1] = TFTP_DATA;
	buf[2] = (uint8_t)(block >> 8);
	buf[3] = (uint8_t)block;
	if (len)
		memcpy(buf + 4, data, len);
	return (int)(len + 4);
}

static int put_str(uint8_t *buf, size_t cap, size_t *pos, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > cap - *pos)
		return -1;
	memcpy(buf + *pos, s, n);
	*pos += n;
	return 0;
}

int tftp_encode_error(uint8_t *buf, size_t cap, uint16_t code,
		      const char *msg)
{
	size_t pos = 4;

	if (cap < 5 || put_str(buf, cap, &pos, msg) < 0) {
		err_set("buffer too small");
		return -1;
	}
	buf[0] = 0;
	buf[1] = TFTP_ERROR;
	buf[2] = (uint8_t)(code >> 8);
	buf[3] = (uint8_t)code;
	return (int)pos;
}

int tftp_encode_rrq(uint8_t *buf, size_t cap, const char *file,
		    const char *const *names, const char *const *vals, int n)
{
	size_t pos = 2;

	if (cap < 2 || put_str(buf, cap, &pos, file) < 0 ||
	    put_str(buf, cap, &pos, "octet") < 0)
		goto full;
	for (int i = 0; i < n; i++)
		if (put_str(buf, cap, &pos, names[i]) < 0 ||
		    put_str(buf, cap, &pos, vals[i]) < 0)
			goto full;
	buf[0] = 0;
	buf[1] = TFTP_RRQ;
	return (int)pos;
full:
	err_set("request longer than %zu bytes", cap);
	return -1;
}

/* Strict decimal: digits only (no sign, no 0x, no spaces), at most 20. */
int tftp_parse_num(const char *val, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	uint64_t v = 0;
	const char *s = val;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || s - val >= 20)
			return -1;
		if (v > UINT64_MAX / 10 ||
		    v * 10 > UINT64_MAX - (uint64_t)(*s - '0'))
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Copies field [s, e) without surrounding spaces into buf. */
static int field(const char *s, const char *e, char *buf, size_t cap)
{
	while (s < e && *s == ' ')
		s++;
	while (e > s && e[-1] == ' ')
		e--;
	if ((size_t)(e - s) >= cap)
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = 0;
	return 0;
}

int tftp_parse_mcast(const char *val, struct tftp_mcast *m)
{
	const char *c1, *c2;
	char addr[32], port[16], mc[8];
	struct sockaddr_in *sin = (struct sockaddr_in *)&m->group;
	struct in_addr a;
	uint64_t pv;

	memset(m, 0, sizeof(*m));
	/* Split on exactly two commas, keeping empty fields (",,1"),
	 * unlike strtok-based parsers. */
	c1 = strchr(val, ',');
	c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c2 || strchr(c2 + 1, ',')) {
		err_set("multicast value '%.40s' is not addr,port,mc", val);
		return -1;
	}
	if (field(val, c1, addr, sizeof(addr)) < 0 ||
	    field(c1 + 1, c2, port, sizeof(port)) < 0 ||
	    field(c2 + 1, c2 + 1 + strlen(c2 + 1), mc, sizeof(mc)) < 0) {
		err_set("multicast value '%.40s' is too long", val);
		return -1;
	}
	if (strcmp(mc, "0") && strcmp(mc, "1")) {
		err_set("multicast value '%.40s': mc must be 0 or 1", val);
		return -1;
	}
	m->master = mc[0] == '1';
	if (!*addr && !*port)
		return 0;
	if (!*addr || !*port) {
		err_set("multicast value '%.40s': address and port go together",
			val);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &a) != 1 ||
	    (ntohl(a.s_addr) >> 28) != 0xe) {
		err_set("multicast value '%.40s': '%s' is not an IPv4 group",
			val, addr);
		return -1;
	}
	if (tftp_parse_num(port, 1, 65535, &pv) < 0) {
		err_set("multicast value '%.40s': bad port '%s'", val, port);
		return -1;
	}
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons((uint16_t)pv);
	m->has_group = 1;
	return 0;
}

const char *tftp_errname(unsigned code)
{
	static const char *const names[] = {
		"not defined", "file not found", "access violation",
		"disk full", "illegal operation", "unknown transfer ID",
		"file exists", "no such user", "option negotiation refused",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] :
							 "unknown error";
}

int tftp_local_name(const char *remote, char *buf, size_t cap)
{
	const char *b = remote, *p;
	size_t n;

	/* Last component after '/' or '\\' (DOS-style boot paths). */
	for (p = remote; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	n = strlen(b);
	if (!n || !strcmp(b, ".") || !strcmp(b, "..")) {
		err_set("no file name in '%s' (use -o)", remote);
		return -1;
	}
	for (p = b; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			err_set("remote name has control characters (use -o)");
			return -1;
		}
	if (n >= cap) {
		err_set("file name too long (use -o)");
		return -1;
	}
	memmove(buf, b, n + 1);
	return 0;
}
