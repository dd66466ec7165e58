/* slam-get.c - receive a file pushed by a SLAM server (mini-slamd or
 * slam-serve), as Etherboot's and iPXE's x-slam:// clients do (SLAM,
 * PROTOCOLS.md §1): the thin driver around lib/slamcli.c. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/inet.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "slam/client.h"
#include "slam/io.h"
#include "file/xfer.h"

#define O_MAXSIZE (OPT_LONGONLY + 1)

static const struct opt opts[] = {
	{ 'o', "output", "FILE", OPT_STR,
	  "write the file here ('-': stdout, once complete)", 0, 0 },
	{ 'i', "interface", "IFACE", OPT_STR,
	  "join the group on IFACE (default: the route's)", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "give up (exit 3) when not complete after SECONDS", 0.001, 1e7 },
	{ O_MAXSIZE, "max-size", "BYTES", OPT_SIZE,
	  "refuse a file larger than BYTES (default 4G)", 0, 9007199254740991.0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print only errors", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print a JSON summary", 0, 0 },
	{ 0 }
};

static int slam_get_main(int argc, char **argv);

const struct applet slam_get_applet = {
	.name = "slam-get",
	.section = 1,
	.summary = "receive a file pushed by a SLAM server",
	.operands = "URL | SERVER[:PORT] [GROUP[:PORT]]",
	.min_args = 1,
	.max_args = 2,
	.opts = opts,
	.privs = PRIV_NONE,	/* unprivileged UDP sockets and a group join */
	.main = slam_get_main,
	.implemented = 1,
};

#define SILENCE_NS	(30 * UINT64_C(1000000000))
#define BATCH		32	/* receive slots, each a datagram or a GRO train */
#define PKTMAX		65536

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static struct {
	int json, quiet;
	const char *out;
	uint64_t t0;
	struct slam_cli c;
	struct outfile of;
	struct sockaddr_storage srv;
	struct mc_group g;
	int uni, data;
} o;

static void summary(const char *result, int rc)
{
	double el = (double)(clock_ns() - o.t0) / 1e9;
	char sbuf[INET_FMTLEN];
	struct json j;

	if (o.json) {
		json_begin(&j, stdout);
		json_str(&j, "server", inet_fmt(&o.srv, sbuf, sizeof(sbuf)));
		json_str(&j, "result", result);
		json_str(&j, "file", o.out);
		json_uint(&j, "size", o.c.have_hdr ? o.c.h.total : 0);
		json_uint(&j, "blocks", o.c.have_hdr ? o.c.h.nblocks : 0);
		json_uint(&j, "received", o.c.got.nset);
		json_uint(&j, "duplicates", o.c.dups);
		json_uint(&j, "bad", o.c.bad);
		json_uint(&j, "nacks", o.c.nacks);
		json_uint(&j, "restarts", o.c.restarts);
		json_double(&j, "seconds", el, 3);
		json_double(&j, "mbit_s", el > 0 && o.c.have_hdr ?
			    (double)o.c.h.total * 8 / el / 1e6 : 0, 1);
		json_end(&j);
	} else if (!o.quiet && !rc && strcmp(o.out, "-")) {
		printf("%s: %llu bytes in %.2f s (%.1f Mbit/s), %llu NACKs, "
		       "%u restarts\n", o.out,
		       (unsigned long long)o.c.h.total, el,
		       el > 0 ? (double)o.c.h.total * 8 / el / 1e6 : 0,
		       (unsigned long long)o.c.nacks, o.c.restarts);
	}
}

/* Contiguous blocks of one receive batch go out in one pwritev: fewer
 * system calls on a busy receiver. The data points into the receive
 * buffers, so the queue is flushed before they are reused. */
static struct slamio_wq wq = { .of = &o.of };

/* Handles one event; returns 0 to go on, 1 when complete, or an exit
 * status + 2 (the caller subtracts) on a fatal problem. */
