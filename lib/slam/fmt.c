/* fmt.c - slam-serve's events and summaries as text lines and JSON keys
 * (see fmt.h). */
#include <stdio.h>

#include "base/units.h"
#include "net/addr.h"
#include "slam/fmt.h"

static const char *const ev_name[] = {
	[SLAM_SERVE_JOIN] = "join", [SLAM_SERVE_DONE] = "done",
	[SLAM_SERVE_LEFT] = "left", [SLAM_SERVE_LOST] = "lost",
	[SLAM_SERVE_DEAF] = "deaf", [SLAM_SERVE_ROUND] = "round",
	[SLAM_SERVE_RESTART] = "restart", [SLAM_SERVE_EVICT] = "evict",
	[SLAM_SERVE_FULL] = "refuse", [SLAM_SERVE_SUSPECT] = "suspect",
};

static const char *const host_state[] = {
	[SLAM_HOST_ABSENT] = "absent", [SLAM_HOST_ACTIVE] = "unfinished",
	[SLAM_HOST_LEFT] = "left", [SLAM_HOST_LOST] = "lost",
	[SLAM_HOST_DONE] = "done",
};

static const char *const host_says[] = {
	[SLAM_HOST_ABSENT] = "never showed up",
	[SLAM_HOST_ACTIVE] = "did not finish",
	[SLAM_HOST_LEFT] = "left without the whole file",
	[SLAM_HOST_LOST] = "went silent without the whole file",
	[SLAM_HOST_DONE] = "got the file",
};

const char *slam_fmt_ev_name(enum slam_serve_ev ev)
{
	return ev < sizeof(ev_name) / sizeof(ev_name[0]) && ev_name[ev] ?
	       ev_name[ev] : "?";
}

void slam_fmt_event_json(struct json *j, const struct slam_serve *v,
			 enum slam_serve_ev ev,
			 const struct sockaddr_storage *a)
{
	const struct slam_srv *s = &v->s;
	char buf[INET_FMTLEN];

	if (a)
		json_str(j, "client", inet_fmt(a, buf, sizeof(buf)));
	if (ev == SLAM_SERVE_LEFT || ev == SLAM_SERVE_LOST)
		json_uint(j, "missing", s->ev_missing);
	if (ev == SLAM_SERVE_DEAF) {
		json_uint(j, "block", s->ev_block);
		json_uint(j, "sends", s->ev_sends);
		json_str(j, "cause", s->ev_others ? "igmp-snooping" :
			 "no-multicast");
	}
	if (ev == SLAM_SERVE_ROUND) {
		json_uint(j, "round", s->round);
		json_uint(j, "outstanding", slam_srv_outstanding(s));
		json_double(j, "rate_pps", s->cfg.rate > 0 ? s->cfg.rate :
			    s->rate, 0);
		json_double(j, "loss", s->loss, 3);
		json_double(j, "rtt_ms", s->srtt / 1e6, 2);
	}
	if (ev == SLAM_SERVE_EVICT || ev == SLAM_SERVE_FULL)
		json_uint(j, "so_far", ev == SLAM_SERVE_FULL ? s->full :
			  s->evicted);
}

const char *slam_fmt_event_line(const struct slam_serve *v,
				enum slam_serve_ev ev,
				const struct sockaddr_storage *a, char *buf,
				size_t len)
{
	const struct slam_srv *s = &v->s;
	char ab[INET_FMTLEN];
	int n;

	n = snprintf(buf, len, "%s%s%s", slam_fmt_ev_name(ev), a ? " " : "",
		     a ? inet_fmt(a, ab, sizeof(ab)) : "");
	if (n < 0 || (size_t)n >= len)
		return buf;
	if (ev == SLAM_SERVE_RESTART)
		snprintf(buf + n, len - (size_t)n, ": file changed, %llu "
			 "byte%s, new transaction",
			 (unsigned long long)s->h.total, units_s(s->h.total));
	if (ev == SLAM_SERVE_LEFT || (ev == SLAM_SERVE_LOST && s->ev_missing))
		snprintf(buf + n, len - (size_t)n, ": %llu block%s missing",
			 (unsigned long long)s->ev_missing,
			 units_s(s->ev_missing));
	if (ev == SLAM_SERVE_SUSPECT)
		snprintf(buf + n, len - (size_t)n, ": lacks every block sent "
			 "to it (lying, or deaf to the group)");
	return buf;
}

