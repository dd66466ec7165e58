/* clock.h - monotonic time for deadlines and rates, and wall time for probes. */
#ifndef MCBOX_BASE_CLOCK_H
#define MCBOX_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t clock_ns(void);	/* CLOCK_MONOTONIC */
double clock_s(void);		/* CLOCK_MONOTONIC, seconds */
uint64_t clock_wall_ns(void);	/* CLOCK_REALTIME */
/* Milliseconds from now until deadline_ns (0 if past; -1 if deadline 0,
 * meaning none), for poll(). */
int clock_poll_ms(uint64_t deadline_ns);
/* ns as a struct timespec (a time of a clock, or a span). */
struct timespec clock_ts(uint64_t ns);

#endif
