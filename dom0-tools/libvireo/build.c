/*
 * The domain builder: create a paused DomU, fill its RAM and point vCPU 0 at
 * its kernel, the way a boot loader would on QEMU virt:
 *
 *   RAM base + text_offset   Linux Image (RISC-V boot header, 2 MiB offset)
 *   ...                      free
 *   below the tree           initramfs, page aligned
 *   RAM top - 64 KiB         device tree (domu_dtb.c)
 *
 * vCPU 0 starts at the Image with a0 = hart id 0 and a1 = the tree. The
 * vCPUs' affinity and the credit scheduler's weight and cap are set first,
 * right after the create, while the domain is paused and nothing has run.
 *
 * The domain gets all of its vCPUs (xl.cfg maxvcpus), each in the tree;
 * when fewer are to be online at boot (xl.cfg vcpus), maxcpus= on the
 * kernel command line keeps Linux from starting the others (boot_cmdline()).
 * The cpupool (xl.cfg pool) is looked up, by name or id, before anything
 * exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domu_dtb.h"
#include "libvireo.h"

#define DTB_RESERVE (64UL << 10)
#define IMAGE_MAGIC2 0x05435352U /* "RSC\x05" at offset 0x38 */

struct image_header {
	uint32_t code0, code1;
	uint64_t text_offset, image_size, flags;
	uint32_t version, res1;
	uint64_t res2, magic;
	uint32_t magic2, res3;
};

