/* slam-serve.c - push a file to any number of Etherboot/iPXE SLAM clients
 * and slam-get receivers (SLAM, PROTOCOLS.md §1): the thin driver around
 * lib/slamsrv.c (socket, file, clock, events). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/inet.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "net/rate.h"
#include "slam/io.h"
#include "slam/server.h"
#include "net/sock.h"
#include "file/xfer.h"

#define O_ONCE (OPT_LONGONLY + 1)
#define O_IDLE (OPT_LONGONLY + 2)
#define O_MAXCL (OPT_LONGONLY + 3)
#define O_MAXHOST (OPT_LONGONLY + 4)

static const struct opt opts[] = {
	{ 'i', "interface", "IFACE", OPT_STR,
	  "send the data on IFACE (default: the route to the group)", 0, 0 },
	{ 'p', "port", "PORT", OPT_INT,
	  "UDP port for NACKs and pings (default 10000)", 1, 65535 },
	{ 'g', "group", "GROUP[:PORT]", OPT_STR,
	  "multicast group for the data (default 239.255.1.1:10000)", 0, 0 },
	{ 't', "ttl", "TTL", OPT_INT, "multicast TTL (default 1)", 0, 255 },
	{ 'b', "block-size", "BYTES", OPT_INT,
	  "data bytes per packet (default: fits the interface MTU)", 1, 65000 },
	{ 'r', "rate", "RATE", OPT_STR,
	  "fixed pace: packets/s, or bit/s with a bps suffix (default: adapt)", 0, 0 },
	{ 'u', "user", "USER", OPT_STR,
	  "drop root for USER[:GROUP] once the socket is bound", 0, 0 },
	{ O_ONCE, "once", NULL, OPT_FLAG,
	  "exit when every client is done and all is quiet for --idle", 0, 0 },
	{ O_IDLE, "idle", "SECONDS", OPT_SECS,
	  "quiet time that ends --once (default 3)", 0.1, 86400 },
	{ O_MAXCL, "max-clients", "N", OPT_INT,
	  "clients served at once (default 4096)", 1, 1000000 },
	{ O_MAXHOST, "max-per-host", "N", OPT_INT,
	  "clients (ports) of one address served at once (default 64)",
	  1, 1000000 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print only errors", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG,
	  "print one JSON object per event and a summary", 0, 0 },
	{ 0 }
};

static int slam_serve_main(int argc, char **argv);

const struct applet slam_serve_applet = {
	.name = "slam-serve",
	.section = 8,
	.summary = "push a file to many receivers with SLAM",
	.operands = "FILE",
	.min_args = 1,
	.max_args = 1,
	.opts = opts,
	/* CAP_SETUID/SETGID only to switch to -u USER after binding; port
	 * 10000 needs no privilege */
	.privs = PRIV_SETID,
	.main = slam_serve_main,
	.implemented = 1,
};

/* Data packets per batch: the pacer's bucket (2 ms of packets) decides
 * how many are due at once; UDP_SEGMENT sends them in few messages. */
#define BATCH 256

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static struct {
	const char *path, *rate;
	int fd, sock, json, quiet, bs_fixed;
	struct stat st;
	struct mc_group g;
	struct slam_srv s;
	uint64_t bs, t0;
} o = { .fd = -1 };

static void event(const char *ev, const struct sockaddr_storage *a,
		  const char *note)
{
	char buf[INET_FMTLEN];
	struct json j;

	if (o.json) {
		json_begin(&j, stdout);
		json_double(&j, "time", (double)(clock_ns() - o.t0) / 1e9, 3);
		json_str(&j, "event", ev);
		if (a)
			json_str(&j, "client", inet_fmt(a, buf, sizeof(buf)));
		if (!strcmp(ev, "round")) {
			json_uint(&j, "round", o.s.round);
			json_uint(&j, "outstanding", slam_srv_outstanding(&o.s));
			json_double(&j, "rate_pps", o.s.cfg.rate > 0 ?
				    o.s.cfg.rate : o.s.rate, 0);
			json_double(&j, "loss", o.s.loss, 3);
			json_double(&j, "rtt_ms", o.s.srtt / 1e6, 2);
		} else if (!strcmp(ev, "suspect")) {
			json_str(&j, "reason", "lacks every block sent to it");
		} else if (!strcmp(ev, "evict")) {
			json_uint(&j, "evicted", o.s.evicted);
		} else if (!strcmp(ev, "refuse")) {
			json_uint(&j, "refused", o.s.full);
		}
		json_end(&j);
	} else if (!o.quiet) {
		printf("%s", ev);
		if (a)
			printf(" %s", inet_fmt(a, buf, sizeof(buf)));
		printf("%s\n", note);
		fflush(stdout);
	}
}

