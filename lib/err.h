/* err.h - exit codes shared by every applet, and the lib error string.
 * Messages go through glibc's <err.h> (warn/warnx), whose prefix is the
 * applet name: the dispatcher sets program_invocation_short_name. */
#ifndef MCBOX_ERR_H
#define MCBOX_ERR_H

#include_next <err.h>	/* glibc warn(3)/err(3); this file shadows it */
#include <stdlib.h>

#define EXIT_USAGE	2	/* usage error or bad operand */
#define EXIT_NOANSWER	3	/* nothing before the deadline */
#define EXIT_UNKNOWN	127	/* unknown applet */

/* lib functions that fail for a reason errno cannot say (a bad operand,
 * a protocol error) record it here and return -1; the applet prints it
 * with warnx("%s", err_str()). */
void err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_str(void);

#endif
