/* kernel.c - the Linux multicast routing API (ipmr, ip6mr): the table
 * socket, VIFs, MFC entries, table selection and rtnetlink dumps. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/netlink.h>
#include <linux/if_link.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/priv.h"
#include "mroute/kernel.h"

/* --- sockets and setsockopt --- */

static const char *ifname(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

static int level(const struct mr *m)
{
	return m->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}

int mr_open(struct mr *m, int family, uint32_t table)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_IGMP;

	memset(m, 0, sizeof(*m));
	m->family = family;
	m->table = table;
	m->nvifs = -1;
	m->fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (m->fd < 0) {
		err_set("raw %s socket: %s", family == AF_INET6 ? "ICMPv6" :
			"IGMP", strerror(errno));
		return -1;
	}
	if (table != MR_TABLE_DEFAULT) {
		uint32_t t = table;
		int opt = family == AF_INET6 ? MRT6_TABLE : MRT_TABLE;

		if (setsockopt(m->fd, level(m), opt, &t, sizeof(t)) < 0) {
			int e = errno;

			if (e == ENOPROTOOPT)
				mr_support_err(family, MR_NO_TABLES);
			else
				err_set("select table %u: %s", table,
					strerror(e));
			close(m->fd);
			m->fd = -1;
			errno = e;
			return -1;
		}
	}
	return 0;
}

void mr_close(struct mr *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int mr_init(struct mr *m)
{
	int one = 1;
	int opt = m->family == AF_INET6 ? MRT6_INIT : MRT_INIT;

	if (setsockopt(m->fd, level(m), opt, &one, sizeof(one)) < 0) {
		if (errno == ENOPROTOOPT)
			return mr_support_err(m->family, MR_NO_ROUTING);
		err_set("take the table (MRT%s_INIT): %s",
			m->family == AF_INET6 ? "6" : "", strerror(errno));
		return -1;
	}
	m->owner = 1;
	return 0;
}

int mr_held(int family, uint32_t table)
{
	struct mr m;
	int r;

	if (mr_open(&m, family, table) < 0)
		return -1;
	r = mr_init(&m);
	if (r < 0 && errno == EADDRINUSE)
		r = 1;
	else if (r == 0)
		r = 0;
	mr_close(&m);
	return r;
}

/* --- rtnetlink dumps --- */

/* Sends a dump request and calls fn for each reply message. */
static int nl_dump(int type, int family, void *body, size_t blen,
		   int (*fn)(const struct nlmsghdr *, size_t, void *),
		   void *arg)
{
	struct {
		struct nlmsghdr nh;
		char body[64];
	} req;
	char *buf;
	size_t bufsz = 65536;
	int fd, done = 0, ret = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		err_set("netlink socket: %s", strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(blen);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	memcpy(req.body, body, blen);
	(void)family;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err_set("netlink dump: %s", strerror(errno));
		close(fd);
		return -1;
	}
	buf = malloc(bufsz);
	if (!buf) {
		close(fd);
		return -1;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, bufsz, 0);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set("netlink dump: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		left = n;
		for (nh = (void *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) &&
				    e->error) {
					errno = -e->error;
					err_set("netlink dump: %s",
						strerror(errno));
					ret = -1;
				}
				done = 1;
				break;
			}
			if (fn(nh, nh->nlmsg_len, arg) < 0) {
				ret = -1;
				done = 1;
				break;
			}
		}
	}
	free(buf);
	close(fd);
	return ret;
}

/* --- what the kernel offers --- */

/* 1 when path exists, 0 when it does not although /proc/net is there,
 * -1 when /proc cannot tell. */
static int proc_has(const char *path)
{
	if (access(path, F_OK) == 0)
		return 1;
	return access("/proc/net/dev", F_OK) == 0 ? 0 : -1;
}

/* Without /proc: MRT*_VERSION is answered by any raw socket of a kernel
 * with multicast routing, ENOPROTOOPT otherwise. -1: cannot tell (no
 * CAP_NET_RAW, say), and the command itself will find out. */
