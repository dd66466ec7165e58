/* mcping.c - Multicast Ping (RFC 6450): the client, the responder
 * (--respond) and the all-pairs mesh (--mesh). The protocol, its sockets
 * and its formatting are in lib/mcping; this parses and prints. */
#include <signal.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/opt.h"
#include "base/priv.h"
#include "mcping/args.h"
#include "mcping/fmt.h"
#include "mcping/io.h"

enum { O_MESH = OPT_LONGONLY + 1, O_INTERVAL };

static const struct opt opts[] = {
	{ '4', "ipv4", NULL, OPT_FLAG, "IPv4 only", 0, 0 },
	{ '6', "ipv6", NULL, OPT_FLAG, "IPv6 only", 0, 0 },
	{ 'c', "count", "COUNT", OPT_INT, "requests (--mesh: rounds, 10)", 1, 1e9 },
	{ 'g', "group", "GROUP", OPT_STR, "group (--respond: allow it)", 0, 0 },
	{ 'i', "iface", "IFACE", OPT_STR, "join and send multicast on IFACE", 0, 0 },
	{ O_INTERVAL, "interval", "SECONDS", OPT_SECS, "between requests", 0.01,
	  3600 },
	{ 'j', "json", NULL, OPT_FLAG, "one JSON object per line", 0, 0 },
	{ 'l', "respond", NULL, OPT_FLAG, "answer requests (ssmpingd)", 0, 0 },
	{ O_MESH, "mesh", NULL, OPT_FLAG, "on every HOST: test all pairs", 0, 0 },
	{ 'q', "quiet", NULL, OPT_FLAG, "print the summary only", 0, 0 },
	{ 'r', "rate", "RATE", OPT_INT, "--respond: answers a second", 0, 1e6 },
	{ 't', "ttl", "TTL", OPT_INT, "TTL to send with (default 64)", 1, 255 },
	{ 'v', "verbose", NULL, OPT_FLAG, "say what else arrived", 0, 0 },
	{ 'w', "deadline", "SECONDS", OPT_SECS, "stop after SECONDS", 0.001, 1e9 },
	{ 0 }
};

static int mcping_main(int argc, char **argv);

const struct applet mcping_applet = {
	.name = "mcping",
	.section = 1,
	.summary = "multicast ping (RFC 6450): client, responder, mesh",
	.operands = "RESPONDER[:PORT] | HOST[:PORT]...",
	.max_args = MCP_MESH_MAX,
	.opts = opts,
	.privs = PRIV_NONE,	/* UDP sockets and joins need no capability */
	.main = mcping_main,
};

static volatile sig_atomic_t stop;
static int json, quiet, verbose;
static char line[1024];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *a2s(const struct sockaddr_storage *ss, int k)
{
	static char b[2][INET_FMTLEN];

	return inet_ntop_ss(ss, b[k], sizeof(b[k]));
}

/* One result: an object (J writes its members into jo) or a line. */
#define EMIT(J, T)                                                      \
	do {                                                            \
		if (json) {                                             \
			json_begin(&jo, stdout);                        \
			J;                                              \
			json_end(&jo);                                  \
		} else {                                                \
			printf("%s\n", T);                              \
			fflush(stdout);                                 \
		}                                                       \
	} while (0)

static struct json jo;

static void reply(const struct mcp_reply_ev *e,
		  const struct sockaddr_storage *from, int dup)
{
	if (!quiet)
		EMIT(mcp_fmt_reply_json(&jo, e, from, dup),
		     mcp_fmt_reply(e, from, dup, line, sizeof(line)));
}

static void ready(void *ctx, const char *msg)
{
	(void)ctx;
	warnx("%s", msg);
}

static void cl_reply(void *ctx, enum mcp_in what, const struct mcp_reply_ev *e,
		     const struct sockaddr_storage *from)
{
	(void)ctx;
	if (what == MCP_IN_REPLY || what == MCP_IN_DUP)
		reply(e, from, what == MCP_IN_DUP);
	else if (verbose)
		warnx("ignored from %s: %s", a2s(from, 0),
		      what == MCP_IN_BAD ? err_str() : "answer to someone else");
}

static void rs_request(void *ctx, const struct sockaddr_storage *from,
		       const struct mcp_action *a)
{
	(void)ctx;
	if (!quiet && (a->v != MCP_V_IGNORE || verbose))
		EMIT(mcp_fmt_request_json(&jo, from, a),
		     mcp_fmt_request(from, a, line, sizeof(line)));
}

static void ms_event(void *ctx, const struct mcp_mesh_ev *e)
{
	const struct mcp_mesh *m = ctx;

	if (verbose && e->counted)
		reply(&e->r, &m->cfg.host[e->host], 0);
}

static int client_results(struct mcp_client *c, double secs)
{
	if (json)
		EMIT(mcp_fmt_client_json(&jo, c, secs), "");
	for (int l = 0; !json && mcp_fmt_client(c, secs, l, line,
						sizeof(line)); l++)
		printf("%s\n", line);
	fflush(stdout);
	for (int l = 0; mcp_fmt_verdict(c, l, line, sizeof(line)); l++)
		warnx("%s", line);
	return mcp_client_verdict(c);
}

