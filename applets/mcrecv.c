/* mcrecv.c - join IPv4/IPv6 multicast groups (ASM, or SSM per RFC 4607 via
 * RFC 3678 joins) and receive: payloads, probe statistics (lib/probe.h),
 * and exit codes a script can trust. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dump.h"
#include "err.h"
#include "inet.h"
#include "json.h"
#include "mcast.h"
#include "mcdiag.h"
#include "opt.h"
#include "priv.h"
#include "probe.h"
#include "probefmt.h"
#include "sock.h"
#include "xfer.h"

enum { O_LOSSMAX = OPT_LONGONLY + 1 };

static const struct opt opts[] = {
	{ 'c', "count", "COUNT", OPT_INT,
	  "exit 0 once COUNT datagrams arrived", 1, 1e12 },
	{ 'i', "iface", "IFACE", OPT_STR,
	  "join on IFACE (name or index), not by route", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG,
	  "one JSON object per datagram, then a summary object", 0, 0 },
	{ O_LOSSMAX, "loss-max", "PCT", OPT_STR,
	  "exit 1 if a sender's probe loss exceeds PCT percent", 0, 0 },
	{ 'o', "output", "FILE", OPT_STR,
	  "write the payloads, raw, to FILE (- for stdout)", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print nothing but the summary", 0, 0 },
	{ 's', "source", "SOURCE", OPT_STR,
	  "SSM: accept SOURCE only (repeatable)", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG, "say how each group was joined", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS,
	  "stop after SECONDS; 3 if nothing or < COUNT came", 0.001, 1e9 },
	{ 'x', "hex", NULL, OPT_FLAG, "print payloads as a hex dump", 0, 0 },
	{ 0 }
};

static int mcrecv_main(int argc, char **argv);

const struct applet mcrecv_applet = {
	.name = "mcrecv",
	.section = 1,
	.summary = "join multicast groups and receive datagrams",
	.operands = "[SOURCE,]GROUP[:PORT]...",
	.min_args = 1,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NONE,	/* joins and UDP receive need no capability */
	.main = mcrecv_main,
};

#define MAX_SOURCES	64
#define MAX_FLOWS	4096	/* senders tracked; more are counted only */
#define RX_TICK_MS	20	/* deadline resolution of a single group */

enum out { OUT_TEXT, OUT_HEX, OUT_JSON, OUT_QUIET, OUT_FILE };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct rgroup {
	struct mc_group g;
	int fd;
	char ifname[IF_NAMESIZE];
};

struct rx {
	enum out out;
	struct probe_table flows;
	struct outfile of;
	unsigned long long received, bytes;
	off_t off;
	int failed;
};

static const char *verdict_name[] = {
	[PROBE_INORDER] = "ok", [PROBE_REORDERED] = "reordered",
	[PROBE_DUPLICATE] = "duplicate", [PROBE_LATE] = "late",
	[PROBE_INVALID] = "invalid",
};

