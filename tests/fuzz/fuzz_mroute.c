/* fuzz_mroute.c - libFuzzer harness for what mroute reads from the kernel
 * and from its users: rtnetlink MFC and VIF dump messages, NOCACHE upcalls,
 * /proc/net/ip*_mr_vif lines, holder templates and batch files read by the
 * real batch reader (mroute/batch.c: whole lines, then the grammar). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mroute/batch.h"
#include "mroute/hold.h"
#include "mroute/kernel.h"
#include "mroute/cmd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_vif vifs[MR_MAXVIFS];
	struct mr_upcall u;
	struct mr_route r;
	struct mrh_tmpl t;
	struct mr_cmd c;
	struct mrb_reader rd;
	char *s, out[1024];
	void *msg;
	FILE *f;
	int n = 0, fam, k, last = 0;

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
	free(s);
	/* the bytes as a batch file: every line numbered in order, none
	 * longer than the limit or with more words than allowed */
	f = size ? fmemopen((void *)data, size, "r") : NULL;
	if (!f)
		return 0;
	mrb_init(&rd, f);
	while ((k = mrb_next(&rd)) != 0 && k != -2) {
		if (rd.lineno <= last)
			__builtin_trap();
		last = rd.lineno;
		if (k < 0)
			continue;
		if (rd.argc < 1 || rd.argc > MRB_MAXWORDS || rd.argv[rd.argc])
			__builtin_trap();
		for (int i = 0; i < rd.argc; i++)
			if (strlen(rd.argv[i]) > MRB_MAXLINE ||
			    strpbrk(rd.argv[i], " \t#\n"))
				__builtin_trap();
		mrc_parse(rd.argc, rd.argv, fam, &c);
	}
	mrb_free(&rd);
	fclose(f);
	return 0;
}
