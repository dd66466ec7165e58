/* fuzz_nft.c - libFuzzer harness for the nftables netlink decoder
 * (lib/net/nft.c) and the firewall judgement it feeds (lib/probe/fw.c):
 * the kernel's replies are trusted no more than a peer's datagrams. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "net/nft.h"
#include "probe/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw_scan s;
	static char out[4][FW_LINE];
	struct nft_sink sink = { fw_chain, fw_rule, &s };
	uint16_t port = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 5000;

	fw_init(&s, size & 1 ? AF_INET6 : AF_INET, port, out, 4);
	if (nft_parse(data, size, &sink) < -1 || fw_end(&s) > 4)
		abort();
	return 0;
}
