/* get.c - the I/O driver around the sans-I/O TFTP client (RFC 1350,
 * 2347-2349, 7440, RFC 2090 multicast; PROTOCOLS.md §2): sockets, group
 * joins, batched reads, the output file and the clock for one download. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/idlespin.h"
#include "net/mcast.h"
#include "net/sock.h"
#include "tftp/get.h"

#define BATCH		16		/* datagrams taken by one recvmmsg */
#define SLOT		65536		/* room for any datagram */
/* While blocks stream in, reading without sleeping between them saves the
 * sender a wake-up per block (with the server on the same host, about
 * half its cost per block) and a lock-step round trip the wake-up of the
 * receiver; this long a silence ends it. */
#define SPIN_NS		200000ull
/* how long a starved polling thread rests (idlespin.h) */
#define SPIN_HOLD_NS	1000000000ull
/* how often the answering client looks at which CPU takes in its blocks */
#define PIN_CHECK_NS	10000000ull
/* A passive client's sleep between reads: it starts at NAP_NS and follows
 * how full the socket was when it woke (tftp_nap_next). */
#define NAP_NS		1000000ull
#define NAP_MIN_NS	50000ull
#define NAP_MAX_NS	10000000ull
/* The unicast socket holds a whole window even when we are descheduled
 * for a while (capped by net.core.rmem_max). */
#define UNICAST_RCVBUF	(4 << 20)
/* room for a passive client that waits for the CPU (capped by
 * net.core.rmem_max) */
#define MCAST_RCVBUF	(1 << 20)

