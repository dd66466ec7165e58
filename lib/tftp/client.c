/* client.c - sans-I/O TFTP download client: RFC 1350 with RFC 2347-2349
 * and 7440 options, and RFC 2090 multicast (PROTOCOLS.md §2): a bitmap of
 * blocks in any order, master/passive roles, promotion, fallback to unicast.
 * It takes datagrams and time in and gives packets to send and events out. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "net/addr.h"
#include "tftp/client.h"

#define SEC 1000000000ull

static void reset_events(struct tftp_client *c)
{
	c->ev_head = c->ev_n = 0;
}

static struct tftp_ev *push(struct tftp_client *c, enum tftp_ev_type t)
{
	struct tftp_ev *e;

	/* At most five events come out of one call; a full queue would be
	 * a bug here, so the oldest slot is reused rather than overrun. */
	if (c->ev_n == TFTP_NEV)
		c->ev_n--;
	e = &c->ev[c->ev_n++];
	memset(e, 0, sizeof(*e));
	e->type = t;
	return e;
}

int tftp_client_event(struct tftp_client *c, struct tftp_ev *ev)
{
	if (c->ev_head >= c->ev_n) {
		reset_events(c);
		return 0;
	}
	*ev = c->ev[c->ev_head++];
	return 1;
}

/* Text from the server goes to a terminal: no control characters. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void note(struct tftp_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct tftp_client *c, const char *fmt, ...)
{
	char *buf = c->notes[c->note_i++ % 4];
	struct tftp_ev *e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
	printable(buf);
	e = push(c, TFTP_EV_NOTE);
	e->msg = buf;
}

static void send_to(struct tftp_client *c, const uint8_t *buf, size_t len,
		    const struct sockaddr_storage *to)
{
	struct tftp_ev *e = push(c, TFTP_EV_SEND);
	uint8_t *slot = c->evbuf[e - c->ev];

	memcpy(slot, buf, len);
	e->buf = slot;
	e->len = len;
	e->addr = *to;
}

/* Sends a packet that a timeout may resend. */
static void send_keep(struct tftp_client *c, const uint8_t *buf, size_t len,
		      const struct sockaddr_storage *to)
{
	memcpy(c->last, buf, len);
	c->last_len_sent = len;
	send_to(c, buf, len, to);
}

static void send_ack(struct tftp_client *c, uint16_t block, int keep)
{
	uint8_t b[4];

	tftp_encode_ack(b, sizeof(b), block);
	if (keep)
		send_keep(c, b, 4, &c->tid);
	else
		send_to(c, b, 4, &c->tid);
}

static void send_error(struct tftp_client *c, uint16_t code, const char *msg,
		       const struct sockaddr_storage *to)
{
	uint8_t b[128];
	int n = tftp_encode_error(b, sizeof(b), code, msg);

	if (n > 0)
		send_to(c, b, (size_t)n, to);
}

