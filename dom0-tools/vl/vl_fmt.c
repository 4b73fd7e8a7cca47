/*
 * vl's output formats, kept apart from I/O so host unit tests check them:
 * `vl list` exactly as xl lays it out, `vl list -l` as JSON, xl's uptime
 * strings and `vl info` lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vl.h"
#include "vireo_abi.h"

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	*v = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

/* "dom DOMID NAME STATE REASON VCPUS MEM_PAGES CPU_NS CTIME CONFIG
 * [ONLINE]": ONLINE, the vCPUs started, came later (without it: all). */
int vl_dom_parse(char **f, unsigned nr, struct vl_dom *d)
{
	uint64_t v[7];
	char *end;

	if (nr < 10 || strcmp(f[0], "dom"))
		return -1;
	if (parse_u64(f[1], &v[0]) || parse_u64(f[3], &v[1]) ||
	    parse_u64(f[4], &v[2]) || parse_u64(f[5], &v[3]) ||
	    parse_u64(f[6], &v[4]) || parse_u64(f[7], &v[5]))
		return -1;
	d->ctime = strtoll(f[8], &end, 10);
	if (!*f[8] || *end)
		return -1;
	d->domid = (uint32_t)v[0];
	d->state = (uint32_t)v[1];
	d->reason = (uint32_t)v[2];
	d->vcpus = (uint32_t)v[3];
	d->mem_pages = v[4];
	d->cpu_ns = v[5];
	d->online = d->vcpus;
	if (nr > 10) {
		if (parse_u64(f[10], &v[6]) || v[6] > d->vcpus)
			return -1;
		d->online = (uint32_t)v[6];
	}
	snprintf(d->name, sizeof(d->name), "%s", f[2]);
	snprintf(d->config, sizeof(d->config), "%s", f[9]);
	return 0;
}

/* xl's six state letters: r b p s c d, '-' when clear. */
void vl_state_letters(uint32_t state, uint32_t reason, char out[7])
{
	int crashed = (state & VIREO_DOMSTATE_CRASHED) ||
		      reason == VIREO_SHUTDOWN_CRASH;

	out[0] = (state & VIREO_DOMSTATE_RUNNING) ? 'r' : '-';
	out[1] = (state & VIREO_DOMSTATE_BLOCKED) ? 'b' : '-';
	out[2] = (state & VIREO_DOMSTATE_PAUSED) ? 'p' : '-';
	out[3] = (state & VIREO_DOMSTATE_SHUTDOWN) ? 's' : '-';
	out[4] = crashed ? 'c' : '-';
	out[5] = (state & VIREO_DOMSTATE_DYING) ? 'd' : '-';
	out[6] = '\0';
}

/* Pages populated, 4 KiB each, in MiB. */
uint64_t vl_mem_mib(const struct vl_dom *d)
{
	return d->mem_pages >> 8;
}

void vl_list_header(FILE *f)
{
	fprintf(f, "Name                                        ID   Mem "
		   "VCPUs\tState\tTime(s)\n");
}

/* VCPUs is the online count, as xl list's (vcpu_online). */
void vl_list_row(FILE *f, const struct vl_dom *d)
{
	char s[7];

	vl_state_letters(d->state, d->reason, s);
	fprintf(f, "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f\n", d->name,
		(int)d->domid, (unsigned long)vl_mem_mib(d), (int)d->online,
		s[0], s[1], s[2], s[3], s[4], s[5],
		(double)d->cpu_ns / 1e9);
}

void vl_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/*
 * `vl list -l`: a JSON array, one object per domain, in `vl list` order:
 *
 *   domid       number   the domain ID (0 for Domain-0)
 *   name        string   "(null)" for a domain vireod did not create
 *   state       string   xl's six state letters, e.g. "-b----"
 *   memory_mib  number   memory populated, MiB
 *   vcpus       number   vCPUs
 *   cpu_time    number   CPU time used, seconds (nanosecond precision)
 *   config      string   the xl.cfg file it was created from, or null
 */
void vl_list_json(FILE *f, const struct vl_dom *doms, unsigned nr)
{
	fputs("[", f);
	for (unsigned i = 0; i < nr; i++) {
		const struct vl_dom *d = &doms[i];
		char s[7];

		vl_state_letters(d->state, d->reason, s);
		fprintf(f, "%s\n    {\n        \"domid\": %" PRIu32 ",\n"
			   "        \"name\": ", i ? "," : "", d->domid);
		vl_json_string(f, d->name);
		fprintf(f, ",\n        \"state\": \"%s\",\n"
			   "        \"memory_mib\": %" PRIu64 ",\n"
			   "        \"vcpus\": %" PRIu32 ",\n"
			   "        \"cpu_time\": %" PRIu64 ".%09" PRIu64 ",\n"
			   "        \"config\": ", s, vl_mem_mib(d), d->vcpus,
			d->cpu_ns / 1000000000u, d->cpu_ns % 1000000000u);
		if (d->config[0])
			vl_json_string(f, d->config);
		else
			fputs("null", f);
		fputs("\n    }", f);
	}
	fputs(nr ? "\n]\n" : "]\n", f);
}

/* xl's uptime_to_string(). */
void vl_uptime_string(uint64_t secs, int short_mode, char *buf, size_t len)
{
	unsigned day = (unsigned)(secs / 86400);
	unsigned hour = (unsigned)(secs % 86400 / 3600);
	unsigned min = (unsigned)(secs % 3600 / 60);
	unsigned sec = (unsigned)(secs % 60);
	char days[32] = "";

	if (day > 1)
		snprintf(days, sizeof(days), "%u days, ", day);
	else if (day == 1)
		snprintf(days, sizeof(days), "%u day, ", day);
	if (short_mode)
		snprintf(buf, len, "%s%2u:%02u", days, hour, min);
	else
		snprintf(buf, len, "%s%2u:%02u:%02u", days, hour, min, sec);
}

/*
 * xl info's "key                    : value" line. With a filter (vl info
 * KEY), only the value of the keys it starts, as xl does.
 */
void vl_info_line(FILE *f, const char *filter, const char *key,
		  const char *value)
{
	if (!filter)
		fprintf(f, "%-23s: %s\n", key, value);
	else if (!strncmp(key, filter, strlen(filter)))
		fprintf(f, "%s\n", value);
}
