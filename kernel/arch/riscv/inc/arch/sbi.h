/*
 * The SBI that guests see (SBI spec 1.0 plus DBCN from 2.0). One file per
 * extension (sbi_<ext>.c), each exporting a struct sbi_ext; sbi.c walks the
 * table. The hypercall extension is one more entry.
 */
#ifndef VIREO_SBI_H
#define VIREO_SBI_H

#include "types.h"

struct vcpu;

/* Standard SBI error codes */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8
/* Not an SBI code: the fast path hands the call to the slow path. */
#define SBI_FAST_DECLINE 1

/* Extension IDs */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45  /* "TIME" */
#define SBI_EXT_IPI 0x735049     /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC" */
#define SBI_EXT_HSM 0x48534D     /* "HSM" */
#define SBI_EXT_SRST 0x53525354  /* "SRST" */
#define SBI_EXT_DBCN 0x4442434E  /* "DBCN" */
#define SBI_EXT_SUSP 0x53555350  /* "SUSP" */
#define SBI_EXT_STA 0x535441     /* "STA" */
#define SBI_EXT_PMU 0x504D55     /* "PMU" */

/* 2.0: DBCN (and later SUSP, STA) exist only from 2.0 for a guest. */
#define SBI_SPEC_VERSION ((2UL << 24) | 0)
/* Vireo's SBI implementation ID: "VR", outside the registered range. */
#define SBI_IMPL_ID_VIREO 0x5652
#define SBI_IMPL_VERSION 1

struct sbi_ret {
	long error;
	long value;
};

struct sbi_ext {
	const char *name;
	unsigned long eid_start, eid_end;
	bool legacy; /* legacy calls return one value, in a0 */
	/*
	 * Handle function fid with the arguments in a0..a5. The result comes
	 * back in registers (a two-word struct), which keeps the VS-ecall fast
	 * path free of memory traffic. A handler may change the vCPU's state
	 * (stop, block); the slow path reschedules after every call.
	 */
	struct sbi_ret (*handle)(struct vcpu *v, unsigned long fid);
};

extern const struct sbi_ext *const sbi_exts[];
const struct sbi_ext *sbi_find_ext(unsigned long eid);

/* Handle the VS ecall of v: sets a0 (and a1 unless legacy). The caller
 * advances sepc. */
void sbi_ecall(struct vcpu *v);

/* Arguments of the current call (a0..a5). */
#define SBI_ARG(v, n) ((v)->regs.x[10 + (n)])

/*
 * Check an SBI hart mask (hart_mask, hart_mask_base) against a domain of
 * nr_vcpus; on success *out is the mask of vCPUs it names (bit i = vCPU i).
 */
long sbi_hart_mask(unsigned long mask, unsigned long base, unsigned nr_vcpus,
		   unsigned long *out);

extern const struct sbi_ext sbi_ext_base, sbi_ext_time, sbi_ext_ipi,
	sbi_ext_rfence, sbi_ext_hsm, sbi_ext_srst, sbi_ext_dbcn,
	sbi_ext_susp, sbi_ext_sta, sbi_ext_pmu, sbi_ext_legacy, sbi_ext_vireo;

/* Whether v's domain offers ext (BASE probe): SUSP and PMU are DomUs'. */
bool sbi_ext_offered(const struct sbi_ext *ext, const struct vcpu *v);

struct domain;
/* A start or resume address (HSM, SUSP): executable guest RAM. */
bool sbi_entry_ok(struct domain *d, unsigned long pc);

/* What BASE reports as mvendorid, marchid, mimpid (the host's, at boot). */
void sbi_base_set_machine_ids(unsigned long mvendorid, unsigned long marchid,
			      unsigned long mimpid);

/* Host-side actions the SBI layer needs (arch or core provides them). */
void host_system_reset(unsigned long type, unsigned long reason)
	__attribute__((noreturn));

#endif