static int handle(int r, const struct slam_cli_ev *ev, struct progress *pg)
{
	char extra[48];

	if (r == -2) {
		warnx("refusing a %llu-byte file (--max-size %llu)",
		      (unsigned long long)ev->total,
		      (unsigned long long)o.c.max_size);
		return 2 + EXIT_FAILURE;
	}
	if (r == -3) {
		warnx("%s", ev->why);
		return 2 + EXIT_FAILURE;
	}
	if (r <= 0)
		return 0;
	if (ev->newhdr) {
		if (ev->restart && !o.quiet)
			warnx("new transaction from the server: restarting");
		progress_init(pg, o.c.h.total);
	}
	if ((ev->block && slamio_wq_add(&wq, ev->data, ev->len, (off_t)ev->off)) ||
	    ((ev->done || ev->newhdr) && slamio_wq_flush(&wq))) {
		warnx("%s", err_str());
		return 2 + EXIT_FAILURE;
	}
	if (progress_due(pg)) {
		snprintf(extra, sizeof(extra), "%llu blocks missing",
			 (unsigned long long)(o.c.got.nbits - o.c.got.nset));
		progress_update(pg, o.c.got.nset * o.c.h.bs, extra);
	}
	return ev->done ? 1 : 0;
}

static void send_nack(uint64_t now)
{
	uint8_t nack[SLAM_NACK_MAX4];
	size_t n = slam_cli_nack(&o.c, now, nack, sizeof(nack));

	/* ECONNREFUSED (no server yet) and the like: the timers retry */
	if (n)
		send(o.uni, nack, n, 0);
}

static uint8_t pkt0[PKTMAX];

/* Reads every queued data packet; 0, or handle()'s verdict. */
static int drain(struct slamio_rx *rx, struct progress *pg)
{
	const struct sockaddr_storage *from;
	struct slam_cli_ev ev;
	const uint8_t *p;
	uint64_t now;
	size_t len;
	int n, r, rounds;

	/* until the queue is empty, within reason: a NACK built on a
	 * half-read queue would ask for blocks we already hold */
	for (rounds = 0; rounds < 4096; rounds++) {
		n = slamio_rx_recv(rx, o.data);
		if (n <= 0)
			return 0;
		now = clock_ns();
		while (slamio_rx_next(rx, &p, &len, &from)) {
			r = slam_cli_data(&o.c, now, p, len,
					  inet_same_addr(from, &o.srv), &ev);
			r = handle(r, &ev, pg);
			if (r) {
				wq.n = 0;	/* done (flushed) or failing */
				return r;
			}
		}
		if (slamio_wq_flush(&wq)) {
			warnx("%s", err_str());
			return 2 + EXIT_FAILURE;
		}
		if (n < BATCH)
			return 0;
	}
	return 0;
}

static int run(uint64_t deadline, struct slamio_rx *rx)
{
	struct pollfd pfd[2] = { { .fd = o.uni, .events = POLLIN },
				 { .fd = o.data, .events = POLLIN } };
	struct slam_cli_ev ev;
	struct progress pg;
	struct timespec ts;
	uint64_t now, until;
	int r, n;

	progress_init(&pg, 0);
	while (!stop) {
		now = clock_ns();
		send_nack(now);
		if (deadline && now >= deadline)
			return EXIT_NOANSWER;
		if (o.c.last_rx && now - o.c.last_rx >= SILENCE_NS) {
			warnx("server silent for %llu s: giving up",
			      (unsigned long long)(SILENCE_NS / 1000000000));
			return EXIT_NOANSWER;
		}
		until = slam_cli_wake(&o.c);
		if (deadline && (!until || deadline < until))
			until = deadline;
		if (o.c.last_rx && (!until || o.c.last_rx + SILENCE_NS < until))
			until = o.c.last_rx + SILENCE_NS;
		ts = clock_ts(until > now ? until - now : 0);
		if (ppoll(pfd, 2, until ? &ts : NULL, NULL) <= 0)
			continue;
		/* Data first: a NACK must reflect everything that already
		 * arrived, or the server resends blocks that sit in our
		 * socket buffer (and misreads that backlog as loss). */
		if (pfd[1].revents) {
			r = drain(rx, &pg);
			if (r)
				goto out;
		}
		if (pfd[0].revents) {
			/* a ping (status request); connect() makes sure it
			 * is from the server address and port */
			n = (int)recv(o.uni, pkt0, PKTMAX, MSG_DONTWAIT);
			if (n >= 0) {
				r = drain(rx, &pg);
				if (r)
					goto out;
				r = slam_cli_ping(&o.c, clock_ns(), pkt0,
						  (size_t)n, &ev);
				r = handle(r, &ev, &pg);
				if (r)
					goto out;
			}
		}
	}
	progress_end(&pg);
	return -1;
out:
	progress_end(&pg);
	return r == 1 ? 0 : r - 2;
}

