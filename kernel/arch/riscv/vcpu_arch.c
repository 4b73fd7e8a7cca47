/*
 * The RISC-V side of a vCPU: VS CSRs, the hvip lines, the Sstc timer and
 * exception injection. A vCPU stays "loaded" on its hart until another vCPU
 * takes the hart, so a lone vCPU never pays for a context switch.
 */
#include <arch/arch.h>
#include <arch/csr.h>

#include "domain.h"
#include "pcpu.h"
#include "printk.h"
#include "vireo_abi.h"
#include "vmid.h"

#define HSTATUS_VSXL_64 (2UL << 32)
#define SSTATUS_SPP_VS SSTATUS_SPP

void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1)
{
	struct vcpu_arch *a = &v->arch;

	for (unsigned i = 0; i < 32; i++)
		v->regs.x[i] = 0;
	v->regs.x[REG_A0] = a0;
	v->regs.x[REG_A1] = a1;
	v->regs.sepc = pc;
	/* sret enters VS-mode (SPP with hstatus.SPV); HS keeps SIE = 0. */
	v->regs.sstatus = SSTATUS_SPP_VS | SSTATUS_FS_DIRTY;
	v->regs.hstatus = HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP |
			  HSTATUS_VTW;
	a->vsstatus = SSTATUS_FS_INITIAL;
	a->vsie = a->vstvec = a->vsscratch = a->vsepc = 0;
	a->vscause = a->vstval = a->vsatp = 0;
	a->scounteren = COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR;
	a->senvcfg = 0;
	a->vstimecmp = ~0UL;
	a->hvip = 0;
	a->ssip_req = 0;
	a->hgatp = gstage_hgatp(&v->dom->p2m);
	a->henvcfg = HENVCFG_STCE;
	/*
	 * A DomU's cycle and instret reads trap (to vcpu_pmu_read_csr): it
	 * sees its own counts, not the host's. Dom0, which measures the
	 * machine (the benchmarks count whole round trips with instret),
	 * reads the hart's own. time is direct for all.
	 */
	a->hcounteren = v->dom->is_dom0
				? COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR
				: COUNTEREN_TM;
	for (unsigned i = 0; i < 32; i++)
		a->fp[i] = 0;
	a->fcsr = 0;
	/* Called on v's own hart (VCPU_REQ_RESET), where it may be loaded. */
	if (v->pcpu && v->pcpu->loaded == v && v->pcpu == this_pcpu())
		vcpu_arch_load(v);
}

void vcpu_arch_load(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	csr_write(CSR_HGATP, a->hgatp);
	vmid_load(&v->dom->p2m); /* a shared VMID: another domain's entries */
	csr_write(CSR_HENVCFG, a->henvcfg);
	csr_write(CSR_HCOUNTEREN, a->hcounteren);
	csr_write(CSR_VSSTATUS, a->vsstatus);
	csr_write(CSR_VSIE, a->vsie);
	csr_write(CSR_VSTVEC, a->vstvec);
	csr_write(CSR_VSSCRATCH, a->vsscratch);
	csr_write(CSR_VSEPC, a->vsepc);
	csr_write(CSR_VSCAUSE, a->vscause);
	csr_write(CSR_VSTVAL, a->vstval);
	csr_write(CSR_VSATP, a->vsatp);
	csr_write(CSR_SCOUNTEREN, a->scounteren);
	csr_write(CSR_SENVCFG, a->senvcfg);
	/* QEMU re-arms the VS timer on vstimecmp writes only: delta first. */
	csr_write(CSR_HTIMEDELTA, 0);
	csr_write(CSR_VSTIMECMP, a->vstimecmp);
	fp_restore(a->fp, &a->fcsr);
	/* Another vCPU with this VMID may have run here: drop its entries. */
	hfence_vvma_all();
}

