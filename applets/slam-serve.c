/* slam-serve.c - push a file to any number of Etherboot/iPXE SLAM clients
 * and slam-get receivers (SLAM, PROTOCOLS.md §1): the thin driver around
 * lib/slamsrv.c (socket, file, clock, events). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "inet.h"
#include "json.h"
#include "mcast.h"
#include "opt.h"
#include "priv.h"
#include "rate.h"
#include "slamsrv.h"
#include "xfer.h"

#define O_ONCE (OPT_LONGONLY + 1)
#define O_IDLE (OPT_LONGONLY + 2)
#define O_MAXCL (OPT_LONGONLY + 3)

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

#define BATCH 64

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

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* Transaction id from what tells file versions apart; under 2^32 so it
 * stays a short Int. Clients restart whenever it changes. */
static uint64_t txn_of(const struct stat *st)
{
	return mix(mix((uint64_t)st->st_size) ^ (uint64_t)st->st_mtim.tv_sec ^
		   mix((uint64_t)st->st_mtim.tv_nsec + st->st_ino)) &
	       0xffffffffULL;
}

static int mtu_of(int family, int ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, mtu = 1500;
	socklen_t len = sizeof(mtu);

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1500;
	if (ifindex > 0) {
		if_indextoname((unsigned)ifindex, ifr.ifr_name);
		if (!ioctl(fd, SIOCGIFMTU, &ifr))
			mtu = ifr.ifr_mtu;
	} else if (!connect(fd, (struct sockaddr *)&o.g.group,
			    inet_sslen(&o.g.group))) {
		/* the route the data will take */
		if (getsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			       family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &len))
			mtu = 1500;
	}
	close(fd);
	return mtu;
}

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
	uint64_t bs;
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
	bs = o.bs;
	if (!o.bs_fixed) {
		bs = slam_fit_bs(mtu_of(o.g.family, 0) -
				 (o.g.family == AF_INET ? 28 : 48),
				 txn_of(&st), (uint64_t)st.st_size);
		/* Etherboot cannot finish a file that is an exact multiple
		 * of the block size (PROTOCOLS.md §1.9): avoid it */
		while (bs > 1 && st.st_size && st.st_size % bs == 0)
			bs--;
	}
	if (!bs || slam_srv_set_file(&o.s, txn_of(&st), (uint64_t)st.st_size,
				     bs, now))
		return -1;
	return 1;
}

