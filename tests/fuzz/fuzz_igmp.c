/* fuzz_igmp.c - libFuzzer harness for the IGMP/MLD parser (RFC 9776, 9777)
 * and the membership table it feeds: any bytes, as a whole IP packet or
 * behind a link-layer header, must parse or fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "igmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { 1, 113, 12 };	/* EN10MB, SLL, RAW */
	struct igmp_table t;
	struct igmp_record r;
	struct igmp_msg m;
	const uint8_t *l3;
	unsigned pos = 0, n = 0;
	size_t len;
	uint8_t *copy;

	/* an exact-size copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	igmp_table_init(&t);
	if (igmp_parse(copy, size, &m) == 0) {
		while (igmp_record_next(&m, &pos, &r)) {
			struct igmp_addr a;

			/* touch every source the record claims */
			for (unsigned i = 0; i < r.nsrc; i++)
				igmp_src_at(m.family, r.srcs, i, &a);
			n++;
		}
		for (unsigned i = 0; i < m.nsrc; i++) {
			struct igmp_addr a;

			igmp_src_at(m.family, m.srcs, i, &a);
		}
		/* apply it twice: the state must stay consistent */
		igmp_table_update(&t, &m);
		igmp_table_update(&t, &m);
		igmp_table_sort(&t);
		for (unsigned i = 0; i < t.n; i++)
			if (t.m[i].nsrc > IGMP_TABLE_MAXSRC)
				abort();
	}
	(void)n;
	igmp_table_free(&t);
	if (size)
		capture_l3(dlts[copy[0] % 3], copy, size, &l3, &len);
	free(copy);
	return 0;
}
