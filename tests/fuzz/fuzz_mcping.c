/* fuzz_mcping.c - libFuzzer harness for the Multicast Ping codec (RFC
 * 6450, ssmping 0.9's form, mesh reports) and what consumes it: the
 * responder must answer within bounds, the client must count only what
 * it sent, the mesh must take any report or answer without harm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcping/client.h"
#include "mcping/mesh.h"
#include "mcping/responder.h"
#include "mcping/wire.h"
#include "net/inet.h"

static struct sockaddr_storage addr(const char *s, int port)
{
	struct sockaddr_storage ss;

	inet_parse_addr(s, &ss);
	inet_set_port(&ss, port);
	return ss;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	static struct mcp_client c;
	static struct mcp_mesh m;
	static struct mcp_report r;
	struct mcp_resp_cfg rcf = { .ttl = 64, .info = "fuzz" };
	struct mcp_client_cfg ccf = { .count = 3 };
	struct mcp_mesh_cfg mcf = { .n = 2, .count = 2, .ttl = 64 };
	struct sockaddr_storage from = addr("198.18.0.2", 40000);
	struct mcp_answer a = { .ttl = 64, .info = "x", .max = MCP_MAXMSG };
	uint8_t out[MCP_MAXMSG], req[MCP_MAXMSG];
	struct mcp_reply_ev ev;
	struct mcp_mesh_ev mev;
	struct mcp_action act;
	struct mcp_resp resp;
	struct mcp_send s;
	struct mcp_msg msg;
	uint64_t wake;
	size_t n;

	if (mcp_decode(buf, len, &msg) == 0) {
		n = mcp_build_reply(out, sizeof(out), buf, len, &msg, &a);
		if (n > sizeof(out) || (n && out[0] != MCP_REPLY))
			abort();
		if (n && mcp_decode(out, n, &msg) < 0)
			abort();	/* our answers always decode */
	}
	mcp_resp_init(&resp, &rcf, 0);
	mcp_resp_input(&resp, 0, 0, &from, buf, len, out, sizeof(out), &act);
	if (act.len > sizeof(out) ||
	    (act.v == MCP_V_ANSWER && !mcp_resp_allowed(&resp, &act.group)))
		abort();
	mcp_decode_report(buf, len, &r);

	/* the client, with the input as an answer on either path */
	ccf.responder = addr("198.18.0.1", 0);
	ccf.group = addr("232.43.211.234", 0);
	memcpy(ccf.cid, "12345678", 8);
	mcp_client_init(&c, &ccf, 1);
	n = mcp_client_poll(&c, 1, 0, req, sizeof(req), &wake);
	if (!n)
		abort();
	for (int path = 0; path < 2; path++)
		if (mcp_client_input(&c, 2, (enum mcp_path)path, path ?
				     &ccf.responder : NULL, buf, len, 60,
				     &ev) == MCP_IN_REPLY &&
		    (ev.seq == 0 || ev.seq > c.sent))
			abort();
	if (c.path[0].received > c.sent || c.path[1].received > c.sent)
		abort();

	/* the mesh, with the input from its peer on either path */
	mcf.host[0] = addr("198.18.0.1", 4321);
	mcf.host[1] = addr("198.18.0.2", 4321);
	mcf.group = addr("232.43.211.234", 4321);
	mcp_mesh_init(&m, &mcf, 0);
	for (int path = 0; path < 2; path++)
		mcp_mesh_input(&m, 1, 0, (enum mcp_path)path, &mcf.host[1],
			       buf, len, 64, &mev);
	while (mcp_mesh_next(&m, 2, 0, &s, &wake))
		if (s.len > sizeof(s.buf))
			abort();
	return 0;
}
