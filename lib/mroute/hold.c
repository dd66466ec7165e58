/* hold.c - the mroute holder: MRT_INIT owner, (*,G) templates served from
 * NOCACHE upcalls, memberships, and its control socket (see mroute/hold.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/inet.h"
#include "net/mcast.h"
#include "mroute/hold.h"
#include "base/num.h"
#include "base/priv.h"

#define MAXCLIENTS 8

/* --- templates (no I/O) --- */

int mrh_match(int family, const struct mrh_tmpl *t, int n,
	      const struct mr_upcall *u)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (t[i].iif_vif != u->vif ||
		    !mr_addr_in(family, &u->grp, &t[i].grp, t[i].plen))
			continue;
		if (best < 0 || t[i].plen > t[best].plen)
			best = i;
	}
	return best;
}

int mrh_tmpl_parse(int family, const char *s, struct mrh_tmpl *t)
{
	char grp[INET6_ADDRSTRLEN + 8], oifs[512], *p, *save = NULL;
	int maxlen = family == AF_INET6 ? 128 : 32, any = 0;
	char *slash;

	memset(t, 0, sizeof(*t));
	if (sscanf(s, "%d %53s %511s", &t->iif_vif, grp, oifs) != 3 ||
	    t->iif_vif < 0 || t->iif_vif >= MR_MAXVIFS) {
		err_set("bad template '%s'", s);
		return -1;
	}
	slash = strchr(grp, '/');
	if (!slash || parse_ll(slash + 1, 0, maxlen, &(long long){ 0 })) {
		err_set("bad template group '%s'", grp);
		return -1;
	}
	*slash = 0;
	t->plen = atoi(slash + 1);
	if (inet_pton(family, grp, &t->grp) != 1) {
		err_set("bad template group '%s'", grp);
		return -1;
	}
	for (p = strtok_r(oifs, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int vif, ttl;

		if (sscanf(p, "%d:%d", &vif, &ttl) != 2 || vif < 0 ||
		    vif >= MR_MAXVIFS || ttl < 1 || ttl > 255) {
			err_set("bad template interface '%s'", p);
			return -1;
		}
		t->ttls[vif] = ttl;
		any = 1;
	}
	if (!any) {
		err_set("template without outgoing interfaces");
		return -1;
	}
	return 0;
}

int mrh_tmpl_format(int family, const struct mrh_tmpl *t, char *buf,
		    size_t len)
{
	char g[INET6_ADDRSTRLEN];
	size_t off;
	int i, sep = ' ';

	off = snprintf(buf, len, "%d %s/%d", t->iif_vif,
		       mr_ntop(family, &t->grp, g, sizeof(g)), t->plen);
	for (i = 0; i < MR_MAXVIFS && off < len; i++) {
		if (!t->ttls[i])
			continue;
		off += snprintf(buf + off, len - off, "%c%d:%d", sep, i,
				t->ttls[i]);
		sep = ',';
	}
	return off < len ? 0 : -1;
}

/* --- control socket --- */

static socklen_t ctl_addr(int family, uint32_t table, struct sockaddr_un *a)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* abstract: belongs to the network namespace, vanishes with us */
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1,
		     "mcbox/mroute/%d/%u", family == AF_INET6 ? 6 : 4, table);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

int mrh_request(int family, uint32_t table, const char *req, char *reply,
		size_t len)
{
	struct sockaddr_un a;
	socklen_t al = ctl_addr(family, table, &a);
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, al) < 0 ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	n = recv(fd, reply, len - 1, 0);
	if (n <= 0) {
		int e = n < 0 ? errno : ECONNRESET;

		close(fd);
		err_set("holder did not answer: %s", strerror(e));
		errno = e;
		return -1;
	}
	reply[n] = 0;
	close(fd);
	return 0;
}

