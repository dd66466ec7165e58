/* cmd.c - what mroute(8)'s commands do, for the command line and -b:
 * add/del/join/leave/flush/stop/hold over the kernel API and the holder. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/num.h"
#include "mroute/batch.h"
#include "mroute/cmd.h"
#include "mroute/hold.h"
#include "mroute/owner.h"
#include "mroute/show.h"

#define PL(n) ((n) == 1 ? "" : "s")

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static const char *fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* The holder leaves for "/": a relative --pid-file must not follow it. */
static const char *abs_pidfile(const char *p)
{
	static char buf[4096];
	char cwd[2048];

	if (!p || p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return p;
	snprintf(buf, sizeof(buf), "%s/%s", cwd, p);
	return buf;
}

/* Before anything else: a command for a family (or both, when family is 0
 * and both lack it) that the kernel cannot route ends with the one line
 * naming the missing option. show and status leave out a family the kernel
 * lacks when the other one is there. */
static int kernel_check(struct mrc_ctx *x, int family)
{
	enum mr_support s4, s6;

	if (family) {
		s4 = mrc_support(x, family);
		if (s4 == MR_SUPPORTED)
			return 0;
		mr_support_err(family, s4);
	} else {
		s4 = mrc_support(x, AF_INET);
		s6 = mrc_support(x, AF_INET6);
		if (s4 == MR_SUPPORTED || s6 == MR_SUPPORTED)
			return 0;
		/* both families only when both lack the same thing */
		if (s4 == s6)
			mr_support_err(0, s4);
		else
			mr_support_err(AF_INET, s4);
	}
	x->no_kernel = 1;
	return 1;
}

/* Says what a failed kernel call needs, in the house style. */
static int fail_priv(int e)
{
	if (e == EPERM || e == EACCES) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err_str());
		err_set("%s (needs %s)", msg, e == EPERM &&
			strstr(msg, "socket") ? "CAP_NET_RAW" :
			"CAP_NET_ADMIN");
	}
	return 1;
}

/* The socket on the table, opened once per run (batch: once in all). */
static struct mr *table_sock(struct mrc_ctx *x, int family)
{
	struct mr *m = &x->m[fam_idx(family)];
	int e;

	if (m->fd >= 0)
		return m;
	mr_raise();
	if (mr_open(m, family, x->table) < 0) {
		e = errno;
		fail_priv(e);
		errno = e;
		return NULL;
	}
	return m;
}

/* Names seen in this run: if_nametoindex() costs a socket and an ioctl,
 * three per route in a batch otherwise. */
static struct {
	char name[IF_NAMESIZE];
	int ifindex;
} ifcache[64];
static int nifcache;

static int resolve(const char *name, int *ifindex)
{
	long long n;
	int i;

	for (i = 0; i < nifcache; i++)
		if (!strcmp(ifcache[i].name, name)) {
			*ifindex = ifcache[i].ifindex;
			return 0;
		}
	*ifindex = if_nametoindex(name);
	if (*ifindex && nifcache < 64) {
		strcpy(ifcache[nifcache].name, name);
		ifcache[nifcache++].ifindex = *ifindex;
	}
	if (!*ifindex && parse_ll(name, 1, 1 << 30, &n) == 0 &&
	    if_indextoname(n, (char[IF_NAMESIZE]){ 0 }))
		*ifindex = n;
	if (!*ifindex) {
		err_set("no interface '%s'", name);
		return -1;
	}
	return 0;
}

/* ifindexes of a command's interfaces; 2 (bad operand) on failure. */
static int resolve_all(const struct mr_cmd *c, int *iif, int *oif)
{
	int i;

	if (resolve(c->iif, iif) < 0)
		return 2;
	for (i = 0; i < c->noifs; i++) {
		if (resolve(c->oif[i], &oif[i]) < 0)
			return 2;
		if (oif[i] == *iif) {
			err_set("outgoing interface %s is the inbound one",
				c->oif[i]);
			return 2;
		}
	}
	return 0;
}