static void datagram(struct rx *x, const struct rgroup *rg,
		     const struct sock_rx *b, unsigned k, const uint8_t *p,
		     size_t len)
{
	const struct sockaddr_storage *from = sock_rx_from(b, k);
	int ttl = sock_rx_ttl(b, k);
	uint64_t rx_ns = sock_rx_time(b, k);
	char src[INET_FMTLEN], grp[INET_FMTLEN];
	struct probe_hdr h;
	struct probe_flow *f = NULL;
	enum probe_verdict v = PROBE_INORDER;
	int probe = probe_decode(p, len, &h) == 0;
	struct json j;

	x->received++;
	x->bytes += len;
	if (probe) {
		if (!rx_ns)
			rx_ns = clock_wall_ns();
		f = probe_table_get(&x->flows, from, &rg->g.group, h.id);
		if (f)
			v = probe_account(f, &h, rx_ns, ttl);
	}
	switch (x->out) {
	case OUT_QUIET:
		return;
	case OUT_FILE:
		if (!x->failed && outfile_pwrite(&x->of, p, len, x->off) < 0) {
			warnx("%s", err_str());
			x->failed = 1;
			stop = 1;
		}
		x->off += (off_t)len;
		return;
	case OUT_JSON:
		json_begin(&j, stdout);
		json_str(&j, "type", "datagram");
		json_str(&j, "group", inet_ntop_ss(&rg->g.group, grp, sizeof(grp)));
		json_int(&j, "port", inet_port(&rg->g.group));
		json_str(&j, "source", inet_ntop_ss(from, src, sizeof(src)));
		json_int(&j, "sport", inet_port(from));
		ttl >= 0 ? json_int(&j, "ttl", ttl) : json_null(&j, "ttl");
		if (sock_rx_tos(b, k) >= 0)
			json_int(&j, "tos", sock_rx_tos(b, k));
		json_uint(&j, "length", len);
		if (probe) {
			json_uint(&j, "id", h.id);
			json_uint(&j, "seq", h.seq);
			json_str(&j, "status", verdict_name[v]);
			if (h.flags & PROBE_F_TIME)
				json_double(&j, "delay_ms",
					    (double)(int64_t)(rx_ns - h.tx_ns) / 1e6, 3);
		} else if (dump_is_text(p, len)) {
			json_strn(&j, "data", (const char *)p, len);
		} else {
			char hex[2 * 1500 + 1];

			dump_hexstr(hex, p, len, 1500);
			json_str(&j, "hex", hex);
		}
		json_end(&j);
		return;
	case OUT_HEX:
		printf("%s > %s ttl %d tos 0x%02x len %zu\n",
		       inet_fmt(from, src, sizeof(src)),
		       inet_fmt(&rg->g.group, grp, sizeof(grp)), ttl,
		       sock_rx_tos(b, k) & 0xff, len);
		dump_hex(stdout, p, len);
		return;
	case OUT_TEXT:
		if (!probe) {
			fwrite(p, 1, len, stdout);
			putchar('\n');
			return;
		}
		printf("%zu bytes from %s to %s: seq=%llu ttl=%d", len,
		       inet_ntop_ss(from, src, sizeof(src)),
		       inet_fmt(&rg->g.group, grp, sizeof(grp)),
		       (unsigned long long)h.seq, ttl);
		if (h.flags & PROBE_F_TIME)
			printf(" delay=%.3f ms",
			       (double)(int64_t)(rx_ns - h.tx_ns) / 1e6);
		printf(v ? " (%s)\n" : "\n", verdict_name[v]);
		return;
	}
}

/* Shows and counts r datagrams of b. A UDP GRO slot holds a train of
 * same-sized datagrams: split it. */
static void batch(struct rx *x, const struct rgroup *rg, struct sock_rx *b,
		  int r, unsigned long long count)
{
	for (int k = 0; k < r; k++) {
		size_t len, seg, off = 0, l;
		const uint8_t *p = sock_rx_data(b, k, &len);

		seg = sock_rx_gso(b, k);
		if (!seg || seg > len)
			seg = len;
		do {
			if (count && x->received >= count)
				return;
			l = len - off < seg ? len - off : seg;
			datagram(x, rg, b, k, p + off, l);
			off += l;
		} while (off < len);
	}
}

/* Reads what waits on rg's socket: a few batches, then the next socket
 * gets its turn. */
static void drain(struct rx *x, const struct rgroup *rg, struct sock_rx *b,
		  unsigned long long count)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		int r = sock_rx_recv(rg->fd, b, MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r < 0)
			err(1, "receive");
		batch(x, rg, b, r, count);
		if (r < (int)b->n)
			return;
	}
}

static void summary(struct rx *x, int json, double secs)
{
	struct probe_totals t;
	struct json j;
	char line[512];

	probe_table_totals(&x->flows, &t);
	if (!json) {
		warnx("%llu datagrams, %llu bytes in %.3f s; %llu lost, %llu "
		      "duplicated, %llu reordered", x->received, x->bytes, secs,
		      (unsigned long long)t.lost,
		      (unsigned long long)t.duplicated,
		      (unsigned long long)t.reordered);
		for (size_t i = 0; i < x->flows.n; i++)
			warnx("%s", probe_fmt_line(x->flows.v[i], line,
						   sizeof(line)));
		return;
	}
	json_begin(&j, stdout);
	json_str(&j, "type", "summary");
	json_uint(&j, "received", x->received);
	json_uint(&j, "bytes", x->bytes);
	json_uint(&j, "lost", t.lost);
	json_uint(&j, "duplicated", t.duplicated);
	json_uint(&j, "reordered", t.reordered);
	json_double(&j, "elapsed_s", secs, 3);
	json_double(&j, "loss_pct", t.worst_loss_pct, 3);
	json_arr_begin(&j, "senders");
	for (size_t i = 0; i < x->flows.n; i++)
		probe_fmt_json(&j, x->flows.v[i]);
	json_arr_end(&j);
	json_end(&j);
}

