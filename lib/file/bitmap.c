/* bitmap.c - the received-block bitmap: one bit a block, and the counts
 * and searches NACKs and completion checks are built from. */
#include <errno.h>
#include <stdlib.h>

#include "file/bitmap.h"

int bitmap_init(struct bitmap *b, uint64_t nbits)
{
	b->nbits = nbits;
	b->nset = 0;
	b->w = calloc((size_t)(nbits / 64 + 1), sizeof(uint64_t));
	if (!b->w) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void bitmap_free(struct bitmap *b)
{
	free(b->w);
	b->w = NULL;
	b->nbits = b->nset = 0;
}

int bitmap_test(const struct bitmap *b, uint64_t i)
{
	return i < b->nbits && (b->w[i / 64] >> (i % 64) & 1);
}

int bitmap_set(struct bitmap *b, uint64_t i)
{
	if (i >= b->nbits || (b->w[i / 64] >> (i % 64) & 1))
		return 0;
	b->w[i / 64] |= 1ULL << (i % 64);
	b->nset++;
	return 1;
}

static uint64_t next_bit(const struct bitmap *b, uint64_t from, int want)
{
	uint64_t i = from;

	while (i < b->nbits) {
		uint64_t w = b->w[i / 64];

		if (!want)
			w = ~w;
		w &= ~0ULL << (i % 64);
		if (w) {
			i = (i & ~63ULL) + (uint64_t)__builtin_ctzll(w);
			return i < b->nbits ? i : b->nbits;
		}
		i = (i & ~63ULL) + 64;
	}
	return b->nbits;
}

uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from)
{
	return next_bit(b, from, 0);
}

uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from)
{
	return next_bit(b, from, 1);
}

int bitmap_full(const struct bitmap *b)
{
	return b->nset == b->nbits;
}
