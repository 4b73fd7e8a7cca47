/*
 * The domain builder's inputs are hostile (issue 8): an Image header whose
 * text_offset or image_size wraps the layout, a huge initrd, odd memory
 * sizes; and the device-tree parameters. vireod runs as root, so a layout
 * that wraps would steer its copies outside the guest's mapping.
 *
 * plan() (dom0-tools/libvireo/build.c) is driven with edge values and
 * seeded random headers: it either refuses or returns a layout whose every
 * region lies in RAM, in order, without overlap. domu_dtb_build() gets
 * random parameters into a buffer with guard bytes: it either refuses or
 * writes a valid tree, never past the buffer.
 *
 * The scheduling step (xl.cfg's cpus, cpus_soft, cpu_weight, cap) sets
 * what it is given, in order, right after the create; when the hypervisor
 * refuses it, the new domain is destroyed and the message says why.
 *
 * xl.cfg's maxvcpus and vcpus: the domain is created with all its vCPUs
 * and the command line gets maxcpus=vcpus when fewer are online at boot;
 * pool: looked up by name or id (CPUPOOL_OP INFO, through cpupool.c, over
 * a stand-in) before the create, an unknown one creating nothing.
 */
#include "test.h"

#include <unistd.h>

#include "../../dom0-tools/libvireo/domu_dtb.c"
#include "../../dom0-tools/libvireo/build.c"
#include "../../dom0-tools/libvireo/cpupool.c"

/*
 * build.c's calls into hc.c. plan() and the tree use none of them; the
 * scheduling step (set_sched()) and vireo_build_domain() up to the memory
 * are driven through the recording stand-ins below.
 */
#define DOMID 7
static int create_calls, destroyed, populate_calls, sched_calls;
static int affinity_rc, sched_rc; /* what the next calls answer */
static struct {
	uint32_t domid, vcpu, which;
	uint64_t hard, soft;
} pins[VIREO_MAX_VCPUS + 2];
static unsigned nr_pins;
static struct vireo_sched_credit sched_in;
static uint32_t sched_set_in;
static struct vireo_domain_create create_in;
static int create_rc;
static unsigned info_calls;

/* The host's cpupools: ids 0 and 2 (1 was destroyed). */
static const struct vireo_cpupool host_pools[] = {
	{ .id = 0, .name = "Pool-0" },
	{ .id = 2, .sched = VIREO_SCHED_NULL, .name = "web" },
};

const char *vireo_strerror(int rc) { return "stub"; }
int vireo_domain_create_ex(struct vireo *v, struct vireo_domain_create *c)
{
	create_calls++;
	create_in = *c;
	c->domid = DOMID;
	return create_rc;
}
/* INFO: pool id, or the next larger one (hc.c's contract). */
int vireo_cpupool_info(struct vireo *v, uint32_t id, struct vireo_cpupool *p)
{
	info_calls++;
	for (unsigned i = 0; i < 2; i++) {
		if (host_pools[i].id >= id) {
			*p = host_pools[i];
			return 0;
		}
	}
	return VIREO_ENOENT;
}
int vireo_domain_create(struct vireo *v, uint32_t nr_vcpus, uint64_t ram,
			uint32_t *domid) { abort(); }
int vireo_domain_destroy(struct vireo *v, uint32_t domid)
{
	CHECK_EQ(domid, DOMID);
	destroyed++;
	return 0;
}
/* The builder's next step fails here: what comes after needs Dom0. */
int vireo_memory_populate(struct vireo *v, uint32_t domid, uint64_t gpa,
			  uint64_t size)
{
	populate_calls++;
	return VIREO_ENOMEM;
}
int vireo_vcpu_set_entry(struct vireo *v, uint32_t domid, uint32_t vcpu,
			 uint64_t pc, uint64_t a0, uint64_t a1) { abort(); }
int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = 4;
	pi->free_pages = 1 << 20;
	return 0;
}
int vireo_vcpu_affinity(struct vireo *v, uint32_t domid, uint32_t vcpu,
			uint64_t hard, uint64_t soft, uint32_t which)
{
	if (nr_pins < sizeof(pins) / sizeof(pins[0])) {
		pins[nr_pins].domid = domid;
		pins[nr_pins].vcpu = vcpu;
		pins[nr_pins].which = which;
		pins[nr_pins].hard = hard;
		pins[nr_pins].soft = soft;
	}
	nr_pins++;
	return affinity_rc;
}
int vireo_sched_credit(struct vireo *v, uint32_t domid,
		       struct vireo_sched_credit *sc, uint32_t set)
{
	CHECK_EQ(domid, DOMID);
	sched_calls++;
	sched_in = *sc;
	sched_set_in = set;
	return sched_rc;
}
void *vireo_foreign_map(struct vireo *v, uint32_t domid, uint64_t gpa,
			uint64_t size, int *rc) { abort(); }
