/* wire.h - the Multicast Ping Protocol (RFC 6450) on the wire, sans I/O:
 * decoding any message (RFC 6450, and the pre-RFC form ssmping/asmping
 * 0.9 still send), building Echo Requests, Echo Replies, Server Responses,
 * and mcping's own mesh reports.
 *
 * A message is one octet of type, then options: 16-bit type, 16-bit
 * length, value, all in network order. */
#ifndef MCBOX_MCPING_WIRE_H
#define MCBOX_MCPING_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MCP_PORT	4321	/* ssmpingd's, and RFC 6450's default */
#define MCP_VERSION	2	/* the Version option of RFC 6450 */
#define MCP_MAXMSG	1472	/* what we build: 1500-byte MTU, IPv4 */
#define MCP_TTL		64	/* what ssmpingd sends with; hops = 64 - TTL */
#define MCP_GROUP4	"232.43.211.234"	/* the well-known SSM groups */
#define MCP_GROUP6	"ff3e::4321:1234"

enum mcp_type {
	MCP_INIT = 'I',		/* client asks what the server offers */
	MCP_RESPONSE = 'S',	/* ...and the server says */
	MCP_REQUEST = 'Q',	/* Echo Request */
	MCP_REPLY = 'A',	/* Echo Reply, unicast and to the group */
	MCP_MESH = 'M',		/* mcping --mesh reports (not RFC 6450) */
};

enum mcp_opt {
	MCP_O_VERSION = 0,
	MCP_O_CLIENT_ID = 1,	/* ssmping 0.9: its pid */
	MCP_O_SEQ = 2,
	MCP_O_CLIENT_TS = 3,	/* seconds, microseconds */
	MCP_O_GROUP = 4,	/* address family, address */
	MCP_O_ORO = 5,		/* option request; ssmping 0.9: empty */
	MCP_O_SERVER_INFO = 6,
	MCP_O_REPLY_SIZE = 7,	/* ssmping 0.9 -s: pad the reply to this */
	MCP_O_PAD = 8,
	MCP_O_TTL = 9,		/* the TTL the server sent with */
	MCP_O_PREFIX = 10,	/* family, prefix length, prefix */
	MCP_O_SESSION = 11,
	MCP_O_SERVER_TS = 12,
	/* inside MCP_MESH messages only */
	MCP_O_MESH_ORIGIN = 0x4d01,
	MCP_O_MESH_CELL = 0x4d02,
};

/* A decoded message; pointers lead into the buffer decoded. */
struct mcp_msg {
	int type;
	int version;			/* -1: no Version option */
	const uint8_t *cid;		/* Client ID; NULL: none */
	size_t cid_len;
	int has_seq, has_cts, has_sts, has_group, has_prefix;
	uint32_t seq;
	uint32_t cts_sec, cts_usec, sts_sec, sts_usec;
	struct sockaddr_storage group;	/* port 0 */
	int group_legacy;		/* one-octet family (ssmping 0.9) */
	struct sockaddr_storage prefix;
	int prefix_len;
	int want_info, want_sts;	/* asked for by the Option Request */
	const uint8_t *info;		/* Server Information */
	size_t info_len;
	int ttl;			/* TTL option; -1: none */
	unsigned reply_size;		/* 0: none asked */
	unsigned nopts;
};

/* Decodes a message of any type. Returns 0, or -1 with err_str() saying
 * what is wrong ("option 2 (sequence number): length 3, expected 4").
 * Unknown options are skipped; a known option of the wrong length, a
 * length past the end, a group that is not multicast are errors. */
int mcp_decode(const uint8_t *p, size_t len, struct mcp_msg *m);

/* Is ss (IPv4 or IPv6) in the SSM range, 232/8 or ff3x::/32? */
int mcp_is_ssm(const struct sockaddr_storage *ss);
/* The well-known group of family (MCP_GROUP4 or MCP_GROUP6), port 0. */
void mcp_default_group(int family, struct sockaddr_storage *ss);

/* An Echo Request. */
struct mcp_req {
	const uint8_t *cid;
	size_t cid_len;
	uint32_t seq;
	uint64_t wall_ns;		/* Client Timestamp */
	const struct sockaddr_storage *group;
	int legacy;			/* group with a one-octet family */
	int want_info;			/* ask for Server Information */
};

/* Writes the request into buf; returns its length, or 0 when cap is too
 * small. Option order: Version, Client ID, Sequence Number, Client
 * Timestamp, Option Request, Multicast Group (ssmpingd reads no further
 * than the group). */
size_t mcp_build_request(uint8_t *buf, size_t cap, const struct mcp_req *r);

/* How a responder answers. */
struct mcp_answer {
	int ttl;			/* sent in the TTL option */
	const char *info;		/* Server Information, when asked */
	uint64_t wall_ns;		/* Server Timestamp, when asked */
	size_t max;			/* cap on the reply size (padding) */
};

/* The Echo Reply to request req (decoded as m): every option of the
 * request copied in order except those only a server sets (Server
 * Information, Pad, TTL, Multicast Prefix, Session ID, Server Timestamp),
 * then TTL, and Server Information and Server Timestamp when asked, then
 * padding up to the size an ssmping 0.9 -s asked for (at most a->max).
 * Returns the length, 0 when cap is too small. */
size_t mcp_build_reply(uint8_t *out, size_t cap, const uint8_t *req,
		       size_t len, const struct mcp_msg *m,
		       const struct mcp_answer *a);

/* The Server Response to an Init (m): Version, its Client ID and
 * Sequence Number, a Multicast Prefix per allowed prefix of the family
 * asked for, Server Information when asked. 0 when cap is too small. */
size_t mcp_build_response(uint8_t *out, size_t cap, const struct mcp_msg *m,
			  const struct sockaddr_storage *prefix,
			  const int *plen, int n, const char *info);

/* ---- mcping --mesh reports ----
 * 'M', Version, Client ID (the node's run id), one ORIGIN option (family,
 * address, state, generation, multicast replies sent) and one CELL per
 * peer (family, address, then what the origin saw from that peer). */
#define MCP_MESH_MAX	24	/* hosts; a report then fits 1232 bytes */

enum mcp_mesh_state {
	MCP_MS_WAIT,		/* has not heard of every host yet */
	MCP_MS_RUN,		/* sending requests */
	MCP_MS_DONE,		/* sent all its requests */
	MCP_MS_FINAL,		/* knows every host is done */
	MCP_MS_SETTLED,		/* final for an interval: counts are final */
	MCP_MS_MAX = MCP_MS_SETTLED,
};

struct mcp_cell {
	struct sockaddr_storage peer;
	uint32_t req_sent;		/* requests the origin sent it */
	uint32_t req_rx;		/* its requests the origin heard */
	uint32_t urep_rx;		/* its unicast replies heard */
	uint32_t mrep_rx;		/* its multicast replies heard */
	uint32_t rtt_uc_us, rtt_mc_us;	/* averages; 0: none */
	int hops_uc, hops_mc;		/* -1: unknown */
};

struct mcp_report {
	uint8_t cid[8];
	struct sockaddr_storage origin;
	int state;
	uint32_t gen;
	uint32_t mc_sent;		/* multicast replies the origin sent */
	unsigned ncells;
	struct mcp_cell cell[MCP_MESH_MAX];
};

size_t mcp_build_report(uint8_t *buf, size_t cap, const struct mcp_report *r);
/* 0, or -1 with err_str(). */
int mcp_decode_report(const uint8_t *p, size_t len, struct mcp_report *r);

#endif
