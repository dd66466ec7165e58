/* idlespin.c - busy-polling on a helper thread of the idle scheduling
 * class, with the caller as its watchdog (see idlespin.h). */
#include <errno.h>
#include <sched.h>
#include <time.h>

#include "base/clock.h"
#include "net/idlespin.h"

/* how often the waiting caller looks at the helper's heartbeat */
#define CHECK_NS	10000000ull

static void *helper(void *arg)
{
	struct idlespin *s = arg;
	struct sched_param sp = { 0 };

	/* lowering our own priority needs no privilege */
	s->idle = !sched_setscheduler(0, SCHED_IDLE, &sp);
	sem_post(&s->done);
	for (;;) {
		while (sem_wait(&s->go) && errno == EINTR)
			;
		if (__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE))
			break;
		for (;;) {
			__atomic_store_n(&s->beat, clock_ns(), __ATOMIC_RELEASE);
			if (__atomic_load_n(&s->revoke, __ATOMIC_ACQUIRE) ||
			    !s->step(s->arg))
				break;
		}
		sem_post(&s->done);
	}
	return NULL;
}

int idlespin_start(struct idlespin *s, int (*step)(void *arg), void *arg)
{
	s->started = 0;
	s->step = step;
	s->arg = arg;
	s->quit = s->revoke = 0;
	if (sem_init(&s->go, 0, 0))
		return -1;
	if (sem_init(&s->done, 0, 0)) {
		sem_destroy(&s->go);
		return -1;
	}
	if (pthread_create(&s->th, NULL, helper, s)) {
		sem_destroy(&s->go);
		sem_destroy(&s->done);
		return -1;
	}
	s->started = 1;
	s->cpu = -1;
	if (pthread_getaffinity_np(s->th, sizeof(s->allowed), &s->allowed))
		CPU_ZERO(&s->allowed);
	while (sem_wait(&s->done) && errno == EINTR)
		;
	if (!s->idle) {
		idlespin_stop(s);
		return -1;
	}
	return 0;
}

int idlespin_run(struct idlespin *s)
{
	int starved = 0;

	__atomic_store_n(&s->revoke, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->beat, clock_ns(), __ATOMIC_RELEASE);
	sem_post(&s->go);
	for (;;) {
		uint64_t beat, t = clock_ns() + CHECK_NS;
		struct timespec ts = clock_ts(t);

		if (!sem_clockwait(&s->done, CLOCK_MONOTONIC, &ts))
			break;
		if (starved)
			continue;
		/* A helper that has not stepped for this long waits for a
		 * CPU that other work holds: stop it after its current step
		 * (we wait for that: the idle class still gets a share).
		 * The beat is read first: a later clock reading is never
		 * older. */
		beat = __atomic_load_n(&s->beat, __ATOMIC_ACQUIRE);
		if (clock_ns() - beat > IDLESPIN_STARVE_NS) {
			__atomic_store_n(&s->revoke, 1, __ATOMIC_RELEASE);
			starved = 1;
		}
	}
	return starved;
}

int idlespin_pin(struct idlespin *s, int cpu)
{
	cpu_set_t one;

	if (!s->started || cpu == s->cpu)
		return 0;
	if (cpu >= CPU_SETSIZE || (cpu >= 0 && !CPU_ISSET(cpu, &s->allowed)))
		return -1;
	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	if (pthread_setaffinity_np(s->th, sizeof(one),
				   cpu >= 0 ? &one : &s->allowed))
		return -1;
	s->cpu = cpu;
	return 0;
}

void idlespin_stop(struct idlespin *s)
{
	if (!s->started)
		return;
	__atomic_store_n(&s->quit, 1, __ATOMIC_RELEASE);
	sem_post(&s->go);
	pthread_join(s->th, NULL);
	sem_destroy(&s->go);
	sem_destroy(&s->done);
	s->started = 0;
}