static void failf(struct tftp_get *g, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void failf(struct tftp_get *g, int rc, const char *fmt, ...)
{
	va_list ap;

	if (g->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	g->failed = 1;
	g->rc = rc;
}

static void write_block(struct tftp_get *g, const uint8_t *b, size_t len,
			off_t off)
{
	if (outfile_write(&g->of, b, len, off) < 0)
		failf(g, EXIT_FAILURE, "%s", err_str());
}

static void join(struct tftp_get *g, const struct tftp_client *c,
		 const struct sockaddr_storage *grp)
{
	struct mc_group mg = { .family = AF_INET, .group = *grp };
	char gs[INET_FMTLEN], msg[200];

	if (g->mfd >= 0)
		close(g->mfd);
	g->mfd = mc_recv_socket(&mg, g->ifindex);
	if (g->mfd < 0) {
		failf(g, EXIT_FAILURE, "join %s: %s",
		      inet_fmt(grp, gs, sizeof(gs)), err_str());
		return;
	}
	sock_bufsize(g->mfd, SO_RCVBUF, MCAST_RCVBUF);
	/* Only the server's TID may send us blocks (the client checks that
	 * too); connected, the socket also tells which CPU takes them in
	 * (SO_INCOMING_CPU, pin_helper). */
	if (c->have_tid)
		connect(g->mfd, (const struct sockaddr *)&c->tid,
			inet_sslen(&c->tid));
	if (g->note) {
		snprintf(msg, sizeof(msg), "joined %s%s%s as %s client",
			 inet_fmt(grp, gs, sizeof(gs)), g->ifname ? " on " : "",
			 g->ifname ? g->ifname : "",
			 c->master ? "master" : "passive");
		g->note(msg);
	}
}

/* Runs the events of one input/tick in three passes: group changes first
 * (atftpd multicasts block 1 as soon as the master's ACK 0 arrives, so we
 * must be in the group by then), then sends (the server is waiting), then
 * the file writes and the rest. */
void tftp_get_events(struct tftp_get *g, struct tftp_client *c)
{
	struct tftp_ev ev[TFTP_NEV];
	int n = 0;

	while (n < TFTP_NEV && tftp_client_event(c, &ev[n]))
		n++;
	for (int pass = 0; pass < 3; pass++)
	for (int i = 0; i < n && !g->failed; i++) {
		struct tftp_ev *e = &ev[i];
		int grp = e->type == TFTP_EV_JOIN || e->type == TFTP_EV_LEAVE;

		if ((pass == 0) != grp ||
		    (pass == 1) != (e->type == TFTP_EV_SEND))
			continue;
		switch (e->type) {
		case TFTP_EV_SEND:
			g->sent = 1;
			sendto(g->ufd, e->buf, e->len, 0,
			       (const struct sockaddr *)&e->addr,
			       inet_sslen(&e->addr));
			break;
		case TFTP_EV_DATA:
			write_block(g, e->buf, e->len, (off_t)e->off);
			break;
		case TFTP_EV_JOIN:
			join(g, c, &e->addr);
			break;
		case TFTP_EV_LEAVE:
			if (g->mfd >= 0)
				close(g->mfd);
			g->mfd = -1;
			break;
		case TFTP_EV_NOTE:
			if (g->note)
				g->note(e->msg);
			break;
		case TFTP_EV_DONE:
			break;
		case TFTP_EV_FAIL:
			if (e->fail == TFTP_FAIL_SERVER)
				failf(g, EXIT_FAILURE, "%s: error %d (%s): %s",
				      g->server_s, e->code,
				      tftp_errname((unsigned)e->code), e->msg);
			else
				failf(g, e->fail == TFTP_FAIL_TIMEOUT ?
				      EXIT_NOANSWER : EXIT_FAILURE, "%s: %s",
				      g->server_s, e->msg);
			break;
		}
	}
}

static int running(const struct tftp_get *g, const struct tftp_client *c)
{
	return !g->failed && c->state != TFTP_S_DONE && !*g->stop;
}

/* While a transfer runs, the unicast socket is connected to the server's
 * TID: the kernel then tells which CPU takes in its packets (pin_helper),
 * and answers a stray sender (RFC 1350's unknown TID) with ICMP port
 * unreachable itself. Before it, and when the client asks again (a new
 * port then), it takes packets from any port. */
static void connect_tid(struct tftp_get *g, const struct tftp_client *c)
{
	int want = c->have_tid && c->state == TFTP_S_XFER ? 1 :
		   !c->have_tid && c->state == TFTP_S_REQ ? 0 : g->connected;
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	if (want == g->connected)
		return;
	if (want ? connect(g->ufd, (const struct sockaddr *)&c->tid,
			   inet_sslen(&c->tid)) :
		   connect(g->ufd, &sa, sizeof(sa)))
		return;
	g->connected = want;
}

/* Takes what is queued on fd (i: 0 unicast, 1 multicast), at most rounds
 * batches; returns how many datagrams. */
static int drain(struct tftp_get *g, struct tftp_client *c, int i,
		 uint64_t now, int rounds)
{
	int fd = i ? g->mfd : g->ufd, got = 0;

	for (int round = 0; round < rounds && running(g, c); round++) {
		int n = sock_rx_recv(fd, &g->rx, MSG_DONTWAIT);

		if (n <= 0)
			break;
		got += n;
		for (int k = 0; k < n && running(g, c); k++) {
			size_t len;
			const uint8_t *d = sock_rx_data(&g->rx, (unsigned)k,
							&len);

			tftp_client_input(c, d, len,
					  sock_rx_from(&g->rx, (unsigned)k),
					  i, now);
			tftp_get_events(g, c);
			connect_tid(g, c);
			/* a JOIN may have replaced the socket */
			if (i == 1 && fd != g->mfd)
				return got;
		}
		if (n < BATCH)
			break;
	}
	return got;
}

/* The client that answers (unicast, or the multicast master) in the
 * middle of a transfer: it reads on without sleeping while blocks flow and
 * right after each ACK (when another CPU can run the sender): the next
 * block then finds it awake, and neither the sender's sendto() nor the
 * round trip pays for a wake-up. Lock-step transfers gain the most. */
static int answering(const struct tftp_client *c)
{
	return (!c->mcast || c->master) && c->state == TFTP_S_XFER;
}

/* The helper polls on the CPU that takes in the blocks: on one host, the
 * server's CPU (a veth hands a packet over on the sender's CPU). Woken by
 * our ACK there, where only the idle-class helper runs, the server runs
 * at once, instead of on a CPU that may have to wake from a halt first;
 * and there it stays, since it is woken where it slept. */
static void pin_helper(struct tftp_get *g, const struct tftp_client *c,
		       uint64_t now)
{
	int cpu;

	if (!g->helper.started || !answering(c) || now < g->pin_check)
		return;
	g->pin_check = now + PIN_CHECK_NS;
	cpu = sock_incoming_cpu(c->mcast ? g->mfd : g->ufd);
	if (cpu >= 0)
		idlespin_pin(&g->helper, cpu);
}

/* After reading got datagrams: spinning on or off, progress, timers and
 * the deadline. */
static void after_read(struct tftp_get *g, struct tftp_client *c, int got)
{
	uint64_t now = clock_ns(), t;

	if ((got || g->sent) && g->can_spin && answering(c) &&
	    now >= g->spin_hold)
		g->spin_until = now + SPIN_NS;
	pin_helper(g, c, now);
	if (c->have_tsize)
		g->pg.total = c->tsize;
	progress_update(&g->pg, c->st.blocks * c->blksize,
			c->mcast ? (c->master ? "master" : "passive") : NULL);
	t = tftp_client_timer(c);
	if (running(g, c) && t && now >= t) {
		tftp_client_tick(c, now);
		tftp_get_events(g, c);
	}
	if (running(g, c) && g->deadline && now >= g->deadline)
		failf(g, EXIT_NOANSWER, "%s: %s within %g s", g->server_s,
		      c->st.blocks ? "transfer not complete" : "no answer",
		      g->deadline_s);
}

/* One pass over the sockets without sleeping (on the idle-class helper
 * thread when there is one); 1 while spinning goes on. */
static int spin_step(void *arg)
{
	struct tftp_get *g = arg;
	struct tftp_client *c = g->c;
	uint64_t now = clock_ns();
	int got;

	g->sent = 0;
	got = drain(g, c, 0, now, 4);
	if (g->mfd >= 0 && running(g, c))
		got += drain(g, c, 1, now, 4);
	after_read(g, c, got);
	return running(g, c) && clock_ns() < g->spin_until;
}

static void spin(struct tftp_get *g)
{
	char msg[120];

	if (!g->helper.started) {
		spin_step(g);
		return;
	}
	if (!idlespin_run(&g->helper))
		return;
	/* other work wants the CPU the helper polls on: block in poll() on
	 * the normal class for a while */
	g->spin_until = 0;
	g->spin_hold = clock_ns() + SPIN_HOLD_NS;
	idlespin_pin(&g->helper, -1);
	if (g->note && !g->starved++) {
		snprintf(msg, sizeof(msg), "polling thread starved by other "
			 "work: sleeping between blocks for %g s",
			 SPIN_HOLD_NS / 1e9);
		g->note(msg);
	}
}

/* A passive client need not see each block as it comes: it sleeps (the
 * server's unicast, a promotion, still wakes it at once) and then takes
 * the group's queue in one go, so that the server's sends to the group
 * wake no one. */
static int napping(const struct tftp_get *g, const struct tftp_client *c)
{
	return g->nap && c->mcast && !c->master && c->state == TFTP_S_XFER &&
	       g->mfd >= 0;
}

uint64_t tftp_nap_next(uint64_t nap, int fill)
{
	if (fill > 500)
		nap /= 2;
	else if (fill < 125)
		nap += nap / 4;
	return nap < NAP_MIN_NS ? NAP_MIN_NS :
	       nap > NAP_MAX_NS ? NAP_MAX_NS : nap;
}

static void loop(struct tftp_get *g, struct tftp_client *c)
{
	while (running(g, c)) {
		struct pollfd pf[2] = { { g->ufd, POLLIN, 0 },
					{ g->mfd, POLLIN, 0 } };
		uint64_t now = clock_ns(), t = tftp_client_timer(c);
		int got = 0, nap = napping(g, c), fill;
		struct timespec ts;

		if (now < g->spin_until) {
			spin(g);
			continue;
		}
		g->sent = 0;
		if (g->deadline && (!t || g->deadline < t))
			t = g->deadline;
		if (nap && (!t || now + g->nap < t))
			t = now + g->nap;
		ts = clock_ts(t > now ? t - now : 0);
		if (ppoll(pf, g->mfd >= 0 && !nap ? 2 : 1, t ? &ts : NULL,
			  NULL) < 0) {
			if (errno == EINTR)
				continue;
			failf(g, EXIT_FAILURE, "poll: %s", strerror(errno));
			break;
		}
		now = clock_ns();
		if (nap) {
			/* unknown fill (no SO_MEMINFO): poll as usual */
			fill = sock_rx_fill(g->mfd);
			g->nap = fill < 0 ? 0 : tftp_nap_next(g->nap, fill);
			pf[1].revents = POLLIN;
		}
		for (int i = 0; i < 2 && running(g, c); i++)
			if ((pf[i].revents & POLLIN) && pf[i].fd >= 0)
				got += drain(g, c, i, now, nap && i ? 256 : 4);
		after_read(g, c, got);
	}
}

int tftp_get_run(struct tftp_get *g, struct tftp_client *c,
		 const struct sockaddr_storage *srv)
{
	g->mfd = -1;
	g->rc = EXIT_FAILURE;
	inet_fmt(srv, g->server_s, sizeof(g->server_s));
	g->ufd = sock_udp(srv->ss_family);
	if (g->ufd < 0) {
		failf(g, EXIT_FAILURE, "socket: %s", strerror(errno));
		return g->rc;
	}
	sock_bufsize(g->ufd, SO_RCVBUF, UNICAST_RCVBUF);
	/* every failure from here on is marked failed: a path that only
	 * set the message once ended with exit 0 and no file */
	if (sock_rx_init(&g->rx, BATCH, SLOT) < 0) {
		failf(g, EXIT_FAILURE, "receive buffers: %s",
		      strerror(ENOMEM));
		goto out;
	}
	if (outfile_open(&g->of, g->out) < 0) {
		failf(g, EXIT_FAILURE, "%s", err_str());
		goto out;
	}
	outfile_expect(&g->of, &g->want);
	g->rc = 0;
	g->can_spin = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	g->nap = NAP_NS;
	g->c = c;
	/* without the helper thread the driver polls by itself, on the
	 * normal class */
	if (g->can_spin)
		idlespin_start(&g->helper, spin_step, g);
	progress_init(&g->pg, 0);
	g->t0 = clock_ns();
	tftp_client_start(c, g->t0);
	tftp_get_events(g, c);
	loop(g, c);
	idlespin_stop(&g->helper);
	progress_end(&g->pg);
	if (*g->stop && !g->failed && c->state != TFTP_S_DONE) {
		uint8_t e[32];
		int l = tftp_encode_error(e, sizeof(e), 0, "TFTP Aborted");

		if (c->have_tid)
			sendto(g->ufd, e, (size_t)l, 0,
			       (struct sockaddr *)&c->tid, inet_sslen(&c->tid));
		failf(g, EXIT_FAILURE, "interrupted");
	}
	if (!g->failed && outfile_commit(&g->of, (off_t)c->st.bytes) < 0)
		failf(g, EXIT_FAILURE, "%s", err_str());
	if (g->failed)
		outfile_abort(&g->of);
out:
	sock_rx_free(&g->rx);
	if (g->mfd >= 0)
		close(g->mfd);
	close(g->ufd);
	return g->failed ? (g->rc ? g->rc : EXIT_FAILURE) : 0;
}

/* In-place %XX decoding of a URL path (RFC 3986); -1 on %00 or bad hex. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int pct_decode(const char *url, char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		hi = hexval(s[1]);
		lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0) {
			err_set("bad URL '%s': '%%%.2s' is not a %%XX escape",
				url, s + 1);
			return -1;
		}
		if (!hi && !lo) {
			err_set("bad URL '%s': %%00 (a NUL byte) in the path",
				url);
			return -1;
		}
		*w++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*w = 0;
	return 0;
}

int tftp_get_target(int n, char **ops, int family,
		    struct sockaddr_storage *srv, char **file, char **buf)
{
	*buf = NULL;
	if (n != 2)
		return tftp_parse_url(ops[0], family, srv, file, buf);
	*file = ops[1];
	if (!**file) {
		err_set("empty remote file name");
		return -1;
	}
	if (inet_parse_server(ops[0], TFTP_PORT, family, srv) < 0) {
		err_set("bad server '%s': %s", ops[0], err_str());
		return -1;
	}
	return 0;
}

/* Largest block that fits the path MTU towards the server. */
unsigned tftp_mtu_blksize(const struct sockaddr_storage *srv)
{
	int mtu = sock_route_mtu(srv);
	unsigned hdr = srv->ss_family == AF_INET6 ? 40 + 8 + 4 : 20 + 8 + 4;

	if (mtu < 576 || (unsigned)mtu - hdr > TFTP_BLKSIZE_MAX)
		return mtu > 65535 ? TFTP_BLKSIZE_MAX : 1468;
	return (unsigned)mtu - hdr;
}

int tftp_parse_url(const char *url, int family, struct sockaddr_storage *srv,
		   char **file, char **buf)
{
	char *scheme, *auth, *path;
	int port = TFTP_PORT;

	if (inet_split_url(url, buf, &scheme, &auth, &path) < 0) {
		err_set("bad URL '%s' (or give SERVER FILE)", url);
		return -1;
	}
	if (!strcasecmp(scheme, "x-tftm")) {
		port = TFTM_PORT;	/* Etherboot's fixed port */
	} else if (strcasecmp(scheme, "tftm") && strcasecmp(scheme, "tftp")) {
		err_set("bad URL '%s': scheme must be tftp, tftm or x-tftm",
			url);
		goto fail;
	}
	if (!*path) {
		err_set("bad URL '%s': no file path", url);
		goto fail;
	}
	if (pct_decode(url, path) < 0)
		goto fail;
	if (inet_parse_server(auth, port, family, srv) < 0) {
		err_set("bad URL '%s': %s", url, err_str());
		goto fail;
	}
	*file = path;
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	return -1;
}