/* Called in v's own trap, so its VS CSRs are live on this hart. */
void vcpu_arch_resume_state(struct vcpu *v)
{
	(void)v;
	csr_write(CSR_VSATP, 0);
	csr_clear(CSR_VSSTATUS, SSTATUS_SIE);
}

void vcpu_arch_enter(struct vcpu *v)
{
	vcpu_resume_full(&v->regs);
}

void vcpu_arch_put(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	a->vsstatus = csr_read(CSR_VSSTATUS);
	a->vsie = csr_read(CSR_VSIE);
	a->vstvec = csr_read(CSR_VSTVEC);
	a->vsscratch = csr_read(CSR_VSSCRATCH);
	a->vsepc = csr_read(CSR_VSEPC);
	a->vscause = csr_read(CSR_VSCAUSE);
	a->vstval = csr_read(CSR_VSTVAL);
	a->vsatp = csr_read(CSR_VSATP);
	a->scounteren = csr_read(CSR_SCOUNTEREN);
	a->senvcfg = csr_read(CSR_SENVCFG);
	a->vstimecmp = csr_read(CSR_VSTIMECMP);
	a->hvip = csr_read(CSR_HVIP);
	fp_save(a->fp, &a->fcsr);
}

/*
 * Set hvip's VSSIP and VSEIP to want with csrs/csrc, leaving VSTIP alone:
 * QEMU 7.2 keeps the Sstc comparator's pending bit in the same place, and
 * a full write of hvip cleared it.
 */
static void hvip_sync(unsigned long want)
{
	unsigned long cur = csr_read(CSR_HVIP) & (HVIP_VSSIP | HVIP_VSEIP);

	if (want & ~cur)
		csr_set(CSR_HVIP, want & ~cur);
	if (cur & ~want)
		csr_clear(CSR_HVIP, cur & ~want);
}

void vcpu_arch_prepare_entry(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	uint32_t req;
	unsigned long hvip = a->hvip & HVIP_VSSIP;

	if (__atomic_exchange_n(&a->ssip_req, 0, __ATOMIC_ACQ_REL))
		hvip |= HVIP_VSSIP;
	if (a->eip)
		hvip |= HVIP_VSEIP;
	a->hvip = hvip;
	hvip_sync(hvip);
	req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
	/* Counted from here to the next exit (vcpu_arch_after_exit); Dom0
	 * reads the hart's counters itself (hcounteren), so not for it. */
	if (!v->dom->is_dom0) {
		a->cycle_at_entry = csr_read(CSR_CYCLE);
		a->instret_at_entry = csr_read(CSR_INSTRET);
	}
	if (req & VCPU_REQ_HFENCE_VVMA)
		hfence_vvma_all();
	if (req & VCPU_REQ_FENCE_I)
		fence_i();
}

void vcpu_arch_after_exit(struct vcpu *v)
{
	/* The guest clears VSSIP itself (its sip.SSIP is hvip.VSSIP). */
	v->arch.hvip = csr_read(CSR_HVIP);
	if (v->dom->is_dom0)
		return;
	v->pmu.hw_acc[0] += csr_read(CSR_CYCLE) - v->arch.cycle_at_entry;
	v->pmu.hw_acc[1] += csr_read(CSR_INSTRET) - v->arch.instret_at_entry;
}

void vcpu_arch_trap_wfi(struct vcpu *v, bool trap)
{
	if (trap)
		v->regs.hstatus |= HSTATUS_VTW;
	else
		v->regs.hstatus &= ~HSTATUS_VTW;
}

static bool loaded_here(struct vcpu *v)
{
	return v->pcpu == this_pcpu() && v->pcpu->loaded == v;
}

uint64_t vcpu_arch_timer(struct vcpu *v)
{
	return loaded_here(v) ? csr_read(CSR_VSTIMECMP) : v->arch.vstimecmp;
}

uint64_t vcpu_arch_wakeup(struct vcpu *v)
{
	unsigned long vsie = loaded_here(v) ? csr_read(CSR_VSIE) : v->arch.vsie;

	return (vsie & VSIE_STIE) ? vcpu_arch_timer(v) : ~0UL;
}

