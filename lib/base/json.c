/* json.c - a small JSON Lines writer with RFC 8259 string escaping. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"

void json_quote(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	putc_unlocked('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

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

/* Comma and key before a member. */
static void member(struct json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (key) {
		json_quote(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

void json_begin(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
}

void json_end_buffered(struct json *j)
{
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
	member(j, key);
	json_quote(j->f, val, n);
}

void json_int(struct json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->f, "%lld", val);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	member(j, key);
	fprintf(j->f, "%llu", val);
}

void json_double(struct json *j, const char *key, double val, int decimals)
{
	member(j, key);
	if (isfinite(val))
		fprintf(j->f, "%.*f", decimals, val);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, int val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

static void open_c(struct json *j, const char *key, int c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAXDEPTH - 1)
		j->depth++;
	j->count[j->depth] = 0;
}

static void close_c(struct json *j, int c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	open_c(j, key, '{');
}

void json_obj_end(struct json *j)
{
	close_c(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	open_c(j, key, '[');
}

void json_arr_end(struct json *j)
{
	close_c(j, ']');
}
