/*
 * Boot. OpenSBI enters one hart at _start (boot.S) with the host DTB; this
 * file copies the DTB, lays out memory, builds Dom0 and starts the other
 * harts through SBI HSM.
 *
 * Host physical memory (QEMU virt, RAM at 0x80000000):
 *   0x80000000  OpenSBI (PMP-protected; never touched)
 *   0x80200000  hypervisor image, then its heap (hyp_pool), to HYP_END
 *   HYP_END     Dom0 RAM, 1:1, dom0_mem= bytes (default 512 MiB)
 *   ...         free pool (DomU memory) up to the end of RAM
 */
#include <string.h>

#include <arch/plic.h>
#include <arch/sbi.h>
#include <arch/sbi_host.h>
#include <arch/uart.h>

#include "bootfdt.h"
#include "console.h"
#include "cpupool.h"
#include "domain.h"
#include "libfdt.h"
#include "page_alloc.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"
#include "vmid.h"

#define HYP_BASE 0x80200000UL
#define HYP_SIZE MiB(30)
#define DOM0_MEM_DEFAULT MiB(512)
#define HOST_FDT_MAX KiB(64)

extern char __image_end[];
extern unsigned host_uart_irq;
void secondary_entry(void);
void _start(void);

struct pcpu pcpus[MAX_PCPUS];
struct pcpu *boot_pcpu = &pcpus[0];
unsigned nr_pcpus;
uint8_t hyp_stacks[MAX_PCPUS][HYP_STACK_SIZE] __attribute__((aligned(16)));
struct page_pool dom_pool;
uint64_t host_total_pages;

static uint8_t host_fdt[HOST_FDT_MAX] __attribute__((aligned(8)));
static uint64_t hyp_bitmap[(HYP_SIZE / PAGE_SIZE + 63) / 64];
static uint64_t dom_bitmap[(GiB(16) / PAGE_SIZE) / 64];
/* Which free pool pages are known zero (scrubbed at free). */
static uint64_t dom_clean[ARRAY_SIZE(dom_bitmap)];
static struct host_info hi;

