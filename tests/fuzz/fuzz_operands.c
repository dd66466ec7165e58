/* fuzz_operands.c - libFuzzer harness for the operand parsers every applet
 * uses: [SOURCE,]GROUP[:PORT], addresses, ports, HOST[:PORT] for each
 * family (names reach the resolver, which finds no network here: fuzz.h),
 * interface names, URLs, MAC addresses, groups and CIDR ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/inet.h"
#include "net/mac.h"
#include "base/opt.h"
#include "fuzz.h"

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
	struct sockaddr_storage ss;
	int port;

	if (!inet_parse_group(s, 5000, &g) &&
	    (!inet_is_multicast(&g.group) || !inet_port(&g.group) ||
	     (g.source.ss_family != AF_UNSPEC &&
	      (g.source.ss_family != g.group.ss_family ||
	       inet_is_multicast(&g.source)))))
		__builtin_trap();
	inet_parse_group(s, -1, &g);
	inet_parse_addr(s, &ss);
	port = inet_parse_port(s, 1);
	if (port > 65535)
		__builtin_trap();
	if (!inet_parse_hostport(s, 69, AF_UNSPEC, &ss) && !inet_port(&ss))
		__builtin_trap();
	inet_parse_hostport(s, -1, AF_INET, &ss);
	inet_parse_hostport(s, 0, AF_INET6, &ss);
	inet_ifindex(s);
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
