/* fuzz_json.c - libFuzzer harness for the JSON writer (lib/base/json.c): the
 * input is a program of writer calls (any order, any bytes in keys and
 * strings, any doubles); whatever it does, the line written must be one
 * valid JSON object in UTF-8 (RFC 8259), checked here by a validator that
 * shares no code with the writer. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "fuzz.h"

/* --- an independent RFC 8259 + RFC 3629 validator --- */
struct rd {
	const unsigned char *p, *end;
};

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int lit(struct rd *r, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, s, n))
		return 0;
	r->p += n;
	return 1;
}

static int hex4(struct rd *r, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, r->p++) {
		int c = r->p < r->end ? *r->p : -1;

		if (c >= '0' && c <= '9')
			*v = *v * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v * 16 + (unsigned)(c - 'A' + 10);
		else
			return 0;
	}
	return 1;
}

/* One UTF-8 character, decoded and checked against the ranges of RFC
 * 3629 (no overlong forms, no surrogates, at most U+10FFFF). */
static int utf8(struct rd *r)
{
	unsigned c = *r->p, cp, n, min;

	if (c < 0x80) {
		r->p++;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 2, cp = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)(r->end - r->p) <= n)
		return 0;
	for (unsigned i = 1; i <= n; i++) {
		if ((r->p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (r->p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	r->p += n + 1;
	return 1;
}

static int string(struct rd *r)
{
	unsigned v;

	if (!lit(r, "\""))
		return 0;
	while (r->p < r->end) {
		unsigned c = *r->p;

		if (c == '"') {
			r->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			if (!utf8(r))
				return 0;
			continue;
		}
		r->p++;
		if (r->p >= r->end)
			return 0;
		c = *r->p++;
		if (c == 'u') {
			if (!hex4(r, &v))
				return 0;
		} else if (!strchr("\"\\/bfnrt", (int)c) || !c) {
			return 0;
		}
	}
	return 0;
}

static int digits(struct rd *r)
{
	const unsigned char *s = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > s;
}

static int number(struct rd *r)
{
	lit(r, "-");
	if (lit(r, "0")) {
		/* no leading zeros */
	} else if (r->p < r->end && *r->p >= '1' && *r->p <= '9') {
		digits(r);
	} else {
		return 0;
	}
	if (lit(r, ".") && !digits(r))
		return 0;
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (!lit(r, "+"))
			lit(r, "-");
		if (!digits(r))
			return 0;
	}
	return 1;
}

static int value(struct rd *r, int depth);

static int members(struct rd *r, int depth, int obj)
{
	char close = obj ? '}' : ']';

	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 1;
	}
	for (;;) {
		ws(r);
		if (obj) {
			if (!string(r))
				return 0;
			ws(r);
			if (!lit(r, ":"))
				return 0;
		}
		if (!value(r, depth + 1))
			return 0;
		ws(r);
		if (lit(r, ","))
			continue;
		return lit(r, obj ? "}" : "]");
	}
}

static int value(struct rd *r, int depth)
{
	if (depth > 64)
		return 0;
	ws(r);
	if (r->p >= r->end)
		return 0;
	switch (*r->p) {
	case '{':
		r->p++;
		return members(r, depth, 1);
	case '[':
		r->p++;
		return members(r, depth, 0);
	case '"':
		return string(r);
	case 't':
		return lit(r, "true");
	case 'f':
		return lit(r, "false");
	case 'n':
		return lit(r, "null");
	default:
		return number(r);
	}
}

/* --- the program --- */
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

/* A string of the input, NUL-terminated in buf, or NULL (a NULL key). */
static const char *str(struct in *in, char *buf, size_t cap, size_t *len)
{
	size_t n = byte(in);

	if (n == 255)
		return NULL;
	n %= cap;
	if (n > in->n)
		n = in->n;
	memcpy(buf, in->p, n);
	buf[n] = 0;
	in->p += n;
	in->n -= n;
	if (len)
		*len = n;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	char *out = NULL, kb[64], vb[256];
	size_t len = 0, vl = 0;
	struct json j;
	struct rd r;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return 0;
	json_begin(&j, f);
	for (int ops = 0; in.n && ops < 200; ops++) {
		unsigned op = byte(&in) % 12;
		const char *k = str(&in, kb, sizeof(kb), NULL), *v;
		uint64_t u = 0;
		double d;

		switch (op) {
		case 0:
			v = str(&in, vb, sizeof(vb), NULL);
			json_str(&j, k, v);
			break;
		case 1:
			v = str(&in, vb, sizeof(vb), &vl);
			json_strn(&j, k, v ? v : "", v ? vl : 0);
			break;
		case 2:
		case 3:
			for (int i = 0; i < 8; i++)
				u = u << 8 | byte(&in);
			if (op == 2)
				json_int(&j, k, (long long)u);
			else
				json_uint(&j, k, u);
			break;
		case 4:
			for (int i = 0; i < 8; i++)
				u = u << 8 | byte(&in);
			memcpy(&d, &u, sizeof(d));
			json_double(&j, k, d, (int)(byte(&in) % 18));
			break;
		case 5:
			json_bool(&j, k, (int)byte(&in));
			break;
		case 6:
			json_null(&j, k);
			break;
		case 7:
			json_obj_begin(&j, k);
			break;
		case 8:
			json_obj_end(&j);
			break;
		case 9:
			json_arr_begin(&j, k);
			break;
		case 10:
			json_arr_end(&j);
			break;
		default: {
			/* json_quote alone: one valid string */
			char *q = NULL;
			size_t ql = 0;
			FILE *g = open_memstream(&q, &ql);

			v = str(&in, vb, sizeof(vb), &vl);
			if (!g)
				break;
			json_quote(g, v ? v : "", v ? vl : 0);
			fclose(g);
			r.p = (const unsigned char *)q;
			r.end = r.p + ql;
			if (!string(&r) || r.p != r.end)
				__builtin_trap();
			free(q);
			break;
		}
		}
	}
	json_end(&j);
	fclose(f);
	/* one line: an object, then the newline, nothing else */
	if (!len || out[len - 1] != '\n' || memchr(out, '\n', len - 1))
		__builtin_trap();
	r.p = (const unsigned char *)out;
	r.end = r.p + len - 1;
	if (*r.p != '{' || !value(&r, 0) || r.p != r.end)
		__builtin_trap();
	free(out);
	return 0;
}
