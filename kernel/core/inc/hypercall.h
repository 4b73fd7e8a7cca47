/*
 * Hypercalls as the core sees them. The architecture decodes the trap
 * (on RISC-V an SBI call with a7 = VIREO_SBI_EXT: arch/riscv/sbi/) and
 * calls hypercall(); the arguments are read with hc_arg() and the result
 * goes back as a struct hc_ret. The error codes are the ABI's (abi/:
 * the SBI error codes, which the arch glue checks at build time).
 */
#ifndef VIREO_HYPERCALL_H
#define VIREO_HYPERCALL_H

#include "types.h"

struct vcpu;

#define HC_SUCCESS 0
#define HC_ERR_FAILED -1
#define HC_ERR_NOT_SUPPORTED -2
#define HC_ERR_INVALID_PARAM -3
#define HC_ERR_DENIED -4
#define HC_ERR_INVALID_ADDRESS -5
#define HC_ERR_ALREADY_AVAILABLE -6

struct hc_ret {
	long error;
	long value;
};

/* Handle hypercall fid of v (the VIREO_HC_* of abi/vireo_abi.h). */
struct hc_ret hypercall(struct vcpu *v, unsigned long fid);
/* The event-channel calls, open to every domain (evtchn_glue.c). */
struct hc_ret evtchn_hypercall(struct vcpu *v, unsigned long fid);
/* The scheduling calls, Dom0 only, under the domctl lock (schedctl.c). */
struct hc_ret schedctl_hypercall(struct vcpu *v, unsigned long fid);
/* Copy a Dom0 buffer in or out: RAM, within one page, at most a page. */
bool hc_copy_in(void *dst, gpa_t gpa, size_t len);
bool hc_copy_out(gpa_t gpa, const void *src, size_t len);

/* Argument n (0..5) of v's current hypercall. */
#define hc_arg(v, n) hc_arg_arch((v), (n))

#include <arch/hypercall.h>

#endif
