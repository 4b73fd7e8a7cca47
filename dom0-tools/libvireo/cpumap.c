/*
 * xl's CPU lists to and from a mask of harts (cpumap.h). The parser walks
 * the string in place, without copying it, so that the xl.cfg parser can
 * call it on every item without an allocation that could fail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpumap.h"

#define CPUMAP_NUM_MAX 99999UL /* larger numbers are "out of range" anyway */

static unsigned clamp_cpus(unsigned nr_cpus)
{
	if (nr_cpus == 0)
		return 1;
	return nr_cpus > CPUMAP_MAX ? CPUMAP_MAX : nr_cpus;
}

uint64_t cpumap_all(unsigned nr_cpus)
{
	unsigned n = clamp_cpus(nr_cpus);

	return n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len,
						      const char *fmt, ...)
{
	if (err && len) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Digits at *p into *v (capped); 0, or -1 if there are none. */
static int number(const char **p, const char *end, unsigned long *v)
{
	const char *s = *p;

	*v = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		if (*v <= CPUMAP_NUM_MAX)
			*v = *v * 10 + (unsigned long)(*s - '0');
		s++;
	}
	if (s == *p)
		return -1;
	*p = s;
	return 0;
}

/*
 * "N" or "N-M" filling [p, end) exactly; 0, or -1 if it is not one. *last
 * is where M (or N) is written, for messages.
 */
static int range(const char *p, const char *end, unsigned long *a,
		 unsigned long *b, const char **last)
{
	*last = p;
	if (number(&p, end, a))
		return -1;
	*b = *a;
	if (p < end && *p == '-') {
		*last = ++p;
		if (number(&p, end, b) || *b < *a)
			return -1;
	}
	return p == end ? 0 : -1;
}

/* CPU [cpu, end) is past the host's n. */
static int out_of_range(const char *cpu, const char *end, unsigned n, char *err,
			size_t len)
{
	int w = (int)(end - cpu);

	if (n == 1)
		return fail(err, len,
			    "CPU %.*s is out of range: the only CPU is 0", w,
			    cpu);
	return fail(err, len, "CPU %.*s is out of range: CPUs are 0-%u", w, cpu,
		    n - 1);
}

/* One item, [p, end) with its blanks cut, applied to *mask. */
static int item(const char *p, const char *end, unsigned n, uint64_t *mask,
		char *err, size_t len)
{
	const char *start = p, *last;
	int neg = p < end && *p == '^', w = (int)(end - p);
	unsigned long a, b;

	if (neg)
		p++;
	if ((size_t)(end - p) >= 5 &&
	    (!strncmp(p, "node:", 5) || !strncmp(p, "nodes:", 6)))
		return fail(err, len, "NUMA nodes are not supported: '%.*s'", w,
			    start);
	if (end - p == 3 && !strncmp(p, "all", 3)) {
		if (neg)
			return fail(err, len,
				    "Can't combine \"^\" and \"all\".");
		*mask |= cpumap_all(n);
		return 0;
	}
	if (range(p, end, &a, &b, &last))
		return fail(err, len, "Invalid pcpu range: %.*s.", w, start);
	if (b >= n)
		return out_of_range(last, end, n, err, len);
	for (unsigned long c = a; c <= b; c++) {
		if (neg)
			*mask &= ~(UINT64_C(1) << c);
		else
			*mask |= UINT64_C(1) << c;
	}
	return 0;
}

int cpumap_parse(const char *s, unsigned nr_cpus, uint64_t *mask, char *err,
		 size_t errlen)
{
	unsigned n = clamp_cpus(nr_cpus);
	const char *p = s;
	uint64_t m = 0;

	for (;;) {
		const char *end = strchr(p, ',');

		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (p == end)
			return fail(err, errlen,
				    "CPU list '%s' has an empty item", s);
		if (item(p, end, n, &m, err, errlen))
			return -1;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	if (!m)
		return fail(err, errlen, "CPU list '%s' leaves no CPU", s);
	*mask = m;
	return 0;
}

/* Append "[,]a[-b]" for the run a..b; the running snprintf total. */
static int put_run(char *buf, size_t len, int at, unsigned a, unsigned b)
{
	size_t off = (size_t)at < len ? (size_t)at : len;
	int r;

	if (a == b)
		r = snprintf(buf + off, len - off, "%s%u", at ? "," : "", a);
	else
		r = snprintf(buf + off, len - off, "%s%u-%u", at ? "," : "", a,
			     b);
	return r < 0 ? r : at + r;
}

int cpumap_format(uint64_t mask, unsigned nr_cpus, char *buf, size_t len)
{
	unsigned n = clamp_cpus(nr_cpus);
	int at = 0;

	mask &= cpumap_all(n);
	if (!mask)
		return snprintf(buf, len, "none");
	if (mask == cpumap_all(n))
		return snprintf(buf, len, "all");
	if (len)
		buf[0] = '\0';
	for (unsigned c = 0; c < n && at >= 0; c++) {
		unsigned first = c;

		if (!(mask >> c & 1))
			continue;
		while (c + 1 < n && (mask >> (c + 1) & 1))
			c++;
		at = put_run(buf, len, at, first, c);
	}
	return at;
}