static int mesh_results(struct mcp_mesh *m)
{
	int broken;

	for (int l = 0; !json && mcp_fmt_mesh(m, l, line, sizeof(line)); l++)
		printf("%s\n", line);
	for (int k = 0; json && k <= m->cfg.n * (m->cfg.n - 1); k++)
		EMIT(mcp_fmt_mesh_json(&jo, m, k), "");
	fflush(stdout);
	if (mcp_fmt_mesh_verdict(m, line, sizeof(line)))
		warnx("%s", line);
	return mcp_mesh_verdict(m, &broken);
}

static int mcping_main(int argc, char **argv)
{
	static struct mcp_client c;
	static struct mcp_mesh m;
	static struct mcp_resp r;
	struct mcp_client_cfg ccf = { 0 };
	struct mcp_client_io cio = { .stop = &stop, .on_ready = ready,
				     .on_reply = cl_reply, .ctx = &cio };
	struct mcp_resp_cfg rcf = { .ttl = MCP_TTL, .rate = 100,
				    .info = "mcbox mcping " MCBOX_VERSION };
	struct mcp_resp_io rio = { .port = MCP_PORT, .stop = &stop,
				   .on_ready = ready,
				   .on_request = rs_request };
	struct mcp_mesh_cfg mcf = { .count = 10, .ttl = MCP_TTL };
	struct mcp_mesh_io mio = { .stop = &stop, .on_ready = ready,
				   .on_event = ms_event, .ctx = &m };
	struct sigaction sa = { .sa_handler = on_signal };
	struct optstate st;
	const char *iface = NULL, *grp = NULL, *bad = NULL;
	int o, n = 0, fam = AF_UNSPEC, respond = 0, mesh = 0, s;
	uint64_t now = clock_ns();
	char **ops;

	opt_init(&st, &mcping_applet, argc, argv);
	while ((o = opt_next(&st)) > 0) {
		switch (o) {
		case '4': rio.family = fam = AF_INET; break;
		case '6': rio.family = fam = AF_INET6; break;
		case 'c': ccf.count = mcf.count = (uint64_t)st.num; break;
		case 'g':
			grp = st.arg;
			if (!bad && mcp_resp_allow(&rcf, st.arg) < 0)
				bad = err_str();
			break;
		case 'i': iface = st.arg; break;
		case O_INTERVAL:
			ccf.interval_ns = mcf.interval_ns =
				(uint64_t)(st.secs * 1e9);
			break;
		case 'j': json = 1; break;
		case 'l': respond = 1; break;
		case O_MESH: mesh = 1; break;
		case 'q': quiet = 1; break;
		case 'r': rcf.rate = (double)st.num; break;
		case 't': rcf.ttl = mcf.ttl = cio.ttl = (int)st.num; break;
		case 'v': verbose = 1; break;
		case 'w':
			cio.deadline_ns = rio.deadline_ns = mio.deadline_ns =
				now + (uint64_t)(st.secs * 1e9);
			break;
		}
	}
	s = o < 0 || (n = opt_operands(&st, &ops)) < 0 ? st.status : -1;
	if (s < 0 && (respond ? n || mesh : !mesh && n != 1))
		s = opt_usage_error(&mcping_applet, respond ? "--respond takes "
				    "no operand nor --mesh" : "one RESPONDER");
	if (s < 0 && respond && bad)
		s = opt_usage_error(&mcping_applet, "%s", bad);
	if (s < 0 && iface && (rio.ifindex = mio.ifindex = cio.ifindex =
			       inet_ifindex(iface)) < 0)
		s = opt_usage_error(&mcping_applet, "%s", err_str());
	if (s < 0 && !respond && (mesh ? mcp_parse_hosts(ops, n, fam, MCP_PORT,
			grp, &mcf) : mcp_parse_client(ops[0], fam, grp,
			&cio.responder, &cio.group)) < 0)
		s = opt_usage_error(&mcping_applet, "%s", err_str());
	if (s < 0 && mesh && (mcf.self = mcp_io_find_self(mcf.host, n)) < 0)
		s = opt_usage_error(&mcping_applet, "no HOST is an address of "
				    "this host");
	opt_free(&st);
	if (s >= 0)
		return s;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (respond) {
		if (mcp_io_respond(&r, &rcf, &rio) < 0)
			errx(1, "%s", err_str());
		warnx("%s", mcp_fmt_resp_totals(&r, line, sizeof(line)));
		return 0;
	}
	if (mesh) {
		if (mcp_io_mesh(&m, &mcf, &mio) < 0)
			errx(1, "%s", err_str());
		return mesh_results(&m);
	}
	if (mcp_io_client(&c, &ccf, &cio) < 0)
		errx(1, "%s", err_str());
	return client_results(&c, (double)(clock_ns() - now) / 1e9);
}
