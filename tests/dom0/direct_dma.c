/*
 * direct_dma FILE: destroying a DomU while a disk is still DMAing into its
 * RAM must not let that DMA land in the next DomU's memory.
 *
 * A paused DomU A of RAM_MB is mapped 1:1 (vireo_foreign_map_direct); a
 * thread reads FILE (RAM_MB of the byte 0xa5, on Dom0's passed-through
 * disk) with O_DIRECT into A's RAM: Dom0's virtio-blk DMAs straight into
 * A's frames, past the G-stage. While that read is in flight A is
 * destroyed and a DomU B of the same size is built at once. Pass:
 *
 *   - the destroy says A is quarantined, and the pool does not grow;
 *   - once the read is done, not one page of B's RAM is all 0xa5 (had A's
 *     frames gone back to the pool, B would have got them, zeroed, and the
 *     disk's late writes would then have filled them);
 *   - when this process lets go of the mapping (its /dev/vireo closes),
 *     vireo.ko releases A and the pool returns to where it was.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "dom0test.h"

#define RAM_MB 128
#define RAM (RAM_MB << 20)
#define FILL 0xa5

static struct {
	const char *file;
	void *ram;
	atomic_int started;
	ssize_t got;
} rd;

static void *reader(void *arg)
{
	int fd = open(rd.file, O_RDONLY | O_DIRECT);

	(void)arg;
	atomic_store(&rd.started, 1);
	rd.got = fd < 0 ? -1 : pread(fd, rd.ram, RAM, 0);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int build(uint32_t *id)
{
	struct vireo_build b = {
		.nr_vcpus = 1,
		.ram_bytes = RAM,
		.kernel = "/usr/lib/vireo-tests/probe.Image",
	};
	char err[256];
	int rc = vireo_build_domain(v, &b, id, err, sizeof(err));

	if (rc)
		printf("build: %s\n", err);
	return rc;
}

static uint64_t free_pages(void)
{
	struct vireo_physinfo pi = {0};

	vireo_physinfo(v, &pi);
	return pi.free_pages;
}

/* Pages of B's RAM that are 0xa5 from end to end. */
static unsigned filled_pages(uint32_t id)
{
	int rc;
	uint8_t *p = vireo_foreign_map(v, id, VIREO_DOMU_RAM_BASE, RAM, &rc);
	unsigned n = 0;

	if (!p) {
		printf("map B: %s\n", vireo_strerror(rc));
		return ~0u;
	}
	for (size_t pg = 0; pg < RAM; pg += 4096) {
		size_t i = 0;
		while (i < 4096 && p[pg + i] == FILL)
			i++;
		n += i == 4096;
	}
	vireo_foreign_unmap(v, p, RAM);
	return n;
}

int main(int argc, char **argv)
{
	uint32_t a, b;
	uint64_t free0, free_q;
	int state = -1, rc;
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: direct_dma FILE\n");
		return 2;
	}
	rd.file = argv[1];
	v = vireo_open();
	if (!v || build(&a))
		return 1;
	free0 = free_pages();
	rd.ram = vireo_foreign_map_direct(v, a, VIREO_DOMU_RAM_BASE, RAM, &rc);
	EXPECT(rd.ram, "no 1:1 mapping: %s", vireo_strerror(rc));
	if (!rd.ram)
		return report();
	pthread_create(&t, NULL, reader, NULL);
	while (!atomic_load(&rd.started))
		;
	usleep(2000); /* the read is on its way to the disk */
	do
		rc = vireo_domain_destroy_call(v, a, &state);
	while (!rc && state == VIREO_DESTROY_MORE);
	free_q = free_pages();
	EXPECT(rc == 0 && state == VIREO_DESTROY_QUARANTINED,
	       "destroy: rc %d, state %d", rc, state);
	EXPECT(free_q <= free0, "the pool grew by %llu pages while A's frames "
	       "were still being written", (unsigned long long)(free_q - free0));
	rc = build(&b);
	EXPECT(rc == 0, "cannot build B");
	pthread_join(t, NULL);
	printf("read %zd bytes into A's RAM; destroy state %d\n", rd.got, state);
	EXPECT(rd.got == RAM, "the O_DIRECT read failed: %zd", rd.got);
	if (!rc) {
		unsigned n = filled_pages(b);
		printf("pages of B filled by A's read: %u\n", n);
		EXPECT(n == 0, "%u pages of B were written by A's DMA", n);
		vireo_domain_destroy(v, b);
	}
	/* Let go of A's mapping: vireo.ko releases A once nothing pins it. */
	munmap(rd.ram, RAM);
	vireo_close(v);
	v = vireo_open();
	for (int i = 0; i < 500 && free_pages() != free0 + (RAM >> 12); i++)
		usleep(10000);
	printf("free pages: %llu with A, %llu quarantined, %llu at the end\n",
	       (unsigned long long)free0, (unsigned long long)free_q,
	       (unsigned long long)free_pages());
	EXPECT(free_pages() == free0 + (RAM >> 12),
	       "A's memory did not come back after the release");
	vireo_close(v);
	return report();
}
