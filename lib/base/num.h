/* num.h - number parsers shared by options and operands: integers,
 * seconds (fractions allowed) and sizes (k/M/G/T, 1024-based), each in a
 * range. Sans-I/O. */
#ifndef MCBOX_BASE_NUM_H
#define MCBOX_BASE_NUM_H

/* Each returns 0, or -1 (errno EINVAL/ERANGE). */
int parse_ll(const char *s, long long min, long long max, long long *out);
int parse_secs(const char *s, double min, double max, double *out);
int parse_size(const char *s, long long min, long long max, long long *out);

#endif
