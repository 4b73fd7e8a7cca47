/*
 * Runs in Dom0 against the real hypervisor, through libvireo: bad hypercall
 * input changes nothing, a Linux DomU boots and answers on its console,
 * pause stops it, its own poweroff ends only it (with a state-change event),
 * and destroy returns every page. Prints "PASS"/"FAIL" lines and exits 1 on
 * any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dom0test.h"



static void physinfo(struct vireo_physinfo *pi)
{
	EXPECT(vireo_physinfo(v, pi) == 0, "physinfo");
}

static void bad_input(void)
{
	struct vireo_physinfo a, b;
	struct vireo_domain_info info;
	uint32_t id;
	int rc;

	physinfo(&a);
	EXPECT(vireo_domain_create(v, 0, 64 << 20, &id) == VIREO_EINVAL, "0 vcpus");
	EXPECT(vireo_domain_create(v, 9, 64 << 20, &id) == VIREO_EINVAL, "9 vcpus");
	EXPECT(vireo_domain_create(v, 1, 0, &id) == VIREO_EINVAL, "0 bytes");
	EXPECT(vireo_domain_create(v, 1, (64 << 20) + 4096, &id) == VIREO_EINVAL,
	       "unaligned");
	rc = vireo_domain_create(v, 1, (a.free_pages + 512) * 4096, &id);
	EXPECT(rc == VIREO_EFAILED, "more than the pool: %d", rc);
	EXPECT(vireo_domain_destroy(v, 4242) == VIREO_EINVAL, "destroy unknown");
	EXPECT(vireo_domain_control(v, 4242, VIREO_CONTROL_REBOOT) == VIREO_EINVAL,
	       "control unknown");
	EXPECT(vireo_domain_destroy(v, 0) == VIREO_EINVAL, "destroy Dom0");
	EXPECT(vireo_domain_pause(v, 0) == VIREO_EINVAL, "pause Dom0");
	EXPECT(vireo_domain_getinfo(v, 4242, &info) == VIREO_ENOENT, "getinfo");

	EXPECT(vireo_domain_create(v, 1, 4 << 20, &id) == 0, "create");
	EXPECT(vireo_memory_populate(v, id, 0x70000000, 4096) == VIREO_EINVAL,
	       "populate below RAM");
	EXPECT(vireo_memory_populate(v, id, VIREO_DOMU_RAM_BASE + (4 << 20), 4096) ==
		       VIREO_EINVAL, "populate above RAM");
	EXPECT(vireo_foreign_map(v, id, VIREO_DOMU_RAM_BASE, 4096, &rc) == NULL &&
		       rc == VIREO_EADDR, "map unpopulated: %d", rc);
	EXPECT(vireo_vcpu_set_entry(v, id, 0, VIREO_DOMU_RAM_BASE, 0, 0) ==
		       VIREO_EADDR, "entry in unpopulated RAM");
	EXPECT(vireo_memory_populate(v, id, VIREO_DOMU_RAM_BASE, 4 << 20) == 0,
	       "populate");
	EXPECT(vireo_memory_populate(v, id, VIREO_DOMU_RAM_BASE, 4096) ==
		       VIREO_EEXIST, "populate twice");
	EXPECT(vireo_vcpu_set_entry(v, id, 1, VIREO_DOMU_RAM_BASE, 0, 0) ==
		       VIREO_EINVAL, "vcpu 1 of 1");
	EXPECT(vireo_domain_destroy(v, id) == 0, "destroy");
	physinfo(&b);
	EXPECT(a.free_pages == b.free_pages && a.heap_used == b.heap_used,
	       "accounting %lu/%lu -> %lu/%lu", (unsigned long)a.free_pages,
	       (unsigned long)a.heap_used, (unsigned long)b.free_pages,
	       (unsigned long)b.heap_used);
}

/* Console output until want appears (true) or timeout_s passes. */
static int wait_console(uint32_t id, const char *want, int timeout_s)
{
	static char seen[65536];
	static size_t len;
	time_t end = time(NULL) + timeout_s;

	while (time(NULL) < end) {
		int n = vireo_console_read(v, id, seen + len,
					   sizeof(seen) - 1 - len);
		if (n > 0) {
			fwrite(seen + len, 1, (size_t)n, stdout);
			len += (size_t)n;
			seen[len] = 0;
			if (strstr(seen, want)) {
				len = 0;
				return 1;
			}
			if (len > sizeof(seen) / 2) {
				memmove(seen, seen + len / 2, len - len / 2);
				len -= len / 2;
			}
		} else {
			usleep(20000);
		}
	}
	return 0;
}

static uint64_t cpu_ns(uint32_t id)
{
	struct vireo_domain_info info = {0};

	vireo_domain_getinfo(v, id, &info);
	return info.cpu_time_ns;
}

/* How the guest is asked to end. */
enum ending { END_GUEST_POWEROFF, END_AGENT_REBOOT };

static void linux_guest(enum ending how)
{
	struct vireo_build b = {
		.nr_vcpus = 1,
		.ram_bytes = 64UL << 20,
		.kernel = "/usr/share/vireo/Image",
		.ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz",
		.cmdline = "console=ttyS0",
	};
	struct vireo_physinfo a, c;
	struct vireo_domain_info info;
	char err[256];
	uint64_t mask = 0, t0;
	uint32_t id;
	int rc;

	physinfo(&a);
	rc = vireo_build_domain(v, &b, &id, err, sizeof(err));
	EXPECT(rc == 0, "build: %s", err);
	if (rc)
		return;
	EXPECT(vireo_domain_unpause(v, id) == 0, "unpause");
	EXPECT(wait_console(id, "domu# ", 60), "DomU shell");
	type(id, "echo $((6*7))\n");
	EXPECT(wait_console(id, "42", 10), "DomU answers");

	EXPECT(vireo_domain_pause(v, id) == 0, "pause");
	t0 = cpu_ns(id);
	sleep(1);
	EXPECT(cpu_ns(id) == t0, "paused domain ran");
	EXPECT(vireo_domain_unpause(v, id) == 0, "unpause");
	type(id, "echo back\n");
	EXPECT(wait_console(id, "back", 10), "DomU resumes");

	if (how == END_GUEST_POWEROFF)
		type(id, "poweroff\n");
	else
		EXPECT(vireo_domain_control(v, id, VIREO_CONTROL_REBOOT) == 0,
		       "control");
	for (int i = 0; i < 200 && !(mask & 1); i++)
		vireo_wait_event(v, 100, &mask);
	EXPECT(mask & 1, "state-change event");
	EXPECT(vireo_domain_getinfo(v, id, &info) == 0 &&
		       (info.state & VIREO_DOMSTATE_SHUTDOWN) &&
		       info.shutdown_reason == (how == END_GUEST_POWEROFF
							? VIREO_SHUTDOWN_POWEROFF
							: VIREO_SHUTDOWN_REBOOT),
	       "shut down (state %x reason %u)", info.state, info.shutdown_reason);
	EXPECT(vireo_domain_destroy(v, id) == 0, "destroy");
	physinfo(&c);
	EXPECT(a.free_pages == c.free_pages && a.heap_used == c.heap_used,
	       "accounting after a Linux guest");
}

int main(void)
{
	uint32_t ver = 0;

	v = vireo_open();
	if (!v) {
		perror("/dev/vireo");
		return 1;
	}
	EXPECT(vireo_version(v, &ver) == 0 && ver == VIREO_INTERFACE_VERSION,
	       "version %x", ver);
	bad_input();
	linux_guest(END_GUEST_POWEROFF);
	linux_guest(END_AGENT_REBOOT);
	return report();
}
