/* io.h - the socket side of mcping (RFC 6450): the client, responder and
 * mesh event loops around the sans-I/O state machines of client.h,
 * responder.h and mesh.h. Arrival TTLs come from IP_RECVTTL /
 * IPV6_RECVHOPLIMIT, the address a request came to from IP_PKTINFO /
 * IPV6_PKTINFO (answers leave from it, as ssmping expects). Events go to
 * callbacks; nothing is printed here. */
#ifndef MCBOX_MCPING_IO_H
#define MCBOX_MCPING_IO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mcping/client.h"
#include "mcping/mesh.h"
#include "mcping/responder.h"
#include "net/inet.h"

struct mcp_client_io {
	struct sockaddr_storage responder;	/* address and port */
	struct mc_group group;		/* source set: an SSM join */
	int ifindex;			/* join there; 0: by route */
	int ttl;			/* of the requests; 0: the default */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: none */
	const volatile sig_atomic_t *stop;
	/* once the sockets are set up: "pinging R from L, joined (S,G)" */
	void (*on_ready)(void *ctx, const char *msg);
	/* every datagram that arrived: what it was (enum mcp_in) */
	void (*on_reply)(void *ctx, enum mcp_in what,
			 const struct mcp_reply_ev *ev,
			 const struct sockaddr_storage *from);
	void *ctx;
};

/* Sets c up from cfg (responder and group from io, a random Client ID,
 * 0 linger_ns: 1 s) and runs it until it is done, the deadline passes
 * or *stop is set: 0, or -1 with err_str() naming the step that
 * failed. */
int mcp_io_client(struct mcp_client *c, const struct mcp_client_cfg *cfg,
		  struct mcp_client_io *io);

struct mcp_resp_io {
	int family;			/* AF_UNSPEC: IPv4 and IPv6 */
	int port;
	int ifindex;			/* multicast answers out there; 0: route */
	uint64_t deadline_ns;
	const volatile sig_atomic_t *stop;
	/* "listening on 0.0.0.0:4321 and [::]:4321" */
	void (*on_ready)(void *ctx, const char *msg);
	void (*on_request)(void *ctx, const struct sockaddr_storage *from,
			   const struct mcp_action *act);
	void *ctx;
};

/* Sets r up from cfg and answers requests until the deadline or *stop:
 * 0, or -1 + err_str(). */
int mcp_io_respond(struct mcp_resp *r, const struct mcp_resp_cfg *cfg,
		   struct mcp_resp_io *io);

/* n random bytes (getrandom(2); the time and pid if it fails). */
void mcp_io_random(uint8_t *p, size_t n);

/* Which of the n addresses is this host's (one a UDP socket can bind
 * to)? Its index, or -1. */
int mcp_io_find_self(const struct sockaddr_storage *hosts, int n);

struct mcp_mesh_io {
	int ifindex;
	uint64_t deadline_ns;		/* 0: (count + 20) intervals + 10 s */
	const volatile sig_atomic_t *stop;
	/* "listening on 198.18.0.1:4321 and 232.43.211.234:4321 (mesh...)" */
	void (*on_ready)(void *ctx, const char *msg);
	void (*on_event)(void *ctx, const struct mcp_mesh_ev *ev);
	void *ctx;
};

/* Sets m up from cfg (a random Client ID; self: this host's index; 0
 * wait_ns: 10 intervals) and runs it until it is done, the deadline or *stop: 0, or -1. */
int mcp_io_mesh(struct mcp_mesh *m, const struct mcp_mesh_cfg *cfg,
		struct mcp_mesh_io *io);

#endif
