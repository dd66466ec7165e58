/* dump.h - showing datagram payloads: a hex dump with offsets and ASCII,
 * and a UTF-8 check (RFC 3629) deciding whether a payload is text. */
#ifndef MCBOX_BASE_DUMP_H
#define MCBOX_BASE_DUMP_H

#include <stddef.h>
#include <stdio.h>

/* 16 bytes a line: offset, hex, printable ASCII ('.' for the rest). */
void dump_hex(FILE *f, const void *buf, size_t len);
/* 1 when buf is well-formed UTF-8 without NUL bytes. */
int dump_is_text(const void *buf, size_t len);
/* Lower-case hex of at most max bytes into out (2 * max + 1 bytes). */
void dump_hexstr(char *out, const void *buf, size_t len, size_t max);

#endif
