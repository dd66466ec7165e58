/* utf8.h - well-formed UTF-8 (RFC 3629; Unicode table 3-7: no overlong
 * forms, no surrogates, nothing past U+10FFFF). */
#ifndef MCBOX_BASE_UTF8_H
#define MCBOX_BASE_UTF8_H

#include <stddef.h>

/* The length (1-4) of the well-formed sequence that starts at p, within
 * n bytes; 0 when the byte at p starts none (or n is 0). */
size_t utf8_seq(const void *p, size_t n);

#endif
