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
	/* The stock UIO driver takes the control device for the guest agent. */
	snprintf(cmdline, sizeof(cmdline), "%s%suio_pdrv_genirq.of_id=%s",
		 b->cmdline ? b->cmdline : "", b->cmdline ? " " : "",
		 "vireo,domu-control");
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

int vireo_build_domain(struct vireo *v, const struct vireo_build *b,
		       uint32_t *domid, char *err, size_t errlen)
{
	struct blob k = {0}, rd = {0};
	struct vireo_physinfo pi;
	struct vireo_domain_create c;
	struct layout l;
	int rc;

	rc = read_file(b->kernel, &k, err, errlen);
	if (!rc && b->ramdisk)
		rc = read_file(b->ramdisk, &rd, err, errlen);
	if (!rc)
		rc = plan(b, &k, &rd, &l, err, errlen);
	if (!rc && !vireo_physinfo(v, &pi) && b->ram_bytes / 4096 > pi.free_pages) {
		seterr(err, errlen, "memory = %lu MiB exceeds the free pool (%lu MiB)",
		       (unsigned long)(b->ram_bytes >> 20),
		       (unsigned long)(pi.free_pages >> 8));
		rc = VIREO_ENOMEM;
	}
	if (rc)
		goto out;
	c = (struct vireo_domain_create){
		.nr_vcpus = b->nr_vcpus,
		.ram_bytes = b->ram_bytes,
		.flags = b->machine_id_flags,
		.mvendorid = b->machine_ids[0],
		.marchid = b->machine_ids[1],
		.mimpid = b->machine_ids[2],
	};
	rc = vireo_domain_create_ex(v, &c);
	if (!rc)
		*domid = c.domid;
	if (rc) {
		seterr(err, errlen, "cannot create the domain: %s", vireo_strerror(rc));
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
