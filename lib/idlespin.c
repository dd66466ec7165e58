/* idlespin.c - busy-polling on a helper thread of the idle scheduling
 * class, with the caller as its watchdog (see idlespin.h). */
#include <errno.h>
#include <sched.h>
#include <time.h>

#include "clock.h"
#include "idlespin.h"

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
		struct timespec ts = { (time_t)(t / 1000000000u),
				       (long)(t % 1000000000u) };

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

int idlespin_pick(struct idlespin_pick *p, uint64_t now, uint64_t count)
{
	unsigned k;

	if (!p->t0 || now < p->t0 || count < p->n0) {
		p->t0 = now;
		p->n0 = count;
		return p->way;
	}
	if (now - p->t0 < IDLESPIN_EPOCH_NS)
		return p->way;
	p->rate[p->way] = (double)(count - p->n0) / (double)(now - p->t0);
	/* a trial of each way, then the faster one for EPOCHS_KEPT */
	k = ++p->epochs % (IDLESPIN_EPOCHS_KEPT + 2);
	p->way = k == 0 ? IDLESPIN_HELPER : k == 1 ? IDLESPIN_OWN :
		 p->rate[IDLESPIN_OWN] > p->rate[IDLESPIN_HELPER] ?
		 IDLESPIN_OWN : IDLESPIN_HELPER;
	p->t0 = now;
	p->n0 = count;
	return p->way;
}