struct blob {
	char *data;
	size_t size;
};

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int read_file(const char *path, struct blob *b, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = VIREO_ESYS;

	b->data = NULL;
	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? VIREO_ENOENT : VIREO_ESYS;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		seterr(err, errlen, "%s: not a regular, non-empty file", path);
		rc = VIREO_EFORMAT;
		goto out;
	}
	b->size = (size_t)st.st_size;
	b->data = malloc(b->size);
	if (!b->data || read(fd, b->data, b->size) != (ssize_t)b->size) {
		seterr(err, errlen, "%s: cannot read", path);
		free(b->data);
		b->data = NULL;
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* A property of Dom0's own tree, which the hypervisor derived from the host. */
static int dom0_cpu_facts(char *isa, size_t isalen, uint32_t *timebase)
{
	FILE *f = fopen("/proc/device-tree/cpus/cpu@0/riscv,isa", "r");
	unsigned char tb[4];

	if (!f)
		return VIREO_ESYS;
	if (!fgets(isa, (int)isalen, f)) {
		fclose(f);
		return VIREO_EFORMAT;
	}
	fclose(f);
	f = fopen("/proc/device-tree/cpus/timebase-frequency", "r");
	if (!f || fread(tb, 1, 4, f) != 4) {
		if (f)
			fclose(f);
		return VIREO_EFORMAT;
	}
	fclose(f);
	*timebase = (uint32_t)tb[0] << 24 | tb[1] << 16 | tb[2] << 8 | tb[3];
	return 0;
}

struct layout {
	uint64_t kernel, kernel_end, initrd, initrd_end, dtb;
};

/*
 * Where the kernel, initrd and DTB go in the DomU's RAM. Every figure is an
 * offset into RAM checked against what is left before it is added, so a
 * hostile Image header (text_offset or image_size near 2^64) or a huge
 * initrd is refused instead of wrapping the layout and steering load()'s
 * copies outside the mapping (vireod runs as root).
 */
static int plan(const struct vireo_build *b, const struct blob *k,
		const struct blob *rd, struct layout *l, char *err, size_t errlen)
{
	const struct image_header *h = (const void *)k->data;
	uint64_t ram = VIREO_DOMU_RAM_BASE, size = b->ram_bytes;
	uint64_t text, img, dtb, initrd;

	if (k->size < sizeof(*h) || h->magic2 != IMAGE_MAGIC2) {
		seterr(err, errlen, "%s: not a RISC-V Linux Image", b->kernel);
		return VIREO_EFORMAT;
	}
	text = h->text_offset ? h->text_offset : 0x200000;
	img = h->image_size > k->size ? h->image_size : k->size;
	if (text & 4095) {
		seterr(err, errlen, "%s: text_offset %#lx is not page-aligned",
		       b->kernel, (unsigned long)text);
		return VIREO_EFORMAT;
	}
	dtb = size >= DTB_RESERVE ? size - DTB_RESERVE : 0;
	initrd = dtb;
	if (rd->data)
		initrd = rd->size <= dtb ? (dtb - rd->size) & ~4095UL : 0;
	/* kernel, 4 MiB for its bss and early allocations, initrd, DTB */
	if (size < DTB_RESERVE || size > UINT64_MAX - ram ||
	    (rd->data && rd->size > dtb) ||
	    text > initrd || img > initrd - text ||
	    initrd - text - img < (4UL << 20)) {
		seterr(err, errlen, "memory = %lu MiB is too small for %s%s%s",
		       (unsigned long)(size >> 20), b->kernel,
		       rd->data ? " and " : "", rd->data ? b->ramdisk : "");
		return VIREO_ENOMEM;
	}
	l->kernel = ram + text;
	l->kernel_end = l->kernel + img;
	l->dtb = ram + dtb;
	l->initrd = rd->data ? ram + initrd : 0;
	l->initrd_end = rd->data ? ram + initrd + rd->size : 0;
	return 0;
}

/*
 * The guest's command line: the config's, then what the builder adds. The
 * stock UIO driver takes the control device for the guest agent; and with
 * fewer vCPUs online at boot than the domain has, maxcpus=N makes Linux
 * (6.1: smp_init() -> bringup_nonboot_cpus(setup_max_cpus)) start only
 * CPUs 0..N-1, which are vCPUs 0..N-1 (vCPU 0 boots, the tree lists cpu@0
 * up in order). The others stay present and offline, and come up through
 * /sys/devices/system/cpu/cpuK/online (SBI HSM hart_start) when the agent
 * is told to by `vl vcpu-set`. Added last, it wins over a maxcpus= in the
 * config's (Linux takes the last), as xl.cfg's vcpus decides.
 */
static int boot_cmdline(const struct vireo_build *b, char *buf, size_t len,
			char *err, size_t errlen)
{
	const char *user = b->cmdline ? b->cmdline : "";
	char maxcpus[32] = "";
	int n;

	if (b->online_vcpus && b->online_vcpus < b->nr_vcpus)
		snprintf(maxcpus, sizeof(maxcpus), " maxcpus=%u",
			 (unsigned)b->online_vcpus);
	n = snprintf(buf, len, "%s%suio_pdrv_genirq.of_id=%s%s", user,
		     user[0] ? " " : "", "vireo,domu-control", maxcpus);
	if (n < 0 || (size_t)n >= len) {
		seterr(err, errlen, "the kernel command line is too long: %d "
		       "bytes with what the builder adds, at most %zu", n,
		       len - 1);
		return VIREO_EFORMAT;
	}
	return 0;
}

static int load(struct vireo *v, uint32_t domid, const struct vireo_build *b,
		const struct blob *k, const struct blob *rd,
		const struct layout *l, char *err, size_t errlen)
{
	struct domu_dtb_params p = {
		.nr_vcpus = b->nr_vcpus,
		.ram_base = VIREO_DOMU_RAM_BASE,
		.ram_size = b->ram_bytes,
		.initrd_start = l->initrd,
		.initrd_end = l->initrd_end,
		.control_node = true,
		.control_base = VIREO_DOMU_CONTROL_BASE,
		.control_irq = VIREO_DOMU_CONTROL_IRQ,
	};
	char isa[256], cmdline[DOMU_DTB_MAX_BOOTARGS + 1];
	int rc = dom0_cpu_facts(isa, sizeof(isa), &p.timebase_hz);
	char *ram;

	if (rc) {
		seterr(err, errlen, "cannot read Dom0's cpu facts in /proc/device-tree");
		return rc;
	}
	p.isa = isa;
	p.nr_virtio = b->nr_virtio;
	for (unsigned i = 0; i < b->nr_virtio && i < DOMU_DTB_MAX_VIRTIO; i++) {
		p.virtio_base[i] = VIREO_DOMU_VIRTIO_BASE + i * VIREO_DOMU_VIRTIO_SIZE;
		p.virtio_irq[i] = VIREO_DOMU_VIRTIO_IRQ0 + i;
	}
	rc = boot_cmdline(b, cmdline, sizeof(cmdline), err, errlen);
	if (rc)
		return rc;
	p.bootargs = cmdline;
	ram = vireo_foreign_map(v, domid, VIREO_DOMU_RAM_BASE, b->ram_bytes, &rc);
	if (!ram) {
		seterr(err, errlen, "cannot map the new domain's memory: %s",
		       vireo_strerror(rc));
		return rc;
	}
	memcpy(ram + (l->kernel - VIREO_DOMU_RAM_BASE), k->data, k->size);
	if (rd->data)
		memcpy(ram + (l->initrd - VIREO_DOMU_RAM_BASE), rd->data, rd->size);
	rc = domu_dtb_build(ram + (l->dtb - VIREO_DOMU_RAM_BASE), DTB_RESERVE, &p);
	if (rc) {
		seterr(err, errlen, "cannot build the device tree (libfdt %d)", rc);
		rc = VIREO_EFORMAT;
	}
	vireo_foreign_unmap(v, ram, b->ram_bytes);
	return rc;
}

/*
 * xl.cfg's cpus, cpus_soft, cpu_weight and cap, set on the new domain
 * before any of its vCPUs has run (libxl does the same in its build).
 */
static int set_sched(struct vireo *v, uint32_t domid,
		     const struct vireo_build *b, char *err, size_t errlen)
{
	int rc;

	for (uint32_t i = 0; i < b->nr_vcpus && i < VIREO_MAX_VCPUS; i++) {
		uint64_t hard = b->hard_affinity[i], soft = b->soft_affinity[i];
		uint32_t which = (hard ? VIREO_AFFINITY_HARD : 0) |
				 (soft ? VIREO_AFFINITY_SOFT : 0);

		if (!which)
			continue;
		rc = vireo_vcpu_affinity(v, domid, i, hard, soft, which);
		if (rc) {
			seterr(err, errlen, "cannot set the affinity of vCPU %u "
			       "(cpus, cpus_soft): %s", (unsigned)i,
			       vireo_strerror(rc));
			return rc;
		}
	}
	if (b->sched_set) {
		struct vireo_sched_credit sc = b->sched;

		rc = vireo_sched_credit(v, domid, &sc, b->sched_set);
		if (rc) {
			seterr(err, errlen, "cannot set the credit scheduler's "
			       "%s: %s", b->sched_set == VIREO_SCHED_SET_CAP ?
			       "cap" : b->sched_set == VIREO_SCHED_SET_WEIGHT ?
			       "cpu_weight" : "cpu_weight and cap",
			       vireo_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/*
 * xl.cfg's pool: the id of the cpupool q names (digits are an id, as
 * libxl's qualifier; NULL: Pool-0), asked of the hypervisor (CPUPOOL_OP
 * INFO, through cpupool.c) before the domain exists.
 */
static int pool_id(struct vireo *v, const char *q, uint32_t *id, char *err,
		   size_t errlen)
{
	struct vireo_cpupool pools[VIREO_CPUPOOL_MAX];
	const struct vireo_cpupool *p;
	char names[VIREO_CPUPOOL_MAX * (VIREO_CPUPOOL_NAME_LEN + 2)] = "";
	size_t used = 0;
	int n;

	*id = 0;
	if (!q)
		return 0;
	n = vireo_cpupool_list(v, pools, VIREO_CPUPOOL_MAX);
	if (n < 0) {
		seterr(err, errlen, "pool = \"%s\": cannot list the cpupools: %s",
		       q, vireo_strerror(n));
		return n;
	}
	if (n > VIREO_CPUPOOL_MAX)
		n = VIREO_CPUPOOL_MAX;
	p = vireo_cpupool_find(pools, (unsigned)n, q);
	if (p) {
		*id = p->id;
		return 0;
	}
	for (int i = 0; i < n && used < sizeof(names); i++) {
		int r = snprintf(names + used, sizeof(names) - used, "%s%s",
				 i ? ", " : "", pools[i].name);
		used += r > 0 ? (size_t)r : 0;
	}
	seterr(err, errlen, "pool = \"%s\": no such cpupool (there %s: %s)", q,
	       n == 1 ? "is" : "are", n ? names : "none");
	return VIREO_ENOENT;
}

/* Everything before the create: files, layout, memory, cpupool, *c. */
static int prepare(struct vireo *v, const struct vireo_build *b,
		   struct blob *k, struct blob *rd, struct layout *l,
		   struct vireo_domain_create *c, char *err, size_t errlen)
{
	struct vireo_physinfo pi;
	int rc;

	if (b->online_vcpus > b->nr_vcpus) {
		seterr(err, errlen, "vcpus = %u is more than the domain's %u "
		       "vCPUs (maxvcpus)", (unsigned)b->online_vcpus,
		       (unsigned)b->nr_vcpus);
		return VIREO_EINVAL;
	}
	rc = read_file(b->kernel, k, err, errlen);
	if (!rc && b->ramdisk)
		rc = read_file(b->ramdisk, rd, err, errlen);
	if (!rc)
		rc = plan(b, k, rd, l, err, errlen);
	if (!rc && !vireo_physinfo(v, &pi) && b->ram_bytes / 4096 > pi.free_pages) {
		seterr(err, errlen, "memory = %lu MiB exceeds the free pool (%lu MiB)",
		       (unsigned long)(b->ram_bytes >> 20),
		       (unsigned long)(pi.free_pages >> 8));
		rc = VIREO_ENOMEM;
	}
	*c = (struct vireo_domain_create){
		.nr_vcpus = b->nr_vcpus,
		.ram_bytes = b->ram_bytes,
		.flags = b->machine_id_flags,
		.mvendorid = b->machine_ids[0],
		.marchid = b->machine_ids[1],
		.mimpid = b->machine_ids[2],
	};
	if (!rc)
		rc = pool_id(v, b->pool, &c->pool, err, errlen);
	return rc;
}

int vireo_build_domain(struct vireo *v, const struct vireo_build *b,
		       uint32_t *domid, char *err, size_t errlen)
{
	struct blob k = {0}, rd = {0};
	struct vireo_domain_create c;
	struct layout l;
	int rc;

	rc = prepare(v, b, &k, &rd, &l, &c, err, errlen);
	if (rc)
		goto out;
	rc = vireo_domain_create_ex(v, &c);
	if (!rc)
		*domid = c.domid;
	if (rc) {
		seterr(err, errlen, "cannot create the domain%s%s%s: %s",
		       b->pool ? " in cpupool '" : "", b->pool ? b->pool : "",
		       b->pool ? "'" : "", vireo_strerror(rc));
		goto out;
	}
	rc = set_sched(v, *domid, b, err, errlen);
	if (!rc) {
		rc = vireo_memory_populate(v, *domid, VIREO_DOMU_RAM_BASE,
					   b->ram_bytes);
		if (rc)
			seterr(err, errlen, "cannot populate memory: %s",
			       vireo_strerror(rc));
	}
	if (!rc)
		rc = load(v, *domid, b, &k, &rd, &l, err, errlen);
	if (!rc) {
		rc = vireo_vcpu_set_entry(v, *domid, 0, l.kernel, 0, l.dtb);
		if (rc)
			seterr(err, errlen, "cannot start vCPU 0: %s", vireo_strerror(rc));
	}
	if (rc)
		vireo_domain_destroy(v, *domid); /* leave nothing behind */
out:
	free(k.data);
	free(rd.data);
	return rc;
}
