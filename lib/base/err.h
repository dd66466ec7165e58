/* err.h - exit codes shared by every applet, and the lib error string.
 * Messages go through glibc's <err.h> (warn/warnx), whose prefix is the
 * applet name: the dispatcher sets program_invocation_short_name. */
#ifndef MCBOX_BASE_ERR_H
#define MCBOX_BASE_ERR_H

#include <stdlib.h>

/* glibc's <err.h>, declared here because this header shadows its name */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void errx(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#define EXIT_USAGE	2	/* usage error or bad operand */
#define EXIT_NOANSWER	3	/* nothing before the deadline */
#define EXIT_UNKNOWN	127	/* unknown applet */

/* lib functions that fail for a reason errno cannot say (a bad operand,
 * a protocol error) record it here and return -1; the applet prints it
 * with warnx("%s", err_str()). */
void err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* err_set("FMT: strerror(errno)"), errno kept; returns -1. */
int err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_str(void);

#endif
