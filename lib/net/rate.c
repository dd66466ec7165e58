/* rate.c - -r RATE parsing (pps or bit/s) and an absolute-schedule pacer. */
#include "net/rate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/fmath.h"

int rate_parse(const char *s, struct rate *r)
{
	char *end;
	double v, mult = 1;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v <= 0)
		goto bad;
	/* strtod takes "inf", "nan" and hex floats; accept decimals only */
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
	switch (*end) {
	case 'k': case 'K': mult = 1e3; end++; break;
	case 'M': mult = 1e6; end++; break;
	case 'G': mult = 1e9; end++; break;
	}
	r->bits = 0;
	if (!*end || !strcmp(end, "pps")) {
		r->bits = 0;
	} else if (!strcmp(end, "bps") || !strcmp(end, "bit/s")) {
		r->bits = 1;
	} else {
		goto bad;
	}
	r->value = v * mult;
	if (r->value < 1e-3 || r->value > 1e12)
		goto bad;
	return 0;
bad:
	err_set("bad -r '%s' (N[k|M|G][pps|bps], e.g. 1000, 10kpps, 5Mbps)",
		s ? s : "");
	errno = EINVAL;
	return -1;
}

double rate_pps(const struct rate *r, size_t payload)
{
	if (!r->bits)
		return r->value;
	return r->value / (8.0 * (double)(payload ? payload : 1));
}

const char *rate_fmt(const struct rate *r, char *buf, size_t len)
{
	static const char *const pre[] = { "", "k", "M", "G" };
	double v = r->value;
	int i = 0;

	while (v >= 1000 && i < 3) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.4g %s%s", v, pre[i],
		 r->bits ? "bit/s" : "pps");
	return buf;
}

void pace_init(struct pacer *p, double pps, unsigned burst, uint64_t now_ns)
{
	p->pps = pps > 0 ? pps : 0;
	p->burst = burst ? burst : 1;
	p->t0_ns = now_ns;
	p->sent = 0;
}

/* Due time of packet k: bursts of p->burst start every burst/pps s. */
static uint64_t due_ns(const struct pacer *p, uint64_t k)
{
	uint64_t b = k / p->burst;

	return p->t0_ns + (uint64_t)fm_ceil((double)b * p->burst * 1e9 / p->pps);
}

unsigned pace_due(struct pacer *p, uint64_t now_ns, unsigned max)
{
	uint64_t ndue, d;
	double bursts;

	if (p->pps <= 0)
		return max;
	if (now_ns < p->t0_ns)
		return 0;
	d = due_ns(p, p->sent);
	if (now_ns > d && now_ns - d > PACE_MAX_LAG_NS) {
		/* fell far behind: restart the schedule, no catch-up flood */
		p->t0_ns = now_ns;
		p->sent = 0;
	}
	bursts = fm_floor((double)(now_ns - p->t0_ns) * p->pps / 1e9 / p->burst);
	ndue = ((uint64_t)bursts + 1) * p->burst;
	if (ndue <= p->sent)
		return 0;
	return ndue - p->sent > max ? max : (unsigned)(ndue - p->sent);
}

void pace_sent(struct pacer *p, unsigned n)
{
	p->sent += n;
}

uint64_t pace_next_ns(const struct pacer *p)
{
	if (p->pps <= 0)
		return p->t0_ns;
	return due_ns(p, p->sent);
}
