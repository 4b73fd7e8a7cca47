/*
 * Vireo's hypercalls as one more SBI extension (VIREO_SBI_EXT): a6 holds
 * the function, a0..a5 the arguments; the core's hypercall() does the rest.
 */
#include <arch/sbi.h>

#include "hypercall.h"
#include "vcpu.h"
#include "vireo_abi.h"

/* The ABI promises SBI error codes: the core's must be those. */
_Static_assert(HC_SUCCESS == SBI_SUCCESS && HC_ERR_FAILED == SBI_ERR_FAILED &&
		   HC_ERR_NOT_SUPPORTED == SBI_ERR_NOT_SUPPORTED &&
		   HC_ERR_INVALID_PARAM == SBI_ERR_INVALID_PARAM &&
		   HC_ERR_DENIED == SBI_ERR_DENIED &&
		   HC_ERR_INVALID_ADDRESS == SBI_ERR_INVALID_ADDRESS &&
		   HC_ERR_ALREADY_AVAILABLE == SBI_ERR_ALREADY_AVAILABLE,
	       "hypercall error codes");

static struct sbi_ret vireo_handle(struct vcpu *v, unsigned long fid)
{
	struct hc_ret r = hypercall(v, fid);

	return (struct sbi_ret){r.error, r.value};
}

const struct sbi_ext sbi_ext_vireo = {
    .name = "VIREO",
    .eid_start = VIREO_SBI_EXT,
    .eid_end = VIREO_SBI_EXT,
    .handle = vireo_handle,
};