/* Nothing arrived: say what we can check ourselves. */
static void diagnose(const struct rgroup *rg, int n, double secs)
{
	char a[INET_FMTLEN], why[4][MCDIAG_LINE];

	warnx("nothing arrived in %g s", secs);
	for (int i = 0; i < n; i++) {
		int k = mcdiag_explain(&rg[i].g.group, rg[i].ifname, why, 4);

		for (int l = 0; l < k; l++)
			warnx("%s: %s", inet_ntop_ss(&rg[i].g.group, a,
						     sizeof(a)), why[l]);
	}
}

static int add_group(struct rgroup **rg, int *n, const struct mc_group *g,
		     int ifindex, int verbose)
{
	char a[INET_FMTLEN], s[INET_FMTLEN];
	struct rgroup *r;
	int fd = -1, idx, rcvbuf;

	for (int i = 0; i < *n; i++)
		if (inet_same_addr(&(*rg)[i].g.group, &g->group) &&
		    inet_port(&(*rg)[i].g.group) == inet_port(&g->group))
			fd = (*rg)[i].fd;
	inet_fmt(&g->group, a, sizeof(a));
	if (fd >= 0) {
		/* one more source on a group we hold: another join */
		if (mc_join(fd, g, ifindex) < 0) {
			warn("join %s,%s", inet_ntop_ss(&g->source, s, sizeof(s)), a);
			return -1;
		}
		return 0;
	}
	fd = mc_recv_socket(g, ifindex);
	if (fd < 0) {
		int e = errno;

		warnx("join %s: %s%s", a, err_str(), e == ENODEV && !ifindex
		      ? " (no route for the group: use -i IFACE)" : "");
		return -1;
	}
	if (sock_recv_meta(fd, g->family) < 0)
		warn("receive TTL/timestamps on %s", a);
	/* trains of datagrams in one receive; split again in main() */
	sock_set_gro(fd);
	/* the kernel caps this at net.core.rmem_max */
	rcvbuf = sock_bufsize(fd, SO_RCVBUF, 8 << 20);
	r = realloc(*rg, (*n + 1) * sizeof(**rg));
	if (!r)
		err(1, "malloc");
	*rg = r;
	r += (*n)++;
	r->g = *g;
	r->fd = fd;
	idx = ifindex ? ifindex : mcdiag_joined(&g->group, 0);
	if (idx > 0)
		inet_ifname(idx, r->ifname);
	else
		r->ifname[0] = 0;
	if (verbose)
		warnx("joined %s%s%s on %s, receive buffer %d bytes",
		      g->source.ss_family ? inet_ntop_ss(&g->source, s, sizeof(s))
					  : "", g->source.ss_family ? "," : "",
		      a, r->ifname[0] ? r->ifname : "?",
		      rcvbuf);
	return 0;
}

