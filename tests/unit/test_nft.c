/* test_nft.c - the nftables netlink decoder (lib/net/nft.c) and the
 * firewall judgement (lib/probe/fw.c) on a dump the kernel gave for a known
 * ruleset (tests/fuzz/corpus/fuzz_nft/ruleset, `nft -a list ruleset`):
 *
 * table inet t {						# handle 1
 *	chain in {	type filter hook input priority 0; policy drop;
 *		tcp dport 22 accept				# handle 3
 *		udp dport 5000 counter drop			# handle 4
 *		udp dport { 5001, 5002 } accept			# handle 6
 *		udp dport 5010 numgen inc mod 1000000 >= 544 drop # handle 7
 *		udp dport 6000-6010 reject			# handle 8
 *		ip saddr 10.0.0.1 drop				# handle 9
 *		udp dport != 7000 counter accept		# handle 10
 *	}
 *	chain forwarding { type filter hook forward priority 0;
 *		udp dport 5000 drop				# handle 11
 *	}
 * }
 * table ip t4 { chain pre { type filter hook prerouting priority 0;
 *		ip protocol udp udp dport 5003 drop		# handle 2
 * } }
 */
#include <errno.h>
#include <netinet/in.h>		/* before the linux headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "net/nft.h"
#include "probe/fw.h"
#include "unit.h"

static uint8_t dump[16384];
static size_t dumplen;

static void load(void)
{
	FILE *f = fopen("tests/fuzz/corpus/fuzz_nft/ruleset", "rb");

	if (!f) {
		printf("# cannot open the ruleset dump\n");
		return;
	}
	dumplen = fread(dump, 1, sizeof(dump), f);
	fclose(f);
}

/* Feeds the dump, message by message as the kernel sent them, to a
 * judgement for port and family; returns the findings. */
static int judge(int family, uint16_t port, char out[][FW_LINE], int max)
{
	static struct fw_scan s;
	struct nft_sink sink = { fw_chain, fw_rule, &s };
	int rc = 0, done = 0;

	fw_init(&s, family, port, out, max);
	/* the two dumps each end with NLMSG_DONE: parse past the first */
	for (size_t off = 0; off < dumplen && done < 2;) {
		struct nlmsghdr nh;

		memcpy(&nh, dump + off, sizeof(nh));
		rc = nft_parse(dump + off, nh.nlmsg_len, &sink);
		CHECK(rc >= 0);
		done += rc == 1;
		off += NLMSG_ALIGN(nh.nlmsg_len);
	}
	CHECK_INT(done, 2);
	return fw_end(&s);
}

