/* clock.c - monotonic and wall clocks for deadlines, rates and probes. */
#include <time.h>

#include "base/clock.h"

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clock_ns(void)
{
	return ns_of(CLOCK_MONOTONIC);
}

double clock_s(void)
{
	return (double)clock_ns() / 1e9;
}

uint64_t clock_wall_ns(void)
{
	return ns_of(CLOCK_REALTIME);
}

int clock_poll_ms(uint64_t deadline_ns)
{
	uint64_t now;

	if (!deadline_ns)
		return -1;
	now = clock_ns();
	if (now >= deadline_ns)
		return 0;
	/* round up so that poll() does not wake just before the deadline */
	return (int)((deadline_ns - now + 999999) / 1000000);
}

struct timespec clock_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000u),
				  .tv_nsec = (long)(ns % 1000000000u) };
}
