/* dump.c - payload hex dumps and the UTF-8 (RFC 3629) text check. */
#include "base/dump.h"

#include <stdint.h>

#include "base/utf8.h"

void dump_hex(FILE *f, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i += 16) {
		fprintf(f, "%04zx ", i);
		for (size_t k = i; k < i + 16; k++) {
			if (k < len)
				fprintf(f, " %02x", p[k]);
			else
				fputs("   ", f);
		}
		fputs("  ", f);
		for (size_t k = i; k < i + 16 && k < len; k++)
			fputc(p[k] >= 0x20 && p[k] < 0x7f ? p[k] : '.', f);
		fputc('\n', f);
	}
}

int dump_is_text(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_seq(p + i, len - i);
		if (!n || !p[i])
			return 0;
	}
	return 1;
}

void dump_hexstr(char *out, const void *buf, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = buf;

	if (len > max)
		len = max;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * len] = 0;
}
