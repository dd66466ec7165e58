/* owner.c - who holds a multicast routing table (a raw IGMP or ICMPv6
 * socket found through /proc, without ptrace rights over a daemon), and
 * where the mroute holder's pid file lives. */
#include <ctype.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mroute/owner.h"
#include "mroute/parse.h"

static unsigned long netns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

const char *mrh_pidfile(int family, uint32_t table, char *buf, size_t len)
{
	const char *dir = "/run/mcbox";
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	unsigned long self = netns_ino("/proc/self/ns/net");
	unsigned long init = netns_ino("/proc/1/ns/net");
	char ns[32] = "", tbl[24] = "";

	if (geteuid() != 0 && xdg && *xdg)
		dir = xdg;
	if (self && self != init)
		snprintf(ns, sizeof(ns), "@net%lu", self);
	if (table != MR_TABLE_DEFAULT)
		snprintf(tbl, sizeof(tbl), "-%u", table);
	snprintf(buf, len, "%s/mroute%s%s%s.pid", dir,
		 family == AF_INET6 ? "6" : "", tbl, ns);
	return buf;
}

/* Inodes of raw sockets of protocol proto in the namespace of dir's
 * net/raw (or raw6): dir is /proc/self or /proc/PID. */
static int raw_inodes(int family, const char *dir, unsigned long *ino, int max)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_IGMP;
	char line[512], path[300];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/raw%s", dir,
		 family == AF_INET6 ? "6" : "");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		char local[64];
		unsigned long inode;
		unsigned port;
		char *colon;

		/* sl local rem st tx:rx tr:when retr uid timeout inode */
		if (sscanf(line, " %*s %63s %*s %*s %*s %*s %*s %*s %*s %lu",
			   local, &inode) != 2)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &port) != 1 ||
		    (int)port != proto)
			continue;
		ino[n++] = inode;
	}
	fclose(f);
	return n;
}

/* 1 when the namespace of /proc/PID holds one of the sockets: readable
 * without ptrace rights, unlike /proc/PID/fd of a more privileged daemon. */
static int pid_in_netns(int family, const char *pid, const unsigned long *ino,
			int n)
{
	unsigned long other[64];
	char dir[300];
	int m, i, k;

	snprintf(dir, sizeof(dir), "/proc/%s", pid);
	m = raw_inodes(family, dir, other, 64);
	for (i = 0; i < m; i++)
		for (k = 0; k < n; k++)
			if (other[i] == ino[k])
				return 1;
	return 0;
}

static int pid_has_socket(const char *pid, const unsigned long *ino, int n)
{
	char path[300], link[64];
	struct dirent *e;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char fd[600];
		unsigned long i;
		ssize_t l;
		int k;

		snprintf(fd, sizeof(fd), "%s/%s", path, e->d_name);
		l = readlink(fd, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		if (sscanf(link, "socket:[%lu]", &i) != 1)
			continue;
		for (k = 0; k < n; k++)
			if (ino[k] == i)
				found = 1;
	}
	closedir(d);
	return found;
}

pid_t mrh_find_owner(int family, char *comm, size_t len)
{
	static const char *daemons[] = { "smcrouted", "pimd", "pim6sd",
					 "mrouted", "pimd-dense", "pim6dd",
					 "igmpproxy", "mcproxy", "mcbox",
					 "mroute", "bird", "zebra", "pimd6",
					 NULL };
	unsigned long ino[64];
	int n = raw_inodes(family, "/proc/self", ino, 64), best_rank = 1000;
	pid_t best = -1;
	struct dirent *e;
	DIR *d;

	if (n == 0 || !(d = opendir("/proc")))
		return -1;
	while ((e = readdir(d))) {
		char path[300], name[64] = "";
		int rank = 999, k;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]) ||
		    atoi(e->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = 0;
		fclose(f);
		for (k = 0; daemons[k]; k++)
			if (!strcmp(name, daemons[k]))
				rank = k;
		/* the socket among its descriptors, or else a known routing
		 * daemon in this namespace (we may not read its fds) */
		if (!pid_has_socket(e->d_name, ino, n) &&
		    (rank == 999 || !pid_in_netns(family, e->d_name, ino, n)))
			continue;
		if (rank < best_rank) {
			best_rank = rank;
			best = atoi(e->d_name);
			snprintf(comm, len, "%s", name);
		}
	}
	closedir(d);
	return best;
}

