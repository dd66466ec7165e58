/* ip2mac.c - map IP multicast groups to Ethernet MACs and back, explain the
 * mapping bit by bit, and find groups that collide on one MAC (RFC 1112 §6.4,
 * RFC 2464 §7). No network access, no privileges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "net/mac.h"
#include "base/opt.h"
#include "base/priv.h"

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
	int reverse, explain, check, verbose, json;
	unsigned long long limit;
	int rc;
	/* --check collects every group here */
	struct entry {
		uint8_t mac[6];
		struct mac_group g;
	} *all;
	size_t nall, capall;
} o;

static void bad_input(const char *in, const char *why)
{
	warnx("'%s' %s", in, why);
	if (o.json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "input", in);
		json_str(&j, "error", why);
		json_end(&j);
	}
	o.rc = EXIT_USAGE;
}

/* The teaching view of one group: which bits go where. */
static void explain(const struct mac_group *g, const char *gs,
		    const uint8_t mac[6])
{
	char ms[MAC_STRLEN], bits[40];
	const uint8_t *a = g->family == 4 ? (const uint8_t *)&g->v4
					  : g->v6.s6_addr;

	mac_format(mac, ms);
	printf("%s -> %s\n", gs, ms);
	if (g->family == 6) {
		printf("  IPv6 multicast maps to 33:33 followed by the group's "
		       "low 32 bits (RFC 2464):\n"
		       "    group   %s\n    low 32  %02x%02x:%02x%02x -> MAC "
		       "33:33:%02x:%02x:%02x:%02x\n"
		       "  The other 88 variable bits (all but ff and the low "
		       "32) are dropped,\n  so 2^88 IPv6 groups share each "
		       "MAC.\n\n",
		       gs, a[12], a[13], a[14], a[15], a[12], a[13], a[14],
		       a[15]);
		return;
	}
	for (int i = 0; i < 32; i++)
		bits[i] = (char)('0' + (a[i / 8] >> (7 - i % 8) & 1));
	bits[32] = 0;
	printf("  group bits  %.4s %.5s %.7s %.8s %.8s\n", bits, bits + 4,
	       bits + 9, bits + 16, bits + 24);
	printf("              |    |     `-- 23 low bits: copied into the "
	       "MAC\n");
	printf("              |    `-------- 5 bits: dropped, the MAC has no "
	       "room for them\n");
	printf("              `------------- 1110: the same in every IPv4 "
	       "group (224.0.0.0/4)\n");
	printf("  MAC         01:00:5e (IANA's block), one 0 bit, then the 23 "
	       "bits\n");
	printf("              00000001 00000000 01011110 0 %.7s %.8s %.8s\n",
	       bits + 9, bits + 16, bits + 24);
	printf("  The 5 dropped bits take 2^5 = 32 values, so exactly 32 "
	       "groups share\n  %s; a switch or NIC filtering by MAC cannot "
	       "tell them apart:\n", ms);
	struct in_addr all[32];
	char s[INET_ADDRSTRLEN + 1];
	struct mac_group t = { .family = 4 };

	mac_v4_groups(mac, all);
	for (int i = 0; i < 32; i++) {
		t.v4 = all[i];
		mac_group_str(&t, s, sizeof(s));
		if (i % 4 == 3)
			printf(" %s", s);
		else
			printf("%s%-15s", i % 4 ? " " : "    ", s);
		if (i % 4 == 3)
			putchar('\n');
	}
	putchar('\n');
}

static void emit(const struct mac_group *g)
{
	char gs[64], ms[MAC_STRLEN];
	const char *key, *desc, *name;
	uint8_t mac[6];

	mac_of_group(g, mac);
	if (o.check) {
		if (o.nall == o.capall) {
			o.capall = o.capall ? 2 * o.capall : 1024;
			o.all = realloc(o.all, o.capall * sizeof(*o.all));
			if (!o.all)
				err(EXIT_FAILURE, "out of memory");
		}
		memcpy(o.all[o.nall].mac, mac, 6);
		o.all[o.nall++].g = *g;
		return;
	}
	mac_group_str(g, gs, sizeof(gs));
	mac_format(mac, ms);
	if (o.explain) {
		explain(g, gs, mac);
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
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "group", gs);
	json_str(&j, "mac", ms);
	json_int(&j, "family", g->family);
	json_str(&j, "scope", key);
	json_str(&j, "range", desc);
	json_str(&j, "name", name);
	json_int(&j, "dropped_bits", g->family == 4 ? 5 : 88);
	json_end(&j);
}

static void forward(const char *in)
{
	struct mac_group g, first;
	uint64_t count;
	char why[96];

	if (strchr(in, '/')) {
		switch (mac_parse_cidr(in, &first, &count, o.limit)) {
		case 0:
			for (uint64_t i = 0; i < count; i++) {
				mac_group_add(&first, i, &g);
				emit(&g);
			}
			return;
		case -2:
			bad_input(in, "is not a multicast range");
			return;
		case -3:
			snprintf(why, sizeof(why), "expands to more than %llu "
				 "groups (see --limit)", o.limit);
			bad_input(in, why);
			return;
		default:
			bad_input(in, "is not an address range (GROUP/LEN)");
			return;
		}
	}
	switch (mac_parse_group(in, &g)) {
	case 0:
		emit(&g);
		break;
	case -2:
		bad_input(in, "is not a multicast address");
		break;
	default:
		bad_input(in, "is not an IP address");
	}
}