void slam_fmt_summary_json(struct json *j, const struct slam_serve *v)
{
	const struct slam_srv *s = &v->s;

	json_str(j, "file", v->path);
	json_uint(j, "size", s->h.total);
	json_uint(j, "block_size", s->h.bs);
	json_uint(j, "blocks", s->h.nblocks);
	json_uint(j, "packets", s->sent);
	json_uint(j, "bytes", s->bytes);
	json_uint(j, "rounds", s->round);
	json_uint(j, "pings", s->pings);
	json_uint(j, "nacks", s->nacks);
	json_uint(j, "bad_nacks", s->bad);
	json_uint(j, "clients", s->served);
	json_uint(j, "done", s->done);
	json_uint(j, "left", s->left);
	json_uint(j, "lost", s->lost);
	json_uint(j, "incomplete", v->incomplete);
	json_uint(j, "deaf", s->deaf);
	json_uint(j, "refused", s->full);
	json_uint(j, "evicted", s->evicted);
	json_uint(j, "suspects", s->suspects);
	json_bool(j, "deadline", v->timed_out);
}

const char *slam_fmt_summary_line(const struct slam_serve *v, double el,
				  char *buf, size_t len)
{
	const struct slam_srv *s = &v->s;

	snprintf(buf, len, "sent %llu packet%s (%llu byte%s) in %.2f s, %llu "
		 "round%s; clients %llu: %llu done, %llu left, %llu lost; "
		 "%llu NACK%s, %llu bad", (unsigned long long)s->sent,
		 units_s(s->sent), (unsigned long long)s->bytes,
		 units_s(s->bytes), el, (unsigned long long)s->round,
		 units_s(s->round), (unsigned long long)s->served,
		 (unsigned long long)s->done, (unsigned long long)s->left,
		 (unsigned long long)s->lost, (unsigned long long)s->nacks,
		 units_s(s->nacks), (unsigned long long)s->bad);
	return buf;
}

void slam_fmt_clients_json(struct json *j, const struct slam_serve *v)
{
	const struct slam_host *h;
	char buf[INET_FMTLEN];
	size_t i;

	json_arr_begin(j, "incomplete");
	for (i = 0; i < v->nfailed; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "client", inet_fmt(&v->failed[i].addr, buf,
					       sizeof(buf)));
		json_str(j, "state", v->failed[i].lost ? "lost" : "left");
		json_uint(j, "missing", v->failed[i].missing);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (!v->nhosts)
		return;
	json_arr_begin(j, "hosts");
	for (i = 0; i < v->nhosts; i++) {
		h = &v->hosts[i];
		json_obj_begin(j, NULL);
		json_str(j, "host", inet_ntop_ss(&h->addr, buf, sizeof(buf)));
		json_str(j, "state", host_state[h->state]);
		if (h->state == SLAM_HOST_LEFT || h->state == SLAM_HOST_LOST)
			json_uint(j, "missing", h->missing);
		json_obj_end(j);
	}
	json_arr_end(j);
}

const char *slam_fmt_clients_line(const struct slam_serve *v, size_t i,
				  char *buf, size_t len)
{
	char ab[INET_FMTLEN];

	if (i < v->nfailed) {
		snprintf(buf, len, "incomplete: %s %s, %llu block%s missing",
			 inet_fmt(&v->failed[i].addr, ab, sizeof(ab)),
			 v->failed[i].lost ? "lost" : "left",
			 (unsigned long long)v->failed[i].missing,
			 units_s(v->failed[i].missing));
		return buf;
	}
	i -= v->nfailed;
	if (i >= v->nhosts)
		return NULL;
	snprintf(buf, len, "host %s: %s", inet_ntop_ss(&v->hosts[i].addr, ab,
						       sizeof(ab)),
		 host_says[v->hosts[i].state]);
	return buf;
}
