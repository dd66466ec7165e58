/* tftm-get.c - fetch a file by TFTP (RFC 1350, options RFC 2347-2349, 7440)
 * with RFC 2090 multicast, falling back to unicast when the server will not.
 * The protocol is lib/tftp_client.c; this is the socket, file and clock
 * driver around it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/inet.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "base/units.h"
#include "file/progress.h"
#include "tftp/client.h"
#include "tftp/get.h"

#define O_UNICAST (OPT_LONGONLY + 1)
#define O_MAXSIZE (OPT_LONGONLY + 2)
#define O_PASSIVE (OPT_LONGONLY + 3)
#define O_SHA256 (OPT_LONGONLY + 4)
#define O_SIZE (OPT_LONGONLY + 5)

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
	{ O_SHA256, "sha256", "HEX", OPT_STR,
	  "keep the file only if its SHA-256 is HEX (exit 1)", 0, 0 },
	{ O_SIZE, "size", "BYTES", OPT_SIZE,
	  "keep the file only if it has BYTES bytes (exit 1)", 0,
	  1125899906842624.0 },
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
	  "report fallback, joins, promotion, starved polling", 0, 0 },
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
	int json, quiet, verbose, family;
} o;

static void note(const char *msg)
{
	progress_clear();
	warnx("%s", msg);
}

static void summary(const struct tftp_get *g, const struct tftp_client *c,
		    const char *remote, double secs)
{
	/* with -o -, stdout carries the file: the summary goes to stderr */
	FILE *f = !strcmp(g->out, "-") ? stderr : stdout;
	double rate = secs > 0 ? (double)c->st.bytes / secs : 0;
	char gs[INET_FMTLEN], rbuf[32];
	struct json j;

	if (o.json) {
		json_begin(&j, f);
		json_str(&j, "file", remote);
		json_str(&j, "output", g->out);
		json_str(&j, "server", g->server_s);
		json_bool(&j, "ok", !g->failed);
		if (g->failed)
			json_str(&j, "error", g->err);
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
	if (o.quiet || g->failed || f == stderr)
		return;
	fprintf(f, "%s: %llu byte%s in %.2f s (%s), %s, %llu block%s of %u, "
		"%llu retransmission%s\n", g->out,
		(unsigned long long)c->st.bytes, units_s(c->st.bytes), secs,
		units_byte_rate(rbuf, sizeof(rbuf), rate),
		tftp_client_mode(c), (unsigned long long)c->st.blocks,
		units_s(c->st.blocks), c->blksize,
		(unsigned long long)c->st.retrans, units_s(c->st.retrans));
}

static int tftm_get_main(int argc, char **argv)
{
	struct optstate st;
	struct tftp_cfg cfg = { .multicast = 1, .tsize = 1,
				.max_size = 4ull << 30 };
	struct tftp_get g = { .stop = &stop };
	struct tftp_client c;
	struct sockaddr_storage srv;
	char **ops, *urlbuf = NULL, *file = NULL, local[256];
	const char *sha = NULL, *bad = NULL;
	int ch, n, rc = 0, fam = 0;

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
		case O_SHA256: sha = st.arg; break;
		case O_SIZE:
			g.want.size_set = 1;
			g.want.size = (uint64_t)st.num;
			break;
		case O_PASSIVE:
			cfg.passive_ns = (uint64_t)(st.secs * 1e9);
			break;
		case 'w': g.deadline_s = st.secs; break;
		case '4': fam |= 1; break;
		case '6': fam |= 2; break;
		case 'j': o.json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'v': g.note = note; break;
		}
	if (ch < 0)
		goto out_opt;
	n = opt_operands(&st, &ops);
	if (n < 0)
		goto out_opt;
	if (fam == 3)
		bad = "-4 and -6 exclude each other";
	o.family = fam == 1 ? AF_INET : fam == 2 ? AF_INET6 : AF_UNSPEC;
	if (bad || (sha && outfile_want_sha256(&g.want, sha))) {
		rc = opt_usage_error(&tftm_get_applet, "%s",
				     bad ? bad : err_str());
		goto out_opt;
	}
	if (tftp_get_target(n, ops, o.family, &srv, &file, &urlbuf)) {
		rc = opt_usage_error(&tftm_get_applet, "%s", err_str());
		goto out_url;
	}
	if (g.ifname && (g.ifindex = inet_ifindex(g.ifname)) < 0) {
		rc = opt_usage_error(&tftm_get_applet, "bad -i '%s': %s",
				     g.ifname, err_str());
		goto out_url;
	}
	if (!g.out) {
		if (tftp_local_name(file, local, sizeof(local)) < 0) {
			rc = opt_usage_error(&tftm_get_applet, "%s", err_str());
			goto out_url;
		}
		g.out = local;
	}
	/* RFC 2090 hands out IPv4 groups only */
	if (srv.ss_family == AF_INET6)
		cfg.multicast = 0;
	if (!cfg.blksize)
		cfg.blksize = tftp_mtu_blksize(&srv);
	if (cfg.timeout)
		cfg.rto_ns = cfg.timeout * 1000000000ull;
	cfg.file = file;
	if (tftp_client_init(&c, &cfg, &srv) < 0) {
		rc = opt_usage_error(&tftm_get_applet, "%s", err_str());
		goto out_url;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (g.deadline_s > 0)
		g.deadline = clock_ns() + (uint64_t)(g.deadline_s * 1e9);
	rc = tftp_get_run(&g, &c, &srv);
	if (rc)
		warnx("%s", g.err);
	/* no summary when the transfer could not even start */
	if (g.t0)
		summary(&g, &c, file, (double)(clock_ns() - g.t0) / 1e9);
	tftp_client_free(&c);
out_url:
	free(urlbuf);
out_opt:
	opt_free(&st);
	return st.status && !rc ? st.status : rc;
}