/* "dom0_mem=256M" style sizes on the hypervisor's command line. */
static uint64_t parse_size_arg(const char *cmdline, const char *key,
			       uint64_t dflt)
{
	const char *p = cmdline ? strstr(cmdline, key) : NULL;
	uint64_t v = 0;

	if (!p)
		return dflt;
	for (p += strlen(key); *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (*p == 'G' || *p == 'g')
		v <<= 30;
	else if (*p == 'M' || *p == 'm')
		v <<= 20;
	else if (*p == 'K' || *p == 'k')
		v <<= 10;
	return v ? v : dflt;
}

/*
 * The harts to use, at most MAX_PCPUS: the boot hart first, then the
 * others in hart-id order.
 */
static unsigned hart_order(unsigned long boot_hartid, unsigned long *ids)
{
	unsigned n = 1;

	ids[0] = boot_hartid;
	for (unsigned i = 0; i < hi.nr_harts && n < MAX_PCPUS; i++)
		if (hi.hart_ids[i] != boot_hartid)
			ids[n++] = hi.hart_ids[i];
	for (unsigned i = 2; i < n; i++)
		for (unsigned j = i; j > 1 && ids[j - 1] > ids[j]; j--) {
			unsigned long t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

/*
 * Logical CPU numbers (the pcpu index: vl, xl.cfg cpus=, the monitor), as
 * Xen numbers them: CPU 0 is the boot hart, which takes the host's
 * interrupts and never leaves Pool-0; the others follow in hart-id order.
 * OpenSBI boots on whichever hart wins its lottery, so on QEMU CPU 0 is
 * hart 0 or hart 1 from one boot to the next (the monitor's runq shows
 * both numbers). boot.S gave the boot hart pcpus[0] and hyp_stacks[0].
 */
static void setup_pcpus(unsigned long boot_hartid)
{
	unsigned long ids[MAX_PCPUS];

	nr_pcpus = hart_order(boot_hartid, ids);
	cpupool_init(nr_pcpus);
	for (unsigned i = 0; i < nr_pcpus; i++) {
		pcpus[i].id = i;
		pcpus[i].hartid = ids[i];
		pcpus[i].stack_top = (unsigned long)hyp_stacks[i] + HYP_STACK_SIZE;
		pcpus[i].rq_lock = (spinlock_t)SPINLOCK_INIT;
		sched_init_pcpu(&pcpus[i]);
	}
	boot_pcpu = &pcpus[0];
	boot_pcpu->online = true;
}

static void setup_memory(uint64_t dom0_mem, paddr_t *dom0_base)
{
	paddr_t heap = ALIGN_UP((paddr_t)__image_end, PAGE_SIZE);
	paddr_t ram_end = hi.mem_base + hi.mem_size;

	host_total_pages = hi.mem_size >> PAGE_SHIFT;

	page_pool_init(&hyp_pool, heap, (HYP_BASE + HYP_SIZE - heap) >> PAGE_SHIFT,
		       hyp_bitmap);
	*dom0_base = HYP_BASE + HYP_SIZE;
	if (*dom0_base + dom0_mem > ram_end)
		panic("dom0_mem=%lu MiB does not fit in RAM", dom0_mem >> 20);
	paddr_t pool = *dom0_base + dom0_mem;
	uint64_t pages = MIN((ram_end - pool) >> PAGE_SHIFT,
			     (uint64_t)ARRAY_SIZE(dom_bitmap) * 64);
	page_pool_init(&dom_pool, pool, pages, dom_bitmap);
	page_pool_track_clean(&dom_pool, dom_clean);
	printk("memory: RAM %lx-%lx, hypervisor %lx-%lx (heap %lu KiB), "
	       "free pool %lu MiB at %lx\n",
	       hi.mem_base, ram_end - 1, HYP_BASE, HYP_BASE + HYP_SIZE - 1,
	       (HYP_BASE + HYP_SIZE - heap) >> 10, pages >> 8, pool);
}

/*
 * Before any vCPU is placed: a hart that does not start gets none, or a
 * destroy would wait forever for it to let one go. Fault injection for
 * tests, on the command line: "hsm_fail=N" makes the start of CPU N fail;
 * "hsm_stale=N" starts CPU N at _start with the DTB, as OpenSBI 1.1's
 * hart-start race does (boot.S).
 */
static void start_secondaries(const char *cmdline, const void *fdt)
{
	uint64_t fail = parse_size_arg(cmdline, "hsm_fail=", 0);
	uint64_t stale = parse_size_arg(cmdline, "hsm_stale=", 0);

	for (unsigned i = 1; i < nr_pcpus; i++) {
		unsigned long pc = (unsigned long)secondary_entry;
		unsigned long arg = (unsigned long)&pcpus[i];
		long err;

		if (i == stale) {
			pc = (unsigned long)_start;
			arg = (unsigned long)fdt;
		}
		err = i == fail ? SBI_ERR_FAILED
				: sbi_host_hart_start(pcpus[i].hartid, pc, arg);
		if (err) {
			pcpus[i].absent = true;
			cpupool_hart_absent(&pcpus[i]);
			printk("CPU %u (hart %lu): HSM start failed (%ld): no "
			       "vCPUs go there\n", i, pcpus[i].hartid, err);
		}
	}
}

void hyp_main(unsigned long hartid, const void *fdt)
{
	const char *cmdline;
	paddr_t dom0_base;
	int chosen;

	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > HOST_FDT_MAX ||
	    fdt_open_into(fdt, host_fdt, HOST_FDT_MAX))
		arch_halt(); /* nowhere to print yet */
	if (bootfdt_parse(host_fdt, &hi))
		arch_halt();
	uart_init(hi.uart_base);
	printk("Vireo hypervisor, booted on hart %lu\n", hartid);
	timebase_hz = hi.timebase_hz;
	chosen = fdt_path_offset(host_fdt, "/chosen");
	cmdline = chosen >= 0 ? fdt_getprop(host_fdt, chosen, "bootargs", NULL)
			      : NULL;
	setup_pcpus(hartid);
	setup_memory(parse_size_arg(cmdline, "dom0_mem=", DOM0_MEM_DEFAULT),
		     &dom0_base);
	arch_hart_init();
	vmid_init(); /* before the first domain */
	sbi_host_machine_ids();
	if (plic_init(host_fdt, hi.plic_base, hartid))
		panic("no PLIC context for hart %lu", hartid);
	host_uart_irq = hi.uart_irq;
	start_secondaries(cmdline, fdt);
	dom0_build(host_fdt, &hi, dom0_base,
		   parse_size_arg(cmdline, "dom0_mem=", DOM0_MEM_DEFAULT),
		   HYP_BASE, HYP_SIZE,
		   (unsigned)parse_size_arg(cmdline, "dom0_max_vcpus=", 0));
	plic_enable(hi.uart_irq);
	uart_enable_rx_irq();
	printk("*** Serial input to Dom0 (type 'CTRL-a' three times to switch "
	       "input)\n");
	sched_start();
}

/* early: it came in at _start, sent there by OpenSBI 1.1's race (boot.S). */
void hyp_secondary_main(unsigned long hartid, struct pcpu *p, bool early)
{
	arch_hart_init();
	p->online = true;
	printk("hart %lu online%s\n", hartid,
	       early ? " (it entered at _start: OpenSBI 1.1's hart-start race)"
		     : "");
	sched_start();
}
