/* hold.h - the mroute holder: owns a multicast routing table (MRT_INIT)
 * so that static routes forward, serves (*,G) templates from NOCACHE
 * upcalls, keeps group memberships, and answers the CLI on an abstract
 * unix socket (scoped to the network namespace, like the table). */
#ifndef MCBOX_MROUTE_HOLD_H
#define MCBOX_MROUTE_HOLD_H

#include <stdio.h>
#include <sys/types.h>

#include "mroute/kernel.h"

#define MRH_MAXTMPL 256
#define MRH_MAXDYN 4096
#define MRH_MAXJOIN 256
#define MRH_REPLY 65536		/* largest control reply */

struct mrh_opts {
	int family;
	uint32_t table;
	int members_only;	/* keep memberships, don't take the table */
	int expire;		/* drop (S,G) entries installed from (*,G)
				 * routes that forwarded nothing for this
				 * many seconds (checked every expire
				 * seconds); 0 never */
	const char *pidfile;	/* NULL: mrh_pidfile() */
	FILE *log;		/* events (installed routes); NULL: quiet */
};

/* A (*,G/LEN) template: traffic from any source arriving on iif_vif for
 * a group within grp/plen gets an (S,G) entry with these TTLs. */
struct mrh_tmpl {
	int iif_vif;
	union mr_addr grp;
	int plen;
	unsigned char ttls[MR_MAXVIFS];
};

/* The template matching an upcall (same inbound VIF, group in prefix,
 * longest prefix first), or -1. No I/O: unit-tested. */
int mrh_match(int family, const struct mrh_tmpl *t, int n,
	      const struct mr_upcall *u);

/* Template wire form used on the control socket:
 * "IIFVIF GROUP/LEN VIF:TTL[,VIF:TTL...]". 0, or -1 + err_str(). */
int mrh_tmpl_parse(int family, const char *s, struct mrh_tmpl *t);
int mrh_tmpl_format(int family, const struct mrh_tmpl *t, char *buf,
		    size_t len);

/* Runs the holder until "stop" or SIGTERM/SIGINT. ready_fd >= 0 gets one
 * byte once the control socket listens (then it is closed). -1 + err_str()
 * when it cannot start. */
int mrh_run(const struct mrh_opts *o, int ready_fd);
/* Starts mrh_run() in a detached child (setsid, stdio on /dev/null) and
 * waits until it listens. *pid is the holder's pid. */
int mrh_spawn(const struct mrh_opts *o, pid_t *pid);

/* Sends one request line, gets the reply (NUL-terminated). -1 with errno
 * ECONNREFUSED or ENOENT when no holder runs for the table. The reply
 * starts with "ok" or "err ". */
int mrh_request(int family, uint32_t table, const char *req, char *reply,
		size_t len);

/* Default pid file: /run/mcbox (root) or $XDG_RUNTIME_DIR, named after the
 * family, table and, outside the initial one, the network namespace. */
const char *mrh_pidfile(int family, uint32_t table, char *buf, size_t len);

#endif
