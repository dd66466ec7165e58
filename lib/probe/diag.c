/* diag.c - receiver self-diagnosis from the route table and /proc: group
 * route, rp_filter (RFC 3704), IGMP/MLD membership; and with capabilities,
 * what reaches the interface and which firewall rules drop it. */
#include "probe/diag.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/priv.h"
#include "net/inet.h"
#include "net/udptap.h"

int mcdiag_has_route(const struct sockaddr_storage *group)
{
	struct sockaddr_storage ss = *group;
	int fd, r;

	/* connect() on UDP only looks the route up: nothing is sent */
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!inet_port(&ss))
		inet_set_port(&ss, 9);
	r = connect(fd, (struct sockaddr *)&ss, inet_sslen(&ss));
	close(fd);
	if (r == 0)
		return 1;
	return errno == ENETUNREACH || errno == EHOSTUNREACH ? 0 : -1;
}

/* /proc/net/igmp: "IDX\tDEV : ..." lines open a device, then one
 * "\t\t\t\tXXXXXXXX ..." line per group, the address as the in_addr's
 * 32 bits printed in host order. */
static int joined4(const struct in_addr *a, int ifindex)
{
	char line[256];
	int idx = 0, found = 0;
	FILE *f = fopen("/proc/net/igmp", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long v;
		char *end;

		if (line[0] != '\t') {
			idx = atoi(line);
			continue;
		}
		v = strtoul(line, &end, 16);
		if (end != line && (uint32_t)v == a->s_addr && idx > 0 &&
		    (!ifindex || idx == ifindex)) {
			found = idx;
			break;
		}
	}
	fclose(f);
	return found;
}

/* /proc/net/igmp6: "IDX DEV HEX32 USERS FLAGS TIMER" per membership. */
static int joined6(const struct in6_addr *a, int ifindex)
{
	char line[256], dev[IF_NAMESIZE + 1], hex[33], want[33];
	int idx, found = 0;
	FILE *f = fopen("/proc/net/igmp6", "re");

	if (!f)
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", a->s6_addr[i]);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %16s %32s", &idx, dev, hex) != 3)
			continue;
		if (!strcmp(hex, want) && (!ifindex || idx == ifindex)) {
			found = idx;
			break;
		}
	}
	fclose(f);
	return found;
}

int mcdiag_joined(const struct sockaddr_storage *group, int ifindex)
{
	if (group->ss_family == AF_INET6)
		return joined6(&((const struct sockaddr_in6 *)group)->sin6_addr,
			       ifindex);
	return joined4(&((const struct sockaddr_in *)group)->sin_addr, ifindex);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int mcdiag_rp_filter(const char *ifname)
{
	char path[128];
	int all, dev;

	all = read_int("/proc/sys/net/ipv4/conf/all/rp_filter");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter",
		 ifname);
	dev = read_int(path);
	if (all < 0 && dev < 0)
		return -1;
	return all > dev ? all : dev;
}

void mcdiag_watch(struct mcdiag_watch *w, const char *ifname,
		  const struct sockaddr_storage *group)
{
	int idx = *ifname ? (int)if_nametoindex(ifname) : 0, raised;

	w->fd = -1;
	w->seen = 0;
	w->err = idx ? 0 : ENODEV;
	if (!idx)
		return;
	raised = priv_raise(PRIV_NET_RAW) == 0;
	w->fd = udptap_open(idx, group);
	w->err = w->fd < 0 ? errno : 0;
	if (raised)
		priv_lower(PRIV_NET_RAW);
}

void mcdiag_unwatch(struct mcdiag_watch *w)
{
	if (w->fd < 0)
		return;
	if (udptap_count(w->fd, &w->seen) < 0)
		w->err = errno;
	close(w->fd);
	w->fd = -1;
}

int mcdiag_explain(const struct sockaddr_storage *group, const char *ifname,
		   struct mcdiag_watch *w, char out[][MCDIAG_LINE], int max)
{
	char a[INET_FMTLEN];
	int n = 0, k, counted, dropped;

	if (max < 1)
		return 0;
	if (w)
		mcdiag_unwatch(w);
	counted = w && !w->err;
	dropped = counted && w->seen;
	inet_fmt(group, a, sizeof(a));
	if (dropped)
		snprintf(out[n++], MCDIAG_LINE, "%llu packet%s for %s reached "
			 "%s but not the socket: something on this host drops "
			 "them, a local firewall or rp_filter",
			 (unsigned long long)w->seen, w->seen == 1 ? "" : "s",
			 a, ifname);
	/* without a count the firewall is as likely as anything upstream */
	if (dropped || !counted) {
		k = fw_explain(group->ss_family, (uint16_t)inet_port(group),
			       out + n, max - n);
		if (k > 0)
			n += k;
		else if (k < 0 && dropped && n < max)
			snprintf(out[n++], MCDIAG_LINE, "%s", err_str());
	}
	if (mcdiag_has_route(group) == 0 && n < max)
		snprintf(out[n++], MCDIAG_LINE, "no route for the group's "
			 "range on any interface (add one, or use -i IFACE)");
	if (mcdiag_joined(group, 0) == 0 && n < max)
		snprintf(out[n++], MCDIAG_LINE, "no membership in %s",
			 group->ss_family == AF_INET6 ? "/proc/net/igmp6"
						      : "/proc/net/igmp");
	/* IPv6 has no rp_filter; the reverse-path check is netfilter's */
	if (group->ss_family == AF_INET && *ifname &&
	    mcdiag_rp_filter(ifname) == 1 && n < max)
		snprintf(out[n++], MCDIAG_LINE, "rp_filter is strict (1) on "
			 "%s: datagrams from sources not routed back via %s "
			 "are dropped", ifname, ifname);
	if (n)
		return n;
	/* say only what was checked: IPv6 has no rp_filter */
	if (counted)
		snprintf(out[n++], MCDIAG_LINE, "joined on %s, route %s, and "
			 "nothing for %s reached %s: check the sender, its %s "
			 "and the routers between", ifname,
			 group->ss_family == AF_INET6 ? "fine"
						      : "and rp_filter fine",
			 a, ifname,
			 group->ss_family == AF_INET6 ? "hop limit" : "TTL");
	else
		snprintf(out[n++], MCDIAG_LINE, "joined on %s, route %s: "
			 "check the sender, its %s and the routers between "
			 "(run with CAP_NET_RAW to see whether anything reaches "
			 "%s)", *ifname ? ifname : "?",
			 group->ss_family == AF_INET6 ? "fine"
						      : "and rp_filter fine",
			 group->ss_family == AF_INET6 ? "hop limit" : "TTL",
			 *ifname ? ifname : "the interface");
	return n;
}
