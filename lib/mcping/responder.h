/* responder.h - the Multicast Ping responder (RFC 6450), sans I/O: which
 * requests to answer, to which group, and the answer itself. Answers any
 * RFC 6450 client and ssmping/asmping 0.9. Every request may be forged,
 * so answers are rate limited and go only to allowed groups: by default
 * those ssmpingd answers (IPv4 groups ending in .234, IPv6 groups ending
 * in :4321:1234), never 224.0.0.0/24 nor an interface-local scope. */
#ifndef MCBOX_MCPING_RESPONDER_H
#define MCBOX_MCPING_RESPONDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mcping/wire.h"

#define MCP_MAX_ALLOW	16

struct mcp_allow {
	struct sockaddr_storage pfx;
	int len;
};

struct mcp_resp_cfg {
	int ttl;			/* of the answers, told in the TTL option */
	double rate;			/* answers per second; 0: unlimited */
	const char *info;		/* Server Information */
	struct mcp_allow allow[MCP_MAX_ALLOW];
	int nallow;			/* 0: ssmpingd's rule */
};

struct mcp_resp {
	struct mcp_resp_cfg cfg;
	double tokens;
	uint64_t tok_ns;
	uint64_t answered, unicast_only, responses, limited, bad, ignored;
};

enum mcp_verdict {
	MCP_V_ANSWER,		/* out: unicast to the sender and to group */
	MCP_V_UNICAST_ONLY,	/* out: unicast only; why says why */
	MCP_V_RESPONSE,		/* out: a Server Response, unicast */
	MCP_V_IGNORE,		/* not a request (an answer, a report...) */
	MCP_V_BAD,		/* undecodable: why */
	MCP_V_LIMITED,		/* over the rate: nothing sent */
};

struct mcp_action {
	enum mcp_verdict v;
	size_t len;			/* of out */
	struct sockaddr_storage group;	/* ANSWER: where, port = sender's */
	int has_seq;
	uint32_t seq;
	int legacy;			/* an ssmping 0.9 request */
	char why[128];
};

void mcp_resp_init(struct mcp_resp *r, const struct mcp_resp_cfg *cfg,
		   uint64_t now);
/* May the responder send to group g? */
int mcp_resp_allowed(const struct mcp_resp *r,
		     const struct sockaddr_storage *g);
/* One datagram from `from` (address and port). The answer, if any, is
 * written to out (cap bytes); act says what to do with it. */
void mcp_resp_input(struct mcp_resp *r, uint64_t now, uint64_t wall_ns,
		    const struct sockaddr_storage *from, const uint8_t *p,
		    size_t len, uint8_t *out, size_t cap,
		    struct mcp_action *act);

#endif
