/*
 * fuzz_dom0 [CALLS [SEED]]: Dom0's own hypercalls fuzzed (issue 8), the
 * complement of the DomU fuzzer (tests/guests/fuzz), which cannot reach
 * them. Seeded random calls to every Dom0-only function through
 * /dev/vireo, with domids that are invalid (huge, just past the table,
 * Dom0's own) or foreign (a paused victim domain this program creates),
 * and addresses biased to edge values. An address inside Dom0's own RAM
 * (/proc/iomem) is only ever the driver's bounce page: any other would let
 * a valid call overwrite this kernel, which Dom0 is allowed to do.
 * Event-channel calls act on Dom0's own table, which vireo.ko owns; the
 * DomU fuzzer covers them.
 *
 * FOREIGN_MAP_DIRECT and FOREIGN_RELEASE are vireo.ko's alone: the raw
 * ioctl must refuse them (EPERM), and the 1:1 map is fuzzed through its
 * own ioctl (VIREO_IOCTL_MAP_DIRECT) instead, on a second /dev/vireo
 * file closed before the end, so that vireo.ko releases what it mapped.
 *
 * Pass: every call returns an SBI error code from the spec's list (a map
 * ioctl an errno from its own); the domains it created are destroyed
 * and free pages are what they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "dom0test.h"
#include "vireo_abi.h"
#include "vireo_ioctl.h"

#define NR_CODES 14 /* 0 .. -13 (SBI_ERR_IO) */
#define MAX_RAM 8

static struct { uint64_t start, end; } ram[MAX_RAM];
static unsigned nr_ram;
static uint64_t rng;
static uint32_t victim;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static void read_ram(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[128];

	while (f && fgets(line, sizeof(line), f) && nr_ram < MAX_RAM) {
		uint64_t s, e;
		if (line[0] != ' ' && strstr(line, "System RAM") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) == 2) {
			ram[nr_ram].start = s;
			ram[nr_ram++].end = e;
		}
	}
	if (f)
		fclose(f);
}

static int in_ram(uint64_t a)
{
	for (unsigned i = 0; i < nr_ram; i++)
		if (a + 8192 >= ram[i].start && a <= ram[i].end + 8192)
			return 1;
	return 0;
}

static uint64_t domid(void)
{
	static const uint64_t ids[] = {0, 1, 15, 16, 17, 255, 0xffffffff,
				       1ULL << 32, ~0ULL};
	uint64_t r = rnd();

	return r % 3 ? victim : ids[r / 3 % (sizeof(ids) / sizeof(ids[0]))];
}

static uint64_t arg(void)
{
	uint64_t r = rnd(), a;

	switch (r % 10) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return 1ULL << 63;
	case 3: return r >> 58;                      /* small */
	case 4: return VIREO_DOMU_RAM_BASE + (r >> 40); /* a DomU address */
	case 5: return 1ULL << (r >> 58);            /* huge sizes */
	case 6: return 0xfffff000ULL;
	default:
		a = rnd();
		return in_ram(a) ? 0x1000 : a;
	}
}

/*
 * One VIREO_IOCTL_MAP_DIRECT with fuzzed domid/gpa/size; 1 if its result
 * is outside its contract (success, or EINVAL/EFAULT/EACCES/EIO/ENOMEM/
 * ENXIO).
 */
static unsigned long direct_ok, direct_refused;

static unsigned long map_direct(int dfd, const __u64 *arg)
{
	struct vireo_ioctl_map_direct md = {
		.domid = (uint32_t)arg[0], .gpa = arg[1],
		.size = rnd() % 2 ? arg[2] : (rnd() % 64) << 12,
	};

	if (rnd() % 2) {
		md.domid = victim;
		md.gpa = VIREO_DOMU_RAM_BASE + ((rnd() % 8192) << 12);
	}
	if (ioctl(dfd, VIREO_IOCTL_MAP_DIRECT, &md) == 0) {
		direct_ok++;
		return 0;
	}
	switch (errno) {
	case EINVAL: case EFAULT: case EACCES: case EIO: case ENOMEM:
	case ENXIO:
		direct_refused++;
		return 0;
	default:
		printf("MAP_DIRECT domid %u gpa %" PRIx64 " size %" PRIx64
		       ": %s\n", md.domid, (uint64_t)md.gpa, (uint64_t)md.size,
		       strerror(errno));
		return 1;
	}
}

