/* capture.c - libpcap capture of IGMP/MLD on one interface and AF_PACKET
 * sending of whole IP packets (RFC 1112 §6.4 and RFC 2464 §7 for the
 * group's Ethernet address). */
#include "igmp/capture.h"
#include "base/err.h"
#include "net/mac.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* libpcap is loaded on first use (dlopen), so that only the applet that
 * captures pays for it and its dependencies at start-up; `make STATIC=1`
 * links it in instead. The symbols are the libpcap 1.x API. */
#define PCAP_FUNCS(X) X(activate) X(close) X(compile) X(create) \
	X(datalink) X(fileno) X(freecode) X(get_selectable_fd) X(geterr) \
	X(next_ex) X(set_immediate_mode) X(set_promisc) X(set_snaplen) \
	X(setdirection) X(setfilter) X(setnonblock)

#ifdef MCBOX_PCAP_STATIC
#define DECL(f) static __typeof__(pcap_##f) *const p_##f = pcap_##f;
PCAP_FUNCS(DECL)

static int pcap_load(void)
{
	return 0;
}
#else
#define PCAP_SONAME "libpcap.so.0.8"	/* Debian's libpcap0.8 */
#define DECL(f) static __typeof__(pcap_##f) *p_##f;
PCAP_FUNCS(DECL)

/* 0, or -1 with err_str() naming what is missing. */
static int pcap_load(void)
{
	static int state;	/* 0: not tried, 1: loaded, -1: missing */
	const char *why;
	void *h;

	if (state)
		goto out;
	state = -1;
	h = dlopen(PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libpcap.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		goto out;
#define LOAD(f) if (!(p_##f = (__typeof__(p_##f))dlsym(h, "pcap_" #f))) \
		goto out;
	PCAP_FUNCS(LOAD)
#undef LOAD
	state = 1;
out:
	if (state < 0) {
		why = dlerror();
		err_set("capture needs libpcap (" PCAP_SONAME ", Debian package "
			"libpcap0.8): %s", why ? why : "not found");
		errno = ENOENT;
	}
	return state < 0 ? -1 : 0;
}
#endif
#undef DECL

struct capture {
	pcap_t *p;
	int dlt;
	int fd;
};

/* IGMP is IP protocol 2. MLD rides in ICMPv6 after a Hop-by-Hop header
 * (RFC 9777 §5); libpcap's "icmp6" does not follow the header chain, so
 * the filter looks at both shapes by offset and leaves the rest (other
 * ICMPv6 after Hop-by-Hop, extra options) to igmp_parse. */
static const char filter4[] = "igmp";
static const char filter6[] =
	"ip6 and ((ip6[6] == 0 and ip6[40] == 58) or "
	"(ip6[6] == 58 and ip6[40] >= 130 and ip6[40] <= 143))";

static struct capture *fail(struct capture *c, int e, const char *what,
			    const char *why)
{
	err_set("%s: %s", what, why);
	if (c) {
		if (c->p)
			p_close(c->p);
		free(c);
	}
	errno = e;
	return NULL;
}

struct capture *capture_open(const char *ifname, int family)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct packet_mreq mr;
	struct capture *c;
	int rc, idx;

	idx = (int)if_nametoindex(ifname);
	if (!idx)
		return fail(NULL, ENODEV, ifname, "no such interface");
	if (pcap_load() < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return fail(NULL, ENOMEM, "capture", strerror(ENOMEM));
	c->p = p_create(ifname, ebuf);
	if (!c->p)
		return fail(c, ENODEV, ifname, ebuf);
	p_set_snaplen(c->p, 4096);
	p_set_promisc(c->p, 0);
	p_set_immediate_mode(c->p, 1);
	rc = p_activate(c->p);
	if (rc < 0) {
		int e = rc == PCAP_ERROR_PERM_DENIED ? EPERM :
			rc == PCAP_ERROR_NO_SUCH_DEVICE ? ENODEV : EIO;
		char why[PCAP_ERRBUF_SIZE + 32];

		snprintf(why, sizeof(why), "%s",
			 e == EPERM ? strerror(EPERM) : p_geterr(c->p));
		return fail(c, e, "capture", why);
	}
	if (p_setnonblock(c->p, 1, ebuf) < 0)
		return fail(c, EIO, "capture", ebuf);
	if (p_compile(c->p, &prog, family == AF_INET6 ? filter6 : filter4,
			 1, PCAP_NETMASK_UNKNOWN) < 0)
		return fail(c, EINVAL, "capture filter", p_geterr(c->p));
	rc = p_setfilter(c->p, &prog);
	p_freecode(&prog);
	if (rc < 0)
		return fail(c, EIO, "capture filter", p_geterr(c->p));
	/* our own queries are not "other queriers" */
	if (p_setdirection(c->p, PCAP_D_IN) < 0)
		return fail(c, EIO, "capture direction", p_geterr(c->p));
	c->dlt = p_datalink(c->p);
	c->fd = p_get_selectable_fd(c->p);
	if (c->fd < 0)
		return fail(c, EIO, "capture", "no selectable descriptor");
	/* v1/v2 reports go to the group's own address, which the NIC's
	 * filter drops unless the interface takes every multicast frame;
	 * the membership ends when the capture socket closes. */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = idx;
	mr.mr_type = PACKET_MR_ALLMULTI;
	if (setsockopt(p_fileno(c->p), SOL_PACKET, PACKET_ADD_MEMBERSHIP,
		       &mr, sizeof(mr)) < 0)
		return fail(c, errno, "all-multicast", strerror(errno));
	return c;
}

int capture_fd(const struct capture *c)
{
	return c->fd;
}

int capture_next(struct capture *c, const uint8_t **pkt, size_t *len)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	for (;;) {
		rc = p_next_ex(c->p, &h, &data);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			err_set("capture: %s", p_geterr(c->p));
			return -1;
		}
		if (!capture_l3(c->dlt, data, h->caplen, pkt, len))
			return 1;
	}
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	p_close(c->p);
	free(c);
}