static int write_pidfile(const char *path)
{
	char dir[512], *slash, tmp[600];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0755);	/* /run/mcbox; exists is fine */
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		err_set("pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		err_set("pid file %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* --- the holder --- */

struct dyn {
	union mr_addr src, grp;
	int tmpl;
	uint64_t last_pkts;	/* at the previous expiry check */
};

struct join {
	int fd;
	int ifindex;
	struct mc_group g;
};

struct holder {
	const struct mrh_opts *o;
	struct mr m;
	int have_mrt;
	struct mrh_tmpl tmpl[MRH_MAXTMPL];
	int ntmpl;
	struct dyn dyn[MRH_MAXDYN];
	int ndyn;
	struct join join[MRH_MAXJOIN];
	int njoin;
	int stop;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void logf_(struct holder *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(struct holder *h, const char *fmt, ...)
{
	va_list ap;

	if (!h->o->log)
		return;
	va_start(ap, fmt);
	fprintf(h->o->log, "mroute: ");
	vfprintf(h->o->log, fmt, ap);
	fputc('\n', h->o->log);
	fflush(h->o->log);
	va_end(ap);
}

static void on_upcall(struct holder *h, const struct mr_upcall *u)
{
	int fam = h->o->family, t, i;
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	if (u->type != MR_UPCALL_NOCACHE)
		return;
	t = mrh_match(fam, h->tmpl, h->ntmpl, u);
	if (t < 0)
		return;
	for (i = 0; i < h->ndyn; i++)
		if (mr_addr_eq(fam, &h->dyn[i].src, &u->src) &&
		    mr_addr_eq(fam, &h->dyn[i].grp, &u->grp))
			break;
	mr_ntop(fam, &u->src, s, sizeof(s));
	mr_ntop(fam, &u->grp, g, sizeof(g));
	if (mr_mfc_add(&h->m, &u->src, &u->grp, u->vif, h->tmpl[t].ttls) < 0) {
		logf_(h, "%s", err_str());
		return;
	}
	if (i == h->ndyn && h->ndyn < MRH_MAXDYN) {
		h->dyn[h->ndyn].src = u->src;
		h->dyn[h->ndyn].grp = u->grp;
		h->dyn[h->ndyn].tmpl = t;
		h->ndyn++;
	}
	logf_(h, "new source: installed (%s,%s) from a (*,G) route", s, g);
}

/* Entries installed from templates whose packet counter has not moved
 * since the last check go; the next packet from that source brings its
 * entry back through an upcall (and onto a new inbound interface, if the
 * source moved). Entries already gone from the kernel are forgotten. */
static void expire_dyn(struct holder *h)
{
	int fam = h->o->family, i;
	struct mr_route *r;
	size_t n, k;

	if (mr_routes(fam, h->o->table, &r, &n) < 0)
		return;
	for (i = h->ndyn - 1; i >= 0; i--) {
		struct dyn *d = &h->dyn[i];

		for (k = 0; k < n; k++)
			if (mr_addr_eq(fam, &r[k].src, &d->src) &&
			    mr_addr_eq(fam, &r[k].grp, &d->grp))
				break;
		if (k < n && r[k].pkts != d->last_pkts) {
			d->last_pkts = r[k].pkts;
			continue;
		}
		if (k < n) {
			char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

			mr_mfc_del(&h->m, &d->src, &d->grp);
			logf_(h, "idle: removed (%s,%s)",
			      mr_ntop(fam, &d->src, s, sizeof(s)),
			      mr_ntop(fam, &d->grp, g, sizeof(g)));
		}
		*d = h->dyn[--h->ndyn];
	}
	free(r);
}

static int64_t now_ms(void)
{
	return (int64_t)(clock_ns() / 1000000);
}

static void read_upcalls(struct holder *h)
{
	unsigned char buf[2048];
	struct mr_upcall u;
	ssize_t n;

	while ((n = recv(h->m.fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (mr_upcall_parse(h->o->family, buf, n, &u) == 1)
			on_upcall(h, &u);
}

/* Removes template t's dynamic entries and the template itself. */
static int tmpl_remove(struct holder *h, int t)
{
	int i, n = 0;

	for (i = 0; i < h->ndyn;) {
		if (h->dyn[i].tmpl != t) {
			if (h->dyn[i].tmpl > t)
				h->dyn[i].tmpl--;
			i++;
			continue;
		}
		mr_mfc_del(&h->m, &h->dyn[i].src, &h->dyn[i].grp);
		h->dyn[i] = h->dyn[--h->ndyn];
		n++;
		i = 0;		/* the swap may have brought a shifted one */
	}
	memmove(&h->tmpl[t], &h->tmpl[t + 1],
		(h->ntmpl - t - 1) * sizeof(h->tmpl[0]));
	h->ntmpl--;
	return n;
}

static int find_join(struct holder *h, int ifindex, const struct mc_group *g)
{
	int i;

	for (i = 0; i < h->njoin; i++)
		if (h->join[i].ifindex == ifindex &&
		    inet_same_addr(&h->join[i].g.group, &g->group) &&
		    h->join[i].g.source.ss_family == g->source.ss_family &&
		    (g->source.ss_family == AF_UNSPEC ||
		     inet_same_addr(&h->join[i].g.source, &g->source)))
			return i;
	return -1;
}

static void do_join(struct holder *h, char *args, char *out, size_t len,
		    int leave)
{
	char spec[160];
	struct mc_group g;
	int ifindex, i;

	if (sscanf(args, "%d %159s", &ifindex, spec) != 2 ||
	    inet_parse_group(spec, 0, &g) < 0) {
		snprintf(out, len, "err bad membership '%s'", args);
		return;
	}
	i = find_join(h, ifindex, &g);
	if (leave) {
		if (i < 0) {
			snprintf(out, len, "err not a member");
			return;
		}
		close(h->join[i].fd);	/* the kernel sends the leave */
		h->join[i] = h->join[--h->njoin];
		snprintf(out, len, "ok");
		return;
	}
	if (i >= 0) {
		snprintf(out, len, "ok already");
		return;
	}
	if (h->njoin == MRH_MAXJOIN) {
		snprintf(out, len, "err too many memberships (%d)",
			 MRH_MAXJOIN);
		return;
	}
	/* one socket per membership: no per-socket join limit to hit */
	i = socket(g.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (i < 0 || mc_join(i, &g, ifindex) < 0) {
		snprintf(out, len, "err join: %s", strerror(errno));
		if (i >= 0)
			close(i);
		return;
	}
	h->join[h->njoin].fd = i;
	h->join[h->njoin].ifindex = ifindex;
	h->join[h->njoin].g = g;
	h->njoin++;
	snprintf(out, len, "ok");
}

static void do_list(struct holder *h, char *out, size_t len)
{
	int fam = h->o->family, i;
	size_t off = snprintf(out, len, "ok %ld %d\n", (long)getpid(),
			      h->have_mrt);

	for (i = 0; i < h->ntmpl && off < len; i++) {
		char t[600];

		mrh_tmpl_format(fam, &h->tmpl[i], t, sizeof(t));
		off += snprintf(out + off, len - off, "tmpl %s\n", t);
	}
	for (i = 0; i < h->ndyn && off < len; i++) {
		char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

		off += snprintf(out + off, len - off, "dyn %s %s %d\n",
				mr_ntop(fam, &h->dyn[i].src, s, sizeof(s)),
				mr_ntop(fam, &h->dyn[i].grp, g, sizeof(g)),
				h->dyn[i].tmpl);
	}
	for (i = 0; i < h->njoin && off < len; i++) {
		char g[INET_FMTLEN], s[INET_FMTLEN] = "";
		struct join *j = &h->join[i];

		if (j->g.source.ss_family != AF_UNSPEC)
			inet_ntop_ss(&j->g.source, s, sizeof(s));
		off += snprintf(out + off, len - off, "join %d %s%s%s\n",
				j->ifindex, s, *s ? "," : "",
				inet_ntop_ss(&j->g.group, g, sizeof(g)));
	}
	if (off >= len)
		out[len - 1] = 0;
}

static void handle(struct holder *h, char *req, char *out, size_t len)
{
	int fam = h->o->family;
	char *args = strchr(req, ' ');

	req[strcspn(req, "\n")] = 0;
	if (args)
		*args++ = 0;
	else
		args = "";
	if (!strcmp(req, "ping") || !strcmp(req, "list")) {
		do_list(h, out, len);
	} else if (!strcmp(req, "tadd") || !strcmp(req, "tdel")) {
		struct mrh_tmpl t;
		int i;

		if (!h->have_mrt) {
			snprintf(out, len, "err this holder keeps memberships "
				 "only; (*,G) routes need the table");
			return;
		}
		if (mrh_tmpl_parse(fam, args, &t) < 0) {
			snprintf(out, len, "err %s", err_str());
			return;
		}
		for (i = 0; i < h->ntmpl; i++)
			if (h->tmpl[i].iif_vif == t.iif_vif &&
			    h->tmpl[i].plen == t.plen &&
			    mr_addr_eq(fam, &h->tmpl[i].grp, &t.grp))
				break;
		if (!strcmp(req, "tdel")) {
			if (i == h->ntmpl)
				snprintf(out, len, "err no such (*,G) route");
			else
				snprintf(out, len, "ok %d", tmpl_remove(h, i));
		} else if (i < h->ntmpl) {
			h->tmpl[i] = t;	/* replace: new outgoing set */
			snprintf(out, len, "ok replaced");
		} else if (h->ntmpl == MRH_MAXTMPL) {
			snprintf(out, len, "err too many (*,G) routes");
		} else {
			h->tmpl[h->ntmpl++] = t;
			snprintf(out, len, "ok");
		}
	} else if (!strcmp(req, "join") || !strcmp(req, "leave")) {
		do_join(h, args, out, len, req[0] == 'l');
	} else if (!strcmp(req, "flush")) {
		int nt = h->ntmpl, nd = 0;

		while (h->ntmpl)
			nd += tmpl_remove(h, h->ntmpl - 1);
		snprintf(out, len, "ok %d %d", nt, nd);
	} else if (!strcmp(req, "stop")) {
		snprintf(out, len, "ok %d %d %d", h->ntmpl, h->ndyn, h->njoin);
		h->stop = 1;
	} else {
		snprintf(out, len, "err unknown request '%s'", req);
	}
}

static int listen_ctl(const struct mrh_opts *o)
{
	struct sockaddr_un a;
	socklen_t al = ctl_addr(o->family, o->table, &a);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, al) < 0 ||
	    listen(fd, 16) < 0) {
		if (errno == EADDRINUSE)
			err_set("an mroute holder already runs for this table");
		else
			err_set("control socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Only the holder's own user or root may talk to it: the abstract socket
 * is open to every local user of the namespace. */
static int peer_ok(int fd)
{
	struct ucred cr;
	socklen_t l = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0)
		return 0;
	return cr.uid == 0 || cr.uid == geteuid();
}

int mrh_run(const struct mrh_opts *o, int ready_fd)
{
	static struct holder h;	/* large; one per process */
	struct sigaction sa = { .sa_handler = on_signal };
	char pidbuf[512];
	const char *pidfile = o->pidfile;
	int lfd, i, cl[MAXCLIENTS], ncl = 0, ret = 0, timeout;
	int64_t next_expiry = 0;
	char *reply;

	memset(&h, 0, sizeof(h));
	h.o = o;
	h.m.fd = -1;
	if (!o->members_only) {
		if (mr_open(&h.m, o->family, o->table) < 0)
			return -1;
		if (mr_init(&h.m) < 0) {
			if (errno == EADDRINUSE)
				err_set("the table is held by another process");
			mr_close(&h.m);
			return -1;
		}
		h.have_mrt = 1;
		if (o->family == AF_INET6) {
			struct icmp6_filter f;

			/* upcalls bypass the filter; ICMPv6 traffic is noise */
			ICMP6_FILTER_SETBLOCKALL(&f);
			setsockopt(h.m.fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
				   sizeof(f));
		}
		/* the VIF view: templates name slots the CLI created */
		mr_vifs_load(&h.m);
	}
	lfd = listen_ctl(o);
	if (lfd < 0) {
		mr_close(&h.m);
		return -1;
	}
	if (!pidfile)
		pidfile = mrh_pidfile(o->family, o->table, pidbuf,
				      sizeof(pidbuf));
	if (write_pidfile(pidfile) < 0) {
		/* not fatal: the control socket is what the CLI uses */
		if (o->log)
			fprintf(o->log, "mroute: %s\n", err_str());
		pidfile = NULL;
	}
	/* the owner socket needs no capability from now on */
	priv_drop_all();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	reply = malloc(MRH_REPLY);
	if (!reply) {
		ret = -1;
		goto out;
	}
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "1", 1);
		close(ready_fd);
	}
	while (!h.stop && !got_signal) {
		struct pollfd p[2 + MAXCLIENTS];
		int np = 0;

		p[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = h.m.fd, .events = POLLIN };
		for (i = 0; i < ncl; i++)
			p[np++] = (struct pollfd){ .fd = cl[i],
						   .events = POLLIN };
		timeout = -1;
		if (o->expire > 0 && h.ndyn > 0) {
			int64_t left = next_expiry - now_ms();

			if (left <= 0) {
				expire_dyn(&h);
				next_expiry = now_ms() + o->expire * 1000LL;
				left = o->expire * 1000LL;
			}
			timeout = left;
		} else {
			next_expiry = now_ms() + o->expire * 1000LL;
		}
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			err_set("poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (p[1].revents & POLLIN)
			read_upcalls(&h);
		for (i = ncl - 1; i >= 0; i--) {
			char req[1024];
			ssize_t n;

			if (!p[2 + i].revents)
				continue;
			n = recv(cl[i], req, sizeof(req) - 1, MSG_DONTWAIT);
			if (n > 0) {
				req[n] = 0;
				handle(&h, req, reply, MRH_REPLY);
				send(cl[i], reply, strlen(reply), MSG_NOSIGNAL);
			}
			close(cl[i]);
			cl[i] = cl[--ncl];
		}
		if (p[0].revents & POLLIN) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0 && (ncl == MAXCLIENTS || !peer_ok(c)))
				close(c);
			else if (c >= 0)
				cl[ncl++] = c;
		}
	}
out:
	for (i = 0; i < ncl; i++)
		close(cl[i]);
	for (i = 0; i < h.njoin; i++)
		close(h.join[i].fd);
	free(reply);
	close(lfd);
	if (pidfile)
		unlink(pidfile);
	/* closing the owner socket flushes the (S,G) entries we installed;
	 * static ones (added by the CLI) stay */
	mr_close(&h.m);
	return ret;
}

int mrh_spawn(const struct mrh_opts *o, pid_t *pid)
{
	int pfd[2], ipc[2];
	char msg[512];
	ssize_t n;
	pid_t c;

	if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(ipc, O_CLOEXEC) < 0) {
		err_set("pipe: %s", strerror(errno));
		return -1;
	}
	c = fork();
	if (c < 0) {
		err_set("fork: %s", strerror(errno));
		return -1;
	}
	if (c == 0) {
		pid_t g;
		int nul;

		close(pfd[0]);
		close(ipc[0]);
		setsid();
		g = fork();	/* the holder is no child of the CLI's caller */
		if (g != 0) {
			if (g > 0)
				(void)!write(ipc[1], &g, sizeof(g));
			_exit(g < 0);
		}
		/* pin no directory (a test's tmpdir, a mount) */
		if (chdir("/") < 0)
			_exit(1);
		nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		/* let no inherited descriptor (a test runner's pipe) live on */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != pfd[1] && fd != ipc[1])
				close(fd);
		close(ipc[1]);
		if (mrh_run(o, pfd[1]) < 0) {
			/* before "ready" the pipe is still ours: say why */
			(void)!write(pfd[1], "E", 1);
			(void)!write(pfd[1], err_str(), strlen(err_str()));
			_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	close(ipc[1]);
	*pid = -1;
	if (read(ipc[0], pid, sizeof(*pid)) != sizeof(*pid))
		*pid = -1;
	close(ipc[0]);
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
	n = read(pfd[0], msg, sizeof(msg) - 1);
	if (n < 1 || msg[0] != '1') {
		msg[n > 0 ? n : 0] = 0;
		close(pfd[0]);
		err_set("holder: %s", n > 1 ? msg + 1 :
			"it exited before it was ready");
		return -1;
	}
	close(pfd[0]);
	return 0;
}