int main(int argc, char **argv)
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	unsigned long hist[VIREO_HC_MAX + 8][NR_CODES + 1] = {{0}}, bad = 0;
	uint32_t before[VIREO_MAX_DOMAINS], after[VIREO_MAX_DOMAINS];
	struct vireo_physinfo p0, p1;
	int nb, na, rc, fd, dfd;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	rng = rng * 0x9E3779B97F4A7C15ULL + 1;
	v = vireo_open();
	if (!v) {
		perror("vireo_open");
		return 1;
	}
	fd = open(VIREO_DEVICE, O_RDWR | O_CLOEXEC);
	dfd = open(VIREO_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 || dfd < 0) {
		perror(VIREO_DEVICE);
		return 1;
	}
	read_ram();
	EXPECT(nr_ram > 0, "no System RAM in /proc/iomem");
	EXPECT(!vireo_physinfo(v, &p0), "physinfo");
	nb = vireo_domain_list(v, before, VIREO_MAX_DOMAINS);
	EXPECT(!vireo_domain_create(v, 1, 16 << 20, &victim), "victim");
	/* Populated, so that some 1:1 maps of it succeed. */
	EXPECT(!vireo_memory_populate(v, victim, VIREO_DOMU_RAM_BASE, 16 << 20),
	       "populate the victim");

	for (unsigned long i = 0; i < calls; i++) {
		struct vireo_ioctl_hypercall h = {0};
		char buf[4096];
		unsigned long code;

		do
			h.fid = (uint32_t)(rnd() % (VIREO_HC_MAX + 8));
		while (h.fid >= VIREO_HC_FIRST_OPEN && h.fid <= VIREO_HC_LAST_OPEN);
		for (unsigned a = 0; a < 6; a++)
			h.arg[a] = arg();
		if (rnd() % 2)
			h.arg[0] = domid();
		h.buf_arg = VIREO_BUF_NONE;
		if (rnd() % 2) { /* a real buffer: the driver's bounce page */
			for (size_t b = 0; b < sizeof(buf); b += 8)
				memcpy(buf + b, &(uint64_t){arg()}, 8);
			h.buf_arg = (uint32_t)(rnd() % 6);
			h.buf = (uintptr_t)buf;
			h.buf_len = sizeof(buf);
			h.flags = VIREO_BUF_IN | VIREO_BUF_OUT;
		}
		if (h.fid == VIREO_HC_FOREIGN_MAP_DIRECT && rnd() % 2) {
			bad += map_direct(dfd, h.arg);
			continue;
		}
		if (ioctl(fd, VIREO_IOCTL_HYPERCALL, &h) < 0) {
			bool own = h.fid == VIREO_HC_FOREIGN_MAP_DIRECT ||
				   h.fid == VIREO_HC_FOREIGN_RELEASE;
			if (own && errno == EPERM)
				continue; /* vireo.ko's: refused, as it must */
			printf("ioctl fid %u: %s\n", h.fid, strerror(errno));
			bad++;
			continue;
		}
		/* The victim was destroyed: a new one, so that calls keep
		 * reaching a live foreign domain. */
		if (h.fid == VIREO_HC_DOMAIN_DESTROY && !h.ret_error &&
		    h.arg[0] == victim)
			EXPECT(!vireo_domain_create(v, 1, 16 << 20, &victim),
			       "victim again");
		code = (unsigned long)-h.ret_error;
		if (code >= NR_CODES) {
			printf("BAD fid %u args %" PRIx64 " %" PRIx64 " %" PRIx64
			       ": error %" PRId64 "\n", h.fid, (uint64_t)h.arg[0],
			       (uint64_t)h.arg[1], (uint64_t)h.arg[2], (int64_t)h.ret_error);
			hist[h.fid][NR_CODES]++;
			bad++;
		} else {
			hist[h.fid][code]++;
		}
	}
	for (unsigned f = 0; f < VIREO_HC_MAX + 8; f++) {
		printf("fid %2u:", f);
		for (unsigned c = 0; c < NR_CODES; c++)
			if (hist[f][c])
				printf(" %d:%lu", -(int)c, hist[f][c]);
		if (hist[f][NR_CODES])
			printf(" bad:%lu", hist[f][NR_CODES]);
		printf("\n");
	}
	printf("MAP_DIRECT ioctls: %lu mapped, %lu refused\n", direct_ok,
	       direct_refused);
	/* vireo.ko gives back what the map ioctls mapped once this closes
	 * (a destroyed domain's memory stays quarantined until then). */
	close(dfd);
	/* Destroy every domain the calls made, the victim too. */
	na = vireo_domain_list(v, after, VIREO_MAX_DOMAINS);
	for (int i = 0; i < na; i++) {
		int old = 0;
		for (int j = 0; j < nb; j++)
			old |= after[i] == before[j];
		if (!old) {
			rc = vireo_domain_destroy(v, after[i]);
			EXPECT(!rc, "destroy %u: %s", after[i], vireo_strerror(rc));
		}
	}
	for (int i = 0; i < 500; i++) { /* the release is vireo.ko's worker's */
		EXPECT(!vireo_physinfo(v, &p1), "physinfo");
		if (p1.free_pages == p0.free_pages)
			break;
		usleep(10000);
	}
	printf("fuzz_dom0: %lu calls, %lu bad; free pages %" PRIu64 " -> %" PRIu64
	       ", heap %" PRIu64 " -> %" PRIu64 "\n", calls, bad, p0.free_pages,
	       p1.free_pages, p0.heap_used, p1.heap_used);
	EXPECT(bad == 0, "%lu calls returned codes outside the spec", bad);
	EXPECT(p1.free_pages == p0.free_pages && p1.heap_used == p0.heap_used,
	       "memory not back to where it was");
	close(fd);
	vireo_close(v);
	return report();
}