int vireo_foreign_unmap(struct vireo *v, void *p, uint64_t size) { abort(); }

#define MiB(x) ((uint64_t)(x) << 20)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Edge values a hostile header uses; otherwise a random 64-bit number. */
static uint64_t edgy(void)
{
	static const uint64_t e[] = {
		0, 1, 4096, 0x200000, MiB(64), MiB(128) - 4096, MiB(128),
		1ULL << 32, 1ULL << 63, ~0ULL, ~0ULL - 4095, ~0ULL - MiB(2) + 1,
		-(uint64_t)VIREO_DOMU_RAM_BASE, -(uint64_t)VIREO_DOMU_RAM_BASE - MiB(1),
	};
	uint64_t r = next();

	return r % 3 ? e[r / 3 % (sizeof(e) / sizeof(e[0]))] : next() >> (next() % 64);
}

static unsigned accepted;

/* Either refused, or every region inside RAM, in order, apart. */
static void check_plan(uint64_t ram_bytes, uint64_t text, uint64_t isize,
		       size_t ksize, size_t rdsize, bool has_rd)
{
	struct image_header h = {.text_offset = text, .image_size = isize,
				 .magic2 = IMAGE_MAGIC2};
	struct vireo_build b = {.kernel = "Image", .ramdisk = "initrd",
				.ram_bytes = ram_bytes};
	struct blob k = {.data = (char *)&h, .size = ksize};
	struct blob rd = {.data = has_rd ? (char *)&h : NULL, .size = rdsize};
	uint64_t lo = VIREO_DOMU_RAM_BASE, hi = lo + ram_bytes;
	struct layout l;
	char err[128];

	if (plan(&b, &k, &rd, &l, err, sizeof(err))) {
		CHECK(err[0] != '\0'); /* a refusal says why */
		return;
	}
	accepted++;
	CHECK(l.kernel >= lo && l.kernel < l.kernel_end);
	CHECK(l.kernel_end - l.kernel >= ksize);
	CHECK(l.kernel_end + MiB(4) <= (has_rd ? l.initrd : l.dtb));
	if (has_rd) {
		CHECK(l.initrd >= l.kernel_end && l.initrd_end - l.initrd == rdsize);
		CHECK(l.initrd_end <= l.dtb && (l.initrd & 4095) == 0);
	} else {
		CHECK(l.initrd == 0 && l.initrd_end == 0);
	}
	CHECK(l.dtb >= lo && l.dtb + DTB_RESERVE == hi);
}

static void test_plan_edges(void)
{
	/* The review's wraps: each used to give a "valid" layout. */
	check_plan(MiB(128), ~0ULL - 4095, 0, sizeof(struct image_header), 0, false);
	check_plan(MiB(128), 0, ~0ULL - MiB(1), sizeof(struct image_header), 0, false);
	check_plan(MiB(128), 0, 0, sizeof(struct image_header), ~(size_t)0 - 100, true);
	check_plan(MiB(128), -(uint64_t)VIREO_DOMU_RAM_BASE, 0,
		   sizeof(struct image_header), 0, false);
	check_plan(DTB_RESERVE - 1, 0, 0, sizeof(struct image_header), 0, false);
	check_plan(0, 0, 0, sizeof(struct image_header), 0, false);
	/* And ordinary images still fit. */
	accepted = 0;
	check_plan(MiB(128), 0x200000, MiB(20), MiB(8), MiB(10), true);
	check_plan(MiB(128), 0, 0, MiB(8), 0, false);
	CHECK_EQ(accepted, 2);
}

static void test_plan_fuzz(void)
{
	accepted = 0;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t ram = next() % 4 ? MiB(2) * (1 + next() % 256) : edgy();
		size_t ksize = sizeof(struct image_header) + next() % MiB(32);

		check_plan(ram, edgy(), edgy(), ksize, (size_t)edgy(), next() & 1);
	}
	printf("plan: %u of 200000 random layouts accepted\n", accepted);
	CHECK(accepted > 1000); /* the fuzzer reaches the accepting path */
}

