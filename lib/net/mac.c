/* mac.c - multicast group <-> Ethernet MAC: RFC 1112 §6.4 (IPv4: 01:00:5e,
 * a 0 bit, the group's low 23 bits) and RFC 2464 §7 (IPv6: 33:33 and the low
 * 32 bits); scopes from the IANA multicast registries, RFC 5771 (IPv4),
 * RFC 4291 §2.7 and RFC 7346 (IPv6 scopes), RFC 4607 (SSM). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "net/mac.h"

enum mac_bad mac_parse_group(const char *s, struct mac_group *g)
{
	if (inet_pton(AF_INET, s, &g->v4) == 1) {
		g->family = 4;
		return (ntohl(g->v4.s_addr) >> 28) == 0xe ? MAC_OK :
							     MAC_UNICAST;
	}
	if (inet_pton(AF_INET6, s, &g->v6) == 1) {
		g->family = 6;
		return g->v6.s6_addr[0] == 0xff ? MAC_OK : MAC_UNICAST;
	}
	return MAC_MALFORMED;
}

enum mac_bad mac_parse_cidr(const char *s, struct mac_group *first,
			    uint64_t *count, uint64_t limit)
{
	char buf[64], *slash, *end;
	enum mac_bad r;
	long len;
	int bits;

	if (strlen(s) >= sizeof(buf))
		return MAC_MALFORMED;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return MAC_MALFORMED;
	*slash = 0;
	r = mac_parse_group(buf, first);
	if (r == MAC_MALFORMED)
		return MAC_MALFORMED;
	bits = first->family == 4 ? 32 : 128;
	if (!isdigit((unsigned char)slash[1]))
		return MAC_MALFORMED;
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > bits)
		return MAC_MALFORMED;
	/* a prefix shorter than the multicast block holds unicast too */
	if (r == MAC_UNICAST || len < (first->family == 4 ? 4 : 8))
		return MAC_UNICAST;
	if (bits - len >= 63 || (1ULL << (bits - len)) > limit)
		return MAC_TOOMANY;
	*count = 1ULL << (bits - len);
	/* clear the host bits, as ip(8) does */
	if (first->family == 4) {
		uint32_t mask = len ? ~0u << (32 - len) : 0;

		first->v4.s_addr = htonl(ntohl(first->v4.s_addr) & mask);
	} else {
		for (int i = 0; i < 16; i++) {
			int keep = (int)len - 8 * i;

			if (keep <= 0)
				first->v6.s6_addr[i] = 0;
			else if (keep < 8)
				first->v6.s6_addr[i] &= (uint8_t)(0xff << (8 - keep));
		}
	}
	return MAC_OK;
}

int mac_parse_groups(const char *s, uint64_t limit, struct mac_group *first,
		     uint64_t *count)
{
	*count = 0;
	if (strchr(s, '/')) {
		switch (mac_parse_cidr(s, first, count, limit)) {
		case MAC_OK:
			return 0;
		case MAC_UNICAST:
			err_set("is not a multicast range");
			return -1;
		case MAC_TOOMANY:
			err_set("expands to more than %llu groups (see --limit)",
				(unsigned long long)limit);
			return -1;
		default:
			err_set("is not an address range (GROUP/LEN)");
			return -1;
		}
	}
	switch (mac_parse_group(s, first)) {
	case MAC_OK:
		*count = 1;
		return 0;
	case MAC_UNICAST:
		err_set("is not a multicast address");
		return -1;
	default:
		err_set("is not an IP address");
		return -1;
	}
}

void mac_group_add(const struct mac_group *first, uint64_t i,
		   struct mac_group *out)
{
	*out = *first;
	if (first->family == 4) {
		out->v4.s_addr = htonl(ntohl(first->v4.s_addr) + (uint32_t)i);
		return;
	}
	/* add with carry from the last byte */
	for (int b = 15; b >= 0 && i; b--) {
		uint64_t v = out->v6.s6_addr[b] + (i & 0xff);

		out->v6.s6_addr[b] = (uint8_t)v;
		i = (i >> 8) + (v >> 8);
	}
}

void mac_of_ip(int v6, const uint8_t *a, uint8_t mac[6])
{
	if (!v6) {
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = a[1] & 0x7f;	/* the 24th bit from the end is 0 */
		mac[4] = a[2];
		mac[5] = a[3];
	} else {
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(mac + 2, a + 12, 4);
	}
}

