/* fuzz_targets.c - libFuzzer harness for the URL and target parsers of the
 * download applets: tftm-get's tftp://, tftm://, x-tftm:// URLs (with every
 * family choice) and slam-get's x-slam:// URL or SERVER [GROUP] operands.
 * Host names go to the resolver, which finds no network here (fuzz.h). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "slam/get.h"
#include "tftp/get.h"
#include "fuzz.h"

static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage srv;
	struct mc_group g;
	char *s, *file, *buf, *ops[2], *sep;
	int n;

	if (size < 1 || size > 4096)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	/* first byte: the family; the rest, the operand(s) */
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	if (!tftp_parse_url(s, families[data[0] % 3], &srv, &file, &buf)) {
		/* a file, a server of a family, a port */
		if (!file || (srv.ss_family != AF_INET &&
			      srv.ss_family != AF_INET6) ||
		    !inet_port(&srv) || file < buf)
			__builtin_trap();
		free(buf);
	}
	/* a tab splits SERVER and GROUP */
	ops[0] = s;
	ops[1] = NULL;
	n = 1;
	sep = strchr(s, '\t');
	if (sep) {
		*sep = 0;
		ops[1] = sep + 1;
		n = 2;
	}
	memset(&g, 0, sizeof(g));
	if (!slam_get_target(n, ops, &srv, &g)) {
		if (!inet_is_multicast(&g.group) ||
		    g.group.ss_family != srv.ss_family || !inet_port(&srv) ||
		    !inet_port(&g.group))
			__builtin_trap();
	}
	free(s);
	return 0;
}
