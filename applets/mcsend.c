/* mcsend.c - send UDP datagrams to IPv4/IPv6 multicast groups: stdin lines,
 * raw chunks, a file, or numbered probes (lib/probe/wire.h), paced to -r RATE and
 * batched with sendmmsg (RFC 1112 host sending, RFC 3376/3810 unaffected). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/inet.h"
#include "base/json.h"
#include "probe/send.h"
#include "base/opt.h"
#include "base/priv.h"
#include "probe/wire.h"
#include "net/rate.h"
#include "file/rdbuf.h"

enum {
	O_BURST = OPT_LONGONLY + 1, O_DSCP, O_LOOP, O_NOGSO, O_NOLOOP, O_PROBE,
	O_RAW, O_TOS,
};

static const struct opt opts[] = {
	{ 'B', "bind", "ADDR", OPT_STR, "send from local address ADDR", 0, 0 },
	{ O_BURST, "burst", "N", OPT_INT,
	  "send N datagrams back to back at each pacing step", 1, 4096 },
	{ 'c', "count", "COUNT", OPT_INT,
	  "stop after COUNT datagrams (to each group)", 1, 1e12 },
	{ O_DSCP, "dscp", "DSCP", OPT_INT,
	  "DiffServ code point (TOS = DSCP << 2)", 0, 63 },
	{ 'f', "file", "FILE", OPT_STR,
	  "send FILE's contents in chunks of -s SIZE", 0, 0 },
	{ 'i', "iface", "IFACE", OPT_STR,
	  "send on IFACE (name or index), not by route", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print the summary as a JSON object", 0, 0 },
	{ O_LOOP, "loop", NULL, OPT_FLAG,
	  "loop datagrams back to this host (the kernel default)", 0, 0 },
	{ O_NOGSO, "no-gso", NULL, OPT_FLAG,
	  "one send per probe: no UDP segmentation offload", 0, 0 },
	{ O_NOLOOP, "no-loop", NULL, OPT_FLAG,
	  "do not loop datagrams back to this host", 0, 0 },
	{ 'p', "source-port", "PORT", OPT_INT, "send from UDP port PORT",
	  1, 65535 },
	{ O_PROBE, "probe", NULL, OPT_FLAG,
	  "send numbered probes that mcrecv measures", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print no summary", 0, 0 },
	{ 'r', "rate", "RATE", OPT_STR,
	  "datagrams/s, or bit/s with bps (10k, 5Mbps)", 0, 0 },
	{ O_RAW, "raw", NULL, OPT_FLAG,
	  "send stdin in -s SIZE chunks, not by line", 0, 0 },
	{ 's', "size", "SIZE", OPT_SIZE,
	  "probe (64) or chunk (1400) payload bytes",
	  0, 65507 },
	{ 't', "ttl", "TTL", OPT_INT, "multicast TTL or hop limit (default 1)",
	  0, 255 },
	{ O_TOS, "tos", "TOS", OPT_STR,
	  "TOS or traffic class byte, 0-255 or 0x00-0xff", 0, 0 },
	{ 'v', "verbose", NULL, OPT_FLAG, "say where datagrams go", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS, "stop sending after SECONDS",
	  0.001, 1e9 },
	{ 0 }
};

static int mcsend_main(int argc, char **argv);

const struct applet mcsend_applet = {
	.name = "mcsend",
	.section = 1,
	.summary = "send UDP datagrams to multicast groups",
	.operands = "GROUP[:PORT]...",
	.min_args = 1,
	.max_args = -1,
	.opts = opts,
	.privs = PRIV_NONE,	/* plain UDP sends need no capability */
	.main = mcsend_main,
};

#define DEFAULT_PORT	SOCK_DEFAULT_PORT
#define MAX_PAYLOAD	MCTX_MAX_PAYLOAD

enum mode { M_LINES, M_RAW, M_PROBE };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void summary(int json, unsigned long long sent,
		    unsigned long long bytes, int ngroups, double secs)
{
	double pps = secs > 0 ? sent / secs : 0, bps = secs > 0 ? bytes * 8 / secs : 0;
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_uint(&j, "sent", sent);
		json_uint(&j, "bytes", bytes);
		json_int(&j, "groups", ngroups);
		json_double(&j, "elapsed_s", secs, 3);
		json_double(&j, "pps", pps, 1);
		json_double(&j, "bps", bps, 0);
		json_end(&j);
		return;
	}
	warnx("sent %llu datagrams, %llu bytes to %d group%s in %.3f s "
	      "(%.0f pps, %.3f Mbit/s)", sent, bytes, ngroups,
	      ngroups == 1 ? "" : "s", secs, pps, bps / 1e6);
}

