/* mroutecmd.h - the commands of mroute(8) (add, del, show, status, join,
 * leave, flush, stop, hold) over mroute.h and mrhold.h, shared by the
 * command line and batch files. */
#ifndef MCBOX_MROUTE_CMD_H
#define MCBOX_MROUTE_CMD_H

#include <stdio.h>

#include "net/inet.h"
#include "mroute/kernel.h"

enum mrc_op {
	MRC_ADD, MRC_DEL, MRC_SHOW, MRC_STATUS, MRC_JOIN, MRC_LEAVE,
	MRC_FLUSH, MRC_STOP, MRC_HOLD,
};

/* One parsed command. Interface names are kept as given; mrc_exec()
 * resolves them (so that parsing stays free of I/O). */
struct mr_cmd {
	enum mrc_op op;
	int family;			/* 0: both (show, status, flush, stop) */
	char iif[IF_NAMESIZE];
	int has_src;
	union mr_addr src, grp;
	int plen;			/* group prefix; full length for (S,G) */
	int noifs;
	char oif[MR_MAXVIFS][IF_NAMESIZE];
	int ttl[MR_MAXVIFS];
	struct mc_group g;		/* join/leave */
};

/* Parses argv (command first). family_opt is -4/-6 (AF_INET, AF_INET6)
 * or 0. Returns 0, or -1 with err_str() naming the bad word. */
int mrc_parse(int argc, char **argv, int family_opt, struct mr_cmd *c);

struct mrc_ctx {
	uint32_t table;
	int no_hold;			/* --no-hold */
	int json;
	int foreground;			/* hold -f */
	int verbose;
	int expire;			/* holder: see mrh_opts.expire */
	const char *pidfile;
	FILE *out;			/* show, status, stop */
	void (*note)(const char *msg);	/* remarks for stderr */
	/* private */
	struct mr m[2];			/* [0] IPv4, [1] IPv6; fd -1: closed */
	int added[2];			/* static routes added: see the holder */
	int held[2];			/* -1 unknown, 0/1 */
	char err_usage;			/* last failure was a bad operand */
	char no_kernel;			/* last failure: the kernel lacks it */
	int support[2];			/* enum mr_support + 1; 0 unprobed */
};

void mrc_init(struct mrc_ctx *x, uint32_t table);
/* What the kernel offers family for x->table (probed once). */
enum mr_support mrc_support(struct mrc_ctx *x, int family);
/* Runs one command: 0, or the exit status (1 runtime, 2 bad operand)
 * with err_str() set. */
int mrc_exec(struct mrc_ctx *x, const struct mr_cmd *c);
/* Runs the commands of f, one per line ('#' comments); errors name
 * "name:line". Returns the worst exit status. */
int mrc_batch(struct mrc_ctx *x, FILE *f, const char *name, int family_opt,
	      void (*error)(const char *msg));
/* After the commands: makes sure static routes will forward (starts the
 * holder or names the table's owner, unless --no-hold), closes sockets.
 * Returns 0 or 1. */
int mrc_finish(struct mrc_ctx *x);

/* Raises CAP_NET_RAW and CAP_NET_ADMIN, each when permitted. */
void mrc_raise(void);

/* "default" or the number. */
const char *mrc_table_name(uint32_t table, char *buf, size_t len);

#endif
