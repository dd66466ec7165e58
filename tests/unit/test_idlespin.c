/* test_idlespin.c - the idle-class polling thread: where its steps run
 * (its class, its thread, the CPU it is pinned to), and the caller taking
 * over when other work starves it. */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "base/clock.h"
#include "net/idlespin.h"
#include "unit.h"

struct rec {
	int steps, limit, policy;
	pid_t tid;
	uint64_t until;			/* a bound on every spin, in time */
};

static int step(void *arg)
{
	struct rec *r = arg;

	r->policy = sched_getscheduler(0);
	r->tid = gettid();
	r->steps++;
	return r->steps < r->limit && clock_ns() < r->until;
}

/* Runs the steps to their end. Other work on the machine may starve the
 * idle-class helper, which is then stopped (idlespin_run returns 1) with
 * its steps unfinished: the caller, as a driver would, runs it again; the
 * steps' own time bound ends it if it never gets a CPU. */
static int run_to_end(struct idlespin *s, struct rec *r)
{
	int rc;

	while ((rc = idlespin_run(s)) == 1 && r->steps < r->limit &&
	       clock_ns() < r->until)
		;
	return rc < 0 ? rc : 0;
}

TEST(steps_run_on_an_idle_class_thread)
{
	struct idlespin s;
	struct rec r = { .limit = 1000, .until = clock_ns() + 10000000000ull };

	CHECK_INT(idlespin_start(&s, step, &r), 0);
	CHECK_INT(run_to_end(&s, &r), 0);
	CHECK_INT(r.steps, 1000);
	CHECK_INT(r.policy, SCHED_IDLE);
	CHECK(r.tid != gettid());
	/* the caller stays on the normal class */
	CHECK_INT(sched_getscheduler(0), SCHED_OTHER);
	/* and a second run takes up where the first ended */
	r.limit = 1500;
	CHECK_INT(run_to_end(&s, &r), 0);
	CHECK_INT(r.steps, 1500);
	idlespin_stop(&s);
	idlespin_stop(&s);
}

static volatile int hog_stop;

static void *hog(void *arg)
{
	uint64_t end = clock_ns() + 10000000000ull;

	(void)arg;
	while (!hog_stop && clock_ns() < end)
		;
	return NULL;
}

TEST(a_starved_helper_is_stopped)
{
	struct idlespin s;
	struct rec r = { .limit = 1 << 30 };
	cpu_set_t one, all;
	pthread_t th;
	uint64_t t0;
	int starved;

	/* everything on one CPU, where a normal-class thread spins: the
	 * idle-class helper gets hardly any time there */
	CHECK_INT(sched_getaffinity(0, sizeof(all), &all), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	CHECK_INT(sched_setaffinity(0, sizeof(one), &one), 0);
	CHECK_INT(idlespin_start(&s, step, &r), 0);
	hog_stop = 0;
	CHECK_INT(pthread_create(&th, NULL, hog, NULL), 0);
	/* without the watchdog this returns only at the steps' own bound */
	t0 = clock_ns();
	r.until = t0 + 8000000000ull;
	starved = idlespin_run(&s);
	hog_stop = 1;
	pthread_join(th, NULL);
	CHECK_INT(starved, 1);
	CHECK(clock_ns() < r.until);
	idlespin_stop(&s);
	sched_setaffinity(0, sizeof(all), &all);
}

/* the CPUs the steps ran on, as a mask (CPUs below 64) */
static uint64_t cpus_seen;

static int step_cpu(void *arg)
{
	struct rec *r = arg;
	int cpu = sched_getcpu();

	if (cpu >= 0 && cpu < 64)
		cpus_seen |= 1ull << cpu;
	r->steps++;
	/* the scheduler gets a chance to move us between steps */
	if (r->steps % 1000 == 0)
		sched_yield();
	return r->steps < r->limit && clock_ns() < r->until;
}

TEST(a_pinned_helper_steps_on_that_cpu_only)
{
	struct idlespin s;
	struct rec r = { .limit = 20000 };
	cpu_set_t all;
	int last = -1;

	CHECK_INT(sched_getaffinity(0, sizeof(all), &all), 0);
	CHECK_INT(idlespin_start(&s, step_cpu, &r), 0);
	/* each CPU we may use in turn, the last one twice (a no-op) */
	for (int cpu = 0; cpu < 64; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CHECK_INT(idlespin_pin(&s, cpu), 0);
		CHECK_INT(s.cpu, cpu);
		cpus_seen = 0;
		r.steps = 0;
		r.until = clock_ns() + 10000000000ull;
		CHECK_INT(run_to_end(&s, &r), 0);
		CHECK_INT(r.steps, 20000);
		CHECK(cpus_seen == 1ull << cpu);
		last = cpu;
	}
	CHECK(last >= 0);
	CHECK_INT(idlespin_pin(&s, last), 0);
	/* a CPU outside the allowed set is refused, and the pin stays */
	CHECK_INT(idlespin_pin(&s, CPU_SETSIZE), -1);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (!CPU_ISSET(cpu, &all)) {
			CHECK_INT(idlespin_pin(&s, cpu), -1);
			break;
		}
	CHECK_INT(s.cpu, last);
	/* unpinned: it may run anywhere again */
	CHECK_INT(idlespin_pin(&s, -1), 0);
	CHECK_INT(s.cpu, -1);
	{
		cpu_set_t now;

		CHECK_INT(pthread_getaffinity_np(s.th, sizeof(now), &now), 0);
		CHECK(CPU_EQUAL(&now, &all));
	}
	idlespin_stop(&s);
}

int main(void)
{
	RUN(steps_run_on_an_idle_class_thread);
	RUN(a_starved_helper_is_stopped);
	RUN(a_pinned_helper_steps_on_that_cpu_only);
	return unit_done();
}
