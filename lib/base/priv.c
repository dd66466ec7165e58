/* priv.c - capabilities (docs/ARCHITECTURE.md §3): keep what the applet
 * declares as permitted only, raise around the privileged call, drop all,
 * and switch to an unprivileged user for servers. The
 * capability sets are read and written with capget(2)/capset(2)
 * directly: every applet starts here, and a library that reads /proc to
 * do the same costs more than the rest of a short applet's run. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/err.h"
#include "base/priv.h"

static const struct {
	unsigned priv;
	int cap;
	const char *name;
} caps[] = {
	{ PRIV_NET_RAW, CAP_NET_RAW, "CAP_NET_RAW" },
	{ PRIV_NET_ADMIN, CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	{ PRIV_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE" },
	{ PRIV_SETID, CAP_SETUID, "CAP_SETUID" },
	{ PRIV_SETID, CAP_SETGID, "CAP_SETGID" },
};

#define NCAPS (sizeof(caps) / sizeof(caps[0]))

int priv_available(void)
{
	return 1;
}

const char *priv_name(unsigned privs)
{
	static char buf[128];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < NCAPS; i++)
		if (privs & caps[i].priv)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " and " : "", caps[i].name);
	return buf;
}

/* The process's capability sets, as capget(2) gives them: [0] holds
 * capabilities 0-31, [1] 32-63. */
struct capsets {
	struct __user_cap_data_struct d[2];
};

static int caps_io(int set, struct capsets *c)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};

	if (syscall(set ? SYS_capset : SYS_capget, &h, c->d)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static uint32_t bit(int cap)
{
	return UINT32_C(1) << (cap % 32);
}

static int permitted(const struct capsets *c, int cap)
{
	return !!(c->d[cap / 32].permitted & bit(cap));
}

int priv_limit(unsigned privs)
{
	struct capsets c, keep;

	memset(&keep, 0, sizeof(keep));
	/* an applet that keeps nothing (most) need not read the sets */
	if (privs && caps_io(0, &c))
		return -1;
	for (size_t i = 0; privs && i < NCAPS; i++)
		if ((privs & caps[i].priv) && permitted(&c, caps[i].cap))
			keep.d[caps[i].cap / 32].permitted |= bit(caps[i].cap);
	/* Ambient capabilities would survive an exec; we never want that.
	 * The kernel keeps a capability ambient only while it is both
	 * permitted and inheritable (capabilities(7)), and keep's
	 * inheritable set is empty: this capset clears the ambient set. */
	return caps_io(1, &keep);
}

int priv_raise(unsigned privs)
{
	struct capsets c;

	if (caps_io(0, &c))
		return -1;
	for (size_t i = 0; i < NCAPS; i++) {
		if (!(privs & caps[i].priv))
			continue;
		if (!permitted(&c, caps[i].cap)) {
			errno = EPERM;
			return -1;
		}
		c.d[caps[i].cap / 32].effective |= bit(caps[i].cap);
	}
	return caps_io(1, &c);
}

int priv_lower(unsigned privs)
{
	struct capsets c;

	if (caps_io(0, &c))
		return -1;
	for (size_t i = 0; i < NCAPS; i++)
		if (privs & caps[i].priv)
			c.d[caps[i].cap / 32].effective &= ~bit(caps[i].cap);
	return caps_io(1, &c);
}

int priv_drop_all(void)
{
	struct capsets none;

	memset(&none, 0, sizeof(none));
	return caps_io(1, &none);
}

static int lookup_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[256], *group, *end;
	struct passwd *pw;
	struct group *gr;
	unsigned long v;

	if (strlen(spec) >= sizeof(user) || !*spec) {
		err_set("bad user '%s'", spec);
		return -1;
	}
	strcpy(user, spec);
	group = strchr(user, ':');
	if (group)
		*group++ = 0;
	pw = getpwnam(user);
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else {
		errno = 0;
		v = strtoul(user, &end, 10);
		if (!*user || *end || errno || v >= UINT_MAX) {
			err_set("unknown user '%s'", user);
			return -1;
		}
		*uid = (uid_t)v;
		*gid = (gid_t)v;
	}
	if (group) {
		gr = getgrnam(group);
		if (gr) {
			*gid = gr->gr_gid;
		} else {
			errno = 0;
			v = strtoul(group, &end, 10);
			if (!*group || *end || errno || v >= UINT_MAX) {
				err_set("unknown group '%s'", group);
				return -1;
			}
			*gid = (gid_t)v;
		}
	}
	return 0;
}

int priv_check_user(const char *spec)
{
	uid_t uid;
	gid_t gid;

	return lookup_ids(spec, &uid, &gid);
}

int priv_drop_to_user(const char *spec)
{
	uid_t uid;
	gid_t gid;

	if (lookup_ids(spec, &uid, &gid))
		return -1;
	if (priv_raise(PRIV_SETID)) {
		err_set("-u %s: %s (needs CAP_SETUID and CAP_SETGID)", spec,
			strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		err_set("-u %s: %s", spec, strerror(errno));
		return -1;
	}
	if (priv_drop_all()) {
		err_set("-u %s: cannot drop capabilities", spec);
		return -1;
	}
	/* As smcroute does: prove there is no way back. */
	if (uid != 0 && setuid(0) == 0) {
		err_set("-u %s: could regain root; refusing to run", spec);
		return -1;
	}
	/* the credential change cleared it; a process with no privileges
	 * left may be traced and may dump core like any other */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}