static int sock_has_routing(int family)
{
	int fd, v, r = -1;
	socklen_t len = sizeof(v);

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, family == AF_INET6 ?
		    IPPROTO_ICMPV6 : IPPROTO_IGMP);
	if (fd < 0)
		return -1;
	if (getsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       family == AF_INET6 ? MRT6_VERSION : MRT_VERSION, &v,
		       &len) == 0)
		r = 1;
	else if (errno == ENOPROTOOPT)
		r = 0;
	close(fd);
	return r;
}

static int ignore_msg(const struct nlmsghdr *nh, size_t len, void *arg)
{
	(void)nh;
	(void)len;
	(void)arg;
	return 0;
}

enum mr_support mr_support(int family, uint32_t table)
{
	struct fib_rule_hdr frh = { .family = family == AF_INET6 ?
				    RTNL_FAMILY_IP6MR : RTNL_FAMILY_IPMR };
	int has = proc_has(family == AF_INET6 ? "/proc/net/ip6_mr_vif" :
			   "/proc/net/ip_mr_vif");

	if (has < 0)
		has = sock_has_routing(family);
	if (has == 0)
		return MR_NO_ROUTING;
	if (table == MR_TABLE_DEFAULT)
		return MR_SUPPORTED;
	/* the ipmr/ip6mr rule family is registered only with multiple
	 * tables; a dump of an unknown rule family fails EAFNOSUPPORT */
	if (nl_dump(RTM_GETRULE, 0, &frh, sizeof(frh), ignore_msg, NULL) < 0 &&
	    errno == EAFNOSUPPORT)
		return MR_NO_TABLES;
	return MR_SUPPORTED;
}

const char *mr_support_option(int family, enum mr_support s)
{
	switch (s) {
	case MR_NO_ROUTING:
		return family == AF_INET6 ? "CONFIG_IPV6_MROUTE" :
		       "CONFIG_IP_MROUTE";
	case MR_NO_TABLES:
		return family == AF_INET6 ?
		       "CONFIG_IPV6_MROUTE_MULTIPLE_TABLES" :
		       "CONFIG_IP_MROUTE_MULTIPLE_TABLES";
	case MR_SUPPORTED:
		break;
	}
	return NULL;
}

int mr_support_err(int family, enum mr_support s)
{
	const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";

	if (!family)
		err_set("this kernel has %s multicast routing%s (%s and %s are "
			"not set)", s == MR_NO_TABLES ? "only the default" :
			"no", s == MR_NO_TABLES ? " tables" : "",
			mr_support_option(AF_INET, s),
			mr_support_option(AF_INET6, s));
	else if (s == MR_NO_TABLES)
		err_set("this kernel has only the default %s multicast "
			"routing table (%s is not set)", fam,
			mr_support_option(family, s));
	else
		err_set("this kernel has no %s multicast routing (%s is not "
			"set)", fam, mr_support_option(family, s));
	errno = ENOPROTOOPT;
	return -1;
}

struct route_acc {
	int family;
	uint32_t table;
	struct mr_route *v;
	size_t n, cap;
};

static int route_cb(const struct nlmsghdr *nh, size_t len, void *arg)
{
	struct route_acc *a = arg;
	struct mr_route r;

	/* ip6mr's default table is RT6_TABLE_DFLT... reported as main */
	uint32_t want = a->table == MR_TABLE_DEFAULT && a->family == AF_INET6 ?
			RT_TABLE_MAIN : a->table;

	if (mr_parse_route_msg(a->family, nh, len, &r) != 1 || r.table != want)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void *p = realloc(a->v, cap * sizeof(*a->v));

		if (!p)
			return -1;
		a->v = p;
		a->cap = cap;
	}
	a->v[a->n++] = r;
	return 0;
}

