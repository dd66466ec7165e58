/* mcsend.c - send UDP datagrams to IPv4/IPv6 multicast groups: stdin lines,
 * raw chunks, a file, or numbered probes (lib/probe/), paced to -r RATE and
 * batched with sendmmsg (RFC 1112 host sending, RFC 3376/3810 unaffected):
 * options, then the driver lib/probe/send.c, and the summary. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "probe/send.h"
#include "probe/stats.h"

enum { O_BURST = OPT_LONGONLY + 1, O_DSCP, O_LOOP, O_NOGSO, O_NOLOOP, O_PROBE,
       O_RAW, O_TOS };

static const struct opt opts[] = {
	{ 'B', "bind", "ADDR", OPT_STR, "send from local address ADDR", 0, 0 },
	{ O_BURST, "burst", "N", OPT_INT,
	  "send N datagrams back to back at each pacing step", 1, 4096 },
	{ 'c', "count", "COUNT", OPT_INT,
	  "stop after COUNT datagrams (to each group)", 1, 1e12 },
	{ O_DSCP, "dscp", "DSCP", OPT_INT,
	  "DiffServ code point (TOS = DSCP << 2)", 0, 63 },
	{ 'f', "file", "FILE", OPT_STR, "send FILE's contents in chunks of -s SIZE",
	  0, 0 },
	{ 'i', "iface", "IFACE", OPT_STR,
	  "send on IFACE (name or index), not by route", 0, 0 },
	{ 'j', "json", NULL, OPT_FLAG, "print the summary as a JSON object", 0, 0 },
	{ O_LOOP, "loop", NULL, OPT_FLAG,
	  "loop datagrams back to this host (the kernel default)", 0, 0 },
	{ O_NOGSO, "no-gso", NULL, OPT_FLAG,
	  "one send per probe: no UDP segmentation offload", 0, 0 },
	{ O_NOLOOP, "no-loop", NULL, OPT_FLAG,
	  "do not loop datagrams back to this host", 0, 0 },
	{ 'p', "source-port", "PORT", OPT_INT, "send from UDP port PORT", 1, 65535 },
	{ O_PROBE, "probe", NULL, OPT_FLAG,
	  "send numbered probes that mcrecv measures", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print no summary", 0, 0 },
	{ 'r', "rate", "RATE", OPT_STR,
	  "datagrams/s, or bit/s with bps (10k, 5Mbps)", 0, 0 },
	{ O_RAW, "raw", NULL, OPT_FLAG,
	  "send stdin in -s SIZE chunks, not by line", 0, 0 },
	{ 's', "size", "SIZE", OPT_SIZE,
	  "probe (64) or chunk (1400) payload bytes", 0, 65507 },
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

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static void summary(int json, const struct mctx_run *r, int ngroups)
{
	double secs = r->secs, pps = secs > 0 ? r->sent / secs : 0,
	       bps = secs > 0 ? r->bytes * 8 / secs : 0;
	char line[160];
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_uint(&j, "sent", r->sent);
		json_uint(&j, "bytes", r->bytes);
		json_int(&j, "groups", ngroups);
		json_double(&j, "elapsed_s", secs, 3);
		json_double(&j, "pps", pps, 1);
		json_double(&j, "bps", bps, 0);
		json_end(&j);
		return;
	}
	warnx("%s", mctx_fmt_summary(r, ngroups, line, sizeof(line)));
}

#define usage(...) opt_usage_error(&mcsend_applet, __VA_ARGS__)

/* The operands, each a group without a source; then -i and -B, of the
 * groups' family. */
static int check(char **ops, int n, struct mc_group *groups,
		 const char *iface, const char *bind,
		 struct sock_send_opts *cf, struct sockaddr_storage *bind_ss)
{
	for (int i = 0; i < n; i++) {
		if (inet_parse_group(ops[i], SOCK_DEFAULT_PORT, &groups[i]) < 0)
			return usage("%s", err_str());
		if (groups[i].source.ss_family != AF_UNSPEC)
			return usage("bad group '%s' (a sender names no "
				     "source)", ops[i]);
	}
	if ((iface && (cf->ifindex = inet_ifindex(iface)) < 0) ||
	    (bind && inet_parse_addr(bind, bind_ss) < 0))
		return usage("%s", err_str());
	for (int i = 0; bind && i < n; i++)
		if (bind_ss->ss_family != groups[i].family)
			return usage("-B %s and group %s differ in family",
				     bind, ops[i]);
	cf->bind = bind ? bind_ss : NULL;
	return 0;
}