static void fail(struct tftp_client *c, enum tftp_fail why, int code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(struct tftp_client *c, enum tftp_fail why, int code,
		 const char *fmt, ...)
{
	struct tftp_ev *e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	printable(c->msg);
	if (c->mcast)
		push(c, TFTP_EV_LEAVE);
	e = push(c, TFTP_EV_FAIL);
	e->fail = why;
	e->code = code;
	e->msg = c->msg;
	c->state = TFTP_S_FAILED;
	c->timer = 0;
}

static void done(struct tftp_client *c, uint64_t size)
{
	struct tftp_ev *e;

	c->st.bytes = size;
	if (c->mcast)
		push(c, TFTP_EV_LEAVE);
	e = push(c, TFTP_EV_DONE);
	e->size = size;
	c->state = TFTP_S_DONE;
	c->timer = 0;
}

/* Any sign of life from the server: reset the back-off and re-arm. */
static void alive(struct tftp_client *c, uint64_t now)
{
	c->tries = 0;
	c->rto = c->cfg.rto_ns;
	if (c->mcast && !c->master) {
		uint64_t p = c->cfg.passive_ns;

		/* atftpd may spend 6 x its timeout on each departed client
		 * before promoting the next one (PROTOCOLS.md §2.7). */
		if (c->srv_timeout && p < 8ull * c->srv_timeout * SEC)
			p = 8ull * c->srv_timeout * SEC;
		c->passive_limit = p;
		c->timer = now + p;
	} else {
		c->timer = now + c->rto;
	}
}

static int build_rrq(struct tftp_client *c, uint8_t *buf, size_t cap)
{
	const char *names[5], *vals[5];
	char bs[12], to[12], ws[12];
	int n = 0;

	if (c->ask_opts) {
		if (c->cfg.blksize) {
			snprintf(bs, sizeof(bs), "%u", c->cfg.blksize);
			names[n] = "blksize";
			vals[n++] = bs;
		}
		if (c->cfg.tsize) {
			names[n] = "tsize";
			vals[n++] = "0";
		}
		if (c->cfg.timeout) {
			snprintf(to, sizeof(to), "%u", c->cfg.timeout);
			names[n] = "timeout";
			vals[n++] = to;
		}
		/* windowsize with multicast is outside RFC 2090 (it predates
		 * RFC 7440): asked for only when the caller says so. */
		if (c->cfg.windowsize > 1 &&
		    (!c->ask_mcast || c->cfg.mc_window)) {
			snprintf(ws, sizeof(ws), "%u", c->cfg.windowsize);
			names[n] = "windowsize";
			vals[n++] = ws;
		}
		if (c->ask_mcast) {
			names[n] = "multicast";
			vals[n++] = "";
		}
	}
	return tftp_encode_rrq(buf, cap, c->cfg.file, names, vals, n);
}

int tftp_client_init(struct tftp_client *c, const struct tftp_cfg *cfg,
		     const struct sockaddr_storage *server)
{
	uint8_t buf[TFTP_RRQ_MAX];

	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (!c->cfg.rto_ns)
		c->cfg.rto_ns = SEC;
	if (!c->cfg.retries)
		c->cfg.retries = 6;
	if (!c->cfg.passive_ns)
		c->cfg.passive_ns = 60 * SEC;
	c->server = *server;
	c->ask_mcast = cfg->multicast;
	c->ask_opts = 1;
	if (!cfg->file[0]) {
		err_set("empty remote file name");
		return -1;
	}
	if (build_rrq(c, buf, sizeof(buf)) < 0) {
		err_set("remote file name too long for a request");
		return -1;
	}
	return 0;
}

void tftp_client_free(struct tftp_client *c)
{
	bitmap_free(&c->bm);
}

static void leave_mcast(struct tftp_client *c)
{
	if (c->mcast)
		push(c, TFTP_EV_LEAVE);
	c->mcast = 0;
	c->master = 0;
	bitmap_free(&c->bm);
}

/* (Re)sends the request with what we still ask for. */
static void request(struct tftp_client *c, uint64_t now)
{
	uint8_t buf[TFTP_RRQ_MAX];
	int n = build_rrq(c, buf, sizeof(buf));

	c->state = TFTP_S_REQ;
	c->have_tid = 0;
	c->blksize = 512;
	c->window = 1;
	c->srv_timeout = 0;
	c->have_tsize = 0;
	c->tsize = 0;
	c->next = 1;
	c->wire_next = 1;
	c->wire_last = 0;
	c->wrap_to_one = 0;
	c->last_acked = 0;
	c->dup_acked = 0;
	c->nblocks = 0;
	c->last_len = 0;
	c->mc_acked = 0;
	c->mc_step = 0;
	if (n > 0)
		send_keep(c, buf, (size_t)n, &c->server);
	c->tries = 0;
	c->rto = c->cfg.rto_ns;
	c->timer = now + c->rto;
}

void tftp_client_start(struct tftp_client *c, uint64_t now)
{
	reset_events(c);
	request(c, now);
}

/* Go back to a plain unicast request, saying why once. */
static void fall_back(struct tftp_client *c, uint64_t now, const char *why)
{
	leave_mcast(c);
	c->ask_mcast = 0;
	c->fallback = why;
	note(c, "%s; retrying by unicast", why);
	request(c, now);
}

const char *tftp_client_mode(const struct tftp_client *c)
{
	return c->mcast ? "multicast" : "unicast";
}

uint64_t tftp_client_timer(const struct tftp_client *c)
{
	return c->state == TFTP_S_REQ || c->state == TFTP_S_XFER ? c->timer :
								   0;
}

/* Blocks held from the start: everything below the last ACK value is held,
 * so the search starts there. */
static uint16_t mc_contig(const struct tftp_client *c)
{
	return (uint16_t)bitmap_next_clear(&c->bm, c->mc_acked);
}

void tftp_client_tick(struct tftp_client *c, uint64_t now)
{
	uint64_t cap = c->cfg.rto_ns * 8;

	reset_events(c);
	if (!tftp_client_timer(c) || now < c->timer)
		return;
	if (c->mcast && !c->master) {
		fail(c, TFTP_FAIL_TIMEOUT, 0,
		     "no data for %llu s as a passive multicast client",
		     (unsigned long long)(c->passive_limit / SEC));
		return;
	}
	if (++c->tries > c->cfg.retries) {
		fail(c, TFTP_FAIL_TIMEOUT, 0, "%s",
		     c->state == TFTP_S_REQ ? "no answer from the server" :
					      "the server stopped answering");
		return;
	}
	c->st.retrans++;
	if (c->mcast && c->master) {
		c->mc_acked = mc_contig(c);
		send_ack(c, (uint16_t)c->mc_acked, 1);
	} else {
		send_to(c, c->last, c->last_len_sent,
			c->state == TFTP_S_REQ ? &c->server : &c->tid);
	}
	c->rto = c->rto * 2 > cap ? cap : c->rto * 2;
	c->timer = now + c->rto;
}

static void mc_finish(struct tftp_client *c)
{
	uint64_t size = (c->nblocks - 1) * c->blksize + c->last_len;

	if (c->master) {
		send_ack(c, (uint16_t)c->nblocks, 0);
	} else {
		/* RFC 2090 lets a passive client end with an ACK of the last
		 * block or an ERROR; atftpd 0.8 handles only the ERROR
		 * correctly (PROTOCOLS.md §2.7 bug 4, §2.10). */
		send_error(c, TFTP_EUNDEF, "done", &c->tid);
	}
	done(c, size);
}

static int over_max(struct tftp_client *c, uint64_t end)
{
	if (c->cfg.max_size && end > c->cfg.max_size) {
		send_error(c, TFTP_ENOSPACE, "file too large", &c->tid);
		fail(c, TFTP_FAIL_SIZE, 0, "file larger than --max-size %llu",
		     (unsigned long long)c->cfg.max_size);
		return 1;
	}
	return 0;
}

static void emit_data(struct tftp_client *c, uint64_t off, const uint8_t *d,
		      size_t len)
{
	struct tftp_ev *e = push(c, TFTP_EV_DATA);

	e->off = off;
	e->buf = d;
	e->len = len;
}

/* Enters multicast mode on the group of m; 0, or -1 after falling back. */
static int mc_enter(struct tftp_client *c, const struct tftp_mcast *m,
		    uint64_t now)
{
	uint64_t nbits = TFTP_MCAST_MAXBLOCKS;
	struct tftp_ev *e;

	if (c->have_tsize) {
		c->nblocks = c->tsize / c->blksize + 1;
		c->last_len = c->tsize % c->blksize;
		if (c->nblocks > TFTP_MCAST_MAXBLOCKS) {
			/* Multicast block numbers do not roll over (atftpd,
			 * atftp, Etherboot): take it by unicast instead. */
			send_error(c, TFTP_EOPTNEG,
				   "file too big for multicast", &c->tid);
			fall_back(c, now, "file needs more than 65535 "
					  "blocks for multicast");
			return -1;
		}
		nbits = c->nblocks;
	}
	if (bitmap_init(&c->bm, nbits) < 0) {
		fail(c, TFTP_FAIL_PROTO, 0, "out of memory");
		return -1;
	}
	c->mcast = 1;
	c->group = m->group;
	c->master = m->master;
	e = push(c, TFTP_EV_JOIN);
	e->addr = c->group;
	return 0;
}

static void on_oack(struct tftp_client *c, const struct tftp_pkt *p,
		    uint64_t now)
{
	const char *v;
	uint64_t n;
	struct tftp_mcast m;

	if (c->state == TFTP_S_XFER) {
		if (!c->mcast) {
			/* our ACK 0 was lost: the server repeats the OACK */
			if (c->next == 1)
				send_ack(c, 0, 1);
			return;
		}
		v = tftp_opt(p, "multicast");
		if (!v || tftp_parse_mcast(v, &m) < 0) {
			c->st.bad++;
			return;
		}
		if ((v = tftp_opt(p, "blksize")) &&
		    (tftp_parse_num(v, 8, 65464, &n) < 0 || n != c->blksize)) {
			c->st.bad++;
			return;
		}
		if (m.has_group && (!inet_same_addr(&m.group, &c->group) ||
				    inet_port(&m.group) !=
					    inet_port(&c->group))) {
			struct tftp_ev *e;

			push(c, TFTP_EV_LEAVE);
			c->group = m.group;
			e = push(c, TFTP_EV_JOIN);
			e->addr = c->group;
		}
		if (m.master) {
			if (!c->master) {
				c->st.promotions++;
				note(c, "promoted to master client");
			}
			c->master = 1;
			c->mc_step = 1;
			alive(c, now);
			if (c->nblocks && c->bm.nset == c->nblocks) {
				mc_finish(c);
				return;
			}
			c->mc_acked = mc_contig(c);
			send_ack(c, (uint16_t)c->mc_acked, 1);
		} else {
			c->master = 0;
			alive(c, now);
		}
		return;
	}

	/* the answer to our request */
	if ((v = tftp_opt(p, "blksize"))) {
		uint64_t max = c->cfg.blksize ? c->cfg.blksize : 512;

		if (tftp_parse_num(v, TFTP_BLKSIZE_MIN, max, &n) < 0) {
			send_error(c, TFTP_EOPTNEG, "bad blksize", &c->tid);
			fail(c, TFTP_FAIL_PROTO, 0,
			     "server answered blksize '%.20s' (asked %llu)", v,
			     (unsigned long long)max);
			return;
		}
		c->blksize = (unsigned)n;
	}
	if ((v = tftp_opt(p, "timeout")) &&
	    tftp_parse_num(v, 1, 255, &n) == 0)
		c->srv_timeout = (unsigned)n;
	if ((v = tftp_opt(p, "tsize"))) {
		if (tftp_parse_num(v, 0, UINT64_MAX, &n) < 0) {
			send_error(c, TFTP_EOPTNEG, "bad tsize", &c->tid);
			fail(c, TFTP_FAIL_PROTO, 0,
			     "server answered tsize '%.24s'", v);
			return;
		}
		c->have_tsize = 1;
		c->tsize = n;
		if (over_max(c, n))
			return;
	}
	if ((v = tftp_opt(p, "windowsize")) && c->cfg.windowsize > 1 &&
	    (!c->ask_mcast || c->cfg.mc_window)) {
		if (tftp_parse_num(v, 1, c->cfg.windowsize, &n) < 0) {
			send_error(c, TFTP_EOPTNEG, "bad windowsize", &c->tid);
			fail(c, TFTP_FAIL_PROTO, 0,
			     "server answered windowsize '%.20s'", v);
			return;
		}
		c->window = (unsigned)n;
	}
	c->state = TFTP_S_XFER;
	v = tftp_opt(p, "multicast");
	if (c->ask_mcast && v) {
		if (tftp_parse_mcast(v, &m) < 0 || !m.has_group) {
			snprintf(c->fbmsg, sizeof(c->fbmsg),
				 "unusable multicast answer '%.40s'", v);
			send_error(c, TFTP_EOPTNEG, "bad multicast option",
				   &c->tid);
			fall_back(c, now, c->fbmsg);
			return;
		}
		if (mc_enter(c, &m, now) < 0)
			return;
		alive(c, now);
		if (c->master) {
			c->mc_acked = 0;
			send_ack(c, 0, 1);
		}
		return;
	}
	if (c->ask_mcast) {
		c->fallback = "server did not acknowledge the multicast option";
		note(c, "%s; using unicast", c->fallback);
	}
	alive(c, now);
	send_ack(c, 0, 1);
}

static void on_error(struct tftp_client *c, const struct tftp_pkt *p,
		     uint64_t now)
{
	/* atftpd answers a multicast request for a file of more than 65536
	 * blocks with ERROR 0 "Undefined error code": an undefined or
	 * illegal-operation error to a multicast request earns one unicast
	 * retry too (a real error then comes again and is reported). */
	if (c->state == TFTP_S_REQ && c->ask_mcast &&
	    (p->code == TFTP_EUNDEF || p->code == TFTP_EBADOP)) {
		snprintf(c->fbmsg, sizeof(c->fbmsg), "server refused the "
			 "multicast request (ERROR %u: %.60s)", p->code,
			 p->msg);
		fall_back(c, now, c->fbmsg);
		return;
	}
	if (c->state == TFTP_S_REQ && p->code == TFTP_EOPTNEG && c->ask_opts) {
		if (c->ask_mcast) {
			fall_back(c, now, "server refused the multicast "
					  "option (ERROR 8)");
		} else {
			c->ask_opts = 0;
			c->fallback = c->fallback ? c->fallback :
				"server refused the options (ERROR 8)";
			note(c, "server refused the options (ERROR 8); "
				"retrying without options");
			request(c, now);
		}
		return;
	}
	if (c->mcast)
		leave_mcast(c);
	fail(c, TFTP_FAIL_SERVER, p->code, "%s", p->msg);
}

static uint16_t wire_after(const struct tftp_client *c, uint16_t w)
{
	if (w == 65535)
		return c->wrap_to_one ? 1 : 0;
	return (uint16_t)(w + 1);
}

static void uc_data(struct tftp_client *c, const struct tftp_pkt *p,
		    uint64_t now)
{
	uint16_t d;
	uint64_t off;

	if (p->len > c->blksize) {
		c->st.bad++;
		return;
	}
	/* A server that rolls 65535 over to 1 instead of 0 shows itself
	 * at the first wrap. */
	if (p->block != c->wire_next && c->wire_next == 0 &&
	    p->block == 1 && c->next == 65536) {
		c->wrap_to_one = 1;
		c->wire_next = 1;
	}
	if (p->block != c->wire_next) {
		d = (uint16_t)(c->wire_next - p->block);
		if (d >= 1 && d <= 32768)
			c->st.dups++;
		else
			c->st.bad++;
		/* A duplicate means our ACK was lost, a block from ahead
		 * means one was lost (RFC 7440): ACK the last good block,
		 * once for each position so duplicates cannot snowball. */
		if (c->dup_acked != c->next) {
			c->dup_acked = c->next;
			send_ack(c, c->wire_last, 1);
			c->last_acked = c->next - 1;
		}
		return;
	}
	off = (c->next - 1) * c->blksize;
	if (over_max(c, off + p->len))
		return;
	emit_data(c, off, p->data, p->len);
	c->st.blocks++;
	c->wire_last = p->block;
	c->wire_next = wire_after(c, p->block);
	c->next++;
	alive(c, now);
	if (p->len < c->blksize) {
		send_ack(c, p->block, 0);
		if (c->have_tsize && c->tsize != off + p->len)
			note(c, "got %llu byte%s, server announced %llu",
			     (unsigned long long)(off + p->len),
			     off + p->len == 1 ? "" : "s",
			     (unsigned long long)c->tsize);
		done(c, off + p->len);
		return;
	}
	if (c->next - 1 - c->last_acked >= c->window) {
		send_ack(c, p->block, 1);
		c->last_acked = c->next - 1;
	}
}

static void mc_data(struct tftp_client *c, const struct tftp_pkt *p,
		    int via_mcast, uint64_t now)
{
	uint64_t b = p->block, off, contig;
	int fresh;

	if (!b || p->len > c->blksize) {
		c->st.bad++;
		return;
	}
	if (c->nblocks) {
		if (b > c->nblocks ||
		    p->len != (b < c->nblocks ? c->blksize : c->last_len)) {
			c->st.bad++;
			return;
		}
	} else if (p->len < c->blksize) {
		/* the short block ends the file; nothing may lie beyond */
		if (bitmap_next_set(&c->bm, b) < c->bm.nbits) {
			c->st.bad++;
			return;
		}
		c->nblocks = b;
		c->last_len = p->len;
	} else if (b == TFTP_MCAST_MAXBLOCKS) {
		send_error(c, TFTP_EUNDEF, "file too big for multicast",
			   &c->tid);
		fall_back(c, now, "file needs more than 65535 blocks for "
				  "multicast");
		return;
	}
	off = (b - 1) * c->blksize;
	fresh = bitmap_set(&c->bm, b - 1);
	if (fresh) {
		if (over_max(c, off + p->len))
			return;
		emit_data(c, off, p->data, p->len);
		c->st.blocks++;
		if (via_mcast)
			c->st.mcast_blocks++;
	} else {
		c->st.dups++;
	}
	alive(c, now);
	if (c->nblocks && c->bm.nset == c->nblocks) {
		mc_finish(c);
		return;
	}
	if (!c->master)
		return;
	/* ACK the block before the first hole (RFC 2090). Lock-step, that is
	 * every block. With a window (atftpd), the server sends `window`
	 * blocks after each ACK and waits; an ACK arriving inside the window
	 * restarts it there and resends what is already in flight (half the
	 * blocks twice), so the ACK waits for the window's last block.
	 * Once atftpd has sent the file's last block, and for a promoted
	 * master, it waits for an ACK after every block: so do we then. A
	 * block we already hold means the server is repeating itself (our
	 * ACK was lost, or it wants one): answered at once, once per value. */
	if (c->nblocks && b == c->nblocks)
		c->mc_step = 1;
	if (c->window > 1 && !c->mc_step && fresh &&
	    b < c->mc_acked + c->window)
		return;
	contig = mc_contig(c);
	if (contig > c->mc_acked) {
		c->mc_acked = contig;
		send_ack(c, (uint16_t)c->mc_acked, 1);
	} else if (!fresh && c->dup_acked != c->mc_acked) {
		c->dup_acked = c->mc_acked;
		send_ack(c, (uint16_t)c->mc_acked, 1);
	}
}

void tftp_client_input(struct tftp_client *c, const uint8_t *buf, size_t len,
		       const struct sockaddr_storage *from, int mcast,
		       uint64_t now)
{
	struct tftp_pkt p;

	reset_events(c);
	if (c->state != TFTP_S_REQ && c->state != TFTP_S_XFER)
		return;
	if (tftp_decode(buf, len, &p) < 0) {
		c->st.bad++;
		return;
	}
	if (!inet_same_addr(from, &c->server)) {
		c->st.bad++;
		return;
	}
	if (c->have_tid && inet_port(from) != inet_port(&c->tid)) {
		c->st.bad++;
		/* RFC 1350: tell a stray sender, do not disturb the
		 * transfer (never answer what came by multicast). */
		if (!mcast && p.op != TFTP_ERROR)
			send_error(c, TFTP_EBADID, "unknown transfer ID",
				   from);
		return;
	}
	if (mcast && (!c->have_tid || !c->mcast)) {
		c->st.bad++;
		return;
	}
	if (!c->have_tid) {
		if (p.op != TFTP_OACK && p.op != TFTP_DATA &&
		    p.op != TFTP_ERROR) {
			c->st.bad++;
			return;
		}
		c->tid = *from;
		c->have_tid = 1;
	}
	switch (p.op) {
	case TFTP_ERROR:
		on_error(c, &p, now);
		return;
	case TFTP_OACK:
		if (mcast) {
			c->st.bad++;
			return;
		}
		on_oack(c, &p, now);
		return;
	case TFTP_DATA:
		if (c->state == TFTP_S_REQ) {
			if (p.block != 1) {
				c->st.bad++;
				c->have_tid = 0;
				return;
			}
			/* options ignored (RFC 2347): plain TFTP */
			if (c->ask_opts && c->ask_mcast) {
				c->fallback = "server ignored the options "
					      "(plain DATA 1)";
				note(c, "%s; using unicast", c->fallback);
			}
			c->state = TFTP_S_XFER;
		}
		if (c->mcast)
			mc_data(c, &p, mcast, now);
		else
			uc_data(c, &p, now);
		return;
	}
	c->st.bad++;
}
