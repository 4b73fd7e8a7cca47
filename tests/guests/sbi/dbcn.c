/*
 * SBI DBCN (2.0), when offered: a write of memory the guest owns comes out
 * on its console; a range that is not wholly its RAM is INVALID_PARAM and
 * writes nothing (the test runner checks the console for the marker).
 */
#include "sbi_checks.h"

#define DBCN_WRITE 0
#define DBCN_WRITE_BYTE 2

static const char hello[] = "DBCN-HELLO-WRITE\n";

static struct sbiret dbcn_write(unsigned long n, unsigned long addr,
				unsigned long hi)
{
	return sbi_call(SBI_EXT_DBCN, DBCN_WRITE, n, addr, hi, 0, 0, 0);
}

/*
 * A range that starts in RAM and runs 100 bytes past its end: nothing is
 * written, though the first bytes one call would take are all RAM.
 */
static void straddle_end(void)
{
	static const char leak[] = "DBCN-LEAK-END!!";
	unsigned long end = guest.ram_base + guest.ram_size;
	char *p = (char *)(end - 100);

	memcpy(p, leak, sizeof(leak));
	struct sbiret r = dbcn_write(200, (unsigned long)p, 0);
	check(r.error == SBI_ERR_INVALID_PARAM && r.value == 0,
	      "dbcn.straddle_end_invalid", r.error);
}

void dbcn_checks(void)
{
	struct sbiret r;

	if (!sbi_has(SBI_EXT_DBCN)) {
		guest_printf("SBI-INFO dbcn absent\n");
		return;
	}
	r = dbcn_write(sizeof(hello) - 1, (unsigned long)hello, 0);
	check(r.error == 0 && r.value == (long)sizeof(hello) - 1,
	      "dbcn.write", r.value);
	r = sbi_call(SBI_EXT_DBCN, DBCN_WRITE_BYTE, '\n', 0, 0, 0, 0, 0);
	check(r.error == 0, "dbcn.write_byte", r.error);
	straddle_end();
	r = dbcn_write(16, guest.ram_base - 8, 0);
	check(r.error == SBI_ERR_INVALID_PARAM && r.value == 0,
	      "dbcn.straddle_start_invalid", r.error);
	r = dbcn_write(4, (unsigned long)hello, 1);
	check(r.error == SBI_ERR_INVALID_PARAM, "dbcn.base_hi_invalid", r.error);
	r = dbcn_write(~0UL, (unsigned long)hello, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "dbcn.wrap_invalid", r.error);
}
