/*
 * RISC-V CSRs, bits and trap causes used by the hypervisor (privileged spec
 * 1.12 with the H extension and Sstc). Names follow the spec.
 */
#ifndef VIREO_CSR_H
#define VIREO_CSR_H

/* Supervisor CSRs */
#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_STIMECMP 0x14d /* Sstc */
#define CSR_SATP 0x180

/* Hypervisor CSRs */
#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE 0x607
#define CSR_HENVCFG 0x60a
#define CSR_HTVAL 0x643
#define CSR_HIP 0x644
#define CSR_HVIP 0x645
#define CSR_HTINST 0x64a
#define CSR_HGATP 0x680

/* Virtual supervisor CSRs (the guest's sstatus, sie, ... while V=1) */
#define CSR_VSSTATUS 0x200
#define CSR_VSIE 0x204
#define CSR_VSTVEC 0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC 0x241
#define CSR_VSCAUSE 0x242
#define CSR_VSTVAL 0x243
#define CSR_VSIP 0x244
#define CSR_VSTIMECMP 0x24d /* Sstc */
#define CSR_VSATP 0x280

/* Counters */
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_INSTRET 0xc02

/* sstatus */
#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_SUM (1UL << 18)

/* hstatus */
#define HSTATUS_GVA (1UL << 6)  /* stval holds a guest virtual address */
#define HSTATUS_SPV (1UL << 7)  /* trap came from V=1 */
#define HSTATUS_SPVP (1UL << 8) /* guest privilege at the trap (1 = VS) */
#define HSTATUS_HU (1UL << 9)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW (1UL << 21) /* guest WFI traps (virtual instruction) */
#define HSTATUS_VTSR (1UL << 22)

/* Interrupt numbers, as bits of sip/sie/hip/hvip */
#define IRQ_S_SOFT 1
#define IRQ_VS_SOFT 2
#define IRQ_S_TIMER 5
#define IRQ_VS_TIMER 6
#define IRQ_S_EXT 9
#define IRQ_VS_EXT 10
#define IRQ_S_GEXT 12

#define SIP_SSIP (1UL << IRQ_S_SOFT)
#define SIP_STIP (1UL << IRQ_S_TIMER)
#define SIP_SEIP (1UL << IRQ_S_EXT)
#define HVIP_VSSIP (1UL << IRQ_VS_SOFT)
#define HVIP_VSTIP (1UL << IRQ_VS_TIMER)
#define HVIP_VSEIP (1UL << IRQ_VS_EXT)

/* vsie/vsip as the guest sees them (shifted down by one from hie/hip) */
#define VSIE_SSIE (1UL << 1)
#define VSIE_STIE (1UL << 5)
#define VSIE_SEIE (1UL << 9)

/* Exception causes (scause with the interrupt bit clear) */
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_U_ECALL 8
#define EXC_S_ECALL 9
#define EXC_VS_ECALL 10
#define EXC_M_ECALL 11
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INST 22
#define EXC_STORE_GUEST_PAGE_FAULT 23
#define SCAUSE_IRQ (1UL << 63)

/* Exceptions handed to VS-mode directly (hedeleg): the guest OS owns them. */
#define HEDELEG_GUEST                                                          \
	((1UL << EXC_INST_MISALIGNED) | (1UL << EXC_ILLEGAL_INST) |            \
	 (1UL << EXC_BREAKPOINT) |            \
	 (1UL << EXC_U_ECALL) | (1UL << EXC_INST_PAGE_FAULT) |               \
	 (1UL << EXC_LOAD_PAGE_FAULT) | (1UL << EXC_STORE_PAGE_FAULT))
/* VS interrupts handed to VS-mode (hideleg). */
#define HIDELEG_GUEST (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

/* hcounteren / scounteren bits */
#define COUNTEREN_CY (1UL << 0)
#define COUNTEREN_TM (1UL << 1)
#define COUNTEREN_IR (1UL << 2)

/* henvcfg */
#define HENVCFG_STCE (1UL << 63) /* Sstc: guest may use vstimecmp */

/*
 * hgatp: MODE[63:60] | VMID[57:44] | PPN[43:0]. Sv39x4 is mode 8.
 */
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK 0x3fffUL

#ifndef __ASSEMBLY__
#define csr_read(csr)                                                          \
	({                                                                     \
		unsigned long v_;                                              \
		__asm__ volatile("csrr %0, %1" : "=r"(v_) : "i"(csr) : "memory"); \
		v_;                                                            \
	})
#define csr_write(csr, val)                                                    \
	__asm__ volatile("csrw %0, %1" ::"i"(csr), "rK"((unsigned long)(val))   \
			 : "memory")
#define csr_set(csr, val)                                                      \
	__asm__ volatile("csrs %0, %1" ::"i"(csr), "rK"((unsigned long)(val))   \
			 : "memory")
#define csr_clear(csr, val)                                                    \
	__asm__ volatile("csrc %0, %1" ::"i"(csr), "rK"((unsigned long)(val))   \
			 : "memory")
#define csr_swap(csr, val)                                                     \
	({                                                                     \
		unsigned long v_ = (unsigned long)(val);                       \
		__asm__ volatile("csrrw %0, %1, %0"                            \
				 : "+r"(v_)                                    \
				 : "i"(csr)                                    \
				 : "memory");                                  \
		v_;                                                            \
	})

static inline unsigned long time_now(void)
{
	return csr_read(CSR_TIME);
}

/* hfence.gvma zero, zero: all G-stage translations of all VMIDs */
static inline void hfence_gvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

/* hfence.gvma zero, vmid: all translations of one VMID */
static inline void hfence_gvma_vmid(unsigned long vmid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"(vmid)
			 : "memory");
}

/* hfence.vvma zero, zero: VS-stage translations of the VMID in hgatp */
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}
#endif

#endif
