/* utf8.c - well-formed UTF-8 sequences, RFC 3629 section 4. */
#include "base/utf8.h"

#include <stdint.h>

size_t utf8_seq(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong below */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* UTF-16 surrogates above */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong below */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF above */
	} else {
		return 0;		/* 80-c1, f5-ff never start one */
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}