static int open_socket(int port, int ifindex, int ttl)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)o.g.family };
	int fd, big = 4 << 20;

	fd = socket(o.g.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	inet_set_port(&ss, port);
	if (bind(fd, (struct sockaddr *)&ss, inet_sslen(&ss)))
		err(1, "bind port %d", port);
	/* our own group traffic must never come back to us as "NACKs" */
	if (mc_set_all(fd, o.g.family, 0) || mc_set_ttl(fd, o.g.family, ttl) ||
	    mc_set_loop(fd, o.g.family, 1) ||
	    (ifindex > 0 && mc_set_if(fd, o.g.family, ifindex)))
		err(1, "multicast socket options");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
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

/* Sends the batched data packets; a block the kernel refused is wanted
 * again rather than lost. */
static void flush(struct mmsghdr *m, uint64_t *blk, int n)
{
	int k = 0, r;

	while (k < n) {
		r = sendmmsg(o.sock, m + k, (unsigned)(n - k), 0);
		if (r <= 0) {
			static int last;
			char buf[INET_FMTLEN];

			if (r < 0 && errno == EINTR)
				continue;
			for (; k < n; k++)
				slam_srv_unsend(&o.s, blk[k]);
			/* no route, interface down...: say so once, and do
			 * not spin on it */
			if (r < 0 && errno != last && errno != ENOBUFS &&
			    errno != EAGAIN)
				warn("send to %s", inet_fmt(&o.g.group, buf,
							    sizeof(buf)));
			last = r < 0 ? errno : 0;
			usleep(20000);
			return;
		}
		k += r;
	}
}

static void serve(int once, double idle, const struct rate *rate)
{
	static uint8_t pkt[BATCH][65536];
	static uint8_t nack[BATCH][2048];
	struct mmsghdr m[BATCH], rm[BATCH];
	struct iovec iov[BATCH], riov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint64_t blk[BATCH], now, last_rx = 0, next_check = 0, until;
	struct slam_out a;
	struct progress pg;
	struct timespec ts;
	struct pollfd pfd = { .fd = o.sock, .events = POLLIN };
	char extra[80];
	int n, k, r;
	ssize_t got;

	progress_init(&pg, 0);
	memset(m, 0, sizeof(m));
	for (k = 0; k < BATCH; k++) {
		m[k].msg_hdr.msg_name = &o.g.group;
		m[k].msg_hdr.msg_namelen = inet_sslen(&o.g.group);
		m[k].msg_hdr.msg_iov = &iov[k];
		m[k].msg_hdr.msg_iovlen = 1;
		iov[k].iov_base = pkt[k];
	}
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
		n = 0;
		for (;;) {
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
			} else if (a.act == SLAM_ACT_DATA) {
				uint64_t len = slam_block_len(&o.s.h, a.block);
				int h = slam_data_prefix(pkt[n], sizeof(pkt[n]),
							 &o.s.h, a.block);

				got = pread(o.fd, pkt[n] + h, len,
					    (off_t)(a.block * o.s.h.bs));
				if (got != (ssize_t)len) {
					/* shrunk under us: look again now */
					slam_srv_unsend(&o.s, a.block);
					next_check = 0;
					break;
				}
				iov[n].iov_len = (size_t)h + len;
				blk[n++] = a.block;
				if (n == BATCH)
					break;
			}
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
		if (n) {
			/* more may be due at once: only look for NACKs */
			flush(m, blk, n);
		} else {
			snprintf(extra, sizeof(extra), "%u clients, %llu blocks "
				 "outstanding", o.s.ncl,
				 (unsigned long long)slam_srv_outstanding(&o.s));
			progress_update(&pg, o.s.bytes, extra);
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
			if (until > now) {
				ts.tv_sec = (time_t)((until - now) / 1000000000);
				ts.tv_nsec = (long)((until - now) % 1000000000);
			}
		}
		if (ppoll(&pfd, 1, &ts, NULL) <= 0)
			continue;
		memset(rm, 0, sizeof(rm));
		for (k = 0; k < BATCH; k++) {
			riov[k].iov_base = nack[k];
			riov[k].iov_len = sizeof(nack[k]);
			rm[k].msg_hdr.msg_iov = &riov[k];
			rm[k].msg_hdr.msg_iovlen = 1;
			rm[k].msg_hdr.msg_name = &from[k];
			rm[k].msg_hdr.msg_namelen = sizeof(from[k]);
		}
		r = recvmmsg(o.sock, rm, BATCH, MSG_DONTWAIT, NULL);
		now = clock_ns();
		for (k = 0; k < r; k++) {
			last_rx = now;
			switch (slam_srv_input(&o.s, now, &from[k], nack[k],
					       rm[k].msg_len)) {
			case SLAM_EV_JOIN:
				event("join", &from[k], "");
				break;
			case SLAM_EV_DONE:
				event("done", &from[k], "");
				break;
			case SLAM_EV_BAD:
				if (!o.quiet && !o.json)
					warnx("bad NACK from %s ignored",
					      inet_fmt(&from[k], extra,
						       sizeof(extra)));
				break;
			case SLAM_EV_FULL:
				if (o.s.full == 1)
					warnx("client list full (--max-clients "
					      "%u): ignoring new clients",
					      o.s.cfg.max_clients);
				break;
			default:
				break;
			}
		}
	}
	progress_end(&pg);
}

static int slam_serve_main(int argc, char **argv)
{
	struct slam_srv_cfg cfg = { 0 };
	const char *ifname = NULL, *group = SLAM_GROUP, *user = NULL;
	double idle = 3;
	struct rate rate = { 0 };
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
	o.sock = open_socket(port, ifindex, ttl);
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
	serve(once, idle, &rate);
	summary();
	slam_srv_free(&o.s);
	close(o.sock);
	close(o.fd);
	return EXIT_SUCCESS;
}