static void test_dtb_fuzz(void)
{
	static char bootargs[DOMU_DTB_MAX_BOOTARGS + 64], isa[DOMU_DTB_MAX_ISA + 64];
	static uint8_t buf[DOMU_DTB_MAX_SIZE + 64];
	unsigned ok = 0;

	for (unsigned i = 0; i < 3000; i++) {
		struct domu_dtb_params p = {0};
		size_t blen = next() % sizeof(bootargs), ilen = next() % sizeof(isa);
		size_t size = next() % 2 ? DOMU_DTB_MAX_SIZE : next() % DOMU_DTB_MAX_SIZE;

		memset(bootargs, 'a' + (char)(next() % 26), blen);
		bootargs[blen] = '\0';
		memcpy(isa, "rv64imafdc", 10);
		memset(isa + 10, 'x', ilen > 10 ? ilen - 10 : 0);
		isa[ilen > 10 ? ilen : 10] = '\0';
		p.nr_vcpus = (unsigned)(next() % (VIREO_MAX_VCPUS + 3));
		p.ram_base = next() % 8 ? VIREO_DOMU_RAM_BASE : edgy();
		p.ram_size = next() % 8 ? MiB(2) * (1 + next() % 512) : edgy();
		p.bootargs = next() % 4 ? bootargs : NULL;
		if (next() % 2) {
			p.initrd_start = p.ram_base + (next() % 4 ? MiB(8) : edgy());
			p.initrd_end = p.initrd_start + (next() % 4 ? MiB(1) : edgy());
		}
		p.timebase_hz = (uint32_t)(next() % 8 ? 10000000 : edgy());
		p.isa = isa;
		p.nr_virtio = (unsigned)(next() % (DOMU_DTB_MAX_VIRTIO + 3));
		for (unsigned v = 0; v < DOMU_DTB_MAX_VIRTIO; v++) {
			p.virtio_base[v] = VIREO_DOMU_VIRTIO_BASE + v * 0x1000;
			p.virtio_irq[v] = (unsigned)(next() % 4 ? 11 + v : edgy());
		}
		p.control_node = next() & 1;
		p.control_base = VIREO_DOMU_CONTROL_BASE;
		p.control_irq = VIREO_DOMU_CONTROL_IRQ;
		memset(buf, 0xa5, sizeof(buf));
		if (!domu_dtb_build(buf, size, &p)) {
			ok++;
			CHECK_EQ(fdt_check_header(buf), 0);
			CHECK(fdt_totalsize(buf) <= size);
		}
		for (size_t g = size; g < sizeof(buf); g++)
			if (buf[g] != 0xa5) {
				CHECK(!"domu_dtb_build wrote past its buffer");
				break;
			}
	}
	printf("dtb: %u of 3000 random parameter sets built\n", ok);
	CHECK(ok > 100);
}

