/* grammar.h - mroute(8)'s command grammar, smcroutectl-like: COMMAND IIF
 * [SOURCE] GROUP[/LEN] OIF[/TTL]..., and join/leave operands. Interface
 * names are kept as given, for the commands (mroute/cmd.h) to resolve. */
#ifndef MCBOX_MROUTE_GRAMMAR_H
#define MCBOX_MROUTE_GRAMMAR_H

#include "mroute/parse.h"
#include "net/inet.h"

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

/* The commands, as documented (the grammar also takes smcroutectl's
 * "remove" and "kill"); shell completions offer these. */
#define MRC_COMMANDS "add del show status join leave flush stop hold"

/* Parses argv (command first). family_opt is -4/-6 (AF_INET, AF_INET6)
 * or 0. Returns 0, or -1 with err_str() naming the bad word. */
int mrc_parse(int argc, char **argv, int family_opt, struct mr_cmd *c);

#endif
