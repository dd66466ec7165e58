/* idlespin.h - busy-polling that never takes a CPU from other work: a
 * helper thread on the idle scheduling class (SCHED_IDLE) runs a step
 * function without sleeping while the caller waits; when the helper is
 * starved (other work holds its CPU), the caller takes over again.
 *
 * The idle class makes a CPU that only polls count as free: a peer woken
 * by what the step sends (a TFTP server woken by an ACK) runs at once on
 * the polling CPU instead of waking an idle one, which on virtual machines
 * and in deep C-states costs tens of microseconds per round trip. It is a
 * helper thread because a thread cannot leave the idle class without
 * CAP_SYS_NICE: the caller, which blocks, stays on the normal class. */
#ifndef MCBOX_NET_IDLESPIN_H
#define MCBOX_NET_IDLESPIN_H

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>

/* The helper counts as starved when it has not begun a step for this long
 * while it should be polling. */
#define IDLESPIN_STARVE_NS	20000000ull

struct idlespin {
	pthread_t th;
	sem_t go, done;
	int (*step)(void *arg);		/* 1: poll on, 0: stop */
	void *arg;
	uint64_t beat;			/* the helper's last step (atomic) */
	int revoke, quit;		/* atomic */
	int started, idle;
	int cpu;			/* the helper's one CPU, -1: any */
	cpu_set_t allowed;		/* the CPUs it may use */
};

/* Starts the helper thread. -1 when there is none (no thread, or the idle
 * class refused): the caller then polls by itself. */
int idlespin_start(struct idlespin *s, int (*step)(void *arg), void *arg);
/* Runs step() on the helper until it returns 0, the caller meanwhile
 * blocked. Returns 0, or 1 when the helper starved and was stopped after
 * its step in progress. Either way the caller owns everything again. */
int idlespin_run(struct idlespin *s);
/* Keeps the helper on cpu (-1: on any CPU it may use). Polling on the CPU
 * that takes in the peer's packets, where the peer itself runs when it
 * shares the host, lets its wake-ups stay on that CPU. -1 when cpu is not
 * one the helper may use. */
int idlespin_pin(struct idlespin *s, int cpu);
/* Ends the helper (when started). */
void idlespin_stop(struct idlespin *s);

#endif