/* xl.cfg's cpus, cpus_soft, cpu_weight, cap: what is set, in order. */
static void test_sched_set(void)
{
	struct vireo_build b = {.nr_vcpus = 3};
	char err[160] = "";

	nr_pins = sched_calls = 0;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), 0);
	CHECK(nr_pins == 0 && sched_calls == 0); /* nothing asked for */
	b.hard_affinity[0] = 0x3;
	b.soft_affinity[1] = 0x4;
	b.hard_affinity[2] = 0x1;
	b.soft_affinity[2] = 0xe;
	b.hard_affinity[3] = 0xf; /* past nr_vcpus: not set */
	b.sched_set = VIREO_SCHED_SET_WEIGHT;
	b.sched.weight = 512;
	b.sched.cap = 99;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), 0);
	CHECK_EQ(nr_pins, 3);
	CHECK(pins[0].domid == DOMID && pins[0].vcpu == 0);
	CHECK_EQ(pins[0].which, VIREO_AFFINITY_HARD);
	CHECK_EQ(pins[0].hard, 0x3);
	CHECK(pins[1].vcpu == 1 && pins[1].which == VIREO_AFFINITY_SOFT);
	CHECK_EQ(pins[1].soft, 0x4);
	CHECK_EQ(pins[2].which, VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT);
	CHECK(pins[2].hard == 0x1 && pins[2].soft == 0xe);
	CHECK_EQ(sched_calls, 1);
	CHECK_EQ(sched_set_in, VIREO_SCHED_SET_WEIGHT);
	CHECK_EQ(sched_in.weight, 512);
	/* A vCPU the hypervisor refuses: its message, nothing after. */
	nr_pins = sched_calls = 0;
	affinity_rc = VIREO_EINVAL;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), VIREO_EINVAL);
	affinity_rc = 0;
	CHECK(nr_pins == 1 && sched_calls == 0);
	CHECK(!strcmp(err, "cannot set the affinity of vCPU 0 (cpus, "
			   "cpus_soft): stub"));
	memset(b.hard_affinity, 0, sizeof(b.hard_affinity));
	memset(b.soft_affinity, 0, sizeof(b.soft_affinity));
	b.sched_set = VIREO_SCHED_SET_WEIGHT | VIREO_SCHED_SET_CAP;
	sched_rc = VIREO_EINVAL;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), VIREO_EINVAL);
	CHECK(!strcmp(err, "cannot set the credit scheduler's cpu_weight and "
			   "cap: stub"));
	b.sched_set = VIREO_SCHED_SET_CAP;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), VIREO_EINVAL);
	CHECK(!strcmp(err, "cannot set the credit scheduler's cap: stub"));
	sched_rc = 0;
	/* More vCPUs than the arrays hold: never read past them. */
	b.nr_vcpus = VIREO_MAX_VCPUS + 2;
	b.hard_affinity[VIREO_MAX_VCPUS - 1] = 0x1;
	nr_pins = 0;
	CHECK_EQ(set_sched(NULL, DOMID, &b, err, sizeof(err)), 0);
	CHECK(nr_pins == 1 && pins[0].vcpu == VIREO_MAX_VCPUS - 1);
}

/*
 * vireo_build_domain() sets the scheduling right after the create, before
 * the memory; when that fails, the half-made domain is destroyed and the
 * message says why.
 */
static void test_build_sched_fails(void)
{
	struct image_header h = {.magic2 = IMAGE_MAGIC2};
	char path[] = "/tmp/test_build.XXXXXX", err[160] = "";
	struct vireo_build b = {.nr_vcpus = 2, .ram_bytes = MiB(64),
				.kernel = path};
	uint32_t domid = 0;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, &h, sizeof(h)), sizeof(h));
	close(fd);
	b.soft_affinity[1] = 0x2;
	create_calls = destroyed = populate_calls = 0;
	nr_pins = 0;
	affinity_rc = VIREO_EINVAL;
	CHECK_EQ(vireo_build_domain(NULL, &b, &domid, err, sizeof(err)),
		 VIREO_EINVAL);
	affinity_rc = 0;
	CHECK(create_calls == 1 && nr_pins == 1 && destroyed == 1);
	CHECK_EQ(populate_calls, 0);
	CHECK(!strcmp(err, "cannot set the affinity of vCPU 1 (cpus, "
			   "cpus_soft): stub"));
	/* Set, then on to the memory (which the stand-in refuses). */
	create_calls = destroyed = 0;
	nr_pins = 0;
	CHECK_EQ(vireo_build_domain(NULL, &b, &domid, err, sizeof(err)),
		 VIREO_ENOMEM);
	CHECK(create_calls == 1 && nr_pins == 1 && populate_calls == 1);
	CHECK_EQ(destroyed, 1);
	CHECK(!strcmp(err, "cannot populate memory: stub"));
	unlink(path);
}

/* The command line the guest boots with. */
static void check_cmdline(const char *user, uint32_t nr, uint32_t online,
			  const char *want)
{
	struct vireo_build b = {.nr_vcpus = nr, .online_vcpus = online,
				.cmdline = user};
	char buf[DOMU_DTB_MAX_BOOTARGS + 1], err[160] = "";

	CHECK_EQ(boot_cmdline(&b, buf, sizeof(buf), err, sizeof(err)), 0);
	CHECK(!strcmp(buf, want));
	if (strcmp(buf, want))
		fprintf(stderr, "  got '%s'\n  want '%s'\n", buf, want);
}

