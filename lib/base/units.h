/* units.h - how mcbox writes quantities for people, the same in every
 * applet: bytes with binary prefixes (B, KiB, MiB, GiB, TiB; rates in
 * KiB/s, MiB/s...), bits with decimal ones (bit/s, kbit/s, Mbit/s,
 * Gbit/s), and a count's plural. */
#ifndef MCBOX_BASE_UNITS_H
#define MCBOX_BASE_UNITS_H

#include <stddef.h>

/* "1.5 MiB" */
const char *units_bytes(char *buf, size_t len, double bytes);
/* "12.3 MiB/s" */
const char *units_byte_rate(char *buf, size_t len, double bytes_per_s);
/* "98.4 Mbit/s" */
const char *units_bit_rate(char *buf, size_t len, double bits_per_s);

/* The plural ending of a count: "1 block", "2 blocks", "0 blocks". */
static inline const char *units_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

#endif
