/* tftm-get.c - fetch a file by TFTP (RFC 1350, options RFC 2347-2349, 7440)
 * with RFC 2090 multicast, falling back to unicast when the server will not.
 * The protocol is lib/tftp_client.c; this is the socket, file and clock
 * driver around it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "inet.h"
#include "json.h"
#include "mcast.h"
#include "opt.h"
#include "priv.h"
#include "tftp.h"
#include "xfer.h"

#define O_UNICAST (OPT_LONGONLY + 1)
#define O_MAXSIZE (OPT_LONGONLY + 2)
#define O_PASSIVE (OPT_LONGONLY + 3)

static const struct opt opts[] = {
	{ 'o', "output", "FILE", OPT_STR,
	  "write to FILE, '-' for stdout (default: the remote base name)", 0, 0 },
	{ 'i', "interface", "IFACE", OPT_STR,
	  "join the multicast group on IFACE", 0, 0 },
	{ 'b', "blksize", "BYTES", OPT_INT,
	  "block size to ask for (default: what fits the MTU)",
	  8, 65464 },
	{ 'T', "timeout", "SECONDS", OPT_INT,
	  "retransmission timeout to ask for and use", 1,
	  255 },
	{ 'W', "windowsize", "BLOCKS", OPT_INT,
	  "ask for RFC 7440 windows of BLOCKS blocks", 1,
	  65535 },
	{ O_UNICAST, "unicast", NULL, OPT_FLAG,
	  "do not ask for RFC 2090 multicast", 0, 0 },
	{ O_MAXSIZE, "max-size", "SIZE", OPT_SIZE,
	  "refuse files larger than SIZE (default 4G)", 1, 1125899906842624.0 },
	{ O_PASSIVE, "passive-wait", "SECONDS", OPT_SECS,
	  "silence a passive client accepts (default 60)",
	  1, 86400 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "give up after SECONDS in all (exit 3)", 0.1, 1e6 },
	{ '4', "ipv4", NULL, OPT_FLAG, "use IPv4 only", 0, 0 },
	{ '6', "ipv6", NULL, OPT_FLAG, "use IPv6 only (unicast TFTP)", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print the summary as one JSON object",
	  0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print nothing but errors", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG,
	  "report fallback, joins and promotion", 0, 0 },
	{ 0 }
};

static int tftm_get_main(int argc, char **argv);

const struct applet tftm_get_applet = {
	.name = "tftm-get",
	.section = 1,
	.summary = "fetch a file by TFTP with RFC 2090 multicast",
	.operands = "SERVER[:PORT] FILE | URL",
	.min_args = 1,
	.max_args = 2,
	.opts = opts,
	.privs = PRIV_NONE,	/* UDP sockets and group joins need nothing */
	.main = tftm_get_main,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static struct {
	int json, quiet, verbose, family, ifindex;
	const char *out, *ifname;
	char server_s[INET_FMTLEN];
	int ufd, mfd;
	struct outfile of;
	struct progress pg;
	int failed, rc;
	char err[300];
	/* contiguous blocks are gathered here and written in one go: one
	 * pwrite per block would cost more than the protocol itself */
	uint8_t wb[256 << 10];
	off_t wb_off;
	size_t wb_len;
} g = { .ufd = -1, .mfd = -1 };

static int wb_flush(void)
{
	int r = g.wb_len ? outfile_pwrite(&g.of, g.wb, g.wb_len, g.wb_off) : 0;

	/* start write-back now, so that the fsync before the rename does not
	 * find the whole file still to write */
	if (r == 0 && g.wb_len && g.of.final)
		sync_file_range(g.of.fd, g.wb_off, (off_t)g.wb_len,
				SYNC_FILE_RANGE_WRITE);

	g.wb_len = 0;
	if (r < 0 && !g.failed) {
		snprintf(g.err, sizeof(g.err), "%s", err_str());
		g.failed = 1;
		g.rc = EXIT_FAILURE;
	}
	return r;
}

static void wb_write(const uint8_t *b, size_t len, off_t off)
{
	if (g.wb_len && (off != g.wb_off + (off_t)g.wb_len ||
			 len > sizeof(g.wb) - g.wb_len))
		wb_flush();
	if (len > sizeof(g.wb)) {
		if (outfile_pwrite(&g.of, b, len, off) < 0 && !g.failed) {
			snprintf(g.err, sizeof(g.err), "%s", err_str());
			g.failed = 1;
			g.rc = EXIT_FAILURE;
		}
		return;
	}
	if (!g.wb_len)
		g.wb_off = off;
	memcpy(g.wb + g.wb_len, b, len);
	g.wb_len += len;
}