static void reverse(const char *in)
{
	struct in_addr all[32];
	struct mac_group t = { .family = 4 };
	char ms[MAC_STRLEN], s[INET_ADDRSTRLEN + 1], pat[64];
	uint8_t mac[6];
	struct json j;

	if (mac_parse(in, mac)) {
		bad_input(in, "is not a MAC address");
		return;
	}
	mac_format(mac, ms);
	if (mac_is_v6(mac)) {
		snprintf(pat, sizeof(pat),
			 "ffxx:xxxx:xxxx:xxxx:xxxx:xxxx:%02x%02x:%02x%02x",
			 mac[2], mac[3], mac[4], mac[5]);
		if (o.json) {
			json_begin(&j, stdout);
			json_str(&j, "mac", ms);
			json_int(&j, "family", 6);
			json_str(&j, "pattern", pat);
			json_end(&j);
		} else {
			printf("%s %s\n", ms, pat);
		}
		return;
	}
	if (!mac_v4_groups(mac, all)) {
		if (mac[0] == 1 && mac[1] == 0 && mac[2] == 0x5e)
			bad_input(in, "is not an IPv4 multicast MAC "
				  "(01:00:5e:80:00:00 and up map no group)");
		else if (mac[0] & 1)
			bad_input(in, "is a multicast MAC, but no IP group "
				  "maps to it");
		else
			bad_input(in, "is not a multicast MAC");
		return;
	}
	if (o.json) {
		json_begin(&j, stdout);
		json_str(&j, "mac", ms);
		json_int(&j, "family", 4);
		json_arr_begin(&j, "groups");
	}
	for (int i = 0; i < 32; i++) {
		t.v4 = all[i];
		mac_group_str(&t, s, sizeof(s));
		if (o.json)
			json_str(&j, NULL, s);
		else
			printf("%s %s\n", ms, s);
	}
	if (o.json) {
		json_arr_end(&j);
		json_end(&j);
	}
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = memcmp(a->mac, b->mac, 6);

	if (c)
		return c;
	if (a->g.family != b->g.family)
		return a->g.family - b->g.family;
	return memcmp(&a->g.v6, &b->g.v6, a->g.family == 4 ? 4 : 16);
}

/* Every pair that shares a MAC, once; repeated addresses are one group.
 * The all-clear sentence only when every input was a group: after a bad
 * one it would vouch for groups that were never checked. */
static int check_report(void)
{
	char a[64], b[64], ms[MAC_STRLEN];
	size_t pairs = 0, uniq = 0;

	if (o.nall)
		qsort(o.all, o.nall, sizeof(*o.all), cmp_entry);
	for (size_t i = 0; i < o.nall; i++) {
		if (i && !cmp_entry(&o.all[i - 1], &o.all[i]))
			continue;
		uniq++;
		for (size_t k = i + 1; k < o.nall &&
		     !memcmp(o.all[k].mac, o.all[i].mac, 6); k++) {
			if (!cmp_entry(&o.all[k - 1], &o.all[k]))
				continue;
			pairs++;
			mac_group_str(&o.all[i].g, a, sizeof(a));
			mac_group_str(&o.all[k].g, b, sizeof(b));
			mac_format(o.all[i].mac, ms);
			if (o.json) {
				struct json j;

				json_begin(&j, stdout);
				json_str(&j, "mac", ms);
				json_arr_begin(&j, "groups");
				json_str(&j, NULL, a);
				json_str(&j, NULL, b);
				json_arr_end(&j);
				json_end(&j);
			} else {
				printf("%s %s share %s\n", a, b, ms);
			}
		}
	}
	if (!pairs && !o.json && !o.rc) {
		if (uniq == 0)
			printf("no groups to check\n");
		else if (uniq == 1)
			printf("1 group: no other to share its MAC\n");
		else
			printf("no two of the %zu groups share a MAC\n", uniq);
	}
	free(o.all);
	return pairs ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void one(const char *in)
{
	if (o.reverse)
		reverse(in);
	else
		forward(in);
}

/* Addresses from stdin, one per line; blank lines and #comments skipped. */
static void from_stdin(void)
{
	char *line = NULL, *p, *e;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
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
	if (c == 0 && (n = opt_operands(&st, &ops)) >= 0) {
		c = 1;
	} else {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);
	if (o.reverse + o.explain + o.check > 1)
		return opt_usage_error(&ip2mac_applet, "-r, -e and --check "
				       "exclude each other");
	if (n == 0)
		from_stdin();
	for (int i = 0; i < n; i++) {
		if (!strcmp(ops[i], "-"))
			from_stdin();
		else
			one(ops[i]);
	}
	if (o.check) {
		rc = check_report();
		return o.rc ? o.rc : rc;
	}
	return o.rc;
}
