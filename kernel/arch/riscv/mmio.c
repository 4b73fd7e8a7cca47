/*
 * A guest load or store that the G-stage does not map traps with cause 21
 * (load) or 23 (store); htval holds GPA >> 2 and stval the guest VA. The
 * hardware may give the instruction, transformed, in htinst; QEMU 7.2
 * leaves htinst at 0 for these, so the instruction is then fetched from the
 * guest with HLVX.HU and decoded here; a device model then performs the
 * access. Anything that is not emulated MMIO goes back to the guest as an
 * access fault, the way a bus error would on real hardware.
 */
#include <arch/arch.h>
#include <arch/csr.h>
#include <arch/insn.h>
#include <arch/mmio.h>

#include "domain.h"

/* htinst values for implicit accesses of the guest's own page-table walk */
#define HTINST_PTW_READ 0x3000
#define HTINST_PTW_WRITE 0x3020

static unsigned long access_fault(unsigned long cause)
{
	switch (cause) {
	case EXC_INST_GUEST_PAGE_FAULT:
		return EXC_INST_ACCESS;
	case EXC_LOAD_GUEST_PAGE_FAULT:
		return EXC_LOAD_ACCESS;
	default:
		return EXC_STORE_ACCESS;
	}
}

/*
 * Decode the faulting load or store: from htinst when the hardware gave a
 * transformed instruction (bit 0), else fetched from the guest. False after
 * injecting a fault: a fetch fault, or an access fault for anything that is
 * not a load or store of the kind that trapped.
 */
static bool decode_fault(struct vcpu *v, unsigned long cause,
			 struct mmio_insn *d)
{
	struct vcpu_regs *r = &v->regs;
	uint32_t insn;
	bool ok;

	if (r->htinst & 1) {
		ok = insn_decode_htinst(r->htinst, d);
	} else {
		long err = hlvx_fetch(r->sepc, &insn);
		if (err) {
			/* The guest's page tables no longer map its own code. */
			vcpu_inject_exception(v, (unsigned long)err, r->sepc);
			return false;
		}
		ok = insn_decode_mmio(insn, d);
	}
	if (!ok || d->is_store != (cause == EXC_STORE_GUEST_PAGE_FAULT)) {
		vcpu_inject_exception(v, access_fault(cause), r->stval);
		return false;
	}
	return true;
}

void mmio_guest_page_fault(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;
	unsigned long cause = r->scause;
	gpa_t gpa = (r->htval << 2) | (r->stval & 3);
	struct mmio_insn d;
	uint64_t val = 0;

	if (cause == EXC_INST_GUEST_PAGE_FAULT ||
	    r->htinst == HTINST_PTW_READ || r->htinst == HTINST_PTW_WRITE) {
		vcpu_inject_exception(v, access_fault(cause), r->stval);
		return;
	}
	if (!decode_fault(v, cause, &d))
		return;
	if (d.is_store)
		val = r->x[d.reg];
	/* Saved first: a device model may answer before we return. */
	v->arch.mmio = (struct mmio_pending){.reg = (uint8_t)d.reg,
					     .len = (uint8_t)d.len,
					     .width = (uint8_t)d.width,
					     .sign = d.sign_ext,
					     .read = !d.is_store};
	switch (domain_mmio(v->dom, v, gpa, d.width, d.is_store, &val)) {
	case MMIO_FAULT:
		vcpu_inject_exception(v, access_fault(cause), r->stval);
		return;
	case MMIO_PENDING:
		return; /* ioreq.c finishes the access on completion */
	case MMIO_DONE:
		vcpu_arch_mmio_finish(v, val);
		return;
	}
}
