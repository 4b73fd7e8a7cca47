/* The SBI conformance guest's parts (tests/guests/sbi): shared helpers. */
#ifndef SBI_CHECKS_H
#define SBI_CHECKS_H

#include "guest.h"

#define SBI_EXT_BASE 0x10UL
#define SBI_EXT_TIME 0x54494D45UL
#define SBI_EXT_IPI 0x735049UL
#define SBI_EXT_DBCN 0x4442434EUL
#define SBI_EXT_SUSP 0x53555350UL
#define SBI_EXT_FWFT 0x46574654UL

#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_DENIED -4
#define SBI_ERR_ALREADY_AVAILABLE -6

#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SSTATUS_SIE (1UL << 1)

/* QEMU virt's timebase, natively and in a Vireo DomU alike. */
#define TB_HZ 10000000UL

/* guest_secondary's opaque word: first start, or a resume (cycle n). */
#define OP_WORK 0x5742UL
#define OP_RESUMED 0x52530000UL
#define OP_REBORN 0x52420000UL
#define OP_SUSP 0x53550000UL

#define csr_read(csr)                                                    \
	({                                                               \
		unsigned long v_;                                        \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_)::"memory"); \
		v_;                                                      \
	})
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"r"(v) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"(v) : "memory")
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"(v) : "memory")

static inline uint64_t rdtime(void)
{
	return csr_read(time);
}

static inline uint64_t us_to_tb(uint64_t us)
{
	return us * (TB_HZ / 1000000);
}

void check(bool ok, const char *name, long got);
bool sbi_has(unsigned long ext);
bool wait_flag(volatile unsigned long *flag, uint64_t us);

void time_checks(void);
/* STA: register a steal-time record, and check it afterwards. */
void pmu_checks(void);
void sta_begin(void);
void sta_end(void);
void dbcn_checks(void);
/* HSM: the boot vCPU drives, one secondary (the subject) is driven. */
void hsm_pick_subject(unsigned long boot);
void hsm_driver(void);
bool hsm_is_subject(unsigned long hartid);
void hsm_subject(void);
void hsm_resumed(unsigned long hartid, unsigned long opaque);
/* SUSP: false if not offered; else it suspends and resumes elsewhere. */
bool susp_checks(void);
void susp_park(void);
void susp_resumed(unsigned long hartid, unsigned long opaque);
/* Print SBI-RESULT (and power off if bootargs say poweroff=1). */
void sbi_report(void);

#endif