TEST(request)
{
	uint8_t buf[64];
	struct nlmsghdr nh;

	CHECK_INT(nft_dump_request(buf, 19, NFT_MSG_GETRULE, 7), 0);
	CHECK_INT(nft_dump_request(buf, sizeof(buf), NFT_MSG_GETRULE, 7), 20);
	memcpy(&nh, buf, sizeof(nh));
	CHECK_INT(nh.nlmsg_len, 20);
	CHECK_INT(nh.nlmsg_type, (10 << 8) | NFT_MSG_GETRULE);
	CHECK_INT(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	CHECK_INT(nh.nlmsg_seq, 7);
	CHECK_INT(buf[16], NFPROTO_UNSPEC);
}

static struct nft_rule rules[32];
static int nrules;

static void keep(void *ctx, const struct nft_rule *r)
{
	(void)ctx;
	if (nrules < 32)
		rules[nrules++] = *r;
}

TEST(decode)
{
	struct nft_sink sink = { NULL, keep, NULL };
	const struct nft_rule *r;

	nrules = 0;
	for (size_t off = 0; off < dumplen;) {
		struct nlmsghdr nh;

		memcpy(&nh, dump + off, sizeof(nh));
		nft_parse(dump + off, nh.nlmsg_len, &sink);
		off += NLMSG_ALIGN(nh.nlmsg_len);
	}
	CHECK_INT(nrules, 9);
	if (nrules < 9)
		return;
	r = &rules[1];		/* udp dport 5000 counter drop */
	CHECK_INT(r->family, NFPROTO_INET);
	CHECK_STR(r->table, "t");
	CHECK_STR(r->chain, "in");
	CHECK_INT(r->handle, 4);
	CHECK_INT(r->l4, 17);
	CHECK(r->has_port && r->port_lo == 5000 && r->port_hi == 5000);
	CHECK_INT(r->verdict, NF_DROP);
	CHECK_INT(r->has_counter, 1);
	CHECK_INT(r->others + r->stateful, 0);
	r = &rules[0];		/* tcp dport 22 accept: not UDP */
	CHECK_INT(r->l4, -1);
	r = &rules[2];		/* a set */
	CHECK(r->port_set && r->verdict == NF_ACCEPT);
	r = &rules[3];		/* numgen */
	CHECK(r->stateful > 0 && r->port_lo == 5010);
	r = &rules[4];		/* a range, rejected */
	CHECK(r->reject && r->port_lo == 6000 && r->port_hi == 6010);
	CHECK(nft_rule_port(r, 6010) && !nft_rule_port(r, 6011));
	r = &rules[5];		/* ip saddr: another condition, no port */
	CHECK(r->others > 0 && !r->has_port && r->verdict == NF_DROP);
	r = &rules[6];		/* != 7000 */
	CHECK(nft_rule_port(r, 5000) && !nft_rule_port(r, 7000));
	r = &rules[8];		/* ip protocol udp, in an ip table */
	CHECK_INT(r->family, NFPROTO_IPV4);
	CHECK_INT(r->l4, 17);
	CHECK_INT(r->port_lo, 5003);
}

TEST(judgement)
{
	char out[8][FW_LINE];

	CHECK_INT(judge(AF_INET, 5000, out, 8), 1);
	CHECK_STR(out[0], "nftables: rule 4 of table inet t, chain in (input "
		  "hook), drops udp dport 5000, 0 packets counted");
	/* the forward chain is not on the way in; IPv6 skips table ip */
	CHECK_INT(judge(AF_INET6, 5003, out, 8), 0);
	CHECK_INT(judge(AF_INET, 5003, out, 8), 1);
	CHECK_STR(out[0], "nftables: rule 2 of table ip t4, chain pre "
		  "(prerouting hook), drops udp dport 5003");
	CHECK_INT(judge(AF_INET6, 5010, out, 8), 1);
	CHECK_STR(out[0], "nftables: rule 7 of table inet t, chain in (input "
		  "hook), may drop udp dport 5010 (on other conditions too)");
	CHECK_INT(judge(AF_INET, 6005, out, 8), 1);
	/* 7000 may be in the set that is accepted: no policy finding */
	CHECK_INT(judge(AF_INET, 7000, out, 8), 0);
	/* max bounds the findings */
	CHECK_INT(judge(AF_INET, 5000, out, 0), 0);
}

TEST(policy)
{
	static struct fw_scan s;
	char out[4][FW_LINE];
	struct nft_chain c = { .family = NFPROTO_INET, .table = "filter",
			       .name = "input", .hook = NF_INET_LOCAL_IN,
			       .policy = NF_DROP };
	struct nft_rule ssh = { .family = NFPROTO_INET, .table = "filter",
				.chain = "input", .l4 = -1, .has_port = 1,
				.port_lo = 22, .port_hi = 22,
				.verdict = NF_ACCEPT };
	struct nft_rule est = { .family = NFPROTO_INET, .table = "filter",
				.chain = "input", .port_hi = 65535,
				.others = 1, .verdict = NF_ACCEPT };
	struct nft_rule mc = est;

	fw_init(&s, AF_INET, 5000, out, 4);
	fw_chain(&s, &c);
	fw_rule(&s, &ssh);
	fw_rule(&s, &est);	/* ct state established accept */
	CHECK_INT(fw_end(&s), 1);
	CHECK_STR(out[0], "nftables: chain input of table inet filter (input "
		  "hook) drops by policy, and no rule there accepts udp dport "
		  "5000");
	/* a rule that accepts the port clears it */
	fw_init(&s, AF_INET, 5000, out, 4);
	fw_chain(&s, &c);
	mc.others = 0;
	mc.l4 = 17;
	mc.has_port = 1;
	mc.port_lo = 4000;
	mc.port_hi = 6000;
	fw_rule(&s, &mc);
	CHECK_INT(fw_end(&s), 0);
}

TEST(malformed)
{
	struct nft_sink sink = { fw_chain, fw_rule, NULL };
	static struct fw_scan s;
	uint8_t buf[64];
	struct nlmsghdr nh = { .nlmsg_len = 36, .nlmsg_type = NLMSG_ERROR };
	int e = -EPERM;

	sink.ctx = &s;
	fw_init(&s, AF_INET, 5000, NULL, 0);
	/* an error reply */
	memcpy(buf, &nh, sizeof(nh));
	memcpy(buf + 16, &e, sizeof(e));
	CHECK_INT(nft_parse(buf, 36, &sink), -1);
	CHECK_INT(errno, EPERM);
	/* a message longer than the datagram */
	CHECK_INT(nft_parse(buf, 30, &sink), -1);
	CHECK_INT(errno, EBADMSG);
	/* every cut of the real dump decodes or fails, never reads past */
	for (size_t cut = 0; cut < dumplen; cut += 7) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, dump, cut);
		CHECK(nft_parse(copy, cut, &sink) >= -1);
		free(copy);
	}
	/* an attribute claiming more than its message holds */
	for (size_t off = 20; off + 2 < dumplen && off < 400; off += 4) {
		uint8_t *copy = malloc(dumplen);

		memcpy(copy, dump, dumplen);
		copy[off] = 0xff;
		copy[off + 1] = 0x7f;
		CHECK(nft_parse(copy, dumplen, &sink) >= -1);
		free(copy);
	}
}

int main(void)
{
	load();
	RUN(request);
	RUN(decode);
	RUN(judgement);
	RUN(policy);
	RUN(malformed);
	return unit_done();
}