void mac_of_group(const struct mac_group *g, uint8_t mac[6])
{
	mac_of_ip(g->family == 6, g->family == 4 ?
		  (const uint8_t *)&g->v4.s_addr : g->v6.s6_addr, mac);
}

char *mac_format(const uint8_t mac[6], char buf[MAC_STRLEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 15];
		buf[3 * i + 2] = i < 5 ? ':' : 0;
	}
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	size_t n = strlen(s);
	int digits[12], nd = 0;

	if (n == 17 && (s[2] == ':' || s[2] == '-')) {
		for (int i = 0; i < 17; i++) {
			if (i % 3 == 2) {
				if (s[i] != s[2])
					return -1;
			} else if ((digits[nd++] = hexval(s[i])) < 0) {
				return -1;
			}
		}
	} else if (n == 14 && s[4] == '.' && s[9] == '.') {
		for (int i = 0; i < 14; i++) {
			if (i == 4 || i == 9)
				continue;
			if ((digits[nd++] = hexval(s[i])) < 0)
				return -1;
		}
	} else if (n == 12) {
		for (int i = 0; i < 12; i++)
			if ((digits[nd++] = hexval(s[i])) < 0)
				return -1;
	} else {
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(digits[2 * i] << 4 | digits[2 * i + 1]);
	return 0;
}