/* Runs the events of one input/tick in three passes: group changes first
 * (atftpd multicasts block 1 as soon as the master's ACK 0 arrives, so we
 * must be in the group by then), then sends (the server is waiting), then
 * the file writes and the rest. */
static void run_events(struct tftp_client *c)
{
	struct tftp_ev ev[TFTP_NEV];
	int n = 0;
	char gs[INET_FMTLEN];

	while (n < TFTP_NEV && tftp_client_event(c, &ev[n]))
		n++;
	for (int pass = 0; pass < 3; pass++)
	for (int i = 0; i < n && !g.failed; i++) {
		struct tftp_ev *e = &ev[i];
		struct mc_group mg = { .family = AF_INET };
		int grp = e->type == TFTP_EV_JOIN || e->type == TFTP_EV_LEAVE;

		if ((pass == 0) != grp ||
		    (pass == 1) != (e->type == TFTP_EV_SEND))
			continue;
		switch (e->type) {
		case TFTP_EV_SEND:
			sendto(g.ufd, e->buf, e->len, 0,
			       (const struct sockaddr *)&e->addr,
			       inet_sslen(&e->addr));
			break;
		case TFTP_EV_DATA:
			wb_write(e->buf, e->len, (off_t)e->off);
			break;
		case TFTP_EV_JOIN:
			if (g.mfd >= 0)
				close(g.mfd);
			mg.group = e->addr;
			g.mfd = mc_recv_socket(&mg, g.ifindex);
			if (g.mfd < 0) {
				snprintf(g.err, sizeof(g.err), "join %s: %s",
					 inet_fmt(&e->addr, gs, sizeof(gs)),
					 err_str());
				g.failed = 1;
				g.rc = EXIT_FAILURE;
			} else {
				/* room for the naps of a passive client
				 * (capped by net.core.rmem_max) */
				int rb = 1 << 20;

				setsockopt(g.mfd, SOL_SOCKET, SO_RCVBUF, &rb,
					   sizeof(rb));
			}
			if (g.mfd >= 0 && g.verbose) {
				warnx("joined %s%s%s as %s client",
				      inet_fmt(&e->addr, gs, sizeof(gs)),
				      g.ifname ? " on " : "",
				      g.ifname ? g.ifname : "",
				      c->master ? "master" : "passive");
			}
			break;
		case TFTP_EV_LEAVE:
			if (g.mfd >= 0)
				close(g.mfd);
			g.mfd = -1;
			break;
		case TFTP_EV_NOTE:
			if (g.verbose)
				warnx("%s", e->msg);
			break;
		case TFTP_EV_DONE:
			break;
		case TFTP_EV_FAIL:
			g.failed = 1;
			g.rc = e->fail == TFTP_FAIL_TIMEOUT ? EXIT_NOANSWER :
							      EXIT_FAILURE;
			if (e->fail == TFTP_FAIL_SERVER)
				snprintf(g.err, sizeof(g.err),
					 "%s: error %d (%s): %s", g.server_s,
					 e->code, tftp_errname((unsigned)e->code),
					 e->msg);
			else
				snprintf(g.err, sizeof(g.err), "%s: %s",
					 g.server_s, e->msg);
			break;
		}
	}
}

static void summary(const struct tftp_client *c, const char *remote,
		    double secs)
{
	/* with -o -, stdout carries the file: the summary goes to stderr */
	FILE *f = g.out && !strcmp(g.out, "-") ? stderr : stdout;
	double rate = secs > 0 ? (double)c->st.bytes / secs : 0;
	char gs[INET_FMTLEN];
	struct json j;

	if (g.json) {
		json_begin(&j, f);
		json_str(&j, "file", remote);
		json_str(&j, "output", g.out);
		json_str(&j, "server", g.server_s);
		json_bool(&j, "ok", !g.failed);
		if (g.failed)
			json_str(&j, "error", g.err);
		json_str(&j, "mode", tftp_client_mode(c));
		if (c->fallback)
			json_str(&j, "fallback", c->fallback);
		else
			json_null(&j, "fallback");
		if (c->mcast)
			json_str(&j, "group", inet_fmt(&c->group, gs,
						       sizeof(gs)));
		json_uint(&j, "promotions", c->st.promotions);
		json_uint(&j, "blksize", c->blksize);
		json_uint(&j, "windowsize", c->window);
		if (c->have_tsize)
			json_uint(&j, "tsize", c->tsize);
		else
			json_null(&j, "tsize");
		json_uint(&j, "bytes", c->st.bytes);
		json_uint(&j, "blocks", c->st.blocks);
		json_uint(&j, "multicast_blocks", c->st.mcast_blocks);
		json_uint(&j, "duplicates", c->st.dups);
		json_uint(&j, "retransmissions", c->st.retrans);
		json_uint(&j, "dropped", c->st.bad);
		json_double(&j, "seconds", secs, 3);
		json_double(&j, "bytes_per_second", rate, 0);
		json_end(&j);
		return;
	}
	if (g.quiet || g.failed || f == stderr)
		return;
	fprintf(f, "%s: %llu bytes in %.2f s (%.1f MB/s), %s, %llu blocks "
		"of %u, %llu retransmissions\n", g.out,
		(unsigned long long)c->st.bytes, secs, rate / 1e6,
		tftp_client_mode(c), (unsigned long long)c->st.blocks,
		c->blksize, (unsigned long long)c->st.retrans);
}