int mr_routes(int family, uint32_t table, struct mr_route **out, size_t *n)
{
	struct route_acc a = { .family = family, .table = table };
	struct rtmsg rtm = { .rtm_family = family == AF_INET6 ?
			     RTNL_FAMILY_IP6MR : RTNL_FAMILY_IPMR };

	if (nl_dump(RTM_GETROUTE, family, &rtm, sizeof(rtm), route_cb,
		    &a) < 0) {
		free(a.v);
		return -1;
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

struct vif_acc {
	uint32_t table;
	struct mr_vif *vifs;
	int n, found;
};

static int vif_cb(const struct nlmsghdr *nh, size_t len, void *arg)
{
	struct vif_acc *a = arg;
	int r = mr_parse_vif_msg(nh, len, a->table, a->vifs, &a->n);

	if (r == 1)
		a->found = 1;
	return 0;
}

static int vifs_proc(struct mr *m)
{
	const char *path = m->family == AF_INET6 ? "/proc/net/ip6_mr_vif" :
			   "/proc/net/ip_mr_vif";
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f) {
		err_set("%s: %s", path, strerror(errno));
		return -1;
	}
	m->nvifs = 0;
	while (fgets(line, sizeof(line), f) && m->nvifs < MR_MAXVIFS) {
		struct mr_vif *v = &m->vifs[m->nvifs];

		if (mr_parse_proc_vif(line, v) != 1)
			continue;
		v->ifindex = if_nametoindex(v->ifname);
		m->nvifs++;
	}
	fclose(f);
	return 0;
}

/* IPv6 tables other than the default one have no VIF dump (ip6mr offers
 * neither a /proc view of them nor RTM_GETLINK). But an MFC entry names
 * its inbound MIF's device in the route dump, and the kernel accepts an
 * entry whose parent slot is empty: so add one short-lived (::, G) entry
 * per slot, G in ff0f::6d63:7672:0/120 (reserved scope 0xf: no traffic),
 * read which slots have a device, and remove them. Needs a socket with
 * CAP_NET_ADMIN (or the owner's); without one the view stays empty. */
static int vifs_probe(struct mr *m)
{
	static const unsigned char base[16] = { 0xff, 0x0f, [12] = 0x6d, 0x63,
						0x76, 0x72 };
	unsigned char none[MR_MAXVIFS] = { 0 };
	union mr_addr any, g[MR_MAXVIFS];
	struct mr_route *r = NULL;
	size_t n = 0, k;
	int i;

	m->nvifs = 0;
	if (m->fd < 0)
		return 0;
	memset(&any, 0, sizeof(any));
	for (i = 0; i < MR_MAXVIFS; i++) {
		memcpy(&g[i], base, 16);
		g[i].v6.s6_addr[15] = i;
		mr_mfc_add(m, &any, &g[i], i, none);
	}
	if (mr_routes(m->family, m->table, &r, &n) == 0) {
		for (k = 0; k < n; k++) {
			struct mr_vif *v;

			if (memcmp(&r[k].grp, base, 15) || r[k].iif <= 0 ||
			    r[k].grp.v6.s6_addr[15] >= MR_MAXVIFS ||
			    m->nvifs == MR_MAXVIFS)
				continue;
			v = &m->vifs[m->nvifs++];
			memset(v, 0, sizeof(*v));
			v->vif = r[k].grp.v6.s6_addr[15];
			v->ifindex = r[k].iif;
			ifname(v->ifindex, v->ifname);
		}
		free(r);
	}
	for (i = 0; i < MR_MAXVIFS; i++)
		mr_mfc_del(m, &any, &g[i]);
	return 0;
}

int mr_vifs_load(struct mr *m)
{
	if (m->family == AF_INET) {
		struct ifinfomsg ifi = { .ifi_family = RTNL_FAMILY_IPMR };
		struct vif_acc a = { .table = m->table, .vifs = m->vifs };

		if (nl_dump(RTM_GETLINK, AF_INET, &ifi, sizeof(ifi), vif_cb,
			    &a) == 0) {
			int i;

			m->nvifs = a.n;
			for (i = 0; i < a.n; i++)
				if (!if_indextoname(m->vifs[i].ifindex,
						    m->vifs[i].ifname))
					strcpy(m->vifs[i].ifname, "?");
			return 0;
		}
		if (m->table != MR_TABLE_DEFAULT)
			return -1;
		return vifs_proc(m);
	}
	if (m->table == MR_TABLE_DEFAULT)
		return vifs_proc(m);
	return vifs_probe(m);
}

int mr_vif_find(struct mr *m, int ifindex)
{
	int i;

	if (m->nvifs < 0 && mr_vifs_load(m) < 0)
		return -1;
	for (i = 0; i < m->nvifs; i++)
		if (m->vifs[i].ifindex == ifindex)
			return m->vifs[i].vif;
	errno = ENOENT;
	return -1;
}

static int vif_used(const struct mr *m, int vif)
{
	int i;

	for (i = 0; i < m->nvifs; i++)
		if (m->vifs[i].vif == vif)
			return 1;
	return 0;
}

static int vif_add(struct mr *m, int vif, int ifindex)
{
	if (m->family == AF_INET6) {
		struct mif6ctl mc = { .mif6c_mifi = vif, .vifc_threshold = 1,
				      .mif6c_pifi = ifindex };

		return setsockopt(m->fd, IPPROTO_IPV6, MRT6_ADD_MIF, &mc,
				  sizeof(mc));
	} else {
		struct vifctl vc = { .vifc_vifi = vif,
				     .vifc_flags = VIFF_USE_IFINDEX,
				     .vifc_threshold = 1 };

		vc.vifc_lcl_ifindex = ifindex;
		return setsockopt(m->fd, IPPROTO_IP, MRT_ADD_VIF, &vc,
				  sizeof(vc));
	}
}

int mr_vif_get(struct mr *m, int ifindex)
{
	char name[IF_NAMESIZE];
	int vif = mr_vif_find(m, ifindex);

	if (vif >= 0)
		return vif;
	if (m->nvifs < 0)
		return -1;
	for (vif = 0; vif < MR_MAXVIFS; vif++) {
		struct mr_vif *v;

		if (vif_used(m, vif))
			continue;
		if (vif_add(m, vif, ifindex) < 0) {
			/* a slot we could not see (IPv6 side tables) */
			if (errno == EADDRINUSE)
				continue;
			err_set("add VIF for %s: %s",
				ifname(ifindex, name),
				strerror(errno));
			return -1;
		}
		if (m->nvifs < MR_MAXVIFS) {
			v = &m->vifs[m->nvifs++];
			memset(v, 0, sizeof(*v));
			v->vif = vif;
			v->ifindex = ifindex;
			v->flags = m->owner ? 0 : MR_VIF_STATIC;
			ifname(ifindex, v->ifname);
		}
		return vif;
	}
	errno = ENOSPC;
	err_set("add VIF for %s: all %d VIFs in use",
		ifname(ifindex, name), MR_MAXVIFS);
	return -1;
}

int mr_vif_del(struct mr *m, int vif)
{
	int r, i;

	if (m->family == AF_INET6) {
		mifi_t mi = vif;

		r = setsockopt(m->fd, IPPROTO_IPV6, MRT6_DEL_MIF, &mi,
			       sizeof(mi));
	} else {
		struct vifctl vc = { .vifc_vifi = vif };

		r = setsockopt(m->fd, IPPROTO_IP, MRT_DEL_VIF, &vc,
			       sizeof(vc));
	}
	if (r < 0) {
		err_set("delete VIF %d: %s", vif, strerror(errno));
		return -1;
	}
	for (i = 0; i < m->nvifs; i++)
		if (m->vifs[i].vif == vif) {
			m->vifs[i] = m->vifs[--m->nvifs];
			break;
		}
	return 0;
}

/* One MFC entry in or out of the kernel: both families, both directions.
 * ttls is NULL for a delete, which keys on (source, group) only. */
static int mfc_set(struct mr *m, int add, const union mr_addr *src,
		   const union mr_addr *grp, int iif_vif,
		   const unsigned char *ttls)
{
	int i;

	if (m->family == AF_INET6) {
		struct mf6cctl mc;

		memset(&mc, 0, sizeof(mc));
		mc.mf6cc_origin.sin6_family = AF_INET6;
		mc.mf6cc_origin.sin6_addr = src->v6;
		mc.mf6cc_mcastgrp.sin6_family = AF_INET6;
		mc.mf6cc_mcastgrp.sin6_addr = grp->v6;
		mc.mf6cc_parent = (mifi_t)iif_vif;
		for (i = 0; ttls && i < MR_MAXVIFS; i++)
			if (ttls[i] && i != iif_vif)
				IF_SET(i, &mc.mf6cc_ifset);
		return setsockopt(m->fd, IPPROTO_IPV6,
				  add ? MRT6_ADD_MFC : MRT6_DEL_MFC, &mc,
				  sizeof(mc));
	}
	struct mfcctl mc;

	memset(&mc, 0, sizeof(mc));
	mc.mfcc_origin = src->v4;
	mc.mfcc_mcastgrp = grp->v4;
	mc.mfcc_parent = (vifi_t)iif_vif;
	for (i = 0; ttls && i < MR_MAXVIFS; i++)
		if (i != iif_vif)
			mc.mfcc_ttls[i] = ttls[i];
	return setsockopt(m->fd, IPPROTO_IP, add ? MRT_ADD_MFC : MRT_DEL_MFC,
			  &mc, sizeof(mc));
}

int mr_mfc_add(struct mr *m, const union mr_addr *src,
	       const union mr_addr *grp, int iif_vif,
	       const unsigned char ttls[MR_MAXVIFS])
{
	if (mfc_set(m, 1, src, grp, iif_vif, ttls) < 0) {
		char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

		err_set("add route (%s,%s): %s", mr_ntop(m->family, src, s,
			sizeof(s)), mr_ntop(m->family, grp, g, sizeof(g)),
			strerror(errno));
		return -1;
	}
	return 0;
}

int mr_mfc_del(struct mr *m, const union mr_addr *src,
	       const union mr_addr *grp)
{
	if (mfc_set(m, 0, src, grp, 0, NULL) < 0) {
		char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
		int e = errno;

		err_set("delete route (%s,%s): %s",
			mr_ntop(m->family, src, s, sizeof(s)),
			mr_ntop(m->family, grp, g, sizeof(g)),
			e == ENOENT ? "no such route" : strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int mr_route_oif(int family, const union mr_addr *addr)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
		char attrs[64];
	} req;
	char buf[4096];
	struct rtattr *a, *ra;
	struct nlmsghdr *nh = (void *)buf;
	size_t al = mr_alen(family);
	int fd, oif = 0, left;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rtm));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.rtm.rtm_family = family;
	req.rtm.rtm_dst_len = al * 8;
	a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	a->rta_type = RTA_DST;
	a->rta_len = RTA_LENGTH(al);
	memcpy(RTA_DATA(a), addr, al);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 ||
	    (n = recv(fd, buf, sizeof(buf), 0)) < (ssize_t)sizeof(*nh)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (nh->nlmsg_type == NLMSG_ERROR)
		return 0;	/* ENETUNREACH and friends: no route */
	if (nh->nlmsg_type != RTM_NEWROUTE || nh->nlmsg_len > (size_t)n ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -1;
	left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct rtmsg));
	for (ra = RTM_RTA(NLMSG_DATA(nh)); RTA_OK(ra, left);
	     ra = RTA_NEXT(ra, left))
		if (ra->rta_type == RTA_OIF && RTA_PAYLOAD(ra) >= 4)
			memcpy(&oif, RTA_DATA(ra), 4);
	return oif;
}

/* Each on its own: priv_raise() of a set fails whole when one of them
 * is missing, and the kernel call that needs it then names it. */
void mr_raise(void)
{
	static int raised;

	/* once per process: a batch of 1,000 lines raises once */
	if (raised)
		return;
	priv_raise(PRIV_NET_RAW);
	priv_raise(PRIV_NET_ADMIN);
	raised = 1;
}
