/* priv.h - capabilities (docs/ARCHITECTURE.md §3): the dispatcher keeps
 * only what an applet declares (permitted, not effective); the applet
 * raises one around the privileged call and drops all once it holds the
 * descriptor. The only module that touches the capability sets. */
#ifndef MCBOX_BASE_PRIV_H
#define MCBOX_BASE_PRIV_H

enum {
	PRIV_NONE = 0,
	PRIV_NET_RAW = 1 << 0,		/* CAP_NET_RAW */
	PRIV_NET_ADMIN = 1 << 1,	/* CAP_NET_ADMIN */
	PRIV_NET_BIND_SERVICE = 1 << 2,	/* CAP_NET_BIND_SERVICE */
	PRIV_SETID = 1 << 3,		/* CAP_SETUID + CAP_SETGID, for -u USER */
};

/* Dispatcher: permitted = privs (what the process has of them), effective
 * and inheritable empty, ambient cleared. -1 with errno on failure. */
int priv_limit(unsigned privs);
/* Add privs to the effective set; -1 with errno EPERM when not permitted. */
int priv_raise(unsigned privs);
/* Take privs out of the effective set again; they stay permitted, for the
 * next priv_raise(). -1 with errno on failure. */
int priv_lower(unsigned privs);
/* Clear every capability set (the bounding set too when we may). */
int priv_drop_all(void);
/* -u USER[:GROUP]: switch ids, drop every capability, and verify that
 * setuid(0) fails. -1 with err_str() set. */
int priv_drop_to_user(const char *spec);
/* -u USER[:GROUP] names a user (and group) that exist: 0, or -1 with
 * err_str() naming it. For checking before anything is set up. */
int priv_check_user(const char *spec);
/* "CAP_NET_RAW", "CAP_NET_ADMIN", ... for messages ("needs %s"). */
const char *priv_name(unsigned privs);
/* 1: mcbox handles capabilities (always, on Linux). */
int priv_available(void);

#endif
