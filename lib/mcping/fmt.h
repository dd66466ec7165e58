/* fmt.h - mcping's results as text lines and JSON objects with stable
 * keys: a client's summary per path, and the mesh matrix. */
#ifndef MCBOX_MCPING_FMT_H
#define MCBOX_MCPING_FMT_H

#include <stddef.h>

#include "base/json.h"
#include "mcping/client.h"
#include "mcping/mesh.h"
#include "mcping/responder.h"

/* One answer: "multicast from 198.18.0.1: seq=1 ttl=64 hops=0
 * time=0.250 ms", " (DUP!)" after a duplicate. */
const char *mcp_fmt_reply(const struct mcp_reply_ev *e,
			  const struct sockaddr_storage *from, int dup,
			  char *buf, size_t len);
/* Its object: type "reply", path, from, seq, ttl, hops, rtt_ms, length,
 * duplicate. */
void mcp_fmt_reply_json(struct json *j, const struct mcp_reply_ev *e,
			const struct sockaddr_storage *from, int dup);

/* The client's summary, line by line (NULL past the last): a heading,
 * what was sent, then a line per path. */
const char *mcp_fmt_client(const struct mcp_client *c, double secs,
			   int line, char *buf, size_t len);
/* Its object: type "summary", responder, group, mode, sent, elapsed_s,
 * server, unicast {...}, multicast {...}, verdict. */
void mcp_fmt_client_json(struct json *j, const struct mcp_client *c,
			 double secs);
/* Why the verdict is not "ok", line by line (NULL past the last): "no
 * answer..." or "unicast works, multicast doesn't..." and a hint. */
const char *mcp_fmt_verdict(const struct mcp_client *c, int line, char *buf,
			    size_t len);

/* A request the responder saw: "request from 198.18.0.2:40000 seq=1:
 * answered to 232.43.211.234", or why not. */
const char *mcp_fmt_request(const struct sockaddr_storage *from,
			    const struct mcp_action *a, char *buf,
			    size_t len);
/* Its object: type "request", from, seq, action, group, client, why. */
void mcp_fmt_request_json(struct json *j, const struct sockaddr_storage *from,
			  const struct mcp_action *a);
/* The responder's totals: "answered 3, unicast only 0, ..." */
const char *mcp_fmt_resp_totals(const struct mcp_resp *r, char *buf,
				size_t len);

/* The mesh result as text, line by line (NULL past the last): the
 * matrix (mcp_fmt_matrix), then a line per pair (mcp_fmt_pair). */
const char *mcp_fmt_mesh(const struct mcp_mesh *m, int line, char *buf,
			 size_t len);
/* Why the mesh verdict is not 0: "1 of 12 ordered pairs do not work";
 * NULL when every pair works. */
const char *mcp_fmt_mesh_verdict(const struct mcp_mesh *m, char *buf,
				 size_t len);
/* Object k of the mesh result: a "pair" per ordered pair, then the
 * "summary" (hosts, pairs, broken, settled). 0 past the last. */
int mcp_fmt_mesh_json(struct json *j, const struct mcp_mesh *m, int k);

/* "5 received, 0.0% loss, rtt min/avg/max/mdev 0.1/0.2/0.3/0.1 ms,
 * 0 hops" (and for multicast the loss since the first answer, and when
 * it came). */
const char *mcp_fmt_path(const struct mcp_client *c, enum mcp_path path,
			 char *buf, size_t len);
/* The object of one path: received, loss_pct, rtt_min_ms, rtt_avg_ms,
 * rtt_max_ms, rtt_mdev_ms, ttl, hops and, for multicast, first_seq,
 * first_ms and loss_since_first_pct. key names the member. */
void mcp_fmt_path_json(struct json *j, const char *key,
		       const struct mcp_client *c, enum mcp_path path);

/* The matrix, line by line: line 0 is the heading, lines 1..n the hosts
 * as senders, with a cell per receiver: "UM" both heard, "U-" unicast
 * only, "-M" multicast only, "--" neither, "??" unknown, "." itself.
 * NULL past the last line. */
const char *mcp_fmt_matrix(const struct mcp_mesh *m, int line, char *buf,
			   size_t len);
/* "198.18.0.1 -> 198.18.0.2: unicast 10/10 (0.0% lost) rtt 0.210 ms,
 * multicast 30/30 (0.0% lost) rtt 0.250 ms: ok" */
const char *mcp_fmt_pair(const struct mcp_mesh *m, int from, int to,
			 char *buf, size_t len);
/* {"type":"pair","from":..,"to":..,"ok":..,"known":..,"unicast":{...},
 * "multicast":{...}} as one line. */
void mcp_fmt_pair_json(struct json *j, const struct mcp_mesh *m, int from,
		       int to);

#endif
