/*
 * C side of trap.S: the VS-ecall fast path, the slow path for every other
 * guest exit, and the host interrupts (timer, IPI, PLIC) of this hart.
 */
#include <stddef.h>

#include <arch/arch.h>
#include <arch/asm-offsets.h>
#include <arch/csr.h>
#include <arch/mmio.h>
#include <arch/plic.h>
#include <arch/sbi.h>
#include <arch/sbi_host.h>
#include <arch/uart.h>

#include "console.h"
#include "domain.h"
#include "pcpu.h"
#include "printk.h"
#include "sched.h"

#define INSN_WFI 0x10500073U

unsigned host_uart_irq;

/*
 * SBI calls that only touch the caller's own registers and CSRs are served
 * without saving the callee-saved registers, and the handler's result comes
 * back in a0/a1 for trap_entry.S to store: with the handler as a tail call,
 * this function needs no stack frame. An error of SBI_FAST_DECLINE (no SBI
 * error is positive) sends the call down the slow path instead.
 */
_Static_assert(SBI_FAST_DECLINE == ASM_SBI_FAST_DECLINE, "trap_entry.S");

/* The offsets trap_entry.S and boot.S use (asm-offsets.h). */
_Static_assert(offsetof(struct pcpu, current) == PCPU_CURRENT, "pcpu");
_Static_assert(offsetof(struct pcpu, stack_top) == PCPU_STACK_TOP, "pcpu");
_Static_assert(offsetof(struct pcpu, scratch) == PCPU_SCRATCH, "pcpu");
_Static_assert(offsetof(struct pcpu, hartid) == PCPU_HARTID, "pcpu");
_Static_assert(sizeof(struct pcpu) == PCPU_SIZE, "pcpu");
_Static_assert(sizeof(pcpus[0].hartid) == 8, "boot.S loads it with ld");

static inline unsigned trapstat_side(const struct vcpu *v)
{
	return v->dom->is_dom0 ? TRAPSTAT_DOM0 : TRAPSTAT_DOMU;
}

struct sbi_ret vcpu_ecall_fast(struct vcpu_regs *r)
{
	struct vcpu *v = (struct vcpu *)r;

	this_pcpu()->stats.count[trapstat_side(v)][EXC_VS_ECALL]++;
	switch (r->x[REG_A7]) {
	case SBI_EXT_BASE:
		return sbi_ext_base.handle(v, r->x[REG_A6]);
	case SBI_EXT_TIME:
		return sbi_ext_time.handle(v, r->x[REG_A6]);
	default:
		return (struct sbi_ret){SBI_FAST_DECLINE, 0};
	}
}

/*
 * A read of cycle or instret (hcounteren.CY/IR are clear): csrrs/csrrc
 * with rs1 = x0, or their immediate forms with 0, are plain reads. From
 * VU-mode the guest's own scounteren must allow it, else it is the
 * illegal instruction its kernel expects.
 */
static bool counter_read(struct vcpu *v, uint32_t insn)
{
	unsigned funct3 = (insn >> 12) & 7, rd = (insn >> 7) & 31;
	unsigned csr = insn >> 20, bit = csr & 31;
	uint64_t val;

	if ((insn & 0x7f) != 0x73 || ((insn >> 15) & 31) ||
	    (funct3 != 2 && funct3 != 3 && funct3 != 6 && funct3 != 7))
		return false;
	if (!(v->regs.hstatus & HSTATUS_SPVP) &&
	    !(csr_read(CSR_SCOUNTEREN) & (1UL << bit)))
		return false;
	if (!vcpu_pmu_read_csr(v, csr, &val))
		return false;
	if (rd)
		v->regs.x[rd] = val;
	v->regs.sepc += 4;
	return true;
}

static void virtual_instruction(struct vcpu *v)
{
	uint32_t insn = (uint32_t)v->regs.stval;

	if (insn == INSN_WFI) {
		v->regs.sepc += 4;
		if (!vcpu_arch_irq_pending(v))
			v->state = VCPU_BLOCKED;
		return;
	}
	if (counter_read(v, insn))
		return;
	/* Anything else the guest may not do is illegal for it. */
	vcpu_pmu_fw_event(v, PMU_FW_ILLEGAL_INSN);
	vcpu_inject_exception(v, EXC_ILLEGAL_INST, insn);
}

