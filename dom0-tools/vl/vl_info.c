/*
 * vl info and vl dmesg: straight to the hypervisor through libvireo, no
 * vireod needed.
 *
 * vl dmesg reads the hypervisor log ring from an offset until
 * vireo_log_read returns 0. The ring cannot be cleared from Dom0, so
 * `vl dmesg -c` does what xl's clear looks like from outside: it prints,
 * then stores the offset it reached in /run/vireo/dmesg.off, and every
 * later `vl dmesg` starts there, showing only newer messages. /run is a
 * tmpfs: a Dom0 reboot starts from 0 again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "libvireo.h"
#include "vl.h"

#define VL_DMESG_DIR "/run/vireo"
#define VL_DMESG_OFF VL_DMESG_DIR "/dmesg.off"

struct vireo *vl_open_vireo(void)
{
	struct vireo *v = vireo_open();

	if (!v)
		fprintf(stderr, "vl: cannot open /dev/vireo: %s\n",
			strerror(errno));
	return v;
}

static void print_physinfo(const char *filter, const struct vireo_physinfo *pi,
			   uint32_t version)
{
	char b[64];

	snprintf(b, sizeof(b), "%" PRIu32, pi->nr_cpus);
	vl_info_line(stdout, filter, "nr_cpus", b);
	snprintf(b, sizeof(b), "%" PRIu64, pi->total_pages >> 8);
	vl_info_line(stdout, filter, "total_memory", b);
	snprintf(b, sizeof(b), "%" PRIu64, pi->free_pages >> 8);
	vl_info_line(stdout, filter, "free_memory", b);
	snprintf(b, sizeof(b), "%" PRIu32 ".%" PRIu32, version >> 16,
		 version & 0xffff);
	vl_info_line(stdout, filter, "vireo_version", b);
	snprintf(b, sizeof(b), "%" PRIu64, pi->free_pages);
	vl_info_line(stdout, filter, "free_pages", b);
	snprintf(b, sizeof(b), "%" PRIu64, pi->heap_used);
	vl_info_line(stdout, filter, "heap_used", b);
}

int main_info(int argc, char **argv)
{
	struct vireo_physinfo pi;
	const char *filter;
	struct utsname u;
	struct vireo *v;
	uint32_t version = 0;
	int opt, rc;

	VL_FOREACH_OPT(opt, "", "info", 0) {
	}
	if (argc - optind > 1)
		return vl_usage_error("info");
	filter = optind < argc ? argv[optind] : NULL;
	v = vl_open_vireo();
	if (!v)
		return 1;
	rc = vireo_physinfo(v, &pi);
	if (rc == 0)
		rc = vireo_version(v, &version);
	vireo_close(v);
	if (rc < 0) {
		fprintf(stderr, "vl: vireo_physinfo failed: %s\n",
			vireo_strerror(rc));
		return 1;
	}
	if (uname(&u) == 0) {
		vl_info_line(stdout, filter, "host", u.nodename);
		vl_info_line(stdout, filter, "release", u.release);
		vl_info_line(stdout, filter, "version", u.version);
		vl_info_line(stdout, filter, "machine", u.machine);
	}
	print_physinfo(filter, &pi, version);
	return 0;
}

static uint64_t dmesg_offset(void)
{
	unsigned long long off = 0;
	FILE *f = fopen(VL_DMESG_OFF, "re");

	if (f) {
		if (fscanf(f, "%llu", &off) != 1)
			off = 0;
		fclose(f);
	}
	return off;
}

static int dmesg_clear(uint64_t off)
{
	FILE *f;

	mkdir(VL_DMESG_DIR, 0755);
	f = fopen(VL_DMESG_OFF ".tmp", "we");
	if (!f || fprintf(f, "%" PRIu64 "\n", off) < 0 || fclose(f) != 0 ||
	    rename(VL_DMESG_OFF ".tmp", VL_DMESG_OFF) < 0) {
		fprintf(stderr, "vl: cannot write %s: %s\n", VL_DMESG_OFF,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main_dmesg(int argc, char **argv)
{
	char buf[4096];
	struct vireo *v;
	uint64_t off = dmesg_offset();
	int opt, clear = 0, r;

	VL_FOREACH_OPT(opt, "c", "dmesg", 0) {
	case 'c':
		clear = 1;
		break;
	}
	if (optind != argc)
		return vl_usage_error("dmesg");
	v = vl_open_vireo();
	if (!v)
		return 1;
	/* Bytes the ring has already overwritten cannot be read: skip them,
	 * so that the offset stays true to what was printed. */
	{
		struct vireo_physinfo pi;
		if (!vireo_physinfo(v, &pi) && pi.log_head > pi.log_size &&
		    off < pi.log_head - pi.log_size)
			off = pi.log_head - pi.log_size;
	}
	while ((r = vireo_log_read(v, off, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)r, stdout);
		off += (uint64_t)r;
	}
	vireo_close(v);
	if (r < 0) {
		fprintf(stderr, "vl: vireo_log_read failed: %s\n",
			vireo_strerror(r));
		return 1;
	}
	if (clear && dmesg_clear(off) < 0)
		return 1;
	return 0;
}
