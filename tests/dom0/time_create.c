/*
 * Benchmark helper run in Dom0: seconds from the start of building a DomU
 * (what `vl create` does) until its init prints "Vireo DomU ready", with a
 * quiet console. Prints "create_to_init=S.SSS".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvireo.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	struct vireo_build b = {
		.nr_vcpus = 1,
		.ram_bytes = 128UL << 20,
		.kernel = "/usr/share/vireo/Image",
		.ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz",
		.cmdline = "console=ttyS0 quiet",
	};
	struct vireo *v = vireo_open();
	char err[256], seen[8192] = "";
	size_t len = 0;
	uint32_t id;
	double t0, t_built = 0;

	if (!v)
		return 1;
	t0 = now();
	if (vireo_build_domain(v, &b, &id, err, sizeof(err)) ||
	    (t_built = now(), vireo_domain_unpause(v, id))) {
		fprintf(stderr, "time_create: %s\n", err);
		return 1;
	}
	while (!strstr(seen, "Vireo DomU ready") && now() - t0 < 120) {
		int n = vireo_console_read(v, id, seen + len, sizeof(seen) - 1 - len);
		if (n > 0) {
			len += (size_t)n;
			seen[len] = 0;
			if (len > sizeof(seen) - 300) {
				memmove(seen, seen + len - 100, 100);
				len = 100;
				seen[len] = 0;
			}
		} else {
			usleep(2000);
		}
	}
	printf("create_to_init=%.3f build=%.3f\n", now() - t0, t_built - t0);
	vireo_domain_destroy(v, id);
	return strstr(seen, "Vireo DomU ready") ? 0 : 1;
}
