/* udptap.c - a count of the UDP datagrams for a group and port reaching an
 * interface: AF_PACKET (ETH_P_ALL, so before tc and netfilter) and a
 * classic BPF filter (lib/net/udptap.h). */
#include "net/udptap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "net/addr.h"

#define ST(code, k)		((struct sock_filter)BPF_STMT(code, k))
#define JEQ(k, t, f)		((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | \
				 BPF_K, k, t, f))
#define ANC(x)			(SKF_AD_OFF + (x))

size_t udptap_filter(const struct sockaddr_storage *group,
		     struct sock_filter *prog)
{
	size_t n = 0;
	uint32_t w[4];
	uint16_t port = (uint16_t)inet_port(group);
	int v6 = group->ss_family == AF_INET6;

	if (group->ss_family != AF_INET && !v6)
		return 0;
	if (v6)
		memcpy(w, &((const struct sockaddr_in6 *)group)->sin6_addr, 16);
	else
		memcpy(w, &((const struct sockaddr_in *)group)->sin_addr, 4);
	/* TO_DROP: to the last instruction, "drop"; the offsets are worked
	 * out once the program is whole */
#define TO_DROP		0xff
	prog[n] = ST(BPF_LD | BPF_W | BPF_ABS, ANC(SKF_AD_PKTTYPE)), n++;
	prog[n] = JEQ(PACKET_OUTGOING, TO_DROP, 0), n++;
	prog[n] = ST(BPF_LD | BPF_W | BPF_ABS, ANC(SKF_AD_PROTOCOL)), n++;
	prog[n] = JEQ(v6 ? ETH_P_IPV6 : ETH_P_IP, 0, TO_DROP), n++;
	/* offsets from the network header: a SOCK_DGRAM packet socket */
	prog[n] = ST(BPF_LD | BPF_B | BPF_ABS, v6 ? 6 : 9), n++;
	prog[n] = JEQ(IPPROTO_UDP, 0, TO_DROP), n++;
	if (v6) {
		for (int i = 0; i < 4; i++) {
			prog[n] = ST(BPF_LD | BPF_W | BPF_ABS, 24 + 4 * i), n++;
			prog[n] = JEQ(ntohl(w[i]), 0, TO_DROP), n++;
		}
		prog[n] = ST(BPF_LD | BPF_H | BPF_ABS, 40 + 2), n++;
	} else {
		prog[n] = ST(BPF_LD | BPF_W | BPF_ABS, 16), n++;
		prog[n] = JEQ(ntohl(w[0]), 0, TO_DROP), n++;
		/* a fragment other than the first has no UDP header */
		prog[n] = ST(BPF_LD | BPF_H | BPF_ABS, 6), n++;
		prog[n] = ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET |
			   BPF_K, 0x1fff, TO_DROP, 0)), n++;
		prog[n] = ST(BPF_LDX | BPF_B | BPF_MSH, 0), n++;
		prog[n] = ST(BPF_LD | BPF_H | BPF_IND, 2), n++;
	}
	prog[n] = JEQ(port, 0, TO_DROP), n++;
	/* kept: one byte of it is enough to be counted */
	prog[n] = ST(BPF_RET | BPF_K, 1), n++;
	prog[n] = ST(BPF_RET | BPF_K, 0), n++;
	for (size_t i = 0; i < n; i++) {
		if (BPF_CLASS(prog[i].code) != BPF_JMP)
			continue;
		if (prog[i].jt == TO_DROP)
			prog[i].jt = (uint8_t)(n - 2 - i);
		if (prog[i].jf == TO_DROP)
			prog[i].jf = (uint8_t)(n - 2 - i);
	}
#undef TO_DROP
	return n;
}

int udptap_open(int ifindex, const struct sockaddr_storage *group)
{
	struct sock_filter prog[UDPTAP_PROGLEN];
	struct sock_fprog fp = { .filter = prog };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = ifindex };
	int fd, e, small = 4096;
	uint64_t none = 0;

	fp.len = (unsigned short)udptap_filter(group, prog);
	if (!fp.len) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* protocol 0: nothing comes in before the filter is on */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0 ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0 ||
	    udptap_count(fd, &none) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int udptap_count(int fd, uint64_t *total)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	char b[1];

	/* tp_packets counts those dropped for want of room too; reading
	 * resets both */
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return -1;
	*total += st.tp_packets;
	for (int i = 0; i < 4096 && recv(fd, b, sizeof(b), MSG_TRUNC) >= 0;
	     i++)
		;
	return 0;
}