/* Our holder's pid, or 0 when none answers for the table. */
static pid_t our_holder(int family, uint32_t table, int *has_table)
{
	char r[128];
	long pid = 0;
	int t = 0;

	if (mrh_request(family, table, "ping", r, sizeof(r)) < 0 ||
	    sscanf(r, "ok %ld %d", &pid, &t) != 2)
		return 0;
	if (has_table)
		*has_table = t;
	return pid;
}

static int start_holder(struct mrc_ctx *x, int family, int members_only,
			pid_t *pid)
{
	struct mrh_opts o = { .family = family, .table = x->table,
			      .members_only = members_only,
			      .expire = x->expire,
			      .pidfile = abs_pidfile(x->pidfile) };

	mr_raise();
	if (mrh_spawn(&o, pid) < 0) {
		/* lost a race with another mroute starting one: fine */
		if (our_holder(family, x->table, NULL) > 0) {
			*pid = -1;
			return 0;
		}
		return -1;
	}
	return 0;
}

/* The holder for commands that need ours ((*,G), join). 0 or 1. */
static int need_holder(struct mrc_ctx *x, int family, int members_ok)
{
	char t[16], comm[64];
	pid_t pid;
	int has_table = 0, held;

	pid = our_holder(family, x->table, &has_table);
	if (pid > 0 && (has_table || members_ok))
		return 0;
	if (pid > 0) {
		err_set("the mroute holder (pid %ld) keeps memberships only: "
			"table %s is held by another process", (long)pid,
			mr_table_name(x->table, t, sizeof(t)));
		return 1;
	}
	held = mr_held(family, x->table);
	if (held < 0)
		return fail_priv(errno);
	if (held && !members_ok) {
		pid = mrh_find_owner(family, comm, sizeof(comm));
		if (pid > 0)
			err_set("(*,G) routes need the mroute holder, but %s "
				"table %s is held by %s (pid %ld)",
				fam_name(family), mr_table_name(x->table, t,
				sizeof(t)), comm, (long)pid);
		else
			err_set("(*,G) routes need the mroute holder, but %s "
				"table %s is held by another process",
				fam_name(family), mr_table_name(x->table, t,
				sizeof(t)));
		return 1;
	}
	if (x->no_hold) {
		err_set("no mroute holder runs for %s table %s (--no-hold)",
			fam_name(family), mr_table_name(x->table, t,
			sizeof(t)));
		return 1;
	}
	if (start_holder(x, family, held, &pid) < 0)
		return 1;
	if (pid > 0)
		mrc_note(x, "started holder (pid %ld) for %s table %s%s",
		     (long)pid, fam_name(family),
		     mr_table_name(x->table, t, sizeof(t)),
		     held ? " (memberships only: the table is held elsewhere)" :
		     "");
	if (!held)
		x->held[fam_idx(family)] = 1;
	return 0;
}

static int holder_req(struct mrc_ctx *x, int family, const char *req,
		      char *reply, size_t len)
{
	if (mrh_request(family, x->table, req, reply, len) < 0) {
		err_set("holder: %s", strerror(errno));
		return 1;
	}
	if (strncmp(reply, "ok", 2)) {
		err_set("%s", !strncmp(reply, "err ", 4) ? reply + 4 : reply);
		return 1;
	}
	return 0;
}

