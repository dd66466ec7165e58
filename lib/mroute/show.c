/* show.c - mroute show and status: the kernel's view of a multicast
 * routing table (rtnetlink, /proc) plus the holder's, and the checks that
 * explain why traffic does not cross (rp_filter, RFC 3704 reverse path). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "mroute/hold.h"
#include "mroute/owner.h"
#include "mroute/show.h"

struct view {
	int family;
	struct mr m;			/* only the VIF cache is used */
	struct mr_route *r;
	size_t nr;
	char *holder;			/* the holder's "list" reply, or NULL */
	long hpid;
	int htable;
};

static const char *fam_key(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

static const char *vifname(const struct view *v, int vif)
{
	int i;

	for (i = 0; i < v->m.nvifs; i++)
		if (v->m.vifs[i].vif == vif)
			return v->m.vifs[i].ifname;
	return "?";
}

static const char *ifname(int ifindex, char *buf)
{
	if (ifindex <= 0)
		snprintf(buf, IF_NAMESIZE, "-");
	else if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

static int load(struct mrc_ctx *x, int family, struct view *v)
{
	static char reply[MRH_REPLY];

	memset(v, 0, sizeof(*v));
	v->family = family;
	v->m.family = family;
	v->m.table = x->table;
	v->m.fd = -1;
	/* IPv6 side tables: VIFs are found by probing, which needs the
	 * table's socket and CAP_NET_ADMIN; without them the list is empty */
	if (family == AF_INET6 && x->table != MR_TABLE_DEFAULT) {
		mr_raise();
		if (mr_open(&v->m, family, x->table) < 0)
			v->m.fd = -1;
	}
	if (mr_vifs_load(&v->m) < 0) {
		mr_close(&v->m);
		return -1;
	}
	mr_close(&v->m);
	if (mr_routes(family, x->table, &v->r, &v->nr) < 0)
		return -1;
	if (mrh_request(family, x->table, "list", reply, sizeof(reply)) == 0 &&
	    sscanf(reply, "ok %ld %d", &v->hpid, &v->htable) == 2)
		v->holder = strdup(reply);
	return 0;
}

static void unload(struct view *v)
{
	free(v->r);
	free(v->holder);
}

/* Calls fn for each holder line starting with kind ("tmpl ", "join "). */
#define FOR_HOLDER(v, kind, line)                                          \
	for (char *line = (v)->holder ? strstr((v)->holder, "\n" kind) : NULL; \
	     line && (line++, 1);                                          \
	     line = strstr(line, "\n" kind))

static void show_vifs(struct mrc_ctx *x, struct view *v)
{
	struct json j;
	int i;

	if (!x->json && v->m.nvifs)
		fprintf(x->out, "VIF  %-15s %10s %12s %10s %12s  FLAGS\n",
			"INTERFACE", "PKTS-IN", "BYTES-IN", "PKTS-OUT",
			"BYTES-OUT");
	for (i = 0; i < v->m.nvifs; i++) {
		const struct mr_vif *f = &v->m.vifs[i];
		int st = !!(f->flags & MR_VIF_STATIC);

		if (x->json) {
			json_begin(&j, x->out);
			json_str(&j, "type", "vif");
			json_str(&j, "family", fam_key(v->family));
			json_uint(&j, "table", x->table);
			json_int(&j, "vif", f->vif);
			json_str(&j, "interface", f->ifname);
			json_bool(&j, "static", st);
			json_uint(&j, "pkts_in", f->pkts_in);
			json_uint(&j, "bytes_in", f->bytes_in);
			json_uint(&j, "pkts_out", f->pkts_out);
			json_uint(&j, "bytes_out", f->bytes_out);
			json_end(&j);
			continue;
		}
		fprintf(x->out, "%3d  %-15s %10llu %12llu %10llu %12llu  %s\n",
			f->vif, f->ifname, (unsigned long long)f->pkts_in,
			(unsigned long long)f->bytes_in,
			(unsigned long long)f->pkts_out,
			(unsigned long long)f->bytes_out,
			st ? "static" : "owner");
	}
}

static void show_routes(struct mrc_ctx *x, struct view *v)
{
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], n[IF_NAMESIZE];
	char sg[120], oifs[600];
	struct json j;
	size_t i;
	int k;

	if (!x->json && (v->nr || (v->holder && strstr(v->holder, "\ntmpl"))))
		fprintf(x->out, "%-40s %-12s %10s %12s %8s  %-8s OIFS\n",
			"ROUTE", "IIF", "PACKETS", "BYTES", "WRONGIF", "TYPE");
	for (i = 0; i < v->nr; i++) {
		const struct mr_route *r = &v->r[i];
		const char *type = r->is_static ? "static" : "dynamic";

		mr_ntop(v->family, &r->src, s, sizeof(s));
		mr_ntop(v->family, &r->grp, g, sizeof(g));
		if (x->json) {
			json_begin(&j, x->out);
			json_str(&j, "type", "route");
			json_str(&j, "family", fam_key(v->family));
			json_uint(&j, "table", x->table);
			if (mr_addr_is_any(v->family, &r->src))
				json_null(&j, "source");
			else
				json_str(&j, "source", s);
			json_str(&j, "group", g);
			json_str(&j, "iif", ifname(r->iif, n));
			json_arr_begin(&j, "oifs");
			for (k = 0; k < r->noifs; k++) {
				json_obj_begin(&j, NULL);
				json_str(&j, "interface", ifname(r->oif[k], n));
				json_int(&j, "ttl", r->ttl[k]);
				json_obj_end(&j);
			}
			json_arr_end(&j);
			json_uint(&j, "packets", r->pkts);
			json_uint(&j, "bytes", r->bytes);
			json_uint(&j, "wrong_if", r->wrong_if);
			json_str(&j, "origin", type);
			json_end(&j);
			continue;
		}
		snprintf(sg, sizeof(sg), "(%s, %s)",
			 mr_addr_is_any(v->family, &r->src) ? "*" : s, g);
		oifs[0] = 0;
		for (k = 0; k < r->noifs; k++) {
			size_t l = strlen(oifs);

			snprintf(oifs + l, sizeof(oifs) - l, "%s%s", k ? " " : "",
				 ifname(r->oif[k], n));
			l = strlen(oifs);
			if (r->ttl[k] > 1)
				snprintf(oifs + l, sizeof(oifs) - l, "/%d",
					 r->ttl[k]);
		}
		fprintf(x->out, "%-40s %-12s %10llu %12llu %8llu  %-8s %s\n", sg,
			ifname(r->iif, n), (unsigned long long)r->pkts,
			(unsigned long long)r->bytes,
			(unsigned long long)r->wrong_if, type, oifs);
	}
	FOR_HOLDER(v, "tmpl ", line) {
		struct mrh_tmpl t;
		char *end = strchr(line, '\n');

		if (end)
			*end = 0;
		if (mrh_tmpl_parse(v->family, line + 5, &t) < 0) {
			if (end)
				*end = '\n';
			continue;
		}
		if (end)
			*end = '\n';
		mr_ntop(v->family, &t.grp, g, sizeof(g));
		if (x->json) {
			json_begin(&j, x->out);
			json_str(&j, "type", "route");
			json_str(&j, "family", fam_key(v->family));
			json_uint(&j, "table", x->table);
			json_null(&j, "source");
			snprintf(sg, sizeof(sg), "%s/%d", g, t.plen);
			json_str(&j, "group", sg);
			json_str(&j, "iif", vifname(v, t.iif_vif));
			json_arr_begin(&j, "oifs");
			for (k = 0; k < MR_MAXVIFS; k++) {
				if (!t.ttls[k])
					continue;
				json_obj_begin(&j, NULL);
				json_str(&j, "interface", vifname(v, k));
				json_int(&j, "ttl", t.ttls[k]);
				json_obj_end(&j);
			}
			json_arr_end(&j);
			json_str(&j, "origin", "template");
			json_end(&j);
			continue;
		}
		snprintf(sg, sizeof(sg), "(*, %s/%d)", g, t.plen);
		oifs[0] = 0;
		for (k = 0; k < MR_MAXVIFS; k++) {
			size_t l = strlen(oifs);

			if (!t.ttls[k])
				continue;
			snprintf(oifs + l, sizeof(oifs) - l, "%s%s",
				 l ? " " : "", vifname(v, k));
		}
		fprintf(x->out, "%-40s %-12s %10s %12s %8s  %-8s %s\n", sg,
			vifname(v, t.iif_vif), "-", "-", "-", "(*,G)", oifs);
	}
}

static void show_joins(struct mrc_ctx *x, struct view *v)
{
	struct json j;
	char n[IF_NAMESIZE], spec[160];
	int ifindex;

	FOR_HOLDER(v, "join ", line) {
		if (sscanf(line, "join %d %159s", &ifindex, spec) != 2)
			continue;
		if (x->json) {
			json_begin(&j, x->out);
			json_str(&j, "type", "membership");
			json_str(&j, "family", fam_key(v->family));
			json_str(&j, "interface", ifname(ifindex, n));
			json_str(&j, "group", spec);
			json_end(&j);
		} else {
			fprintf(x->out, "member of %s on %s\n", spec,
				ifname(ifindex, n));
		}
	}
}

static long read_long(const char *fmt, const char *arg)
{
	char path[256], buf[32];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), fmt, arg);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