static void guest_exception(struct vcpu *v, unsigned long cause)
{
	switch (cause) {
	case EXC_VS_ECALL:
		sbi_ecall(v);
		v->regs.sepc += 4;
		break;
	case EXC_INST_GUEST_PAGE_FAULT:
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT:
		mmio_guest_page_fault(v);
		break;
	case EXC_VIRTUAL_INST:
		virtual_instruction(v);
		break;
	default:
		/* Access faults and the like belong to the guest OS. */
		vcpu_inject_exception(v, cause, v->regs.stval);
		break;
	}
}

struct vcpu_regs *vcpu_trap_slow(struct vcpu_regs *r)
{
	struct vcpu *v = (struct vcpu *)r;
	struct pcpu *p = this_pcpu();

	v->in_guest = false;
	/* After in_guest: vcpu_run_ticks() must not count this run twice. */
	__atomic_store_n(&v->cpu_ticks, v->cpu_ticks + time_now() - v->run_start,
			 __ATOMIC_RELEASE);
	r->scause = csr_read(CSR_SCAUSE);
	r->stval = csr_read(CSR_STVAL);
	r->htval = csr_read(CSR_HTVAL);
	r->htinst = csr_read(CSR_HTINST);
	vcpu_arch_after_exit(v);
	if (r->scause != EXC_VS_ECALL)
		p->stats.count[trapstat_side(v)][trapstat_slot(r->scause)]++;
	if (!(r->scause & SCAUSE_IRQ))
		guest_exception(v, r->scause);
	/* Interrupts are handled in schedule(), which runs for every exit. */
	return &schedule()->regs;
}

void arch_timer_arm(uint64_t when)
{
	csr_write(CSR_STIMECMP, when);
}

static void handle_external(void)
{
	unsigned src;

	while ((src = plic_claim()) != 0) {
		if (src == host_uart_irq) {
			int c;
			while ((c = uart_getc()) >= 0)
				console_input((uint8_t)c);
			plic_complete(src);
		} else if (!domain_host_irq(src)) {
			plic_complete(src);
		}
	}
}

void arch_handle_host_irqs(void)
{
	struct pcpu *p = this_pcpu();
	unsigned long sip = csr_read(CSR_SIP);

	if (sip & SIP_SSIP) {
		uint32_t why;
		csr_clear(CSR_SIP, SIP_SSIP);
		why = __atomic_load_n(&p->ipi_reasons, __ATOMIC_ACQUIRE);
		if (why & IPI_GVMA_FLUSH)
			hfence_gvma_all();
		/* Cleared after acting: pcpu_ipi_wait() waits for this. */
		__atomic_and_fetch(&p->ipi_reasons, ~why, __ATOMIC_ACQ_REL);
	}
	if (sip & SIP_STIP)
		arch_timer_arm(~0UL); /* schedule() re-arms what it needs */
	if (sip & SIP_SEIP)
		handle_external();
}

void arch_idle(void)
{
	/* SIE is 0 in HS: WFI wakes on any enabled pending interrupt without
	 * taking a trap, and schedule() handles it. */
	wfi();
}

void pcpu_ipi(struct pcpu *p, uint32_t reason)
{
	__atomic_or_fetch(&p->ipi_reasons, reason, __ATOMIC_ACQ_REL);
	sbi_host_send_ipi(p->hartid);
}

void pcpu_ipi_wait(struct pcpu *p, uint32_t reason)
{
	pcpu_ipi(p, reason);
	while (__atomic_load_n(&p->ipi_reasons, __ATOMIC_ACQUIRE) & reason)
		arch_handle_host_irqs(); /* it may be waiting for us too */
}

struct hs_frame {
	unsigned long x[31]; /* x1..x31 */
	unsigned long sepc, scause, stval;
};

void hs_trap_handler(struct hs_frame *f)
{
	panic("hypervisor trap: scause %lx sepc %lx stval %lx ra %lx sp %lx",
	      f->scause, f->sepc, f->stval, f->x[0], f->x[1]);
}