static int slam_get_main(int argc, char **argv)
{
	const char *ifname = NULL;
	uint64_t max_size = UINT64_C(4) << 30, deadline = 0;
	int c, n, ifindex = 0, rc;
	struct slamio_rx rx;
	struct optstate st;
	char **ops, gbuf[INET_FMTLEN], sbuf[INET_FMTLEN];

	opt_init(&st, &slam_get_applet, argc, argv);
	while ((c = opt_next(&st)) > 0)
		switch (c) {
		case 'o': o.out = st.arg; break;
		case 'i': ifname = st.arg; break;
		case 'w': deadline = (uint64_t)(st.secs * 1e9); break;
		case O_MAXSIZE: max_size = (uint64_t)st.num; break;
		case 'q': o.quiet = 1; break;
		case 'j': o.json = 1; break;
		}
	n = c < 0 ? -1 : opt_operands(&st, &ops);
	opt_free(&st);	/* ops point into argv */
	if (n < 0)
		return st.status;
	if (slamio_parse_target(n, ops, &o.srv, &o.g))
		return opt_usage_error(&slam_get_applet, "%s", err_str());
	if (!o.out)
		return opt_usage_error(&slam_get_applet, "no -o FILE (SLAM "
				       "carries no file name)");
	if (ifname && (ifindex = inet_ifindex(ifname)) < 0)
		return opt_usage_error(&slam_get_applet, "%s", err_str());
	o.t0 = clock_ns();
	if (deadline)
		deadline += o.t0;
	o.data = slamio_cli_socket(&o.g, ifindex);
	if (o.data < 0) {
		warnx("group %s: %s", inet_fmt(&o.g.group, gbuf, sizeof(gbuf)),
		      err_str());
		return EXIT_FAILURE;
	}
	o.uni = socket(o.srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (o.uni < 0 || connect(o.uni, (struct sockaddr *)&o.srv,
				 inet_sslen(&o.srv))) {
		warn("server %s", inet_fmt(&o.srv, sbuf, sizeof(sbuf)));
		return EXIT_FAILURE;
	}
	priv_drop_all();
	if (slamio_rx_init(&rx, BATCH)) {
		warn("receive buffers");
		return EXIT_FAILURE;
	}
	if (outfile_open(&o.of, o.out)) {
		warnx("%s", err_str());
		return EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	slam_cli_init(&o.c, max_size,
		      o.srv.ss_family == AF_INET ? SLAM_NACK_MAX4 : SLAM_NACK_MAX6,
		      o.t0 ^ (uint64_t)getpid() << 32, o.t0);
	if (!o.quiet)
		fprintf(stderr, "slam-get: listening on %s for server %s\n",
			inet_fmt(&o.g.group, gbuf, sizeof(gbuf)),
			inet_fmt(&o.srv, sbuf, sizeof(sbuf)));
	rc = run(deadline, &rx);
	if (rc == 0) {
		/* tell the server we are done, as both firmware clients do */
		if (o.c.nack_sent)
			send(o.uni, "", 1, 0);
		if (outfile_commit(&o.of, (off_t)o.c.h.total)) {
			warnx("%s", err_str());
			rc = EXIT_FAILURE;
		}
	} else {
		if (o.c.nack_sent)
			send(o.uni, "", 1, 0);
		outfile_abort(&o.of);
		if (rc == EXIT_NOANSWER && !o.quiet)
			warnx("no complete file from %s before the deadline",
			      inet_fmt(&o.srv, sbuf, sizeof(sbuf)));
		if (rc < 0) {
			warnx("interrupted");
			rc = EXIT_FAILURE;
		}
	}
	summary(rc == 0 ? "ok" : rc == EXIT_NOANSWER ? "timeout" : "failed",
		rc);
	slam_cli_free(&o.c);
	slamio_rx_free(&rx);
	return rc;
}
