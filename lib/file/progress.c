/* progress.c - a transfer's progress line on stderr (size, rate, ETA and a
 * note), drawn only when stderr is a terminal, at most 10 times a second. */
#include <stdio.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/units.h"
#include "file/progress.h"

/* One terminal, one progress line: whether it is drawn now. */
static int on_screen;

void progress_init(struct progress *p, uint64_t total)
{
	p->tty = isatty(STDERR_FILENO);
	p->total = total;
	p->t0_ns = clock_ns();
	p->last_ns = 0;
}

int progress_due(const struct progress *p)
{
	return p->tty && clock_ns() - p->last_ns >= 100000000u;
}

void progress_update(struct progress *p, uint64_t done, const char *extra)
{
	char a[32], b[32], r[32], eta[32] = "";
	uint64_t now;
	double el, rate;

	if (!progress_due(p))
		return;
	now = clock_ns();
	p->last_ns = now;
	el = (double)(now - p->t0_ns) / 1e9;
	rate = el > 0 ? (double)done / el : 0;
	units_bytes(a, sizeof(a), (double)done);
	units_byte_rate(r, sizeof(r), rate);
	if (p->total) {
		units_bytes(b, sizeof(b), (double)p->total);
		if (rate > 0 && done <= p->total) {
			unsigned s = (unsigned)((double)(p->total - done) / rate);

			snprintf(eta, sizeof(eta), "  ETA %u:%02u", s / 60,
				 s % 60);
		}
		fprintf(stderr, "\r%s / %s %3.0f%%  %s%s%s%s\033[K", a, b,
			100.0 * (double)done / (double)p->total, r, eta,
			extra ? "  " : "", extra ? extra : "");
	} else {
		fprintf(stderr, "\r%s  %s%s%s\033[K", a, r, extra ? "  " : "",
			extra ? extra : "");
	}
	on_screen = 1;
}

void progress_clear(void)
{
	if (!on_screen)
		return;
	fputs("\r\033[K", stderr);
	on_screen = 0;
}

void progress_end(struct progress *p)
{
	if (p->tty && p->last_ns)
		progress_clear();
}