static int mcsend_main(int argc, char **argv)
{
	struct mctx tx;
	struct probe_hdr ph = { .flags = PROBE_F_TIME };
	struct sock_send_opts cf = { .ttl = 1, .loop = -1, .tos = -1 };
	struct sockaddr_storage bind_ss;
	const char *bind = NULL;
	int verbose = 0;
	struct optstate st;
	struct rate rate = { 0 };
	struct pacer pace;
	struct rdbuf rd;
	struct mc_group *groups;
	struct sigaction sa;
	enum mode mode = M_LINES;
	const char *file = NULL, *iface = NULL;
	unsigned long long count = 0, rounds = 0, sent = 0, bytes = 0;
	long long size = -1;
	double wsecs = 0;
	int c, n, *fds, json = 0, quiet = 0, dscp = -1, status = 0, nogso = 0;
	int probe = 0;
	unsigned burst = 1;
	char **ops;
	uint64_t t0, deadline = 0;

	opt_init(&st, &mcsend_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'B': bind = st.arg; break;
		case O_BURST: burst = (unsigned)st.num; break;
		case 'c': count = (unsigned long long)st.num; break;
		case O_DSCP: dscp = (int)st.num; break;
		case 'f': file = st.arg; mode = M_RAW; break;
		case 'i': iface = st.arg; break;
		case 'j': json = 1; break;
		case O_LOOP: cf.loop = 1; break;
		case O_NOGSO: nogso = 1; break;
		case O_NOLOOP: cf.loop = 0; break;
		case 'p': cf.sport = (int)st.num; break;
		case O_PROBE: probe = 1; break;
		case 'q': quiet = 1; break;
		case 'r':
			if (rate_parse(st.arg, &rate) < 0) {
				opt_free(&st);
				return opt_usage_error(&mcsend_applet, "%s",
						       err_str());
			}
			break;
		case O_RAW: mode = M_RAW; break;
		case 's': size = st.num; break;
		case 't': cf.ttl = (int)st.num; break;
		case O_TOS: {
			char *end;
			long v;

			errno = 0;
			v = strtol(st.arg, &end, 0);
			if (errno || end == st.arg || *end || v < 0 || v > 255) {
				opt_free(&st);
				return opt_usage_error(&mcsend_applet,
					"bad --tos '%s' (0-255)", st.arg);
			}
			cf.tos = (int)v;
			break;
		}
		case 'v': verbose = 1; break;
		case 'w': wsecs = st.secs; break;
		}
	}
	if (c < 0) {
		opt_free(&st);
		return st.status;
	}
	n = opt_operands(&st, &ops);
	if (n < 0) {
		opt_free(&st);
		return st.status;
	}
	groups = calloc(n, sizeof(*groups));
	fds = calloc(n, sizeof(*fds));
	if (!groups || !fds)
		err(1, "malloc");
	if (probe && mode != M_LINES) {
		status = opt_usage_error(&mcsend_applet, "--probe excludes "
					 "--raw and -f");
		goto usage;
	}
	if (probe)
		mode = M_PROBE;
	if (dscp >= 0 && cf.tos >= 0) {
		status = opt_usage_error(&mcsend_applet,
					 "--tos and --dscp exclude each other");
		goto usage;
	}
	if (dscp >= 0)
		cf.tos = dscp << 2;
	if (mode == M_PROBE && size >= 0 && size < PROBE_HDRLEN) {
		status = opt_usage_error(&mcsend_applet,
					 "bad -s '%lld' (a probe needs %d-%d)",
					 size, PROBE_HDRLEN, MAX_PAYLOAD);
		goto usage;
	}
	if (mode == M_RAW && size == 0) {
		status = opt_usage_error(&mcsend_applet,
					 "bad -s '0' (raw chunks need 1-%d)",
					 MAX_PAYLOAD);
		goto usage;
	}
	if (size < 0)
		size = mode == M_PROBE ? 64 : 1400;
	for (int i = 0; i < n; i++) {
		if (inet_parse_group(ops[i], DEFAULT_PORT, &groups[i]) < 0) {
			status = opt_usage_error(&mcsend_applet, "%s",
						 err_str());
			goto usage;
		}
		if (groups[i].source.ss_family != AF_UNSPEC) {
			status = opt_usage_error(&mcsend_applet,
				"bad group '%s' (a sender names no source)",
				ops[i]);
			goto usage;
		}
	}
	if (iface && (cf.ifindex = inet_ifindex(iface)) < 0) {
		status = opt_usage_error(&mcsend_applet, "%s", err_str());
		goto usage;
	}
	if (bind && inet_parse_addr(bind, &bind_ss) < 0) {
		status = opt_usage_error(&mcsend_applet, "%s", err_str());
		goto usage;
	}
	for (int i = 0; bind && i < n; i++) {
		if (bind_ss.ss_family != groups[i].family) {
			status = opt_usage_error(&mcsend_applet,
				"-B %s and group %s differ in family", bind,
				ops[i]);
			goto usage;
		}
	}
	cf.bind = bind ? &bind_ss : NULL;
	opt_free(&st);
	for (int i = 0; i < n; i++) {
		char a[INET_FMTLEN], ifn[IF_NAMESIZE] = "route";

		fds[i] = sock_mc_sender(&groups[i], &cf);
		if (fds[i] < 0)
			errx(1, "%s", err_str());
		if (verbose && cf.ifindex)
			inet_ifname(cf.ifindex, ifn);
		if (verbose)
			warnx("sending to %s (%s) ttl %d", inet_fmt(&groups[i].group,
			      a, sizeof(a)), ifn, cf.ttl);
	}
	/* what the probes announce (lib/probe/wire.h): a receiver counts
	 * what should have arrived even when the end marker never does */
	t0 = clock_ns();
	ph.ttl = (uint8_t)cf.ttl;
	ph.start_ns = clock_wall_ns();
	ph.count = count;
	if (wsecs > 0)
		ph.stop_ns = ph.start_ns + (uint64_t)(wsecs * 1e9);
	ph.burst = burst;
	if (rate.value > 0)
		ph.rate_mpps = (uint64_t)fmax(1, fmin(rate_pps(&rate,
			(size_t)size) * 1000, (double)PROBE_MAX_RATE));
	if (mctx_init(&tx, fds, n, (size_t)size, mode == M_PROBE ? &ph : NULL,
		      nogso) < 0)
		err(1, "malloc");
	if (mode != M_PROBE) {
		int fd = 0;

		if (file && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
			err(1, "open %s", file);
		if (rdbuf_init(&rd, fd, mode == M_RAW ? (size_t)size
						     : MAX_PAYLOAD) < 0)
			err(1, "malloc");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake the sleeps */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* the default 50 us timer slack would blur high packet rates */
	prctl(PR_SET_TIMERSLACK, 1000UL);

	if (wsecs > 0)
		deadline = t0 + (uint64_t)(wsecs * 1e9);
	pace_init(&pace, rate.value > 0 ? rate_pps(&rate, (size_t)size) : 0,
		  burst, t0);
	while (!stop && (!count || rounds < count)) {
		uint64_t now = clock_ns();
		unsigned k;

		if (deadline && now >= deadline)
			break;
		k = mctx_due(&tx, &pace, now, deadline);
		if (!k)
			continue;
		if (count && k > count - rounds)
			k = (unsigned)(count - rounds);
		if (mode == M_PROBE) {
			mctx_stamp(&tx, k, rounds);
		} else {
			const uint8_t *p;
			long len = mode == M_RAW
				? rdbuf_chunk(&rd, (size_t)size, &p, deadline)
				: rdbuf_line(&rd, &p, deadline);

			if (len == -1 || len == -2)
				break;	/* end of input, deadline, signal */
			if (len == -3) {
				warn("read %s", file ? file : "stdin");
				status = 1;
				break;
			}
			if (len == -4) {
				warnx("line %llu too long (more than %d bytes)",
				      (unsigned long long)rd.lines + 1,
				      MAX_PAYLOAD);
				status = 1;
				break;
			}
			mctx_payload(&tx, p, (size_t)len);
		}
		for (int g = 0; g < n && !status; g++) {
			unsigned done = 0;
			char a[INET_FMTLEN];

			if (mctx_send(&tx, g, k, &done) < 0) {
				warn("send to %s", inet_fmt(&groups[g].group, a,
							    sizeof(a)));
				status = 1;
			}
			sent += done;
			bytes += mctx_bytes(&tx, done);
		}
		if (status)
			break;
		rounds += k;
		pace_sent(&pace, k);
	}
	if (mode == M_PROBE)
		mctx_end(&tx, rounds);
	if (!quiet)
		summary(json, sent, bytes, n, (double)(clock_ns() - t0) / 1e9);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (mode != M_PROBE)
		rdbuf_free(&rd);
	mctx_free(&tx);
	free(groups);
	free(fds);
	return status;
usage:
	opt_free(&st);
	free(groups);
	free(fds);
	return status;
}