bool vcpu_arch_irq_pending(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	unsigned long vsie = loaded_here(v) ? csr_read(CSR_VSIE) : a->vsie;
	bool ssip = (a->hvip & HVIP_VSSIP) || a->ssip_req;
	bool stip = time_now() >= vcpu_arch_timer(v);

	return ((vsie & VSIE_SSIE) && ssip) || ((vsie & VSIE_STIE) && stip) ||
	       ((vsie & VSIE_SEIE) && a->eip);
}

void vcpu_set_timer(struct vcpu *v, uint64_t when)
{
	if (loaded_here(v))
		csr_write(CSR_VSTIMECMP, when);
	else
		v->arch.vstimecmp = when;
}

/*
 * Deliver an exception to the guest as the hardware would have, had hedeleg
 * sent it to VS-mode: vsepc/vscause/vstval, vsstatus.SPP/SPIE/SIE, and jump
 * to vstvec (exceptions always use the base address).
 */
void vcpu_inject_exception(struct vcpu *v, unsigned long cause,
			   unsigned long tval)
{
	unsigned long vsstatus = csr_read(CSR_VSSTATUS);
	unsigned long handler = csr_read(CSR_VSTVEC) & ~3UL;

	/*
	 * The guest's own trap handler is what faulted: delivering the fault
	 * would only fault again, forever. That guest is dead: say so.
	 */
	if (v->regs.sepc == handler && !v->dom->is_dom0) {
		printk("domain %u: vCPU %u faults in its trap handler (%lx), "
		       "cause %lu: crashed\n", v->dom->id, v->id, handler, cause);
		domain_shutdown(v->dom, VIREO_SHUTDOWN_CRASH);
		return;
	}
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (v->regs.sstatus & SSTATUS_SPP)
		vsstatus |= SSTATUS_SPP;
	if (vsstatus & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	vsstatus &= ~SSTATUS_SIE;
	csr_write(CSR_VSSTATUS, vsstatus);
	csr_write(CSR_VSEPC, v->regs.sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	v->regs.sepc = handler;
	v->regs.sstatus |= SSTATUS_SPP; /* the handler runs in VS-mode */
}

void arch_hart_init(void)
{
	csr_write(CSR_HEDELEG, HEDELEG_GUEST);
	csr_write(CSR_HIDELEG, HIDELEG_GUEST);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);
	csr_write(CSR_HGEIE, 0);
	csr_write(CSR_HCOUNTEREN, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
	csr_write(CSR_HGATP, 0);
	csr_write(CSR_STIMECMP, ~0UL);
	/* HS FS must be on for the guest's FP to work at all. */
	csr_set(CSR_SSTATUS, SSTATUS_FS_DIRTY);
	csr_write(CSR_SIE, SIP_SSIP | SIP_STIP | SIP_SEIP);
	hfence_gvma_all();
}

/*
 * VMIDLEN. hgatp is WARL for VMID: the bits that stick are the low VMIDLEN
 * ones. MODE stays Bare (0) while probing: on QEMU hgatp is not WARL for
 * MODE, and a MODE it does not know aborts it at the next guest access.
 */
unsigned vmid_arch_probe_bits(void)
{
	unsigned long old = csr_read(CSR_HGATP), vmid;
	unsigned bits = 0;

	csr_write(CSR_HGATP, HGATP_VMID_MASK << HGATP_VMID_SHIFT);
	vmid = (csr_read(CSR_HGATP) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
	csr_write(CSR_HGATP, old);
	hfence_gvma_all(); /* as KVM: drop anything the probe let in */
	while (bits < VMID_BITS_MAX && (vmid & (1UL << bits)))
		bits++;
	return bits;
}

void vmid_arch_flush_local(uint16_t vmid)
{
	hfence_gvma_vmid(vmid);
}
