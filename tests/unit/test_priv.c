/* test_priv.c - priv: limit keeps declared capabilities permitted only;
 * raise makes one effective; drop clears all; raise then fails. Root only. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/priv.h"
#include "unit.h"

/* CapPrm/CapEff as numbers from /proc/self/status */
static uint64_t capset(const char *which)
{
	char line[256];
	uint64_t v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, which, strlen(which)))
			v = strtoull(line + strlen(which), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

#define NET_RAW (1ULL << 13)
#define NET_ADMIN (1ULL << 12)

TEST(limit_raise_drop)
{
	CHECK_INT(priv_limit(PRIV_NET_RAW), 0);
	CHECK(capset("CapPrm:") == NET_RAW);
	CHECK(capset("CapEff:") == 0);
	CHECK_INT(priv_raise(PRIV_NET_RAW), 0);
	CHECK(capset("CapEff:") == NET_RAW);
	errno = 0;
	CHECK_INT(priv_raise(PRIV_NET_ADMIN), -1);	/* never declared */
	CHECK_INT(errno, EPERM);
	CHECK_INT(priv_drop_all(), 0);
	CHECK(capset("CapPrm:") == 0 && capset("CapEff:") == 0);
	CHECK_INT(priv_raise(PRIV_NET_RAW), -1);
	CHECK_INT(errno, EPERM);
}

TEST(names)
{
	CHECK_STR(priv_name(PRIV_NET_RAW), "CAP_NET_RAW");
	CHECK_STR(priv_name(PRIV_NET_ADMIN), "CAP_NET_ADMIN");
	CHECK_STR(priv_name(PRIV_SETID), "CAP_SETUID and CAP_SETGID");
}

int main(void)
{
	RUN(names);
	if (geteuid() != 0 || !(capset("CapEff:") & NET_RAW)) {
		printf("ok %d %s: limit_raise_drop # skip needs root\n",
		       ++unit_n, __FILE__);
	} else {
		RUN(limit_raise_drop);
	}
	return unit_done();
}
