/* client.c - the SLAM client state machine, sans I/O (Etherboot/iPXE
 * SLAM, PROTOCOLS.md §1.8 and §1.10): validates before allocating, restarts
 * when the header bytes change, NACKs on a ping at once (master) and on
 * multicast silence after a random, doubling delay (slave). */
#include <string.h>

#include "slam/client.h"

#define MS		UINT64_C(1000000)
#define FIRST_MAX	(100 * MS)	/* first NACK within this */
#define SLAVE_BASE	(1000 * MS)	/* silence before a slave NACKs */
#define SLAVE_MAX	(8000 * MS)
#define HUNT_BASE	(100 * MS)	/* before any header */
#define MASTER_BASE	(250 * MS)
#define MASTER_MAX	(2000 * MS)

static uint64_t rnd(struct slam_cli *c, uint64_t below)
{
	/* xorshift64*: spreads receivers' timers, nothing more */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return below ? (c->rng * UINT64_C(2685821657736338717)) % below : 0;
}

void slam_cli_init(struct slam_cli *c, uint64_t max_size, size_t nack_cap,
		   uint64_t seed, uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->max_size = max_size;
	c->nack_cap = nack_cap;
	c->rng = seed | 1;
	c->slave_ivl = SLAVE_BASE;
	/* a prompt first NACK tells the server we are here; the jitter
	 * keeps a room of receivers powered on together from colliding */
	c->slave_at = now + rnd(c, FIRST_MAX) + 1;
}

void slam_cli_free(struct slam_cli *c)
{
	bitmap_free(&c->got);
	c->have_hdr = 0;
}

static void heard(struct slam_cli *c, uint64_t now)
{
	c->last_rx = now;
	/* Until the server pings us it may not know us (our first NACK may
	 * be lost) and would never ask: keep NACKing on the slave timer
	 * even while data flows. */
	if (!c->pinged)
		return;
	c->slave_ivl = SLAVE_BASE;
	c->slave_at = now + SLAVE_BASE + rnd(c, SLAVE_BASE / 2);
}

/* A header at buf: returns its length, or a negative slam_cli_data code.
 * Sets ev->newhdr when it replaces the cached one. */
static int header(struct slam_cli *c, uint64_t now, const uint8_t *buf,
		  size_t len, struct slam_cli_ev *ev)
{
	struct slam_hdr h;
	struct bitmap b;
	int n;

	n = slam_hdr_parse(&h, buf, len);
	if (n < 0) {
		ev->why = "bad header";
		return SLAM_CLI_BAD;
	}
	if (c->have_hdr && h.rawlen == c->h.rawlen &&
	    !memcmp(h.raw, c->h.raw, h.rawlen))
		return n;
	ev->total = h.total;
	if (h.total > c->max_size) {
		ev->why = "file larger than --max-size";
		return SLAM_CLI_TOOBIG;
	}
	if (h.nblocks > SLAM_CLI_MAX_BLOCKS) {
		/* every NACK walks the bitmap: a 4 GiB file in 1-byte
		 * blocks would take 512 MiB of it, and seconds a walk */
		ev->why = "blocks too small: more than 2^26 of them";
		return SLAM_CLI_TOOBIG;
	}
	memset(&b, 0, sizeof(b));
	if (h.nblocks && bitmap_init(&b, h.nblocks) < 0) {
		ev->why = "out of memory for the block bitmap";
		return SLAM_CLI_NOMEM;
	}
	if (c->have_hdr) {
		ev->restart = 1;
		c->restarts++;
	}
	bitmap_free(&c->got);
	c->got = b;
	c->h = h;
	c->have_hdr = 1;
	c->rot = 0;
	c->done = 0;
	ev->newhdr = 1;
	if (!c->pinged && c->nack_sent && c->slave_at > now + FIRST_MAX)
		/* the server is there now: tell it about us soon */
		c->slave_at = now + rnd(c, FIRST_MAX) + 1;
	if (h.nblocks == 0) {
		/* an empty file is complete as soon as we know its size */
		c->done = 1;
		ev->done = 1;
	}
	return n;
}

enum slam_cli_rc slam_cli_data(struct slam_cli *c, uint64_t now,
			       const uint8_t *buf, size_t len, int from_server,
			       struct slam_cli_ev *ev)
{
	struct slam_data d;
	int n;

