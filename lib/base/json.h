/* json.h - a small JSON writer for JSON Lines output (RFC 8259 escaping):
 * one object per line, keys in the order written. Whatever the calls, the
 * line is valid JSON in UTF-8: a byte of a string that is not part of
 * well-formed UTF-8 is written as U+FFFD (\ufffd); a container nested
 * deeper than JSON_MAXDEPTH is written as null; an end closes the
 * innermost open container, and json_end() closes them all; a NULL key
 * in an object is "", a key in an array is dropped. */
#ifndef MCBOX_BASE_JSON_H
#define MCBOX_BASE_JSON_H

#include <stdio.h>

#define JSON_MAXDEPTH 8

struct json {
	FILE *f;
	int depth;			/* 0: the top-level object */
	int skip;			/* containers open past the limit */
	char type[JSON_MAXDEPTH];	/* '{' or '[' at each depth */
	int count[JSON_MAXDEPTH];	/* members written at each depth */
};

/* Starts a top-level object on f. */
void json_begin(struct json *j, FILE *f);
/* Ends the top-level object with a newline and flushes: a line a reader
 * may be waiting for. */
void json_end(struct json *j);
/* The same without the flush, for bulk output: stdio writes a buffer at a
 * time, not a line. */
void json_end_buffered(struct json *j);

void json_str(struct json *j, const char *key, const char *val);
void json_strn(struct json *j, const char *key, const char *val, size_t n);
void json_int(struct json *j, const char *key, long long val);
void json_uint(struct json *j, const char *key, unsigned long long val);
/* Non-finite values are written as null. */
void json_double(struct json *j, const char *key, double val, int decimals);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* Nested containers; key is NULL inside arrays. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);

/* Writes s as a quoted JSON string (UTF-8, invalid bytes as U+FFFD). */
void json_quote(FILE *f, const char *s, size_t n);

#endif
