/*
 * SBI DBCN (debug console, SBI 2.0): writes go to the domain's console;
 * reads return nothing, since console input belongs to the vUART.
 */
#include <arch/sbi.h>

#include "domain.h"

#define DBCN_WRITE 0
#define DBCN_READ 1
#define DBCN_WRITE_BYTE 2
/*
 * Bytes one call writes at most. The call runs with the hart's interrupts
 * off, and the spec lets it write fewer bytes than asked (the guest loops
 * on the count in sbiret.value), so a guest cannot hold the hart for a
 * copy of its whole RAM.
 */
#define DBCN_WRITE_MAX 256

/*
 * The spec's INVALID_PARAM is for "the memory pointed to by the num_bytes
 * and base_addr parameters does not satisfy the requirements": the whole
 * range is checked, not just the part one call writes, and a failed call
 * writes nothing (the bytes are copied out before any reaches the console).
 */
static long dbcn_write(struct vcpu *v, unsigned long n, gpa_t gpa, long *done)
{
	struct domain *d = v->dom;
	char buf[DBCN_WRITE_MAX];
	size_t len = MIN(n, sizeof(buf));

	*done = 0;
	if (!n)
		return SBI_SUCCESS;
	if (gpa < d->ram_base || n > d->ram_size ||
	    gpa - d->ram_base > d->ram_size - n)
		return SBI_ERR_INVALID_PARAM;
	if (!domain_copy_from(d, buf, gpa, len))
		return SBI_ERR_INVALID_PARAM;
	/* A full ring takes fewer (even 0): the guest loops on the count. */
	*done = (long)domain_console_write_room(d, buf, len);
	return SBI_SUCCESS;
}

static struct sbi_ret dbcn_handle(struct vcpu *v, unsigned long fid)
{
	struct sbi_ret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	char c;

	ret.value = 0;
	switch (fid) {
	case DBCN_WRITE:
		/* RV64: the address is a0 (base_lo); base_hi must be 0. */
		if (SBI_ARG(v, 2)) {
			ret.error = SBI_ERR_INVALID_PARAM;
			break;
		}
		ret.error = dbcn_write(v, SBI_ARG(v, 0), SBI_ARG(v, 1),
					&ret.value);
		break;
	case DBCN_READ:
		ret.error = SBI_ARG(v, 2) ? SBI_ERR_INVALID_PARAM : SBI_SUCCESS;
		break;
	case DBCN_WRITE_BYTE:
		c = (char)SBI_ARG(v, 0);
		/* It cannot wait for room: FAILED rather than a lost byte. */
		ret.error = domain_console_write_room(v->dom, &c, 1)
				    ? SBI_SUCCESS
				    : SBI_ERR_FAILED;
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
	}
	return ret;
}

const struct sbi_ext sbi_ext_dbcn = {
	.name = "DBCN",
	.eid_start = SBI_EXT_DBCN,
	.eid_end = SBI_EXT_DBCN,
	.handle = dbcn_handle,
};