static int exec_route(struct mrc_ctx *x, const struct mr_cmd *c)
{
	int iif, oif[MR_MAXVIFS], iv, i, r, fam = c->family;
	int full = fam == AF_INET6 ? 128 : 32;
	unsigned char ttls[MR_MAXVIFS] = { 0 };
	struct mr *m;
	char g[INET6_ADDRSTRLEN], req[1024];
	struct mrh_tmpl t;

	r = resolve_all(c, &iif, oif);
	if (r)
		return r;
	if (!c->has_src || c->plen != full) {
		/* (*,G): a template in the holder */
		if (c->op == MRC_ADD && need_holder(x, fam, 0))
			return 1;
	}
	m = table_sock(x, fam);
	if (!m)
		return 1;
	if (c->op == MRC_DEL && !(c->has_src && c->plen == full)) {
		iv = mr_vif_find(m, iif);
		if (iv < 0) {
			err_set("no (*,G) route from %s", c->iif);
			return 1;
		}
		snprintf(req, sizeof(req), "tdel %d %s/%d 0:1", iv,
			 mr_ntop(fam, &c->grp, g, sizeof(g)), c->plen);
		return holder_req(x, fam, req, req, sizeof(req));
	}
	if (c->op == MRC_DEL) {
		if (mr_mfc_del(m, &c->src, &c->grp) < 0)
			return fail_priv(errno);
		return 0;
	}
	iv = mr_vif_get(m, iif);
	if (iv < 0)
		return fail_priv(errno);
	for (i = 0; i < c->noifs; i++) {
		int v = mr_vif_get(m, oif[i]);

		if (v < 0)
			return fail_priv(errno);
		ttls[v] = c->ttl[i];
	}
	if (c->has_src && c->plen == full) {
		if (mr_mfc_add(m, &c->src, &c->grp, iv, ttls) < 0)
			return fail_priv(errno);
		x->added[fam_idx(fam)]++;
		return 0;
	}
	memset(&t, 0, sizeof(t));
	t.iif_vif = iv;
	t.grp = c->grp;
	t.plen = c->plen;
	memcpy(t.ttls, ttls, sizeof(ttls));
	strcpy(req, "tadd ");
	mrh_tmpl_format(fam, &t, req + 5, sizeof(req) - 5);
	return holder_req(x, fam, req, req, sizeof(req));
}

static int exec_join(struct mrc_ctx *x, const struct mr_cmd *c)
{
	char req[256], g[INET_FMTLEN], s[INET_FMTLEN];
	int ifindex;

	if (resolve(c->iif, &ifindex) < 0)
		return 2;
	if (c->op == MRC_JOIN && need_holder(x, c->family, 1))
		return 1;
	inet_ntop_ss(&c->g.group, g, sizeof(g));
	if (c->g.source.ss_family != AF_UNSPEC)
		snprintf(req, sizeof(req), "%s %d %s,%s",
			 c->op == MRC_JOIN ? "join" : "leave", ifindex,
			 inet_ntop_ss(&c->g.source, s, sizeof(s)), g);
	else
		snprintf(req, sizeof(req), "%s %d %s",
			 c->op == MRC_JOIN ? "join" : "leave", ifindex, g);
	return holder_req(x, c->family, req, req, sizeof(req));
}

/* Static routes and VIFs of the table: what flush removes and stop
 * reports. del: remove them too. */
static int statics(struct mrc_ctx *x, int family, int del, int *nroutes,
		   int *nvifs)
{
	struct mr_route *r = NULL;
	struct mr *m;
	size_t n, i;
	int k, ret = 0;

	*nroutes = *nvifs = 0;
	m = table_sock(x, family);
	if (!m)
		return 1;
	if (mr_routes(family, x->table, &r, &n) < 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (!r[i].is_static)
			continue;
		if (del && mr_mfc_del(m, &r[i].src, &r[i].grp) < 0) {
			ret = fail_priv(errno);
			continue;
		}
		(*nroutes)++;
	}
	if (mr_vifs_load(m) < 0) {
		free(r);
		return 1;
	}
	for (k = m->nvifs - 1; k >= 0; k--) {
		struct mr_vif *v = &m->vifs[k];
		int used = 0;

		if (!(v->flags & MR_VIF_STATIC))
			continue;
		/* keep VIFs that the owner's remaining routes use */
		for (i = 0; del && i < n; i++) {
			int j;

			if (r[i].is_static)
				continue;
			used |= r[i].iif == v->ifindex;
			for (j = 0; j < r[i].noifs; j++)
				used |= r[i].oif[j] == v->ifindex;
		}
		if (used)
			continue;
		if (del && mr_vif_del(m, v->vif) < 0) {
			ret = fail_priv(errno);
			continue;
		}
		(*nvifs)++;
	}
	free(r);
	return ret;
}