/* (Re)reads the file's identity; a new size, mtime or inode is a new
 * transaction. Returns 1 when it changed, 0 when not, -1 on error. */
static int check_file(uint64_t now)
{
	struct stat st;
	uint64_t bs, txn;
	int fd;

	if (stat(o.path, &st))
		return -1;
	if (o.fd >= 0 && st.st_ino == o.st.st_ino && st.st_dev == o.st.st_dev &&
	    st.st_size == o.st.st_size &&
	    st.st_mtim.tv_sec == o.st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == o.st.st_mtim.tv_nsec)
		return 0;
	if (o.fd < 0 || st.st_ino != o.st.st_ino || st.st_dev != o.st.st_dev) {
		fd = open(o.path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (o.fd >= 0)
			close(o.fd);
		o.fd = fd;
		if (fstat(fd, &st))
			return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)st.st_size > SLAM_INT_MAX) {
		errno = EFBIG;
		return -1;
	}
	o.st = st;
	txn = slamio_txn(&st);
	bs = o.bs_fixed ? o.bs : slamio_block_size(&o.g, txn,
						    (uint64_t)st.st_size);
	if (!bs || slam_srv_set_file(&o.s, txn,
				     (uint64_t)st.st_size, bs, now))
		return -1;
	return 1;
}

static void summary(void)
{
	double el = (double)(clock_ns() - o.t0) / 1e9;
	struct json j;

	if (o.json) {
		json_begin(&j, stdout);
		json_double(&j, "time", el, 3);
		json_str(&j, "event", "summary");
		json_str(&j, "file", o.path);
		json_uint(&j, "size", o.s.h.total);
		json_uint(&j, "block_size", o.s.h.bs);
		json_uint(&j, "blocks", o.s.h.nblocks);
		json_uint(&j, "packets", o.s.sent);
		json_uint(&j, "bytes", o.s.bytes);
		json_uint(&j, "rounds", o.s.round);
		json_uint(&j, "pings", o.s.pings);
		json_uint(&j, "nacks", o.s.nacks);
		json_uint(&j, "bad_nacks", o.s.bad);
		json_uint(&j, "clients", o.s.served);
		json_uint(&j, "done", o.s.done);
		json_uint(&j, "lost", o.s.lost);
		json_uint(&j, "refused", o.s.full);
		json_uint(&j, "evicted", o.s.evicted);
		json_uint(&j, "suspects", o.s.suspects);
		json_end(&j);
	} else if (!o.quiet) {
		printf("sent %llu packets (%llu bytes) in %.2f s, %llu rounds; "
		       "clients %llu: %llu done, %llu lost; %llu NACKs, %llu "
		       "bad\n", (unsigned long long)o.s.sent,
		       (unsigned long long)o.s.bytes, el,
		       (unsigned long long)o.s.round,
		       (unsigned long long)o.s.served,
		       (unsigned long long)o.s.done,
		       (unsigned long long)o.s.lost,
		       (unsigned long long)o.s.nacks,
		       (unsigned long long)o.s.bad);
	}
}

/* Sends what the batch holds; says once why sending fails (no route,
 * interface down...), and does not spin on it. */
static void flush(struct slamio_tx *tx, uint64_t *next_check)
{
	static int last;
	char buf[INET_FMTLEN];

	if (slamio_tx_flush(tx, &o.s, o.fd) < 0) {
		if (errno != last && errno != ENOBUFS && errno != EAGAIN)
			warn("send to %s", inet_fmt(&o.g.group, buf, sizeof(buf)));
		last = errno;
		usleep(20000);
	} else {
		last = 0;
	}
	if (tx->short_read)	/* shrunk under us: look again now */
		*next_check = 0;
}

/* A flood can evict or refuse thousands of clients: one line every 10 s
 * at most, with the count since the last (the summary has the totals). */
#define NOTE_EVERY_NS	(10 * UINT64_C(1000000000))

