/* fuzz_mroute.c - libFuzzer harness for what mroute reads from the kernel
 * and from its users: rtnetlink MFC and VIF dump messages, NOCACHE upcalls,
 * /proc/net/ip*_mr_vif lines, holder templates and batch command lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mroute/hold.h"
#include "mroute/kernel.h"
#include "mroute/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_vif vifs[MR_MAXVIFS];
	struct mr_upcall u;
	struct mr_route r;
	struct mrh_tmpl t;
	struct mr_cmd c;
	char *s, *argv[64], *p, *save = NULL, out[1024];
	void *msg;
	int n = 0, argc = 0, fam;

	if (size < 1)
		return 0;
	fam = data[0] & 1 ? AF_INET6 : AF_INET;
	data++;
	size--;
	/* binary views: an exact-size copy so that ASan sees overreads */
	msg = malloc(size ? size : 1);
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	mr_parse_route_msg(fam, msg, size, &r);
	mr_parse_vif_msg(msg, size, 253, vifs, &n);
	mr_upcall_parse(fam, msg, size, &u);
	free(msg);

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	mr_parse_proc_vif(s, &vifs[0]);
	if (mrh_tmpl_parse(fam, s, &t) == 0)
		mrh_tmpl_format(fam, &t, out, sizeof(out));
	for (p = strtok_r(s, " \t\n", &save); p && argc < 64;
	     p = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = p;
	mrc_parse(argc, argv, 0, &c);
	free(s);
	return 0;
}
