/* fuzz_igmpq.c - libFuzzer harness for igmpquery's settings: -g GROUP and
 * any number of -s ADDR[,ADDR...] lists (the input's lines), checked
 * against each other with -4/-6 and -V; what passes must build a query
 * that the packet parser reads back with the same group and sources
 * (RFC 9776 section 4.1, RFC 9777 section 5.1). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "igmp/querier.h"
#include "igmp/wire.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igmpq_opts o = IGMPQ_OPTS_INIT;
	struct igmp_query q;
	struct igmp_addr dst;
	struct igmp_msg m;
	static uint8_t pkt[65536];
	char *s, *line, *next;
	ssize_t len;
	int rc = 0;

	if (size < 1)
		return 0;
	/* first byte: -4/-6 and -V */
	o.family = data[0] & 1 ? AF_INET6 : data[0] & 2 ? AF_INET : 0;
	o.version = (data[0] >> 2) & 3;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	/* line 1: -g (empty: none); every other line: one -s */
	line = s;
	next = strchr(line, '\n');
	if (next)
		*next++ = 0;
	o.group_s = *line ? line : NULL;
	while (next && rc == 0) {
		line = next;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		rc = igmpq_add_sources(&o, line);
		if (rc == 0 && (o.nsrc > IGMP_MAXSRC || !strpbrk(line, ".:")))
			__builtin_trap();
	}
	if (rc == 0 && igmpq_check(&o) == 0) {
		size_t alen = o.family == AF_INET ? 4 : 16;

		igmpq_query(&o, &q);
		len = igmp_query_build(&q, pkt, sizeof(pkt), &dst);
		if (len > 0) {
			/* what we send, the parser reads back the same */
			if (igmp_parse(pkt, (size_t)len, &m) < 0 ||
			    m.kind != IGMP_QUERY || m.family != o.family ||
			    m.nsrc != o.nsrc ||
			    memcmp(m.group.b, o.group.b, alen))
				__builtin_trap();
			for (unsigned i = 0; i < m.nsrc; i++) {
				struct igmp_addr a;

				igmp_src_at(m.family, m.srcs, i, &a);
				if (memcmp(a.b, o.srcs[i].b, alen))
					__builtin_trap();
			}
		}
	}
	free(s);
	return 0;
}
