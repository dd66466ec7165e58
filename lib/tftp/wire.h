/* wire.h - the TFTP packet codec: RFC 1350 octet mode, RFC 2347 options
 * (OACK), 2348 blksize, 2349 tsize/timeout, 7440 windowsize and the RFC
 * 2090 multicast option, plus the URL and local-name rules of tftm-get.
 * Pure functions over byte buffers. */
#ifndef MCBOX_TFTP_WIRE_H
#define MCBOX_TFTP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>


enum {
	TFTP_RRQ = 1, TFTP_WRQ, TFTP_DATA, TFTP_ACK, TFTP_ERROR, TFTP_OACK,
};

/* RFC 1350 / 2347 error codes */
enum {
	TFTP_EUNDEF = 0, TFTP_ENOTFOUND, TFTP_EACCESS, TFTP_ENOSPACE,
	TFTP_EBADOP, TFTP_EBADID, TFTP_EEXISTS, TFTP_ENOUSER, TFTP_EOPTNEG,
};

#define TFTP_PORT	69
#define TFTM_PORT	1758	/* Etherboot's fixed x-tftm server port */
#define TFTP_MAXOPTS	16	/* options kept from one OACK; more: refused */
#define TFTP_RRQ_MAX	512	/* RFC 2347: a request must fit in 512 bytes */
#define TFTP_BLKSIZE_MIN 8	/* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_MCAST_MAXBLOCKS 65535	/* 16-bit block numbers, no roll-over */

/* One decoded packet. Strings point into the caller's buffer and are NUL
 * terminated inside it (the decoder checks); data points into it too. */
struct tftp_pkt {
	int op;
	uint16_t block;			/* DATA, ACK */
	const uint8_t *data;		/* DATA payload */
	size_t len;			/* DATA payload length */
	uint16_t code;			/* ERROR */
	const char *msg;		/* ERROR message */
	char msgbuf[160];		/* ... shown from here when the server
					 * left out its NUL */
	const char *file, *mode;	/* RRQ, WRQ */
	int nopts;			/* OACK, RRQ, WRQ */
	const char *name[TFTP_MAXOPTS], *val[TFTP_MAXOPTS];
};

/* Decodes buf[0..len). Returns 0, or -1 with err_str() saying what is
 * wrong (too short, unknown opcode, unterminated string, too many options).
 * Never reads past len. */
int tftp_decode(const uint8_t *buf, size_t len, struct tftp_pkt *p);
/* The value of option name (case-insensitive) in p, or NULL. */
const char *tftp_opt(const struct tftp_pkt *p, const char *name);

/* Encoders return the packet length, or -1 (err_str()) when it does not
 * fit in cap bytes. */
int tftp_encode_ack(uint8_t *buf, size_t cap, uint16_t block);
int tftp_encode_error(uint8_t *buf, size_t cap, uint16_t code,
		      const char *msg);
/* RRQ in octet mode; names/vals: n option pairs (vals may be ""). */
int tftp_encode_rrq(uint8_t *buf, size_t cap, const char *file,
		    const char *const *names, const char *const *vals, int n);
int tftp_encode_data(uint8_t *buf, size_t cap, uint16_t block,
		     const void *data, size_t len);

/* RFC 2090 "addr,port,mc". addr and port may both be empty (",,1": keep
 * the group already known); has_group says which. Strict: decimal only,
 * spaces around fields allowed, port 1-65535, mc 0 or 1, IPv4 multicast
 * address. 0 or -1 + err_str(). */
struct tftp_mcast {
	int has_group;
	struct sockaddr_storage group;	/* AF_INET, port set */
	int master;
};
int tftp_parse_mcast(const char *val, struct tftp_mcast *m);

/* Parses a decimal option value in [min, max]; 0 or -1. */
int tftp_parse_num(const char *val, uint64_t min, uint64_t max,
		   uint64_t *out);

/* Text for an error code ("file not found", ...). */
const char *tftp_errname(unsigned code);

/* The local file name for a remote path: its last component, refused
 * (-1 + err_str()) when empty, ".", "..", or holding control characters,
 * so that a remote name can never place a file outside the cwd. */
int tftp_local_name(const char *remote, char *buf, size_t cap);

#endif
