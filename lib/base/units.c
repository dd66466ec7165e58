/* units.c - byte sizes and rates (IEC binary prefixes) and bit rates (SI
 * decimal prefixes) for text output. */
#include "base/units.h"

#include <math.h>
#include <stdio.h>

static const char *scaled(char *buf, size_t len, double v, double step,
			  const char *const *pre, int npre, const char *unit)
{
	int i = 0;

	if (!isfinite(v) || v < 0)
		v = 0;
	while (v >= step && i < npre - 1) {
		v /= step;
		i++;
	}
	snprintf(buf, len, "%.1f %s%s", v, pre[i], unit);
	return buf;
}

static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti" };
static const char *const dec[] = { "", "k", "M", "G", "T" };

const char *units_bytes(char *buf, size_t len, double bytes)
{
	return scaled(buf, len, bytes, 1024, bin, 5, "B");
}

const char *units_byte_rate(char *buf, size_t len, double bytes_per_s)
{
	return scaled(buf, len, bytes_per_s, 1024, bin, 5, "B/s");
}

const char *units_bit_rate(char *buf, size_t len, double bits_per_s)
{
	return scaled(buf, len, bits_per_s, 1000, dec, 5, "bit/s");
}
