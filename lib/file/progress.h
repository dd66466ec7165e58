/* progress.h - progress of a long transfer on stderr, only when it is a
 * terminal, at most 10 times a second; progress_end() clears the line. */
#ifndef MCBOX_FILE_PROGRESS_H
#define MCBOX_FILE_PROGRESS_H

#include <stdint.h>

struct progress {
	int tty;
	uint64_t total;		/* bytes, 0 when unknown */
	uint64_t t0_ns, last_ns;
};

void progress_init(struct progress *p, uint64_t total);
/* extra: NULL or a short note ("3 receivers", "12 missing"). */
void progress_update(struct progress *p, uint64_t done, const char *extra);
/* 1 when progress_update would print now: format the note only then. */
int progress_due(const struct progress *p);
void progress_end(struct progress *p);
/* Takes the progress line off the terminal, if one is drawn, so that a
 * message or event line can start on a line of its own; the next update
 * draws it again. Call it before printing anything while a transfer runs. */
void progress_clear(void);

#endif