static int exec_flush(struct mrc_ctx *x, int family)
{
	char reply[128], t[16];
	int nt = 0, nd = 0, nr, nv, ret;

	if (our_holder(family, x->table, NULL) > 0 &&
	    holder_req(x, family, "flush", reply, sizeof(reply)) == 0)
		sscanf(reply, "ok %d %d", &nt, &nd);
	ret = statics(x, family, 1, &nr, &nv);
	if (!ret && (nr || nt || nv))
		mrc_note(x, "%s table %s: removed %d static route%s, %d (*,G) "
		     "route%s (and %d entr%s %s installed), %d VIF%s",
		     fam_name(family), mr_table_name(x->table, t, sizeof(t)),
		     nr, PL(nr), nt, PL(nt), nd, nd == 1 ? "y" : "ies",
		     nt == 1 ? "it" : "they", nv, PL(nv));
	return ret;
}

static int exec_stop(struct mrc_ctx *x, int family)
{
	char reply[128], t[16];
	int nt = 0, nd = 0, nj = 0, nr, nv, i;
	pid_t pid = our_holder(family, x->table, NULL);

	mr_table_name(x->table, t, sizeof(t));
	if (pid <= 0) {
		err_set("no mroute holder runs for %s table %s",
			fam_name(family), t);
		return 1;
	}
	if (holder_req(x, family, "stop", reply, sizeof(reply)))
		return 1;
	sscanf(reply, "ok %d %d %d", &nt, &nd, &nj);
	/* wait (bounded) until it is gone, so that what we report is true */
	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
	if (statics(x, family, 0, &nr, &nv))
		return 1;
	mrc_say(x, "stopped holder (pid %ld) of %s table %s: dropped %d (*,G) "
		"route%s (and %d entr%s %s installed), %d membership%s",
		(long)pid, fam_name(family), t, nt, PL(nt), nd,
		nd == 1 ? "y" : "ies", nt == 1 ? "it" : "they", nj, PL(nj));
	if (nr || nv)
		mrc_say(x, "remaining: %d static route%s, %d VIF%s; they "
			"forward again when a process holds the table", nr,
			PL(nr), nv, PL(nv));
	return 0;
}

static int exec_hold(struct mrc_ctx *x, int family)
{
	struct mrh_opts o = { .family = family, .table = x->table,
			      .pidfile = abs_pidfile(x->pidfile),
			      .expire = x->expire,
			      .log = x->verbose ? stderr : NULL };
	pid_t pid;
	char t[16];

	mr_table_name(x->table, t, sizeof(t));
	mr_raise();
	pid = our_holder(family, x->table, NULL);
	if (pid > 0) {
		err_set("an mroute holder (pid %ld) already runs for %s table %s",
			(long)pid, fam_name(family), t);
		return 1;
	}
	if (x->foreground) {
		mrc_note(x, "holding %s table %s (pid %ld)", fam_name(family), t,
		     (long)getpid());
		if (mrh_run(&o, -1) < 0) {
			fail_priv(errno);
			return 1;
		}
		return 0;
	}
	if (mrh_spawn(&o, &pid) < 0) {
		fail_priv(errno);
		return 1;
	}
	mrc_note(x, "started holder (pid %ld) for %s table %s", (long)pid,
	     fam_name(family), t);
	return 0;
}