static void evicted(uint64_t now)
{
	static uint64_t next, before;
	char a[INET_FMTLEN];

	if (now < next || o.quiet)
		return;
	next = now + NOTE_EVERY_NS;
	if (o.json)
		event("evict", &o.s.evicted_addr, "");
	else
		warnx("no room for a new client: evicted %s%s (%llu so far), "
		      "clients that never answered a ping go first",
		      inet_fmt(&o.s.evicted_addr, a, sizeof(a)),
		      o.s.evicted - before > 1 ? " and others" : "",
		      (unsigned long long)o.s.evicted);
	before = o.s.evicted;
}

static void refused(const struct sockaddr_storage *from, uint64_t now)
{
	static uint64_t next;
	char a[INET_FMTLEN];

	if (now < next)
		return;
	next = now + NOTE_EVERY_NS;
	if (o.json)
		event("refuse", from, "");
	else
		warnx("refusing new client %s (%llu so far): its address has "
		      "--max-per-host %u clients, or all --max-clients %u "
		      "answer pings", inet_fmt(from, a, sizeof(a)),
		      (unsigned long long)o.s.full, o.s.cfg.max_per_addr,
		      o.s.cfg.max_clients);
}

/* The NACKs and ping answers waiting. */
static void input(struct sock_rx *rx, uint64_t *last_rx)
{
	const struct sockaddr_storage *from;
	const uint8_t *p;
	char a[INET_FMTLEN];
	uint64_t now;
	size_t len;
	int k, r;

	r = sock_rx_recv(o.sock, rx, MSG_DONTWAIT);
	now = clock_ns();
	if (r > 0)
		*last_rx = now;
	for (k = 0; k < r; k++) {
		p = sock_rx_data(rx, (unsigned)k, &len);
		from = sock_rx_from(rx, (unsigned)k);
		switch (slam_srv_input(&o.s, now, from, p, len)) {
		case SLAM_EV_JOIN:
			if (o.s.evicted_now)
				evicted(now);
			event("join", from, "");
			break;
		case SLAM_EV_SUSPECT:
			/* named, so that the admin can find the host */
			event("suspect", from, ": claims to lack every block "
			      "sent to it (lying, or not receiving the "
			      "group); served only when no one else waits");
			break;
		case SLAM_EV_DONE:
			event("done", from, "");
			break;
		case SLAM_EV_BAD:
			if (!o.quiet && !o.json)
				warnx("bad NACK from %s ignored",
				      inet_fmt(from, a, sizeof(a)));
			break;
		case SLAM_EV_FULL:
			refused(from, now);
			break;
		default:
			break;
		}
	}
}

static void serve(int once, double idle, const struct rate *rate,
		  struct slamio_tx *tx, struct sock_rx *rx)
{
	uint64_t now, last_rx = 0, next_check = 0, until;
	struct slam_out a;
	struct progress pg;
	struct timespec ts;
	struct pollfd pfd = { .fd = o.sock, .events = POLLIN };
	char extra[80];
	int r;

	progress_init(&pg, 0);
	while (!stop) {
		now = clock_ns();
		if (now >= next_check) {
			r = check_file(now);
			if (r < 0)
				warn("%s", o.path);	/* keep the old copy */
			else if (r > 0 && next_check) {
				snprintf(extra, sizeof(extra), ": file changed, "
					 "%llu bytes, new transaction",
					 (unsigned long long)o.s.h.total);
				event("restart", NULL, extra);
			}
			next_check = now + 1000000000;
			if (rate->bits)	/* bit/s -> packets/s at this size */
				o.s.cfg.rate = rate_pps(rate, o.s.h.bs + 40);
		}
		while (!slamio_tx_full(tx)) {
			slam_srv_next(&o.s, now, &a);
			if (a.act == SLAM_ACT_WAIT)
				break;
			if (a.act == SLAM_ACT_PING) {
				sendto(o.sock, o.s.h.raw, o.s.h.rawlen, 0,
				       (struct sockaddr *)&a.addr,
				       inet_sslen(&a.addr));
			} else if (a.act == SLAM_ACT_LOST) {
				event("lost", &a.addr, "");
			} else if (a.act == SLAM_ACT_ROUND) {
				if (o.json)
					event("round", NULL, "");
			} else if (a.act == SLAM_ACT_DATA &&
				   slamio_tx_add(tx, &o.s.h, a.block)) {
				slam_srv_unsend(&o.s, a.block);
				break;
			}
		}
		ts = clock_ts(0);
		if (tx->n) {
			/* more may be due at once: only look for NACKs */
			flush(tx, &next_check);
		} else {
			if (progress_due(&pg)) {
				snprintf(extra, sizeof(extra), "%u clients, "
					 "%llu blocks outstanding", o.s.ncl,
					 (unsigned long long)
					 slam_srv_outstanding(&o.s));
				progress_update(&pg, o.s.bytes, extra);
			}
			if (once && o.s.served && !o.s.ncl &&
			    !slam_srv_outstanding(&o.s) &&
			    now - last_rx >= (uint64_t)(idle * 1e9))
				break;
			until = a.until_ns;
			if (once && o.s.served && !o.s.ncl) {
				uint64_t t = last_rx + (uint64_t)(idle * 1e9);

				if (!until || t < until)
					until = t;
			}
			if (!until || until > next_check)
				until = next_check;
			if (until > now)
				ts = clock_ts(until - now);
		}
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			input(rx, &last_rx);
	}
	progress_end(&pg);
}