	memset(ev, 0, sizeof(*ev));
	/* Anyone on the LAN can send to the group: only the server asked
	 * may give data, headers, or even a sign of life. */
	if (!from_server) {
		ev->why = "not from the server";
		c->bad++;
		return SLAM_CLI_BAD;
	}
	if (slam_data_parse(&d, buf, len, &ev->why) < 0) {
		c->bad++;
		return SLAM_CLI_BAD;
	}
	n = header(c, now, buf, len, ev);
	if (n < 0) {
		c->bad++;
		return (enum slam_cli_rc)n;
	}
	/* any valid multicast packet: the server is alive and someone is
	 * master; stay quiet, and stop re-asking as master */
	heard(c, now);
	c->master_at = 0;
	if (c->done)
		return ev->newhdr ? SLAM_CLI_EVENT : SLAM_CLI_NONE;
	if (!bitmap_set(&c->got, d.idx)) {
		c->dups++;
		return ev->newhdr ? SLAM_CLI_EVENT : SLAM_CLI_NONE;
	}
	ev->block = 1;
	ev->off = d.idx * d.h.bs;
	ev->data = d.data;
	ev->len = d.len;
	if (bitmap_full(&c->got)) {
		c->done = 1;
		ev->done = 1;
	}
	return SLAM_CLI_EVENT;
}

enum slam_cli_rc slam_cli_ping(struct slam_cli *c, uint64_t now,
			       const uint8_t *buf, size_t len,
			       struct slam_cli_ev *ev)
{
	int n;

	memset(ev, 0, sizeof(*ev));
	c->pinged = 1;	/* before header(): we need no extra NACK */
	n = header(c, now, buf, len, ev);
	if (n < 0) {
		c->bad++;
		return (enum slam_cli_rc)n;
	}
	if ((size_t)n != len) {
		/* iPXE drops these too: a ping is a header, nothing more */
		ev->why = "bytes after the header";
		c->bad++;
		return SLAM_CLI_BAD;
	}
	heard(c, now);
	/* master: answer now (even if data comes in before we do), and
	 * again if no data follows */
	c->owe = 1;
	c->master_ivl = MASTER_BASE;
	c->master_at = now + MASTER_BASE;
	return ev->newhdr || ev->done ? SLAM_CLI_EVENT : SLAM_CLI_NONE;
}

uint64_t slam_cli_wake(const struct slam_cli *c)
{
	if (c->done)
		return 0;
	if (c->owe)
		return c->last_rx;
	if (c->master_at && c->master_at < c->slave_at)
		return c->master_at;
	return c->slave_at;
}

size_t slam_cli_nack(struct slam_cli *c, uint64_t now, uint8_t *out,
		     size_t cap)
{
	size_t n;

	if (c->done)
		return 0;
	if (c->owe) {
		c->owe = 0;
	} else if (c->master_at && now >= c->master_at) {
		c->master_ivl *= 2;
		c->master_at = c->master_ivl > MASTER_MAX ? 0 :
			now + c->master_ivl;
	} else if (now >= c->slave_at) {
		/* silence: try to become master, backing off; until a server
		 * answered, a NACK every 0.1-0.15 s finds one that starts after
		 * us without delay (and costs nothing worth mentioning) */
		c->slave_at = now + (c->have_hdr ?
			c->slave_ivl + rnd(c, c->slave_ivl / 2) :
			HUNT_BASE + rnd(c, HUNT_BASE / 2));
		/* back off only once a server answered: before that, one
		 * NACK a second finds a server that starts after us */
		if (c->slave_ivl < SLAVE_MAX && c->have_hdr)
			c->slave_ivl *= 2;
	} else {
		return 0;
	}
	if (cap > c->nack_cap)
		cap = c->nack_cap;
	if (c->have_hdr && c->nacks % 2) {
		/* every other NACK ends with the newest gaps: the server
		 * judges recent loss by them; the others rotate through the
		 * whole file so that every gap is reported */
		uint64_t tail = slam_nack_tail(&c->got, cap);

		n = slam_nack_build(&c->got, &tail, out, cap);
	} else {
		n = slam_nack_build(c->have_hdr ? &c->got : NULL, &c->rot,
				    out, cap);
	}
	c->nack_sent = 1;
	c->nacks++;
	return n;
}

size_t slam_cli_final(const struct slam_cli *c, uint8_t *out, size_t cap)
{
	uint64_t start = 0;
	int n;

	if (!c->have_hdr || cap < 3)
		return 0;
	if (c->done) {
		/* "have nblocks": a list with no lack run */
		n = slam_put_int(out, cap - 1, c->h.nblocks);
		if (n < 0)
			return 0;
		out[n] = 0;
		return (size_t)n + 1;
	}
	if (cap > c->nack_cap)
		cap = c->nack_cap;
	return slam_nack_build(&c->got, &start, out, cap);
}
