/* json.c - a small JSON Lines writer with RFC 8259 string escaping. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/utf8.h"

void json_quote(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0, k;

	putc_unlocked('"', f);
	for (size_t i = 0; i < n; i += k) {
		unsigned char c = (unsigned char)s[i];

		k = 1;
		if (c >= 0x80) {
			/* a well-formed sequence goes out as it is; a byte
			 * that starts none becomes U+FFFD: the output is
			 * always UTF-8 (RFC 8259 section 8.1) */
			k = utf8_seq(s + i, n - i);
			if (k)
				continue;
			k = 1;
			fwrite_unlocked(s + run, 1, i - run, f);
			run = i + 1;
			fputs_unlocked("\\ufffd", f);
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		/* write the plain run before this character in one go */
		fwrite_unlocked(s + run, 1, i - run, f);
		run = i + 1;
		switch (c) {
		case '"': fputs_unlocked("\\\"", f); break;
		case '\\': fputs_unlocked("\\\\", f); break;
		case '\n': fputs_unlocked("\\n", f); break;
		case '\r': fputs_unlocked("\\r", f); break;
		case '\t': fputs_unlocked("\\t", f); break;
		case '\b': fputs_unlocked("\\b", f); break;
		case '\f': fputs_unlocked("\\f", f); break;
		default:
			fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		}
	}
	fwrite_unlocked(s + run, 1, n - run, f);
	putc_unlocked('"', f);
}

/* Comma and key before a member; 0 when inside a container that is not
 * written (past JSON_MAXDEPTH). A key is written in an object (an empty
 * one for NULL) and dropped in an array. */
static int member(struct json *j, const char *key)
{
	if (j->skip)
		return 0;
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (j->type[j->depth] == '{') {
		json_quote(j->f, key ? key : "", key ? strlen(key) : 0);
		fputc(':', j->f);
	}
	return 1;
}

void json_begin(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->type[0] = '{';
	fputc('{', f);
}

void json_end_buffered(struct json *j)
{
	/* whatever is still open closes here */
	for (; j->depth > 0; j->depth--)
		fputc(j->type[j->depth] == '{' ? '}' : ']', j->f);
	j->skip = 0;
	fputs("}\n", j->f);
}

void json_end(struct json *j)
{
	json_end_buffered(j);
	fflush(j->f);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, val, strlen(val));
}

void json_strn(struct json *j, const char *key, const char *val, size_t n)
{
	if (!member(j, key))
		return;
	json_quote(j->f, val, n);
}

void json_int(struct json *j, const char *key, long long val)
{
	if (!member(j, key))
		return;
	fprintf(j->f, "%lld", val);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	if (!member(j, key))
		return;
	fprintf(j->f, "%llu", val);
}

void json_double(struct json *j, const char *key, double val, int decimals)
{
	if (!member(j, key))
		return;
	if (isfinite(val))
		fprintf(j->f, "%.*f", decimals, val);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, int val)
{
	if (!member(j, key))
		return;
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	if (!member(j, key))
		return;
	fputs("null", j->f);
}

static void open_c(struct json *j, const char *key, char c)
{
	if (j->skip) {
		j->skip++;
		return;
	}
	if (j->depth == JSON_MAXDEPTH - 1) {
		/* too deep: a null in its place, its content dropped */
		json_null(j, key);
		j->skip = 1;
		return;
	}
	member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->type[j->depth] = c;
	j->count[j->depth] = 0;
}

/* Closes the innermost open container, whichever kind it is; the top
 * object closes only in json_end(). */
static void close_c(struct json *j)
{
	if (j->skip) {
		j->skip--;
		return;
	}
	if (j->depth == 0)
		return;
	fputc(j->type[j->depth] == '{' ? '}' : ']', j->f);
	j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	open_c(j, key, '{');
}

void json_obj_end(struct json *j)
{
	close_c(j);
}

void json_arr_begin(struct json *j, const char *key)
{
	open_c(j, key, '[');
}

void json_arr_end(struct json *j)
{
	close_c(j);
}
