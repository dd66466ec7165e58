/* ip2mac.c - map IP multicast groups to Ethernet MACs and back, explain the
 * mapping bit by bit, and find groups that collide on one MAC (RFC 1112 §6.4,
 * RFC 2464 §7). No network access, no privileges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "net/mac.h"
#include "net/macset.h"

#define O_CHECK (OPT_LONGONLY + 1)

static const struct opt opts[] = {
	{ 'r', "reverse", NULL, OPT_FLAG,
	  "operands are MACs: list the groups that map to each", 0, 0 },
	{ 'e', "explain", NULL, OPT_FLAG,
	  "show the mapping bit by bit, and why 32 groups share a MAC", 0, 0 },
	{ O_CHECK, "check", NULL, OPT_FLAG,
	  "report every pair of groups that share a MAC; exit 1 if any", 0, 0 },
	{ 'n', "limit", "N", OPT_INT,
	  "expand a GROUP/LEN range to at most N groups (default 65536)",
	  1, 16777216 },
	{ 'v', "verbose", NULL, OPT_FLAG,
	  "also show each group's scope or reserved range", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print one JSON object per line", 0, 0 },
	{ 0 }
};

static int ip2mac_main(int argc, char **argv);

const struct applet ip2mac_applet = {
	.name = "ip2mac",
	.section = 1,
	.summary = "map IP multicast groups to Ethernet MAC addresses and back",
	.operands = "[ADDRESS[/LEN] | MAC]...",
	.min_args = 0,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NONE,	/* arithmetic only */
	.main = ip2mac_main,
};

static struct {
	int reverse, explain, check, verbose, json, rc;
	unsigned long long limit;
	struct mac_set all;	/* --check collects every group here */
} o;

static void bad_input(const char *in, const char *why)
{
	struct json j;

	warnx("'%s' %s", in, why);
	o.rc = EXIT_USAGE;
	if (!o.json)
		return;
	json_begin(&j, stdout);
	json_str(&j, "input", in);
	json_str(&j, "error", why);
	json_end_buffered(&j);
}

static void emit(const struct mac_group *g)
{
	char gs[64], ms[MAC_STRLEN], text[2048];
	const char *key, *desc, *name;
	uint8_t mac[6];
	struct json j;

	if (o.check) {
		if (mac_set_add(&o.all, g))
			err(EXIT_FAILURE, "out of memory");
		return;
	}
	mac_of_group(g, mac);
	mac_group_str(g, gs, sizeof(gs));
	mac_format(mac, ms);
	if (o.explain) {
		fputs(mac_explain(g, mac, text, sizeof(text)), stdout);
		return;
	}
	if (!o.json && !o.verbose) {
		fputs_unlocked(gs, stdout);
		putc_unlocked(' ', stdout);
		fputs_unlocked(ms, stdout);
		putc_unlocked('\n', stdout);
		return;
	}
	key = mac_scope(g, &desc, &name);
	if (!o.json) {
		printf("%s %s %s%s%s\n", gs, ms, key, name ? " " : "",
		       name ? name : "");
		return;
	}
	json_begin(&j, stdout);
	json_str(&j, "group", gs);
	json_str(&j, "mac", ms);
	json_int(&j, "family", g->family);
	json_str(&j, "scope", key);
	json_str(&j, "range", desc);
	json_str(&j, "name", name);
	json_int(&j, "dropped_bits", g->family == 4 ? 5 : 88);
	json_end_buffered(&j);
}

static void forward(const char *in)
{
	struct mac_group g, first;
	uint64_t count;

	if (mac_parse_groups(in, o.limit, &first, &count))
		bad_input(in, err_str());	/* count is 0 */
	for (uint64_t i = 0; i < count; i++) {
		mac_group_add(&first, i, &g);
		emit(&g);
	}
}