static int mcsend_main(int argc, char **argv)
{
	struct mctx tx;
	struct sock_send_opts cf = { .ttl = 1, .loop = -1, .tos = -1 };
	struct mctx_run run = { .mode = MCTX_LINES, .burst = 1, .stop = &stop };
	struct sockaddr_storage bind_ss;
	struct optstate st;
	struct rate rate = { 0 };
	struct mc_group *groups;
	struct sigaction sa;
	const char *bind = NULL, *iface = NULL;
	long long size = -1;
	long v;
	int c, n, *fds, json = 0, quiet = 0, dscp = -1, status = 0, nogso = 0;
	int probe = 0, verbose = 0;
	char **ops, *end;

	opt_init(&st, &mcsend_applet, argc, argv);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 'B': bind = st.arg; break;
		case O_BURST: run.burst = (unsigned)st.num; break;
		case 'c': run.count = (unsigned long long)st.num; break;
		case O_DSCP: dscp = (int)st.num; break;
		case 'f': run.file = st.arg; run.mode = MCTX_RAW; break;
		case 'i': iface = st.arg; break;
		case 'j': json = 1; break;
		case O_LOOP: cf.loop = 1; break;
		case O_NOGSO: nogso = 1; break;
		case O_NOLOOP: cf.loop = 0; break;
		case 'p': cf.sport = (int)st.num; break;
		case O_PROBE: probe = 1; break;
		case 'q': quiet = 1; break;
		case 'r':
			if (rate_parse(st.arg, &rate) < 0)
				goto bad;
			break;
		case O_RAW: run.mode = MCTX_RAW; break;
		case 's': size = st.num; break;
		case 't': cf.ttl = (int)st.num; break;
		case O_TOS:
			errno = 0;
			v = strtol(st.arg, &end, 0);
			if (errno || end == st.arg || *end || v < 0 || v > 255)
				goto bad;
			cf.tos = (int)v;
			break;
		case 'v': verbose = 1; break;
		case 'w': run.deadline_s = st.secs; break;
		}
	}
	if (c < 0 || (n = opt_operands(&st, &ops)) < 0) {
		opt_free(&st);
		return st.status;
	}
	groups = calloc(n, sizeof(*groups));
	fds = calloc(n, sizeof(*fds));
	if (!groups || !fds)
		err(1, "malloc");
	if (probe && run.mode != MCTX_LINES)
		status = usage("--probe excludes --raw and -f");
	else if (probe)
		run.mode = MCTX_PROBE;
	if (!status && dscp >= 0 && cf.tos >= 0)
		status = usage("--tos and --dscp exclude each other");
	if (dscp >= 0)
		cf.tos = dscp << 2;
	if (!status && run.mode == MCTX_PROBE && size >= 0 &&
	    size < PROBE_HDRLEN)
		status = usage("bad -s '%lld' (a probe needs %d-%d)", size,
			       PROBE_HDRLEN, MCTX_MAX_PAYLOAD);
	if (!status && run.mode == MCTX_RAW && size == 0)
		status = usage("bad -s '0' (raw chunks need 1-%d)",
			       MCTX_MAX_PAYLOAD);
	if (size < 0)
		size = run.mode == MCTX_PROBE ? 64 : 1400;
	if (!status)
		status = check(ops, n, groups, iface, bind, &cf, &bind_ss);
	opt_free(&st);
	if (status)
		goto out;
	for (int i = 0; i < n; i++) {
		char a[INET_FMTLEN], ifn[IF_NAMESIZE];

		fds[i] = sock_mc_sender(&groups[i], &cf);
		if (fds[i] < 0)
			errx(1, "%s", err_str());
		if (verbose)
			warnx("sending to %s (%s) ttl %d",
			      inet_fmt(&groups[i].group, a, sizeof(a)),
			      cf.ifindex ? inet_ifname(cf.ifindex, ifn) :
			      "route", cf.ttl);
	}
	if (mctx_init(&tx, fds, n, (size_t)size, run.mode == MCTX_PROBE, nogso,
		      cf.ttl) < 0)
		err(1, "malloc");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake the sleeps */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	run.groups = groups;
	run.pps = rate.value > 0 ? rate_pps(&rate, (size_t)size) : 0;
	status = mctx_run(&tx, &run);
	if (*run.err)
		warnx("%s", run.err);
	if (status >= 0 && !quiet)
		summary(json, &run, n);
	status = status ? 1 : 0;
	for (int i = 0; i < n; i++)
		close(fds[i]);
	mctx_free(&tx);
out:
	free(groups);
	free(fds);
	return status;
bad:	/* -r's or --tos's argument */
	if (c == O_TOS)
		err_set("bad --tos '%s' (0-255)", st.arg);
	opt_free(&st);
	return usage("%s", err_str());
}
