/* fw.c - which nftables rules and chains may drop a UDP port on its way in
 * (lib/probe/fw.h): the judgement, and a netlink dump to feed it. */
#include "probe/fw.h"

#include <errno.h>
#include <netinet/in.h>		/* before the linux headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/priv.h"

void fw_init(struct fw_scan *s, int family, uint16_t port,
	     char out[][FW_LINE], int max)
{
	memset(s, 0, sizeof(*s));
	s->nfproto = family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	s->port = port;
	s->out = out;
	s->max = max;
}

static const char *family_name(int f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_NETDEV: return "netdev";
	default: return "?";
	}
}

/* Where a base chain sits, if that is on the way in; NULL if not. */
static const char *hook_name(const struct nft_chain *c)
{
	if (c->family == NFPROTO_NETDEV)
		return c->hook == NF_NETDEV_INGRESS ? "ingress" : NULL;
	switch (c->hook) {
	case NF_INET_PRE_ROUTING: return "prerouting";
	case NF_INET_LOCAL_IN: return "input";
	case NF_INET_INGRESS: return "ingress";
	default: return NULL;
	}
}

/* Rules of this family see our datagrams. */
static int family_ok(const struct fw_scan *s, int f)
{
	return f == s->nfproto || f == NFPROTO_INET || f == NFPROTO_NETDEV;
}

static int find(const struct fw_scan *s, int family, const char *table,
		const char *name)
{
	for (int i = 0; i < s->nchains; i++)
		if (s->chain[i].family == family &&
		    !strcmp(s->chain[i].table, table) &&
		    !strcmp(s->chain[i].name, name))
			return i;
	return -1;
}

void fw_chain(void *scan, const struct nft_chain *c)
{
	struct fw_scan *s = scan;

	if (s->nchains < FW_MAXCHAINS && family_ok(s, c->family))
		s->chain[s->nchains++] = *c;
}

void fw_rule(void *scan, const struct nft_rule *r)
{
	struct fw_scan *s = scan;
	int ci = find(s, r->family, r->table, r->chain), sure;
	const struct nft_chain *c = ci >= 0 ? &s->chain[ci] : NULL;
	const char *hook = c && c->hook >= 0 ? hook_name(c) : "";
	char where[32], counted[48] = "";

	/* a regular chain may be jumped to from the way in: it counts */
	if (!family_ok(s, r->family) || !hook || r->l4 < 0 ||
	    !nft_rule_port(r, s->port))
		return;
	if (r->verdict == NF_ACCEPT || r->verdict == NFT_JUMP ||
	    r->verdict == NFT_GOTO) {
		/* lets the port in, or hands it on: no policy finding */
		if (ci >= 0 && (r->has_port || !r->others))
			s->accepts[ci] = 1;
		return;
	}
	if ((r->verdict != NF_DROP && !r->reject) ||
	    (!r->has_port && r->others) || s->n >= s->max)
		return;
	sure = !r->others && !r->stateful && !r->port_set;
	if (*hook)
		snprintf(where, sizeof(where), " (%s hook)", hook);
	else
		where[0] = 0;
	if (r->has_counter)
		snprintf(counted, sizeof(counted), ", %llu packets counted",
			 (unsigned long long)r->packets);
	snprintf(s->out[s->n++], FW_LINE, "nftables: rule %llu of table %s "
		 "%s, chain %s%s, %s udp dport %u%s%s",
		 (unsigned long long)r->handle, family_name(r->family),
		 r->table, r->chain, where, sure ? "drops" : "may drop",
		 s->port, sure ? "" : " (on other conditions too)", counted);
}

int fw_end(struct fw_scan *s)
{
	for (int i = 0; i < s->nchains && s->n < s->max; i++) {
		const struct nft_chain *c = &s->chain[i];

		if (c->hook < 0 || c->policy != NF_DROP || s->accepts[i] ||
		    !hook_name(c))
			continue;
		snprintf(s->out[s->n++], FW_LINE, "nftables: chain %s of table "
			 "%s %s (%s hook) drops by policy, and no rule there "
			 "accepts udp dport %u", c->name, family_name(c->family),
			 c->table, hook_name(c), s->port);
	}
	return s->n;
}

/* One dump (chains or rules) into the scan. 0, or -1 with errno. */
static int dump(int fd, int msg, uint32_t seq, struct fw_scan *s)
{
	static uint8_t buf[65536];
	struct nft_sink sink = { fw_chain, fw_rule, s };
	size_t len = nft_dump_request(buf, sizeof(buf), msg, seq);
	ssize_t r;
	int rc = 0;

	if (send(fd, buf, len, 0) < 0)
		return -1;
	/* bounded: a dump ends, a silent kernel times out */
	for (int i = 0; i < 100000 && !rc; i++) {
		r = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if ((size_t)r > sizeof(buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		rc = nft_parse(buf, (size_t)r, &sink);
	}
	return rc < 0 ? -1 : 0;
}

int fw_explain(int family, uint16_t port, char out[][FW_LINE], int max)
{
	static struct fw_scan s;
	struct timeval tv = { .tv_sec = 1 };
	int fd, rc, e, raised;

	fw_init(&s, family, port, out, max);
	/* nfnetlink wants CAP_NET_ADMIN of whoever opened the socket and of
	 * the caller at each request */
	raised = priv_raise(PRIV_NET_ADMIN) == 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0) {
		e = errno;
		if (raised)
			priv_lower(PRIV_NET_ADMIN);
		errno = e;
		return err_errno("nftables ruleset");
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rc = dump(fd, NFT_MSG_GETCHAIN, 1, &s);
	if (!rc)
		rc = dump(fd, NFT_MSG_GETRULE, 2, &s);
	e = errno;
	if (raised)
		priv_lower(PRIV_NET_ADMIN);
	close(fd);
	if (rc < 0) {
		errno = e;
		if (e != EPERM)
			return err_errno("nftables ruleset");
		err_set("nftables ruleset: %s (needs CAP_NET_ADMIN)",
			strerror(e));
		return -1;
	}
	return fw_end(&s);
}
