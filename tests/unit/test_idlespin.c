/* test_idlespin.c - the idle-class polling thread: where its steps run,
 * and the caller taking over when other work starves it. */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "clock.h"
#include "idlespin.h"
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

TEST(steps_run_on_an_idle_class_thread)
{
	struct idlespin s;
	struct rec r = { .limit = 1000, .until = clock_ns() + 10000000000ull };

	CHECK_INT(idlespin_start(&s, step, &r), 0);
	CHECK_INT(idlespin_run(&s), 0);
	CHECK_INT(r.steps, 1000);
	CHECK_INT(r.policy, SCHED_IDLE);
	CHECK(r.tid != gettid());
	/* the caller stays on the normal class */
	CHECK_INT(sched_getscheduler(0), SCHED_OTHER);
	/* and a second run takes up where the first ended */
	r.limit = 1500;
	CHECK_INT(idlespin_run(&s), 0);
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

/* epochs of IDLESPIN_EPOCH_NS in which the helper gets h blocks done and
 * polling on one's own o: returns the ways chosen as a string */
static const char *epochs(struct idlespin_pick *p, uint64_t *now,
			  uint64_t *n, int n_epochs, int h, int o)
{
	static char ways[64];
	int way = p->way;

	for (int i = 0; i < n_epochs && i < 63; i++) {
		*n += (uint64_t)(way == IDLESPIN_OWN ? o : h);
		/* within an epoch the way stays */
		CHECK_INT(idlespin_pick(p, *now + IDLESPIN_EPOCH_NS / 2, *n),
			  way);
		*now += IDLESPIN_EPOCH_NS;
		way = idlespin_pick(p, *now, *n);
		ways[i] = way == IDLESPIN_OWN ? 'o' : 'h';
		ways[i + 1] = 0;
	}
	return ways;
}

TEST(the_faster_way_is_kept_and_tried_again)
{
	struct idlespin_pick p = { 0 };
	uint64_t now = 5000, n = 0;

	CHECK_INT(idlespin_pick(&p, now, n), IDLESPIN_HELPER);
	/* own polling is faster: kept for 8 epochs, then a trial of each */
	CHECK_STR(epochs(&p, &now, &n, 12, 10, 20), "ooooooooohoo");
	/* things change: the helper wins its next trial, and the epochs after */
	CHECK_STR(epochs(&p, &now, &n, 11, 30, 20), "ooooooohohh");
	/* a count that goes back starts a new epoch, nothing measured */
	n = 0;
	CHECK_INT(idlespin_pick(&p, now + IDLESPIN_EPOCH_NS * 3, n), p.way);
}

int main(void)
{
	RUN(steps_run_on_an_idle_class_thread);
	RUN(a_starved_helper_is_stopped);
	RUN(the_faster_way_is_kept_and_tried_again);
	return unit_done();
}
