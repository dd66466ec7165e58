/* nomroute.c - an LD_PRELOAD shim that makes a kernel with multicast
 * routing look like one built without it (CONFIG_IP_MROUTE and
 * CONFIG_IPV6_MROUTE not set), so that tests/61-mroute-nokernel.bats runs
 * on any host: access() finds no /proc/net/ip*_mr_* file, and every MRT* and
 * MRT6* socket option fails with ENOPROTOOPT, as such a kernel answers.
 * Used only when the host kernel does have multicast routing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* <linux/mroute.h> and <netinet/in.h> do not mix: the bases by hand */
#define MRT_BASE 200
#define MRT6_BASE 200

static int hidden(const char *path)
{
	return path && (strstr(path, "/ip_mr_") || strstr(path, "/ip6_mr_"));
}

static int mrt_opt(int level, int name)
{
	return (level == IPPROTO_IP && name >= MRT_BASE &&
		name <= MRT_BASE + 20) ||
	       (level == IPPROTO_IPV6 && name >= MRT6_BASE &&
		name <= MRT6_BASE + 20);
}

int access(const char *path, int mode)
{
	static int (*real)(const char *, int);

	if (hidden(path)) {
		errno = ENOENT;
		return -1;
	}
	if (!real)
		real = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
	return real(path, mode);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);

	if (mrt_opt(level, name)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(
			RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	static int (*real)(int, int, int, void *, socklen_t *);

	if (mrt_opt(level, name)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(
			RTLD_NEXT, "getsockopt");
	return real(fd, level, name, val, len);
}
