/* progress.c - a transfer's progress line on stderr (size, rate, ETA and a
 * note), drawn only when stderr is a terminal, at most 10 times a second. */
#include <stdio.h>
#include <unistd.h>

#include "base/clock.h"
#include "file/progress.h"

void progress_init(struct progress *p, uint64_t total)
{
	p->tty = isatty(STDERR_FILENO);
	p->total = total;
	p->t0_ns = clock_ns();
	p->last_ns = 0;
}

static void human(char *buf, size_t len, double v, const char *unit)
{
	static const char *const pre[] = { "", "Ki", "Mi", "Gi", "Ti" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s%s", v, pre[i], unit);
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
	human(a, sizeof(a), (double)done, "B");
	human(r, sizeof(r), rate, "B/s");
	if (p->total) {
		human(b, sizeof(b), (double)p->total, "B");
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
}

void progress_end(struct progress *p)
{
	if (p->tty && p->last_ns)
		fputs("\r\033[K", stderr);
}
