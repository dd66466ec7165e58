/* sha256.h - SHA-256 (FIPS 180-4), for checking a received file against
 * the digest the user gave (--sha256): incremental, no allocation. */
#ifndef MCBOX_BASE_SHA256_H
#define MCBOX_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest bytes */
#define SHA256_HEXLEN	64	/* digest in hex, without the NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];	/* a partial block */
	size_t n;		/* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Pads, writes the digest to out; s must be initialised again to reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* The digest of buf[0..len) in one call. */
void sha256(const void *buf, size_t len, uint8_t out[SHA256_LEN]);

/* Lower-case hex of a digest into out (SHA256_HEXLEN + 1 bytes). */
void sha256_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEXLEN + 1]);
/* Parses 64 hex digits (either case, nothing else) into d: 0, or -1. */
int sha256_parse(const char *hex, uint8_t d[SHA256_LEN]);

#endif
