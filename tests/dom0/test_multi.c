/*
 * Several DomUs at once on a 2-hart host: three Linux guests of 128 MiB
 * (one with 2 vCPUs) all answer on their consoles; a kernel panic in one
 * (sysrq c) marks only it crashed, through pvpanic; a kernel module in
 * another calls every Dom0-only hypercall and is denied each; 50 create/destroy
 * cycles, 5 of them booting Linux to its shell, return the free pool and
 * the hypervisor heap to the exact starting figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dom0test.h"


#define NR 3

struct guest {
	uint32_t id;
	char seen[16384];
	size_t len;
};

static void drain(struct guest *g)
{
	int n;

	while ((n = vireo_console_read(v, g->id, g->seen + g->len,
				       sizeof(g->seen) - 1 - g->len)) > 0) {
		g->len += (size_t)n;
		g->seen[g->len] = 0;
		if (g->len > sizeof(g->seen) - 512) {
			memmove(g->seen, g->seen + 8192, g->len - 8192);
			g->len -= 8192;
			g->seen[g->len] = 0;
		}
	}
}

/* Wait until every guest's output holds want; drains all of them. */
static int wait_all(struct guest *gs, unsigned n, const char *want, int secs)
{
	time_t end = time(NULL) + secs;

	while (time(NULL) < end) {
		unsigned ok = 0;
		for (unsigned i = 0; i < n; i++) {
			drain(&gs[i]);
			ok += strstr(gs[i].seen, want) != NULL;
		}
		if (ok == n)
			return 1;
		usleep(50000);
	}
	for (unsigned i = 0; i < n; i++)
		printf("--- domain %u output:\n%s\n", gs[i].id, gs[i].seen);
	return 0;
}

static int boot(struct guest *g, uint32_t vcpus, uint64_t mib)
{
	struct vireo_build b = {
		.nr_vcpus = vcpus,
		.ram_bytes = mib << 20,
		.kernel = "/usr/share/vireo/Image",
		.ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz",
		.cmdline = "console=ttyS0 quiet",
	};
	char err[256];
	int rc = vireo_build_domain(v, &b, &g->id, err, sizeof(err));

	g->len = 0;
	g->seen[0] = 0;
	EXPECT(rc == 0, "build: %s", err);
	if (!rc)
		EXPECT(vireo_domain_unpause(v, g->id) == 0, "unpause");
	return rc;
}

static void three_guests(void)
{
	static struct guest gs[NR];
	struct vireo_domain_info info;
	char cmd[64];

	for (unsigned i = 0; i < NR; i++)
		if (boot(&gs[i], i == 1 ? 2 : 1, 128))
			return;
	EXPECT(wait_all(gs, NR, "domu# ", 120), "all three DomUs reach a shell");
	for (unsigned i = 0; i < NR; i++) {
		snprintf(cmd, sizeof(cmd), "echo answer-$((%u*11)) $(nproc)\n", i + 1);
		type(gs[i].id, cmd);
	}
	for (unsigned i = 0; i < NR; i++) {
		char want[32];
		snprintf(want, sizeof(want), "answer-%u %u", (i + 1) * 11,
			 i == 1 ? 2 : 1);
		EXPECT(wait_all(&gs[i], 1, want, 30), "domain %u answers", gs[i].id);
	}
	/* A hostile DomU module calls every Dom0-only hypercall. */
	type(gs[1].id, "insmod /lib/modules-vireo-tests/hostile.ko 2>/dev/null;"
		       " dmesg | grep 'hostile: done'\n");
	{
		char want[48];
		snprintf(want, sizeof(want), "hostile: done %d denied 0 wrong",
			 VIREO_HC_MAX -
				 (VIREO_HC_LAST_OPEN - VIREO_HC_FIRST_OPEN + 1));
		EXPECT(wait_all(&gs[1], 1, want, 30), "every Dom0-only call denied");
	}
	/* A kernel panic in the first one: pvpanic reports it. */
	type(gs[0].id, "echo c > /proc/sysrq-trigger\n");
	for (int i = 0; i < 100; i++) {
		vireo_domain_getinfo(v, gs[0].id, &info);
		if (info.state & VIREO_DOMSTATE_CRASHED)
			break;
		usleep(100000);
	}
	EXPECT(info.state & VIREO_DOMSTATE_CRASHED, "crashed: state %x", info.state);
	EXPECT(info.shutdown_reason == VIREO_SHUTDOWN_CRASH, "reason");
	/* ...and nothing else is affected. */
	type(gs[2].id, "echo still-$((40+2))\n");
	EXPECT(wait_all(&gs[2], 1, "still-42", 30), "others keep running");
	for (unsigned i = 0; i < NR; i++)
		EXPECT(vireo_domain_destroy(v, gs[i].id) == 0, "destroy");
}

static void cycles(void)
{
	struct vireo_physinfo a, b;
	static struct guest g;

	vireo_physinfo(v, &a);
	for (int i = 0; i < 50; i++) {
		if (i % 10 == 0) {
			if (boot(&g, 1, 64))
				return;
			EXPECT(wait_all(&g, 1, "domu# ", 60), "cycle %d boots", i);
		} else {
			EXPECT(vireo_domain_create(v, 2, 32 << 20, &g.id) == 0, "create");
			EXPECT(vireo_memory_populate(v, g.id, VIREO_DOMU_RAM_BASE,
						     32 << 20) == 0, "populate");
		}
		EXPECT(vireo_domain_destroy(v, g.id) == 0, "destroy %d", i);
	}
	vireo_physinfo(v, &b);
	EXPECT(a.free_pages == b.free_pages, "free pages %lu -> %lu",
	       (unsigned long)a.free_pages, (unsigned long)b.free_pages);
	EXPECT(a.heap_used == b.heap_used, "heap %lu -> %lu",
	       (unsigned long)a.heap_used, (unsigned long)b.heap_used);
	printf("50 cycles: free_pages %lu, heap_used %lu before and after\n",
	       (unsigned long)b.free_pages, (unsigned long)b.heap_used);
}

int main(void)
{
	struct vireo_physinfo a, b;

	v = vireo_open();
	if (!v) {
		perror("/dev/vireo");
		return 1;
	}
	vireo_physinfo(v, &a);
	three_guests();
	cycles();
	vireo_physinfo(v, &b);
	EXPECT(a.free_pages == b.free_pages && a.heap_used == b.heap_used,
	       "overall accounting");
	return report();
}
