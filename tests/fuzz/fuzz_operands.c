/* fuzz_operands.c - libFuzzer harness for the operand parsers every applet
 * uses: [SOURCE,]GROUP[:PORT], HOST[:PORT] (numeric only: no DNS here),
 * URLs, MAC addresses, groups and CIDR ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/inet.h"
#include "net/mac.h"
#include "base/opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *buf, *scheme, *auth, *path;
	struct mc_group g;
	struct mac_group mg, first;
	uint8_t mac[6];
	uint64_t n;
	long long v;
	double d;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	inet_parse_group(s, 5000, &g);
	inet_parse_group(s, -1, &g);
	if (!inet_split_url(s, &buf, &scheme, &auth, &path))
		free(buf);
	if (!mac_parse(s, mac)) {
		struct in_addr all[32];

		mac_v4_groups(mac, all);
	}
	if (!mac_parse_group(s, &mg)) {
		const char *desc, *name;

		mac_of_group(&mg, mac);
		mac_scope(&mg, &desc, &name);
	}
	if (!mac_parse_cidr(s, &first, &n, 16))
		for (uint64_t i = 0; i < n; i++)
			mac_group_add(&first, i, &mg);
	parse_ll(s, -5, 5, &v);
	parse_secs(s, 0, 10, &d);
	parse_size(s, 0, 1LL << 40, &v);
	free(s);
	return 0;
}
