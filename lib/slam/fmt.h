/* fmt.h - what slam-serve shows: an event, the summary and the clients
 * that did not get the file (and every --hosts machine) as lines of text
 * or JSON objects with stable keys. Formatting only: the caller owns the
 * stream. */
#ifndef MCBOX_SLAM_FMT_H
#define MCBOX_SLAM_FMT_H

#include <stddef.h>
#include <sys/socket.h>

#include "base/json.h"
#include "slam/serve.h"

/* "join", "done", "left", "lost", "deaf", "round", "restart" */
const char *slam_fmt_ev_name(enum slam_serve_ev ev);
/* An event's keys after "time" and "event": client, and missing, block,
 * sends, cause, round... as the event has them. */
void slam_fmt_event_json(struct json *j, const struct slam_serve *v,
			 enum slam_serve_ev ev,
			 const struct sockaddr_storage *a);
/* "left 198.18.0.3:1234: 12 blocks missing" (no newline). */
const char *slam_fmt_event_line(const struct slam_serve *v,
				enum slam_serve_ev ev,
				const struct sockaddr_storage *a, char *buf,
				size_t len);
/* The summary's keys after "time" and "event", and as one line. */
void slam_fmt_summary_json(struct json *j, const struct slam_serve *v);
const char *slam_fmt_summary_line(const struct slam_serve *v, double el,
				  char *buf, size_t len);
/* The arrays "incomplete" and (with --hosts) "hosts". */
void slam_fmt_clients_json(struct json *j, const struct slam_serve *v);
/* Line i of the clients that did not get the file, then of the --hosts
 * machines ("incomplete: ...", "host ...: got the file"); NULL past the
 * last. */
const char *slam_fmt_clients_line(const struct slam_serve *v, size_t i,
				  char *buf, size_t len);

#endif
