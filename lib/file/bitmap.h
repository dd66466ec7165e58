/* bitmap.h - the received-block bitmap file receivers share: bit i set when
 * block i is here. Pure memory, no I/O: state machines keep one. */
#ifndef MCBOX_FILE_BITMAP_H
#define MCBOX_FILE_BITMAP_H

#include <stdint.h>

struct bitmap {
	uint64_t *w;
	uint64_t nbits;
	uint64_t nset;
};

int bitmap_init(struct bitmap *b, uint64_t nbits);	/* -1 ENOMEM */
void bitmap_free(struct bitmap *b);
int bitmap_test(const struct bitmap *b, uint64_t i);
/* Sets bit i; returns 1 if it was clear, 0 if already set or out of range. */
int bitmap_set(struct bitmap *b, uint64_t i);
/* First clear bit at or after from; nbits when none. */
uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from);
/* First set bit at or after from; nbits when none. */
uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from);
int bitmap_full(const struct bitmap *b);

#endif