int mrc_exec(struct mrc_ctx *x, const struct mr_cmd *c)
{
	int f, ret = 0;

	x->no_kernel = 0;
	if (kernel_check(x, c->op == MRC_HOLD && !c->family ? AF_INET :
			 c->family)) {
		/* status -j still says it, as a field */
		if (c->op == MRC_STATUS && x->json)
			mrs_print(x, c->family, 1);
		return 1;
	}
	/* everything but show talks to the table (raw socket, MRT_*) */
	if (c->op != MRC_SHOW)
		mr_raise();
	switch (c->op) {
	case MRC_ADD:
	case MRC_DEL:
		return exec_route(x, c);
	case MRC_JOIN:
	case MRC_LEAVE:
		return exec_join(x, c);
	case MRC_HOLD:
		return exec_hold(x, c->family ? c->family : AF_INET);
	case MRC_SHOW:
	case MRC_STATUS:
		return mrs_print(x, c->family, c->op == MRC_STATUS);
	case MRC_FLUSH:
	case MRC_STOP: {
		int stopped = 0;

		for (f = AF_INET; f; f = f == AF_INET ? AF_INET6 : 0) {
			int r;

			if (c->family && c->family != f)
				continue;
			if (mrc_support(x, f) != MR_SUPPORTED)
				continue;
			if (c->op == MRC_FLUSH) {
				r = exec_flush(x, f);
			} else {
				/* without -4/-6: stop whichever runs */
				if (!c->family &&
				    our_holder(f, x->table, NULL) <= 0)
					continue;
				r = exec_stop(x, f);
				stopped++;
			}
			if (r > ret)
				ret = r;
		}
		if (c->op == MRC_STOP && !c->family && !stopped) {
			err_set("no mroute holder runs for table %s",
				mr_table_name(x->table, (char[16]){ 0 }, 16));
			ret = 1;
		}
		return ret;
	}
	}
	return 0;
}

int mrc_batch(struct mrc_ctx *x, FILE *f, const char *name, int family_opt,
	      void (*error)(const char *msg))
{
	struct mrb_reader rd;
	char msg[600];
	int worst = 0, k, r;

	mrb_init(&rd, f);
	while ((k = mrb_next(&rd)) != 0) {
		struct mr_cmd c;

		if (k == -2) {
			snprintf(msg, sizeof(msg), "%s: %s", name,
				 strerror(errno));
			error(msg);
			worst = 1;
			break;
		}
		if (k < 0 || mrc_parse(rd.argc, rd.argv, family_opt, &c) < 0)
			r = 2;
		else
			r = mrc_exec(x, &c);
		if (r && x->no_kernel) {
			/* the same for every line: say it once, stop */
			error(err_str());
			mrb_free(&rd);
			return r;
		}
		if (r) {
			snprintf(msg, sizeof(msg), "%s:%d: %s", name,
				 rd.lineno, err_str());
			error(msg);
			if (r > worst)
				worst = r;
		}
	}
	mrb_free(&rd);
	return worst;
}

int mrc_finish(struct mrc_ctx *x)
{
	int f, ret = 0;

	for (f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET, held;
		char t[16], comm[64];
		pid_t pid;

		if (!x->added[f] || x->held[f] == 1)
			continue;
		mr_table_name(x->table, t, sizeof(t));
		if (our_holder(family, x->table, &held) > 0 && held)
			continue;
		held = mr_held(family, x->table);
		if (held > 0) {
			pid = mrh_find_owner(family, comm, sizeof(comm));
			if (pid > 0)
				mrc_note(x, "%s table %s is held by %s (pid %ld): "
				     "the routes forward under it",
				     fam_name(family), t, comm, (long)pid);
			continue;
		}
		if (x->no_hold) {
			mrc_note(x, "nobody holds %s table %s: the routes forward "
			     "once a process does (mroute hold)",
			     fam_name(family), t);
			continue;
		}
		if (held < 0 || start_holder(x, family, 0, &pid) < 0) {
			ret = 1;
			continue;
		}
		if (pid > 0)
			mrc_note(x, "started holder (pid %ld) for %s table %s",
			     (long)pid, fam_name(family), t);
	}
	mr_close(&x->m[0]);
	mr_close(&x->m[1]);
	return ret;
}