struct msgs {
	char *line[64];
	int n;
};

static void add_msg(struct msgs *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_msg(struct msgs *m, const char *fmt, ...)
{
	va_list ap;

	if (m->n == 64)
		return;
	va_start(ap, fmt);
	if (vasprintf(&m->line[m->n], fmt, ap) >= 0)
		m->n++;
	va_end(ap);
}

static void status(struct mrc_ctx *x, struct view *v)
{
	const char *proto = v->family == AF_INET6 ? "ipv6" : "ipv4";
	struct msgs warn = { 0 }, hint = { 0 };
	char t[16], comm[64] = "", s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	char n[IF_NAMESIZE];
	long mcf = read_long("/proc/sys/net/%s/conf/all/mc_forwarding", proto);
	long rpall = v->family == AF_INET ?
		     read_long("/proc/sys/net/%s/conf/all/rp_filter", proto) : 0;
	int held, nstatic = 0, ndyn = 0, ntmpl = 0, njoin = 0, i, zero = 0;
	long rp[MR_MAXVIFS];
	pid_t pid = -1;
	struct json j;
	size_t k;

	mr_table_name(x->table, t, sizeof(t));
	held = v->holder && v->htable ? 1 : mr_held(v->family, x->table);
	if (v->holder && v->htable) {
		pid = v->hpid;
		snprintf(comm, sizeof(comm), "mroute holder");
	} else if (held > 0) {
		pid = mrh_find_owner(v->family, comm, sizeof(comm));
	}
	for (k = 0; k < v->nr; k++)
		v->r[k].is_static ? nstatic++ : ndyn++;
	FOR_HOLDER(v, "tmpl ", line) ntmpl++;
	FOR_HOLDER(v, "join ", line) njoin++;
	if (held == 0 && (nstatic || ntmpl))
		add_msg(&warn, "nobody holds the table: its routes do not "
			"forward (start one with 'mroute hold')");
	if (held < 0)
		add_msg(&warn, "could not probe the table's holder: %s",
			err_str());
	for (i = 0; i < v->m.nvifs; i++) {
		long r = -1;

		if (v->family == AF_INET) {
			r = read_long("/proc/sys/net/ipv4/conf/%s/rp_filter",
				      v->m.vifs[i].ifname);
			if (rpall > r)
				r = rpall;	/* the kernel uses the max */
		}
		rp[i] = r;
	}
	for (k = 0; k < v->nr; k++) {
		const struct mr_route *r = &v->r[k];
		int back, iv;

		mr_ntop(v->family, &r->src, s, sizeof(s));
		mr_ntop(v->family, &r->grp, g, sizeof(g));
		if (!r->pkts && !r->wrong_if)
			zero++;
		if (r->wrong_if)
			add_msg(&hint, "(%s, %s): %llu packets came in on "
				"another interface than %s", s, g,
				(unsigned long long)r->wrong_if,
				ifname(r->iif, n));
		if (mr_addr_is_any(v->family, &r->src))
			continue;
		for (iv = 0; iv < v->m.nvifs; iv++)
			if (v->m.vifs[iv].ifindex == r->iif)
				break;
		back = mr_route_oif(v->family, &r->src);
		if (back == 0)
			add_msg(iv < v->m.nvifs && rp[iv] > 0 ? &warn : &hint,
				"no route back to source %s%s", s,
				iv < v->m.nvifs && rp[iv] > 0 ?
				": rp_filter drops its traffic" : "");
		else if (back > 0 && back != r->iif && iv < v->m.nvifs &&
			 rp[iv] == 1)
			add_msg(&warn, "rp_filter=1 (strict) on %s drops (%s, "
				"%s): the route back to %s leaves by %s",
				ifname(r->iif, n), s, g, s,
				ifname(back, (char[IF_NAMESIZE]){ 0 }));
	}
	if (zero)
		add_msg(&hint, "%d route%s forwarded nothing yet: senders "
			"need a TTL (hop limit) above 1, since each router "
			"hop needs TTL > 1", zero, zero == 1 ? " has" :
			"s have");
	if (x->json) {
		json_begin(&j, x->out);
		json_str(&j, "family", fam_key(v->family));
		json_uint(&j, "table", x->table);
		json_bool(&j, "kernel_routing", 1);
		json_bool(&j, "held", held > 0);
		if (pid > 0) {
			json_int(&j, "holder_pid", pid);
			json_str(&j, "holder", comm);
		} else {
			json_null(&j, "holder_pid");
			json_null(&j, "holder");
		}
		json_int(&j, "mc_forwarding", mcf);
		json_arr_begin(&j, "vifs");
		for (i = 0; i < v->m.nvifs; i++) {
			json_obj_begin(&j, NULL);
			json_int(&j, "vif", v->m.vifs[i].vif);
			json_str(&j, "interface", v->m.vifs[i].ifname);
			json_int(&j, "mc_forwarding",
				 read_long(v->family == AF_INET6 ?
					   "/proc/sys/net/ipv6/conf/%s/mc_forwarding" :
					   "/proc/sys/net/ipv4/conf/%s/mc_forwarding",
					   v->m.vifs[i].ifname));
			if (rp[i] >= 0)
				json_int(&j, "rp_filter", rp[i]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_int(&j, "static_routes", nstatic);
		json_int(&j, "dynamic_routes", ndyn);
		json_int(&j, "templates", ntmpl);
		json_int(&j, "memberships", njoin);
		json_arr_begin(&j, "warnings");
		for (i = 0; i < warn.n; i++)
			json_str(&j, NULL, warn.line[i]);
		json_arr_end(&j);
		json_arr_begin(&j, "hints");
		for (i = 0; i < hint.n; i++)
			json_str(&j, NULL, hint.line[i]);
		json_arr_end(&j);
		json_end(&j);
	} else {
		fprintf(x->out, "%s table %s: ", v->family == AF_INET6 ? "IPv6" :
			"IPv4", t);
		if (held > 0 && pid > 0)
			fprintf(x->out, "held by %s (pid %ld)\n", comm,
				(long)pid);
		else if (held > 0)
			fprintf(x->out, "held by another process\n");
		else
			fprintf(x->out, "not held\n");
		if (v->holder && !v->htable)
			fprintf(x->out, "  mroute holder (pid %ld) keeps "
				"memberships only\n", v->hpid);
		fprintf(x->out, "  mc_forwarding: %ld\n", mcf);
		for (i = 0; i < v->m.nvifs; i++) {
			fprintf(x->out, "  VIF %d %s", v->m.vifs[i].vif,
				v->m.vifs[i].ifname);
			if (rp[i] >= 0)
				fprintf(x->out, ": rp_filter %ld%s", rp[i],
					rp[i] == 1 ? " (strict)" :
					rp[i] == 2 ? " (loose)" : "");
			fputc('\n', x->out);
		}
		fprintf(x->out, "  routes: %d static, %d dynamic, %d (*,G); "
			"memberships: %d\n", nstatic, ndyn, ntmpl, njoin);
		for (i = 0; i < warn.n; i++)
			fprintf(x->out, "  warning: %s\n", warn.line[i]);
		for (i = 0; i < hint.n; i++)
			fprintf(x->out, "  hint: %s\n", hint.line[i]);
	}
	for (i = 0; i < warn.n; i++)
		free(warn.line[i]);
	for (i = 0; i < hint.n; i++)
		free(hint.line[i]);
}

/* A family the kernel cannot route: status -j says so as a field; text
 * names it on stderr when the other family is shown. */
static void no_kernel(struct mrc_ctx *x, int family, enum mr_support sup,
		      int st)
{
	struct json j;

	if (st && x->json) {
		json_begin(&j, x->out);
		json_str(&j, "family", fam_key(family));
		json_uint(&j, "table", x->table);
		json_bool(&j, "kernel_routing", 0);
		json_str(&j, "kernel_missing", mr_support_option(family, sup));
		json_end(&j);
	} else if (x->note) {
		mr_support_err(family, sup);
		x->note(err_str());
	}
}

int mrs_print(struct mrc_ctx *x, int family, int st)
{
	int f, shown = 0, printed = 0;
	enum mr_support sup;

	if (st)		/* the holder probe takes MRT_INIT for a moment */
		mr_raise();

	for (f = AF_INET; f; f = f == AF_INET ? AF_INET6 : 0) {
		struct view v;

		if (family && family != f)
			continue;
		sup = mrc_support(x, f);
		if (sup != MR_SUPPORTED) {
			no_kernel(x, f, sup, st);
			continue;
		}
		if (load(x, f, &v) < 0) {
			unload(&v);
			/* a kernel without IPv6 multicast routing */
			if (!family && f == AF_INET6 && shown)
				continue;
			return 1;
		}
		shown++;
		if (st) {
			status(x, &v);
		} else {
			if (!x->json && (v.m.nvifs || v.nr || v.holder) &&
			    ++printed)
				fprintf(x->out, "%s%s table %s\n",
					printed > 1 ? "\n" : "",
					f == AF_INET6 ? "IPv6" : "IPv4",
					mr_table_name(x->table,
						       (char[16]){ 0 }, 16));
			show_vifs(x, &v);
			show_routes(x, &v);
			show_joins(x, &v);
		}
		unload(&v);
	}
	if (!shown)
		return 1;	/* the caller has said why */
	if (!st && !x->json && !printed)
		fprintf(x->out, "no VIFs, routes or memberships in table %s\n",
			mr_table_name(x->table, (char[16]){ 0 }, 16));
	fflush(x->out);
	return 0;
}
