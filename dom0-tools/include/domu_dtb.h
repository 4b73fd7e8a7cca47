/*
 * libvireo: the device tree a DomU's Linux boots with.
 *
 * The layout is fixed by abi/vireo_abi.h (VIREO_DOMU_*); the caller gives
 * the per-domain parts. See dom0-tools/libvireo/domu_dtb.c for the tree.
 */
#ifndef VIREO_DOMU_DTB_H
#define VIREO_DOMU_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMU_DTB_MAX_VIRTIO 8
#define DOMU_DTB_MMIO_SIZE 0x1000UL     /* each virtio-mmio / control window */
#define DOMU_DTB_MAX_BOOTARGS 4095      /* strlen limit */
#define DOMU_DTB_MAX_ISA 1023           /* strlen limit */
/* Always enough for any parameters domu_dtb_build() accepts. */
#define DOMU_DTB_MAX_SIZE (32 * 1024)

struct domu_dtb_params {
	unsigned nr_vcpus;            /* 1..VIREO_MAX_VCPUS */
	uint64_t ram_base, ram_size;  /* both 2 MiB aligned, size != 0 */
	const char *bootargs;         /* NULL: no /chosen/bootargs */
	uint64_t initrd_start, initrd_end; /* 0,0 = none; else inside RAM */
	uint32_t timebase_hz;         /* != 0 */
	const char *isa;              /* "rv64imafdc_...": must start "rv64" */
	/* virtio-mmio slots: 4 KiB windows, emitted in this order */
	unsigned nr_virtio;           /* 0..DOMU_DTB_MAX_VIRTIO */
	uint64_t virtio_base[DOMU_DTB_MAX_VIRTIO];
	unsigned virtio_irq[DOMU_DTB_MAX_VIRTIO]; /* 1..VIREO_DOMU_PLIC_NDEV */
	bool control_node;            /* vireo-control@control_base */
	uint64_t control_base;
	unsigned control_irq;
};

/*
 * Write the flattened tree into buf[0..size). Returns 0 (the blob is then
 * fdt_totalsize(buf) bytes) or a negative libfdt error:
 * -FDT_ERR_BADVALUE for bad parameters (buf is then untouched),
 * -FDT_ERR_NOSPACE if size is too small. Never writes past buf + size.
 */
int domu_dtb_build(void *buf, size_t size, const struct domu_dtb_params *p);

#endif
