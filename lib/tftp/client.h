/* client.h - the sans-I/O TFTP download client (RFC 1350, options RFC
 * 2347-2349, 7440 windowsize, RFC 2090 multicast with master/passive,
 * promotion and fallback): datagrams and time in, events out (packets to
 * send, data to write, groups to join). No sockets, files or clocks. */
#ifndef MCBOX_TFTP_CLIENT_H
#define MCBOX_TFTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "file/bitmap.h"
#include "tftp/wire.h"

struct tftp_cfg {
	const char *file;	/* remote name */
	unsigned blksize;	/* 0: do not ask (512) */
	unsigned timeout;	/* seconds to ask for; 0: do not ask */
	unsigned windowsize;	/* 0 or 1: do not ask */
	int mc_window;		/* ask windowsize along with multicast too */
	int multicast;		/* ask for RFC 2090 multicast */
	int tsize;		/* ask for tsize */
	uint64_t max_size;	/* refuse larger files (0: no limit) */
	uint64_t rto_ns;	/* first retransmission timeout (0: 1 s) */
	unsigned retries;	/* consecutive timeouts before giving up (0: 6) */
	uint64_t passive_ns;	/* a passive client's silence limit (0: 60 s) */
};

enum tftp_ev_type {
	TFTP_EV_SEND = 1,	/* send buf/len to addr */
	TFTP_EV_DATA,		/* write buf/len at off */
	TFTP_EV_JOIN,		/* join addr (group:port), leave any older one */
	TFTP_EV_LEAVE,		/* leave the group */
	TFTP_EV_NOTE,		/* msg: something worth a -v line */
	TFTP_EV_DONE,		/* complete: size bytes, send no more */
	TFTP_EV_FAIL,		/* failed: fail, code, msg */
};

enum tftp_fail {
	TFTP_FAIL_SERVER = 1,	/* ERROR from the server: code, msg */
	TFTP_FAIL_TIMEOUT,	/* server silent: retries exhausted */
	TFTP_FAIL_PROTO,	/* the server broke the protocol */
	TFTP_FAIL_SIZE,		/* larger than max_size */
};

struct tftp_ev {
	enum tftp_ev_type type;
	const uint8_t *buf;	/* SEND, DATA */
	size_t len;
	uint64_t off;		/* DATA */
	struct sockaddr_storage addr;	/* SEND, JOIN */
	uint64_t size;		/* DONE */
	enum tftp_fail fail;	/* FAIL */
	int code;		/* FAIL (server error code) */
	const char *msg;	/* NOTE, FAIL */
};

#define TFTP_NEV 8

struct tftp_stats {
	uint64_t blocks;	/* distinct data blocks stored */
	uint64_t dups;		/* data blocks already held */
	uint64_t bad;		/* dropped: wrong source, malformed, bogus */
	uint64_t retrans;	/* our retransmissions (RRQ, ACK) */
	uint64_t mcast_blocks;	/* distinct blocks that came by multicast */
	uint64_t bytes;		/* file size once done */
	unsigned promotions;	/* times made master */
};

enum tftp_state { TFTP_S_IDLE, TFTP_S_REQ, TFTP_S_XFER, TFTP_S_DONE,
		  TFTP_S_FAILED };

struct tftp_client {
	struct tftp_cfg cfg;
	struct sockaddr_storage server;	/* where RRQs go */
	struct sockaddr_storage tid;	/* the server's transfer address */
	int have_tid;
	enum tftp_state state;

	/* what the request asks for, narrowed by fallbacks */
	int ask_mcast, ask_opts;
	const char *fallback;	/* why we went unicast, or NULL */

	/* negotiated */
	unsigned blksize;
	unsigned window;
	unsigned srv_timeout;	/* seconds, 0 unknown */
	int have_tsize;
	uint64_t tsize;

	/* unicast progress: blocks are contiguous */
	uint64_t next;		/* next absolute block expected (1-based) */
	uint16_t wire_next;	/* its 16-bit number on the wire */
	uint16_t wire_last;	/* wire number of the last block taken */
	int wrap_to_one;	/* server rolls 65535 -> 1, not 0 */
	uint64_t last_acked;	/* absolute block of the last ACK sent */
	uint64_t dup_acked;	/* next value a duplicate-ACK was sent for */

	/* multicast */
	int mcast;		/* in multicast mode */
	int master;
	struct sockaddr_storage group;
	struct bitmap bm;	/* bit i: block i+1 held */
	uint64_t nblocks;	/* known last block, 0 unknown */
	uint64_t last_len;	/* length of block nblocks */
	uint64_t mc_acked;	/* last ACK value sent as master */
	int mc_step;		/* windowed multicast: ACK every block now */

	/* timers (CLOCK_MONOTONIC ns) */
	uint64_t timer;		/* 0: none */
	uint64_t passive_limit;	/* the silence a passive client allows */
	uint64_t rto;
	unsigned tries;		/* consecutive timeouts */
	uint8_t last[TFTP_RRQ_MAX];	/* last packet sent, for resending */
	size_t last_len_sent;

	struct tftp_stats st;

	/* event queue */
	struct tftp_ev ev[TFTP_NEV];
	uint8_t evbuf[TFTP_NEV][TFTP_RRQ_MAX];
	int ev_head, ev_n;
	char msg[160];
	char fbmsg[160];	/* fallback reason when built from parts */
	char notes[4][128];
	int note_i;
};

/* Sets up c for cfg (copied; cfg->file must outlive c) and server. 0 or -1
 * + err_str() (file name too long for a request). */
int tftp_client_init(struct tftp_client *c, const struct tftp_cfg *cfg,
		     const struct sockaddr_storage *server);
void tftp_client_free(struct tftp_client *c);
/* Queues the first RRQ. */
void tftp_client_start(struct tftp_client *c, uint64_t now);
/* One received datagram. from: its source; mcast: it arrived on the
 * multicast socket. */
void tftp_client_input(struct tftp_client *c, const uint8_t *buf, size_t len,
		       const struct sockaddr_storage *from, int mcast,
		       uint64_t now);
/* When the next timer fires (0: none); call tftp_client_tick() then. */
uint64_t tftp_client_timer(const struct tftp_client *c);
void tftp_client_tick(struct tftp_client *c, uint64_t now);
/* Takes the next event; 0 when none. Buffers stay valid until the next
 * input/tick call. */
int tftp_client_event(struct tftp_client *c, struct tftp_ev *ev);
/* "multicast" or "unicast" */
const char *tftp_client_mode(const struct tftp_client *c);

#endif
