/* get.c - the SLAM client driver (PROTOCOLS.md §1): sockets, batched
 * receives with UDP GRO trains split again, the output file and the clock
 * around the client machine (slam/client.c), which decides what to NACK
 * and when. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/units.h"
#include "base/priv.h"
#include "net/mcast.h"
#include "slam/get.h"

#define BATCH		32	/* receive slots, each a datagram or a GRO train */
#define PKTMAX		65536

/* What one event means for the loop. */
enum step { GO_ON, COMPLETE, FAILED };

static enum step failf(struct slam_get *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum step failf(struct slam_get *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return FAILED;
}

static int data_socket(const struct mc_group *g, int ifindex)
{
	int fd = mc_recv_socket(g, ifindex);

	if (fd < 0)
		return -1;
	/* a burst of data must not overflow the socket while we write */
	sock_bufsize(fd, SO_RCVBUF, 4 << 20);
	/* trains of datagrams in one receive; without it (Linux < 5.0)
	 * every datagram is one */
	sock_set_gro(fd);
	return fd;
}

int slam_get_open(struct slam_get *g)
{
	char a[INET_FMTLEN];

	g->uni = g->data = g->of.fd = -1;
	g->t0 = clock_ns();
	if (g->deadline)
		g->deadline += g->t0;
	/* Source-specific (S,G): the kernel itself drops what another host
	 * sends to the group (RFC 4607 filtering works on any group on
	 * Linux); where the join is refused, an any-source join, and the
	 * machine refuses those packets instead. */
	if (g->srv.ss_family == g->g.family) {
		g->g.source = g->srv;
		inet_set_port(&g->g.source, 0);
		g->data = data_socket(&g->g, g->ifindex);
		g->ssm = g->data >= 0;
	}
	if (g->data < 0) {
		memset(&g->g.source, 0, sizeof(g->g.source));
		g->data = data_socket(&g->g, g->ifindex);
	}
	if (g->data < 0) {
		failf(g, "group %s: %s", inet_fmt(&g->g.group, a, sizeof(a)),
		      err_str());
		return EXIT_FAILURE;
	}
	g->uni = socket(g->srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (g->uni < 0 || connect(g->uni, (struct sockaddr *)&g->srv,
				  inet_sslen(&g->srv))) {
		failf(g, "server %s: %s", inet_fmt(&g->srv, a, sizeof(a)),
		      strerror(errno));
		return EXIT_FAILURE;
	}
	priv_drop_all();
	if (sock_rx_init(&g->rx, BATCH, PKTMAX)) {
		failf(g, "receive buffers: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	if (outfile_open(&g->of, g->out)) {
		failf(g, "%s", err_str());
		return EXIT_FAILURE;
	}
	outfile_expect(&g->of, &g->want);
	slam_cli_init(&g->c, g->max_size, g->srv.ss_family == AF_INET ?
		      SLAM_NACK_MAX4 : SLAM_NACK_MAX6,
		      g->t0 ^ (uint64_t)getpid() << 32, g->t0);
	return 0;
}

/* A server whose transaction changes with every packet must not flood
 * the terminal: one line a second at most, counting the others. */
static void restart_note(struct slam_get *g)
{
	uint64_t now = clock_ns();
	char msg[120];

	if (!g->note)
		return;
	if (now < g->note_at) {
		g->unsaid++;
		return;
	}
	g->note_at = now + 1000000000;
	if (g->unsaid)
		snprintf(msg, sizeof(msg), "new transaction from the server: "
			 "restarting (%u more restarts not told)", g->unsaid);
	else
		snprintf(msg, sizeof(msg), "new transaction from the server: "
			 "restarting");
	g->unsaid = 0;
	g->note(msg);
}

/* What the machine made of a packet (rc, ev): the file written, the
 * progress shown. */
static enum step handle(struct slam_get *g, enum slam_cli_rc rc,
			const struct slam_cli_ev *ev)
{
	char extra[48];

	if (rc == SLAM_CLI_TOOBIG && ev->total > g->c.max_size)
		return failf(g, "refusing a %llu-byte file (--max-size %llu)",
			     (unsigned long long)ev->total,
			     (unsigned long long)g->c.max_size);
	if (rc == SLAM_CLI_TOOBIG)
		return failf(g, "refusing a %llu-byte file: %s",
			     (unsigned long long)ev->total, ev->why);
	if (rc == SLAM_CLI_NOMEM)
		return failf(g, "%s", ev->why);
	if (rc != SLAM_CLI_EVENT)
		return GO_ON;
	if (ev->newhdr) {
		if (ev->restart)
			restart_note(g);
		progress_init(&g->pg, g->c.h.total);
	}
	if ((ev->block && outfile_write(&g->of, ev->data, ev->len,
					(off_t)ev->off)) ||
	    ((ev->done || ev->newhdr) && outfile_flush(&g->of)))
		return failf(g, "%s", err_str());
	if (progress_due(&g->pg)) {
		uint64_t miss = g->c.got.nbits - g->c.got.nset;

		snprintf(extra, sizeof(extra), "%llu block%s missing",
			 (unsigned long long)miss, units_s(miss));
		progress_update(&g->pg, g->c.got.nset * g->c.h.bs, extra);
	}
	return ev->done ? COMPLETE : GO_ON;
}

static void send_nack(struct slam_get *g, uint64_t now)
{
	uint8_t nack[SLAM_NACK_MAX4];
	size_t n = slam_cli_nack(&g->c, now, nack, sizeof(nack));

	/* ECONNREFUSED (no server yet) and the like: the timers retry */
	if (n)
		send(g->uni, nack, n, 0);
}

/* Reads every queued data packet. */
static enum step drain(struct slam_get *g)
{
	struct slam_cli_ev ev;
	const uint8_t *p;
	enum step r;
	uint64_t now;
	unsigned k;
	size_t len;
	int n, rounds;

	/* until the queue is empty, within reason: a NACK built on a
	 * half-read queue would ask for blocks we already hold */
	for (rounds = 0; rounds < 4096; rounds++) {
		n = sock_rx_recv(g->data, &g->rx, MSG_DONTWAIT);
		if (n <= 0)
			return GO_ON;
		now = clock_ns();
		while (sock_rx_next(&g->rx, &k, &p, &len)) {
			r = handle(g, slam_cli_data(&g->c, now, p, len,
				   inet_same_addr(sock_rx_from(&g->rx, k),
						  &g->srv), &ev), &ev);
			if (r != GO_ON)
				return r;
		}
		if (n < BATCH)
			return GO_ON;
	}
	return GO_ON;
}

/* A ping (status request); connect() makes sure it is from the server
 * address and port. */
static enum step ping(struct slam_get *g)
{
	static uint8_t pkt[PKTMAX];
	struct slam_cli_ev ev;
	enum step r;
	int n = (int)recv(g->uni, pkt, PKTMAX, MSG_DONTWAIT);

	if (n < 0)
		return GO_ON;
	r = drain(g);
	if (r != GO_ON)
		return r;
	return handle(g, slam_cli_ping(&g->c, clock_ns(), pkt, (size_t)n,
				       &ev), &ev);
}

/* Until the file is complete: 0, EXIT_FAILURE or EXIT_NOANSWER. */
static int loop(struct slam_get *g)
{
	struct pollfd pfd[2] = { { .fd = g->uni, .events = POLLIN },
				 { .fd = g->data, .events = POLLIN } };
	uint64_t now, until, silent;
	struct timespec ts;
	enum step r = GO_ON;

	while (!*g->stop && r == GO_ON) {
		now = clock_ns();
		send_nack(g, now);
		if (g->deadline && now >= g->deadline)
			return EXIT_NOANSWER;
		silent = g->c.last_rx + SLAM_GET_SILENCE_NS;
		if (g->c.last_rx && now >= silent) {
			failf(g, "server silent for %llu s: giving up",
			      (unsigned long long)(SLAM_GET_SILENCE_NS /
						   1000000000));
			return EXIT_NOANSWER;
		}
		until = slam_cli_wake(&g->c);
		if (g->deadline && (!until || g->deadline < until))
			until = g->deadline;
		if (g->c.last_rx && (!until || silent < until))
			until = silent;
		ts = clock_ts(until > now ? until - now : 0);
		if (ppoll(pfd, 2, until ? &ts : NULL, NULL) <= 0)
			continue;
		/* Data first: a NACK must reflect everything that already
		 * arrived, or the server resends blocks that sit in our
		 * socket buffer (and misreads that backlog as loss). */
		if (pfd[1].revents)
			r = drain(g);
		if (r == GO_ON && pfd[0].revents)
			r = ping(g);
	}
	if (r == GO_ON) {
		failf(g, "interrupted");
		return EXIT_FAILURE;
	}
	return r == COMPLETE ? 0 : EXIT_FAILURE;
}

int slam_get_run(struct slam_get *g)
{
	int rc;

	progress_init(&g->pg, 0);
	rc = loop(g);
	progress_end(&g->pg);
	/* tell the server what we hold, and that we are done (or gone), as
	 * both firmware clients do */
	if (g->c.nack_sent) {
		uint8_t fin[SLAM_NACK_MAX4];
		size_t n = slam_cli_final(&g->c, fin, sizeof(fin));

		if (n)
			send(g->uni, fin, n, 0);
		send(g->uni, "", 1, 0);
	}
	if (rc == 0 && outfile_commit(&g->of, (off_t)g->c.h.total)) {
		failf(g, "%s", err_str());
		rc = EXIT_FAILURE;
	}
	if (rc)
		outfile_abort(&g->of);
	return rc;
}

void slam_get_close(struct slam_get *g)
{
	outfile_abort(&g->of);
	slam_cli_free(&g->c);
	sock_rx_free(&g->rx);
	if (g->uni >= 0)
		close(g->uni);
	if (g->data >= 0)
		close(g->data);
	g->uni = g->data = -1;
}

int slam_get_target(int n, char **ops, struct sockaddr_storage *srv,
		    struct mc_group *g)
{
	char *buf = NULL, *scheme, *auth, *path;
	const char *server = ops[0], *group = n > 1 ? ops[1] : NULL;
	int rc = -1;

	if (strstr(ops[0], "://")) {
		if (n > 1) {
			err_set("a URL takes no second operand");
			return -1;
		}
		if (inet_split_url(ops[0], &buf, &scheme, &auth, &path))
			return -1;
		if (strcmp(scheme, "x-slam")) {
			err_set("'%s': not an x-slam:// URL", ops[0]);
			goto out;
		}
		server = auth;
		group = *path ? path : NULL;
	}
	if (!*server) {
		err_set("no server in '%s' (SLAM needs one)", ops[0]);
		goto out;
	}
	if (group) {
		if (inet_parse_group(group, SLAM_PORT, g))
			goto out;
		if (inet_parse_server(server, SLAM_PORT, g->family, srv)) {
			err_set("bad server '%s': %s", server, err_str());
			goto out;
		}
	} else {
		if (inet_parse_server(server, SLAM_PORT, AF_INET, srv)) {
			/* the default group is IPv4 */
			err_set("bad server '%s': %s%s", server, err_str(),
				strstr(err_str(), "not IPv4") ?
				" (give an IPv6 GROUP)" : "");
			goto out;
		}
		inet_parse_group(SLAM_GROUP, SLAM_PORT, g);
	}
	rc = 0;
out:
	free(buf);
	return rc;
}