static int mcrecv_main(int argc, char **argv)
{
	struct optstate st;
	struct rx x = { .out = OUT_TEXT };
	struct rgroup *rg = NULL;
	struct sock_rx b;
	struct pollfd *pfd;
	struct sigaction sa;
	const char *iface = NULL, *out = NULL, *sources[MAX_SOURCES];
	unsigned long long count = 0;
	double wsecs = 0, lossmax = -1, secs;
	int c, n, ng = 0, nsrc = 0, ifindex = 0, json = 0, hex = 0, quiet = 0;
	int verbose = 0, status = 0, timedout = 0;
	uint64_t t0, deadline = 0;
	struct mc_group *gs;
	char **ops;
	int ngs = 0;

	opt_init(&st, &mcrecv_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'c': count = (unsigned long long)st.num; break;
		case 'i': iface = st.arg; break;
		case 'j': json = 1; break;
		case O_LOSSMAX:
			if (parse_secs(st.arg, 0, 100, &lossmax) < 0) {
				opt_free(&st);
				return opt_usage_error(&mcrecv_applet,
					"bad --loss-max '%s' (0-100)", st.arg);
			}
			break;
		case 'o': out = st.arg; break;
		case 'q': quiet = 1; break;
		case 's':
			if (nsrc == MAX_SOURCES) {
				opt_free(&st);
				return opt_usage_error(&mcrecv_applet,
					"more than %d sources", MAX_SOURCES);
			}
			sources[nsrc++] = st.arg;
			break;
		case 'v': verbose = 1; break;
		case 'w': wsecs = st.secs; break;
		case 'x': hex = 1; break;
		}
	}
	if (c < 0 || (n = opt_operands(&st, &ops)) < 0) {
		opt_free(&st);
		return st.status;
	}
	x.out = quiet ? OUT_QUIET : out ? OUT_FILE : json ? OUT_JSON
	      : hex ? OUT_HEX : OUT_TEXT;
	/* parse everything before joining anything: a bad operand is exit 2 */
	gs = calloc((size_t)n * (nsrc + 1), sizeof(*gs));
	if (!gs)
		err(1, "malloc");
	if (iface && (ifindex = inet_ifindex(iface)) < 0) {
		status = opt_usage_error(&mcrecv_applet, "%s", err_str());
		goto usage;
	}
	for (int i = 0; i < n; i++) {
		struct mc_group g;

		if (inet_parse_group(ops[i], SOCK_DEFAULT_PORT, &g) < 0) {
			status = opt_usage_error(&mcrecv_applet, "%s",
						 err_str());
			goto usage;
		}
		if (g.source.ss_family != AF_UNSPEC || !nsrc) {
			gs[ngs++] = g;
			continue;
		}
		for (int k = 0; k < nsrc; k++) {
			gs[ngs] = g;
			if (inet_parse_addr(sources[k], &gs[ngs].source) < 0 ||
			    inet_is_multicast(&gs[ngs].source)) {
				status = opt_usage_error(&mcrecv_applet,
					"bad source '%s'", sources[k]);
				goto usage;
			}
			if (gs[ngs].source.ss_family != g.family) {
				status = opt_usage_error(&mcrecv_applet,
					"source '%s' and group '%s' differ in "
					"address family", sources[k], ops[i]);
				goto usage;
			}
			ngs++;
		}
	}
	opt_free(&st);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < ngs; i++) {
		if (add_group(&rg, &ng, &gs[i], ifindex, verbose) < 0) {
			for (int k = 0; k < ng; k++)
				close(rg[k].fd);
			free(rg);
			free(gs);
			return 1;
		}
	}
	free(gs);
	if (x.out == OUT_FILE && outfile_open(&x.of, out) < 0)
		errx(1, "%s", err_str());
	probe_table_init(&x.flows, MAX_FLOWS);
	if (sock_rx_init(&b, SOCK_BATCH, 65536 + 512) < 0)
		err(1, "malloc");
	pfd = calloc(ng, sizeof(*pfd));
	if (!pfd)
		err(1, "malloc");
	for (int i = 0; i < ng; i++) {
		char a[INET_FMTLEN];

		pfd[i].fd = rg[i].fd;
		pfd[i].events = POLLIN;
		fprintf(stderr, "%s: listening on %s (%s)\n",
			program_invocation_short_name,
			inet_fmt(&rg[i].g.group, a, sizeof(a)),
			rg[i].ifname[0] ? rg[i].ifname : "?");
	}

	t0 = clock_ns();
	if (wsecs > 0)
		deadline = t0 + (uint64_t)(wsecs * 1e9);
	/* One group: block in recvmmsg itself, one system call a wakeup; it
	 * returns every RX_TICK_MS to look at the deadline. */
	if (ng == 1)
		sock_rcvtimeo(rg[0].fd, RX_TICK_MS);
	while (!stop && !(count && x.received >= count)) {
		int ms = deadline ? clock_poll_ms(deadline) : -1;

		if (deadline && ms == 0) {
			timedout = 1;
			break;
		}
		if (ng == 1) {
			int r = sock_rx_recv(rg[0].fd, &b, MSG_WAITFORONE);

			if (r < 0 && errno != EAGAIN && errno != EINTR)
				err(1, "receive");
			if (r > 0)
				batch(&x, &rg[0], &b, r, count);
			fflush(stdout);
			continue;
		}
		if (poll(pfd, ng, ms) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (int i = 0; i < ng && !stop; i++)
			if (pfd[i].revents & POLLIN)
				drain(&x, &rg[i], &b, count);
		fflush(stdout);
	}
	secs = (double)(clock_ns() - t0) / 1e9;
	if (x.out == OUT_FILE) {
		if (x.failed) {
			outfile_abort(&x.of);
			status = 1;
		} else if (outfile_commit(&x.of, x.off) < 0) {
			warnx("%s", err_str());
			status = 1;
		}
	}
	summary(&x, json, secs);
	if (timedout && !x.received)
		diagnose(rg, ng, wsecs);
	if (!stop && !status) {
		struct probe_totals t;

		probe_table_totals(&x.flows, &t);
		if (timedout && (count || !x.received))
			status = EXIT_NOANSWER;
		else if (lossmax >= 0 && t.worst_loss_pct > lossmax) {
			warnx("loss %.3f%% exceeds --loss-max %g%%",
			      t.worst_loss_pct, lossmax);
			status = 1;
		}
	}
	for (int i = 0; i < ng; i++)
		close(rg[i].fd);
	free(rg);
	free(pfd);
	sock_rx_free(&b);
	probe_table_free(&x.flows);
	return status;
usage:
	opt_free(&st);
	free(gs);
	return status;
}