static int slam_serve_main(int argc, char **argv)
{
	struct slam_srv_cfg cfg = { 0 };
	const char *ifname = NULL, *group = SLAM_GROUP, *user = NULL;
	double idle = 3;
	struct rate rate = { 0 };
	struct slamio_tx tx;
	struct sock_rx rx;
	int c, port = SLAM_PORT, ttl = 1, once = 0, ifindex = 0;
	struct optstate st;
	char **ops, buf[INET_FMTLEN];

	opt_init(&st, &slam_serve_applet, argc, argv);
	while ((c = opt_next(&st)) > 0)
		switch (c) {
		case 'i': ifname = st.arg; break;
		case 'p': port = (int)st.num; break;
		case 'g': group = st.arg; break;
		case 't': ttl = (int)st.num; break;
		case 'b': o.bs = (uint64_t)st.num; o.bs_fixed = 1; break;
		case 'r': o.rate = st.arg; break;
		case 'u': user = st.arg; break;
		case O_ONCE: once = 1; break;
		case O_IDLE: idle = st.secs; break;
		case O_MAXCL: cfg.max_clients = (unsigned)st.num; break;
		case O_MAXHOST: cfg.max_per_addr = (unsigned)st.num; break;
		case 'q': o.quiet = 1; break;
		case 'j': o.json = 1; break;
		}
	if (c < 0 || opt_operands(&st, &ops) < 0) {
		opt_free(&st);
		return st.status;
	}
	opt_free(&st);	/* ops point into argv */
	o.path = ops[0];
	if (inet_parse_group(group, SLAM_PORT, &o.g))
		return opt_usage_error(&slam_serve_applet, "%s", err_str());
	if (o.rate && rate_parse(o.rate, &rate))
		return opt_usage_error(&slam_serve_applet, "%s", err_str());
	if (ifname && (ifindex = inet_ifindex(ifname)) < 0)
		return opt_usage_error(&slam_serve_applet, "%s", err_str());
	cfg.rate = rate.bits ? 0 : rate.value;
	o.t0 = clock_ns();
	slam_srv_init(&o.s, &cfg, o.t0);
	if (check_file(o.t0) < 0) {
		warn("%s", o.path);
		slam_srv_free(&o.s);
		return EXIT_FAILURE;
	}
	if (o.s.h.total > (UINT64_C(1) << 29) - 1 && !o.quiet)
		warnx("%s: over 512 MiB; 32-bit Etherboot/iPXE clients cannot "
		      "take it", o.path);
	o.sock = slamio_srv_socket(&o.g, port, ifindex, ttl);
	if (o.sock < 0 || slamio_tx_init(&tx, o.sock, &o.g.group, BATCH) ||
	    sock_rx_init(&rx, SOCK_BATCH, 2048)) {
		warnx("%s", o.sock < 0 ? err_str() : strerror(errno));
		return EXIT_FAILURE;
	}
	if (user ? priv_drop_to_user(user) : priv_drop_all()) {
		warnx("%s", user ? err_str() : "cannot drop capabilities");
		return EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!o.quiet)
		fprintf(stderr, "slam-serve: listening on port %d, serving %s "
			"(%llu bytes, %llu blocks of %llu) to %s\n", port,
			o.path, (unsigned long long)o.s.h.total,
			(unsigned long long)o.s.h.nblocks,
			(unsigned long long)o.s.h.bs,
			inet_fmt(&o.g.group, buf, sizeof(buf)));
	serve(once, idle, &rate, &tx, &rx);
	summary();
	slam_srv_free(&o.s);
	slamio_tx_free(&tx);
	sock_rx_free(&rx);
	close(o.sock);
	close(o.fd);
	return EXIT_SUCCESS;
}