/* SERVER[:PORT] FILE, or a URL. */
static int parse_target(int n, char **ops, struct sockaddr_storage *srv,
			char **file, char **urlbuf)
{
	*urlbuf = NULL;
	if (n == 2) {
		*file = ops[1];
		if (!**file)
			return opt_usage_error(&tftm_get_applet,
					       "empty remote file name");
		if (inet_parse_hostport(ops[0], TFTP_PORT, g.family, srv) < 0)
			return opt_usage_error(&tftm_get_applet, "bad server "
					       "'%s': %s", ops[0], err_str());
		return 0;
	}
	if (tftp_parse_url(ops[0], g.family, srv, file, urlbuf) < 0)
		return opt_usage_error(&tftm_get_applet, "%s", err_str());
	return 0;
}

static int tftm_get_main(int argc, char **argv)
{
	struct optstate st;
	struct tftp_cfg cfg = { .multicast = 1, .tsize = 1,
				.max_size = 4ull << 30 };
	struct tftp_client c;
	struct sockaddr_storage srv, from;
	static uint8_t buf[65536];
	char **ops, *urlbuf = NULL, *file = NULL, local[256];
	double deadline_s = 0;
	uint64_t t0, deadline = 0;
	int ch, n;

	opt_init(&st, &tftm_get_applet, argc, argv);
	while ((ch = opt_next(&st)) > 0)
		switch (ch) {
		case 'o': g.out = st.arg; break;
		case 'i': g.ifname = st.arg; break;
		case 'b': cfg.blksize = (unsigned)st.num; break;
		case 'T': cfg.timeout = (unsigned)st.num; break;
		case 'W':
			/* given, it applies to multicast too (atftpd
			 * honours it there) */
			cfg.windowsize = (unsigned)st.num;
			cfg.mc_window = 1;
			break;
		case O_UNICAST: cfg.multicast = 0; break;
		case O_MAXSIZE: cfg.max_size = (uint64_t)st.num; break;
		case O_PASSIVE:
			cfg.passive_ns = (uint64_t)(st.secs * 1e9);
			break;
		case 'w': deadline_s = st.secs; break;
		case '4': g.family = AF_INET; break;
		case '6': g.family = AF_INET6; break;
		case 'j': g.json = 1; break;
		case 'q': g.quiet = 1; break;
		case 'v': g.verbose = 1; break;
		}
	if (ch < 0)
		goto out_opt;
	n = opt_operands(&st, &ops);
	if (n < 0)
		goto out_opt;
	if ((g.rc = parse_target(n, ops, &srv, &file, &urlbuf)))
		goto out_url;
	if (g.ifname && (g.ifindex = inet_ifindex(g.ifname)) < 0) {
		g.rc = opt_usage_error(&tftm_get_applet, "bad -i '%s': %s",
				       g.ifname, err_str());
		goto out_url;
	}
	if (!g.out) {
		if (tftp_local_name(file, local, sizeof(local)) < 0) {
			g.rc = opt_usage_error(&tftm_get_applet, "%s",
					       err_str());
			goto out_url;
		}
		g.out = local;
	}
	inet_fmt(&srv, g.server_s, sizeof(g.server_s));
	if (srv.ss_family == AF_INET6 && cfg.multicast) {
		/* RFC 2090 hands out IPv4 groups only */
		cfg.multicast = 0;
	}
	if (!cfg.blksize)
		cfg.blksize = tftp_mtu_blksize(&srv);
	if (cfg.timeout)
		cfg.rto_ns = cfg.timeout * 1000000000ull;
	cfg.file = file;
	if (tftp_client_init(&c, &cfg, &srv) < 0) {
		g.rc = opt_usage_error(&tftm_get_applet, "%s", err_str());
		goto out_url;
	}
	g.rc = EXIT_FAILURE;
	g.ufd = socket(srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (g.ufd < 0) {
		warn("socket");
		goto out_client;
	}
	if (outfile_open(&g.of, g.out) < 0) {
		warnx("%s: %s", g.out, err_str());
		goto out_sock;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	progress_init(&g.pg, 0);
	t0 = clock_ns();
	if (deadline_s > 0)
		deadline = t0 + (uint64_t)(deadline_s * 1e9);
	tftp_client_start(&c, t0);
	run_events(&c);
	while (!g.failed && c.state != TFTP_S_DONE && !stop) {
		struct pollfd pf[2] = { { g.ufd, POLLIN, 0 },
					{ g.mfd, POLLIN, 0 } };
		uint64_t now = clock_ns(), t = tftp_client_timer(&c);
		int ms;

		if (deadline && (!t || deadline < t))
			t = deadline;
		ms = clock_poll_ms(t ? t : 0);
		if (poll(pf, g.mfd >= 0 ? 2 : 1, t ? ms : -1) < 0) {
			if (errno == EINTR)
				continue;
			warn("poll");
			break;
		}
		now = clock_ns();
		for (int i = 0; i < 2 && !g.failed; i++) {
			/* take what is queued, a bounded batch per wake-up */
			for (int k = 0; k < 64 && !g.failed &&
					c.state != TFTP_S_DONE; k++) {
				socklen_t fl = sizeof(from);
				ssize_t r;

				if (!(pf[i].revents & POLLIN) || pf[i].fd < 0)
					break;
				r = recvfrom(pf[i].fd, buf, sizeof(buf),
					     MSG_DONTWAIT,
					     (struct sockaddr *)&from, &fl);
				if (r < 0)
					break;
				tftp_client_input(&c, buf, (size_t)r, &from,
						  i == 1, now);
				run_events(&c);
				/* a JOIN may have replaced the socket */
				if (i == 1 && pf[1].fd != g.mfd)
					break;
			}
		}
		/* A passive client has nothing to answer: napping a
		 * millisecond lets blocks queue up (the socket holds ~80)
		 * and be taken in one wake-up, leaving the CPU to the
		 * master and the server when they share a host. */
		if (c.mcast && !c.master && !g.failed &&
		    c.state == TFTP_S_XFER) {
			struct timespec nap = { 0, 1000000 };

			nanosleep(&nap, NULL);
		}
		if (c.have_tsize)
			g.pg.total = c.tsize;
		progress_update(&g.pg, c.st.blocks * c.blksize,
				c.mcast ? (c.master ? "master" : "passive") :
					  NULL);
		now = clock_ns();
		if (!g.failed && c.state != TFTP_S_DONE &&
		    tftp_client_timer(&c) && now >= tftp_client_timer(&c)) {
			tftp_client_tick(&c, now);
			run_events(&c);
		}
		if (!g.failed && c.state != TFTP_S_DONE && deadline &&
		    now >= deadline) {
			g.failed = 1;
			g.rc = EXIT_NOANSWER;
			snprintf(g.err, sizeof(g.err), "%s: %s within %g s",
				 g.server_s, c.st.blocks ? "transfer not "
				 "complete" : "no answer", deadline_s);
		}
	}
	progress_end(&g.pg);
	if (stop && !g.failed && c.state != TFTP_S_DONE) {
		uint8_t e[32];
		int l = tftp_encode_error(e, sizeof(e), 0, "TFTP Aborted");

		if (c.have_tid)
			sendto(g.ufd, e, (size_t)l, 0,
			       (struct sockaddr *)&c.tid, inet_sslen(&c.tid));
		g.failed = 1;
		snprintf(g.err, sizeof(g.err), "interrupted");
	}
	wb_flush();
	if (!g.failed && outfile_commit(&g.of, (off_t)c.st.bytes) < 0) {
		g.failed = 1;
		snprintf(g.err, sizeof(g.err), "%s: %s", g.out, err_str());
	}
	if (g.failed) {
		outfile_abort(&g.of);
		warnx("%s", g.err);
		if (!g.rc)
			g.rc = EXIT_FAILURE;
	} else {
		g.rc = 0;
	}
	summary(&c, file, (double)(clock_ns() - t0) / 1e9);
out_sock:
	if (g.mfd >= 0)
		close(g.mfd);
	close(g.ufd);
out_client:
	tftp_client_free(&c);
out_url:
	free(urlbuf);
out_opt:
	opt_free(&st);
	return st.status && !g.rc ? st.status : g.rc;
}