static int is_ip(unsigned et)
{
	return et == ETHERTYPE_IP || et == ETHERTYPE_IPV6;
}

int capture_l3(int dlt, const uint8_t *f, size_t caplen, const uint8_t **l3,
	       size_t *len)
{
	size_t off;
	unsigned et;

	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			return -1;
		off = 12;
		et = (unsigned)(f[off] << 8 | f[off + 1]);
		/* up to two VLAN tags (802.1Q, 802.1ad QinQ) */
		for (int i = 0; i < 2 && (et == 0x8100 || et == 0x88a8); i++) {
			off += 4;
			if (caplen < off + 2)
				return -1;
			et = (unsigned)(f[off] << 8 | f[off + 1]);
		}
		off += 2;
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return -1;
		et = (unsigned)(f[14] << 8 | f[15]);
		off = 16;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		et = (unsigned)(f[0] << 8 | f[1]);
		off = 20;
		break;
#endif
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		if (caplen < 1)
			return -1;
		et = f[0] >> 4 == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP;
		off = 0;
		break;
	default:
		return -1;
	}
	if (!is_ip(et) || caplen <= off)
		return -1;
	*l3 = f + off;
	*len = caplen - off;
	return 0;
}

int capture_send_socket(int ifindex)
{
	struct sockaddr_ll sll;
	int fd;

	/* protocol 0: this socket receives nothing */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t capture_send(int fd, int ifindex, int family,
		     const struct igmp_addr *dst, const uint8_t *pkt,
		     size_t len)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(family == AF_INET6 ? ETHERTYPE_IPV6 :
						      ETHERTYPE_IP);
	/* Ethernet-like links need the group's MAC; others (tun, ...)
	 * take the packet as is. */
	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname((unsigned)ifindex, ifr.ifr_name) &&
	    !ioctl(fd, SIOCGIFHWADDR, &ifr) &&
	    ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
		sll.sll_halen = 6;
		mac_of_ip(family == AF_INET6, dst->b, sll.sll_addr);
	}
	return sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll));
}

int capture_if_addr(const char *ifname, int family, struct igmp_addr *a)
{
	struct ifaddrs *ifa, *i;
	int found = 0;

	if (getifaddrs(&ifa) < 0) {
		err_set("getifaddrs: %s", strerror(errno));
		return -1;
	}
	memset(a, 0, sizeof(*a));
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    strcmp(i->ifa_name, ifname))
			continue;
		if (family == AF_INET) {
			memcpy(a->b,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			       4);
			found = 1;
		} else {
			struct in6_addr *x =
				&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(x)) {
				memcpy(a->b, x, 16);
				found = 1;
			}
		}
	}
	freeifaddrs(ifa);
	if (!found) {
		err_set("%s has no %s address", ifname,
			family == AF_INET ? "IPv4" : "IPv6 link-local");
		return -1;
	}
	return 0;
}

int capture_default_if(int family, char *name)
{
	struct ifaddrs *ifa, *i;
	int n = 0;

	if (getifaddrs(&ifa) < 0) {
		err_set("getifaddrs: %s", strerror(errno));
		return -1;
	}
	for (i = ifa; i; i = i->ifa_next) {
		unsigned fl = i->ifa_flags;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    !(fl & IFF_UP) || !(fl & IFF_MULTICAST) ||
		    (fl & IFF_LOOPBACK))
			continue;
		if (family == AF_INET6 &&
		    !IN6_IS_ADDR_LINKLOCAL(
			    &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			continue;
		if (n && !strcmp(name, i->ifa_name))
			continue;
		if (n++)
			break;
		snprintf(name, IF_NAMESIZE, "%s", i->ifa_name);
	}
	freeifaddrs(ifa);
	if (n == 1)
		return 0;
	err_set(n ? "several interfaces could be meant; choose one with -i" :
		    "no multicast interface with an address is up; use -i");
	return -1;
}
