/*
 * Isolation probes (issue 8): a DomU loads from and stores to guest-
 * physical addresses it does not own. Each access must either reach its
 * own RAM or fault in the guest (an access or guest-page fault the harness
 * records and skips); nothing may hang, and nothing else may change.
 *
 * The list: just past its RAM, 4 GiB and above (up to the edge of Sv39x4's
 * 41-bit guest-physical space and past it), the holes between the DomU's
 * devices, the vPLIC's unimplemented offsets, the host's own devices
 * (CLINT, PCIe, flash, fw_cfg) and the ranges of host RAM where the
 * hypervisor and Dom0 sit. One line per address:
 *
 *   PROBE <addr> <kind> load=fault|ok store=fault|ok
 *   PROBE-RESULT probes=N wrong=W
 *
 * "wrong" counts the accesses whose outcome is not the one its kind
 * allows (below).
 */
#include "guest.h"
#include "vireo_abi.h"

/*
 * RAM: its own, must read back what was stored. OUTSIDE: nothing there,
 * load and store must fault. HOLE: an unimplemented offset inside one of
 * its devices, which may sit on a page the hypervisor maps read-only for
 * it (the vPLIC's enable and context pages): a load may read there, a
 * store must fault. DEVICE: one of its own registers at an odd width;
 * any outcome but a hang (the vUART, as QEMU's 16550, serves wide
 * accesses with the low byte).
 */
enum kind { RAM, OUTSIDE, HOLE, DEVICE };

struct probe {
	unsigned long addr;
	enum kind kind;
	unsigned width; /* 1, 4 or 8 */
};

static const char *const kind_name[] = {"ram", "outside", "hole", "device"};

#define MiB(x) ((unsigned long)(x) << 20)
#define GiB(x) ((unsigned long)(x) << 30)

static const struct probe fixed[] = {
	/* holes and host devices below RAM */
	{0x0, OUTSIDE, 8},
	{0x1000, OUTSIDE, 8},          /* QEMU virt's boot ROM */
	{0x100000, OUTSIDE, 4},        /* sifive_test: power off the host */
	{0x101000, OUTSIDE, 8},        /* goldfish RTC */
	{0x2000000, OUTSIDE, 8},       /* CLINT: msip of hart 0 */
	{0x200bff8, OUTSIDE, 8},       /* CLINT mtime */
	{0x3000000, OUTSIDE, 8},       /* PCIe PIO */
	{0x10008000, OUTSIDE, 4},      /* past the DomU's virtio slots */
	{0x10100008, OUTSIDE, 8},      /* just past pvpanic */
	{0x10201000, OUTSIDE, 8},      /* just past the control page */
	{0x10300000, OUTSIDE, 8},
	{0x20000000, OUTSIDE, 8},      /* flash */
	{0x30000000, OUTSIDE, 8},      /* PCIe ECAM */
	{0x40000000, OUTSIDE, 8},      /* PCIe MMIO */
	{0x10100000 + 0x1000, OUTSIDE, 4},
	/* the vPLIC's holes and a wrong width */
	{VIREO_DOMU_PLIC_BASE + 0x1080, HOLE, 4},   /* past pending */
	{VIREO_DOMU_PLIC_BASE + 0x1ffc, HOLE, 4},
	{VIREO_DOMU_PLIC_BASE + 0x2000 + 0x80 * 8, HOLE, 4}, /* ctx 8 */
	{VIREO_DOMU_PLIC_BASE + 0x200008, HOLE, 4}, /* ctx 0 reserved */
	{VIREO_DOMU_PLIC_BASE + 0x3ffffc, HOLE, 4},
	{VIREO_DOMU_PLIC_BASE + 0x4, HOLE, 8},      /* wrong width */
	{VIREO_DOMU_PLIC_BASE + VIREO_DOMU_PLIC_SIZE, OUTSIDE, 4},
	{VIREO_DOMU_UART_BASE + 0x100, OUTSIDE, 4},
	{VIREO_DOMU_UART_BASE + 7, DEVICE, 1},        /* scratch register */
	{VIREO_DOMU_UART_BASE + 7, DEVICE, 8},        /* past its window */
	/* 4 GiB and above */
	{GiB(4) - 8, OUTSIDE, 8},
	{GiB(4), OUTSIDE, 8},
	{GiB(64), OUTSIDE, 8},
	{GiB(2048) - 8, OUTSIDE, 8},   /* last 8 bytes of 41-bit GPA space */
	{GiB(2048), OUTSIDE, 8},       /* past Sv39x4 */
	{1UL << 50, OUTSIDE, 8},
	{~7UL, OUTSIDE, 8},
};

static unsigned long wrong;
static unsigned long pattern = 0x5a5aa5a5c3c33c3cUL;

/* One access of p's width; true if it did not fault. */
static bool try_access(const struct probe *p, bool store, unsigned long *val)
{
	unsigned long hart = guest_hartid(), before = guest_faults[hart].count;

	guest_expect_fault(true);
	switch (p->width * 2 + store) {
	case 16: *val = *(volatile uint64_t *)p->addr; break;
	case 17: *(volatile uint64_t *)p->addr = *val; break;
	case 8: *val = *(volatile uint32_t *)p->addr; break;
	case 9: *(volatile uint32_t *)p->addr = (uint32_t)*val; break;
	case 2: *val = *(volatile uint8_t *)p->addr; break;
	default: *(volatile uint8_t *)p->addr = (uint8_t)*val; break;
	}
	guest_expect_fault(false);
	return guest_faults[hart].count == before;
}

static void run(const struct probe *p)
{
	unsigned long v = 0, w = pattern, back = 0;
	bool ld = try_access(p, false, &v), st = try_access(p, true, &w);

	if (p->kind == RAM)
		wrong += !ld || !st || !try_access(p, false, &back) || back != pattern;
	else if (p->kind != DEVICE)
		wrong += st || (p->kind == OUTSIDE && ld);
	guest_printf("PROBE %lx %s load=%s store=%s\n", p->addr,
		     kind_name[p->kind], ld ? "ok" : "fault", st ? "ok" : "fault");
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
}

void guest_main(unsigned long hartid)
{
	unsigned long end = guest.ram_base + guest.ram_size, n = 0;
	const struct probe edges[] = {
		{end - 8, RAM, 8},                /* its own last word */
		{end, OUTSIDE, 8},                /* just past it */
		{end + 4096, OUTSIDE, 8},
		{guest.ram_base - 8, OUTSIDE, 8}, /* just below it */
		/* host RAM beyond ours: the hypervisor's heap and Dom0 */
		{end + MiB(16), OUTSIDE, 8},
		{0x90000000UL, OUTSIDE, 8},
		{0xa0000000UL, OUTSIDE, 8},
		{0xbffffff8UL, OUTSIDE, 8},
		{0xc0000000UL, OUTSIDE, 8},
		{0xfffffff8UL, OUTSIDE, 8},
	};

	for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++, n++)
		run(&edges[i]);
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++, n++)
		run(&fixed[i]);
	guest_printf("PROBE-RESULT probes=%lu wrong=%lu\n", n, wrong);
}