static void test_boot_cmdline(void)
{
	static char big[DOMU_DTB_MAX_BOOTARGS];
	struct vireo_build b = {.nr_vcpus = 2, .online_vcpus = 1};
	char buf[DOMU_DTB_MAX_BOOTARGS + 1], err[160] = "";

	check_cmdline("console=hvc0", 4, 2, "console=hvc0 uio_pdrv_genirq."
		      "of_id=vireo,domu-control maxcpus=2");
	check_cmdline("quiet", 8, 1, "quiet uio_pdrv_genirq.of_id=vireo,"
		      "domu-control maxcpus=1");
	/* All online at boot (vcpus = maxvcpus, or not said): no limit. */
	check_cmdline("quiet", 4, 4, "quiet uio_pdrv_genirq.of_id=vireo,"
		      "domu-control");
	check_cmdline("quiet", 4, 0, "quiet uio_pdrv_genirq.of_id=vireo,"
		      "domu-control");
	check_cmdline(NULL, 2, 1, "uio_pdrv_genirq.of_id=vireo,domu-control "
		      "maxcpus=1");
	check_cmdline("", 1, 1, "uio_pdrv_genirq.of_id=vireo,domu-control");
	/* Too long with what is added: refused, not cut. */
	memset(big, 'x', sizeof(big) - 1);
	b.cmdline = big;
	CHECK_EQ(boot_cmdline(&b, buf, sizeof(buf), err, sizeof(err)),
		 VIREO_EFORMAT);
	CHECK(!strcmp(err, "the kernel command line is too long: 4145 bytes "
			   "with what the builder adds, at most 4095"));
}

/*
 * vireo_build_domain() with a kernel that plans, up to the create and the
 * memory (which the stand-in refuses): what the create was asked for.
 */
static int build_with(struct vireo_build *b, char *err, size_t errlen)
{
	struct image_header h = {.magic2 = IMAGE_MAGIC2};
	char path[] = "/tmp/test_build.XXXXXX";
	uint32_t domid = 0;
	int fd = mkstemp(path), rc;

	CHECK(fd >= 0);
	if (fd < 0)
		return -1;
	CHECK_EQ(write(fd, &h, sizeof(h)), sizeof(h));
	close(fd);
	b->ram_bytes = MiB(64);
	b->kernel = path;
	create_calls = destroyed = populate_calls = 0;
	info_calls = 0;
	memset(&create_in, 0xa5, sizeof(create_in));
	rc = vireo_build_domain(NULL, b, &domid, err, errlen);
	unlink(path);
	return rc;
}

static void test_build_vcpus_pool(void)
{
	struct vireo_build b = {.nr_vcpus = 4, .online_vcpus = 2};
	char err[200] = "";

	/* All four vCPUs are created; no pool: Pool-0, nobody asked. */
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOMEM);
	CHECK(create_calls == 1 && destroyed == 1);
	CHECK(create_in.nr_vcpus == 4 && create_in.pool == 0);
	CHECK_EQ(info_calls, 0);
	/* By name and by id. */
	b.pool = "web";
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOMEM);
	CHECK(create_calls == 1 && create_in.pool == 2);
	b.pool = "2";
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOMEM);
	CHECK(create_calls == 1 && create_in.pool == 2);
	b.pool = "Pool-0";
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOMEM);
	CHECK(create_calls == 1 && create_in.pool == 0);
	/* Unknown, by name or id: nothing is created, and the message lists
	 * the pools there are. */
	b.pool = "db";
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOENT);
	CHECK(create_calls == 0 && destroyed == 0);
	CHECK(!strcmp(err, "pool = \"db\": no such cpupool (there are: "
			   "Pool-0, web)"));
	b.pool = "1";
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_ENOENT);
	CHECK_EQ(create_calls, 0);
	/* The create refused (a null pool without harts enough): said. */
	b.pool = "web";
	create_rc = VIREO_EPOOLFULL;
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_EPOOLFULL);
	create_rc = 0;
	CHECK(create_calls == 1 && destroyed == 0);
	CHECK(!strcmp(err, "cannot create the domain in cpupool 'web': stub"));
	/* More online than there are: refused before anything. */
	b.pool = NULL;
	b.online_vcpus = 5;
	CHECK_EQ(build_with(&b, err, sizeof(err)), VIREO_EINVAL);
	CHECK(create_calls == 0);
	CHECK(!strcmp(err, "vcpus = 5 is more than the domain's 4 vCPUs "
			   "(maxvcpus)"));
}

int main(void)
{
	RUN(test_boot_cmdline);
	RUN(test_build_vcpus_pool);
	RUN(test_sched_set);
	RUN(test_build_sched_fails);
	RUN(test_plan_edges);
	RUN(test_plan_fuzz);
	RUN(test_dtb_fuzz);
	TEST_DONE();
}