static void reverse(const char *in)
{
	struct in_addr all[32];
	struct mac_group t = { .family = 4 };
	char ms[MAC_STRLEN], s[64];
	uint8_t mac[6];
	struct json j;
	int fam = mac_reverse(in, mac, all), i;

	if (fam < 0) {
		bad_input(in, err_str());
		return;
	}
	mac_format(mac, ms);
	for (i = 0; !o.json && i < (fam == 4 ? 32 : 1); i++) {
		t.v4 = all[i];
		printf("%s %s\n", ms, fam == 6 ?
		       mac_v6_pattern(mac, s, sizeof(s)) :
		       mac_group_str(&t, s, sizeof(s)));
	}
	if (!o.json)
		return;
	json_begin(&j, stdout);
	json_str(&j, "mac", ms);
	json_int(&j, "family", fam);
	if (fam == 6)
		json_str(&j, "pattern", mac_v6_pattern(mac, s, sizeof(s)));
	else
		json_arr_begin(&j, "groups");
	for (i = 0; fam == 4 && i < 32; i++) {
		t.v4 = all[i];
		json_str(&j, NULL, mac_group_str(&t, s, sizeof(s)));
	}
	if (fam == 4)
		json_arr_end(&j);
	json_end_buffered(&j);
}

/* Every pair that shares a MAC, once; repeated addresses are one group. */
static int check_report(void)
{
	char a[64], b[64], ms[MAC_STRLEN];
	size_t pairs = 0, uniq = mac_set_sort(&o.all), i = 0, k = 0;
	struct json j;

	while (mac_set_pair(&o.all, &i, &k)) {
		pairs++;
		mac_group_str(&o.all.v[i].g, a, sizeof(a));
		mac_group_str(&o.all.v[k].g, b, sizeof(b));
		mac_format(o.all.v[i].mac, ms);
		if (!o.json) {
			printf("%s %s share %s\n", a, b, ms);
			continue;
		}
		json_begin(&j, stdout);
		json_str(&j, "mac", ms);
		json_arr_begin(&j, "groups");
		json_str(&j, NULL, a);
		json_str(&j, NULL, b);
		json_arr_end(&j);
		json_end_buffered(&j);
	}
	if (!pairs && !o.json && !o.rc)	/* a bad input was never checked */
		puts(mac_set_none_shared(uniq, a, sizeof(a)));
	mac_set_free(&o.all);
	return pairs ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void (*one)(const char *in) = forward;

/* Addresses from stdin, one per line; blank lines and #comments skipped. */
static void from_stdin(void)
{
	char *line = NULL, *p, *e;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		p = line + strspn(line, " \t");
		e = p + strcspn(p, " \t\r\n#");
		if (e == p)
			continue;
		*e = 0;
		one(p);
	}
	free(line);
	if (ferror(stdin)) {
		warn("read stdin");
		o.rc = EXIT_FAILURE;
	}
}

static int ip2mac_main(int argc, char **argv)
{
	struct optstate st;
	char **ops;
	int c, n, rc;

	o.limit = 65536;
	opt_init(&st, &ip2mac_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'r': o.reverse = 1; break;
		case 'e': o.explain = 1; break;
		case O_CHECK: o.check = 1; break;
		case 'n': o.limit = (unsigned long long)st.num; break;
		case 'v': o.verbose = 1; break;
		case 'j': o.json = 1; break;
		}
	}
	n = c == 0 ? opt_operands(&st, &ops) : -1;
	opt_free(&st);
	if (n < 0)
		return st.status;
	if (o.reverse + o.explain + o.check > 1)
		return opt_usage_error(&ip2mac_applet, "-r, -e and --check "
				       "exclude each other");
	one = o.reverse ? reverse : forward;
	if (n == 0)
		from_stdin();
	for (int i = 0; i < n; i++) {
		if (!strcmp(ops[i], "-"))
			from_stdin();
		else
			one(ops[i]);
	}
	rc = o.check ? check_report() : 0;
	return o.rc ? o.rc : rc;
}