int mac_v4_groups(const uint8_t mac[6], struct in_addr out[32])
{
	if (mac[0] != 0x01 || mac[1] != 0x00 || mac[2] != 0x5e ||
	    mac[3] & 0x80)
		return 0;
	/* the 5 lost bits: the low nibble of the first octet, and the top
	 * bit of the second */
	for (int i = 0; i < 32; i++) {
		uint32_t a = 0xe0000000u | (uint32_t)(i >> 1) << 24 |
			     (uint32_t)(i & 1) << 23 |
			     (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 |
			     mac[5];

		out[i].s_addr = htonl(a);
	}
	return 32;
}

int mac_is_v6(const uint8_t mac[6])
{
	return mac[0] == 0x33 && mac[1] == 0x33;
}

struct wk4 {
	uint32_t addr;
	const char *name;
};

static const struct wk4 wk4[] = {
	{ 0xe0000001, "all-hosts" },
	{ 0xe0000002, "all-routers" },
	{ 0xe0000004, "DVMRP routers" },
	{ 0xe0000005, "OSPF all routers" },
	{ 0xe0000006, "OSPF designated routers" },
	{ 0xe0000009, "RIPv2 routers" },
	{ 0xe000000a, "EIGRP routers" },
	{ 0xe000000d, "PIM routers" },
	{ 0xe0000012, "VRRP" },
	{ 0xe0000016, "IGMPv3 reports" },
	{ 0xe000006a, "multicast router discovery" },
	{ 0xe000006b, "PTP peer delay" },
	{ 0xe00000fb, "mDNS" },
	{ 0xe00000fc, "LLMNR" },
	{ 0xe0000101, "NTP" },
	{ 0xe0000181, "PTP primary" },
	{ 0xeffffffa, "SSDP" },
};

static const char *name_v4(uint32_t a)
{
	for (size_t i = 0; i < sizeof(wk4) / sizeof(wk4[0]); i++)
		if (wk4[i].addr == a)
			return wk4[i].name;
	return NULL;
}

/* Well-known IPv6 groups by their low 112 bits (the group ID), with the
 * scope they are defined for (0: any scope). */
static const struct {
	int scope;
	uint16_t w[3];	/* last three 16-bit words */
	const char *name;
} wk6[] = {
	{ 1, { 0, 0, 1 }, "all-nodes" },
	{ 2, { 0, 0, 1 }, "all-nodes" },
	{ 1, { 0, 0, 2 }, "all-routers" },
	{ 2, { 0, 0, 2 }, "all-routers" },
	{ 5, { 0, 0, 2 }, "all-routers" },
	{ 2, { 0, 0, 5 }, "OSPFv3 all routers" },
	{ 2, { 0, 0, 6 }, "OSPFv3 designated routers" },
	{ 2, { 0, 0, 9 }, "RIPng routers" },
	{ 2, { 0, 0, 0xd }, "PIM routers" },
	{ 2, { 0, 0, 0x12 }, "VRRP" },
	{ 2, { 0, 0, 0x16 }, "MLDv2 reports" },
	{ 2, { 0, 0, 0x6a }, "multicast router discovery" },
	{ 0, { 0, 0, 0xfb }, "mDNS" },
	{ 0, { 0, 0, 0x101 }, "NTP" },
	{ 2, { 0, 1, 2 }, "DHCPv6 relays and servers" },
	{ 2, { 0, 1, 3 }, "LLMNR" },
	{ 5, { 0, 1, 3 }, "DHCPv6 servers" },
};

static const char *name_v6(const struct in6_addr *a, int scope)
{
	const uint8_t *b = a->s6_addr;

	if (scope == 2 && !memcmp(b + 2, "\0\0\0\0\0\0\0\0\0\1\xff", 11))
		return "solicited-node";
	for (int i = 2; i < 10; i++)
		if (b[i])
			return NULL;
	for (size_t i = 0; i < sizeof(wk6) / sizeof(wk6[0]); i++) {
		if (wk6[i].scope && wk6[i].scope != scope)
			continue;
		if ((b[10] << 8 | b[11]) == wk6[i].w[0] &&
		    (b[12] << 8 | b[13]) == wk6[i].w[1] &&
		    (b[14] << 8 | b[15]) == wk6[i].w[2])
			return wk6[i].name;
	}
	return NULL;
}

const char *mac_scope(const struct mac_group *g, const char **desc,
		      const char **name)
{
	const char *key, *d;

	*name = NULL;
	if (g->family == 4) {
		uint32_t a = ntohl(g->v4.s_addr);

		*name = name_v4(a);
		if ((a >> 8) == 0xe00000) {
			key = "link-local";
			d = "224.0.0.0/24 local network control: never forwarded";
		} else if ((a >> 8) == 0xe00001) {
			key = "internetwork-control";
			d = "224.0.1.0/24 internetwork control: routed";
		} else if ((a >> 24) == 232) {
			key = "ssm";
			d = "232.0.0.0/8 source-specific multicast (RFC 4607)";
		} else if ((a >> 24) == 233 && (a >> 18) < (233u << 6 | 0x3f)) {
			key = "glop";
			d = "233.0.0.0/8 GLOP, from an AS number (RFC 3180)";
		} else if ((a >> 24) == 233) {
			key = "ad-hoc";
			d = "233.252.0.0/14 ad-hoc block III";
		} else if ((a >> 24) == 234) {
			key = "unicast-prefix";
			d = "234.0.0.0/8 unicast-prefix-based (RFC 6034)";
		} else if ((a >> 16) == 0xefff) {
			key = "admin-scoped";
			d = "239.255.0.0/16 IPv4 local scope (RFC 2365)";
		} else if ((a >> 18) == (0xefc0 >> 2)) {
			key = "admin-scoped";
			d = "239.192.0.0/14 organization-local scope (RFC 2365)";
		} else if ((a >> 24) == 239) {
			key = "admin-scoped";
			d = "239.0.0.0/8 administratively scoped (RFC 2365)";
		} else if ((a >> 16) == 0xe002) {
			key = "sdp-sap";
			d = "224.2.0.0/16 SDP/SAP block";
		} else {
			key = "global";
			d = "globally scoped";
		}
		*desc = d;
		return key;
	}
	static const char *const scopes[16] = {
		[0x1] = "interface-local", [0x2] = "link-local",
		[0x3] = "realm-local", [0x4] = "admin-local",
		[0x5] = "site-local", [0x8] = "organization-local",
		[0xe] = "global",
	};
	static char buf6[128];
	int flags = g->v6.s6_addr[1] >> 4, scope = g->v6.s6_addr[1] & 15;

	*name = name_v6(&g->v6, scope);
	key = scopes[scope] ? scopes[scope] : "reserved-scope";
	if (flags == 3 && !memcmp(g->v6.s6_addr + 2, "\0\0\0\0\0\0\0\0\0\0",
				  10))
		d = "ff3x::/96 source-specific multicast (RFC 4607)";
	else if (flags & 2)
		d = "unicast-prefix-based (RFC 3306)";
	else if (flags & 1)
		d = "transient (dynamically assigned)";
	else
		d = "permanent (IANA assigned)";
	snprintf(buf6, sizeof(buf6), "scope %x %s, %s", scope, key, d);
	*desc = buf6;
	if (flags == 3 && !memcmp(g->v6.s6_addr + 2, "\0\0\0\0\0\0\0\0\0\0",
				  10))
		key = "ssm";
	return key;
}

const char *mac_group_str(const struct mac_group *g, char *buf, size_t len)
{
	if (!inet_ntop(g->family == 4 ? AF_INET : AF_INET6,
		       g->family == 4 ? (const void *)&g->v4
				      : (const void *)&g->v6,
		       buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *mac_v6_pattern(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "ffxx:xxxx:xxxx:xxxx:xxxx:xxxx:%02x%02x:%02x%02x",
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int mac_reverse(const char *s, uint8_t mac[6], struct in_addr out[32])
{
	if (mac_parse(s, mac)) {
		err_set("is not a MAC address");
		return -1;
	}
	if (mac_is_v6(mac))
		return 6;
	if (mac_v4_groups(mac, out))
		return 4;
	if (mac[0] == 1 && mac[1] == 0 && mac[2] == 0x5e)
		err_set("is not an IPv4 multicast MAC (01:00:5e:80:00:00 and "
			"up map no group)");
	else if (mac[0] & 1)
		err_set("is a multicast MAC, but no IP group maps to it");
	else
		err_set("is not a multicast MAC");
	return -1;
}

/* Appends to buf at *pos, as far as it fits. */
static void add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

const char *mac_explain(const struct mac_group *g, const uint8_t mac[6],
			char *buf, size_t len)
{
	const uint8_t *a = g->family == 4 ? (const uint8_t *)&g->v4
					  : g->v6.s6_addr;
	char gs[64], ms[MAC_STRLEN], bits[40], s[INET_ADDRSTRLEN + 1];
	struct mac_group t = { .family = 4 };
	struct in_addr all[32];
	size_t pos = 0;

	buf[0] = 0;
	mac_group_str(g, gs, sizeof(gs));
	mac_format(mac, ms);
	add(buf, len, &pos, "%s -> %s\n", gs, ms);
	if (g->family == 6) {
		add(buf, len, &pos, "  IPv6 multicast maps to 33:33 followed "
		    "by the group's low 32 bits (RFC 2464):\n    group   %s\n"
		    "    low 32  %02x%02x:%02x%02x -> MAC 33:33:%02x:%02x:%02x:"
		    "%02x\n  The other 88 variable bits (all but ff and the low "
		    "32) are dropped,\n  so 2^88 IPv6 groups share each "
		    "MAC.\n\n", gs, a[12], a[13], a[14], a[15], a[12], a[13],
		    a[14], a[15]);
		return buf;
	}
	for (int i = 0; i < 32; i++)
		bits[i] = (char)('0' + (a[i / 8] >> (7 - i % 8) & 1));
	bits[32] = 0;
	add(buf, len, &pos, "  group bits  %.4s %.5s %.7s %.8s %.8s\n"
	    "              |    |     `-- 23 low bits: copied into the MAC\n"
	    "              |    `-------- 5 bits: dropped, the MAC has no room "
	    "for them\n"
	    "              `------------- 1110: the same in every IPv4 group "
	    "(224.0.0.0/4)\n"
	    "  MAC         01:00:5e (IANA's block), one 0 bit, then the 23 "
	    "bits\n"
	    "              00000001 00000000 01011110 0 %.7s %.8s %.8s\n"
	    "  The 5 dropped bits take 2^5 = 32 values, so exactly 32 groups "
	    "share\n  %s; a switch or NIC filtering by MAC cannot tell them "
	    "apart:\n", bits, bits + 4, bits + 9, bits + 16, bits + 24,
	    bits + 9, bits + 16, bits + 24, ms);
	mac_v4_groups(mac, all);
	for (int i = 0; i < 32; i++) {
		t.v4 = all[i];
		mac_group_str(&t, s, sizeof(s));
		if (i % 4 == 3)
			add(buf, len, &pos, " %s\n", s);
		else
			add(buf, len, &pos, "%s%-15s", i % 4 ? " " : "    ", s);
	}
	add(buf, len, &pos, "\n");
	return buf;
}
