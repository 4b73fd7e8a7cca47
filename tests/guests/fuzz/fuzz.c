/*
 * Hypercall and SBI fuzzer (issue 8): seeded random calls over every SBI
 * extension Vireo knows, the ones it does not, and every Vireo function,
 * on all vCPUs at once, with arguments biased to edge values: 0, ~0,
 * 1 << 63, addresses inside and just outside its RAM, just below 4 GiB,
 * huge lengths, small numbers (ports, domids, hart ids).
 *
 * Only the calls that would end or stop the fuzzer itself are left out:
 * SRST, SUSP, legacy shutdown, HSM hart_stop and hart_suspend. Every
 * other call must return an error code from the SBI specification's list
 * (legacy extensions return a value, which is only counted). The result,
 * with a histogram of codes per extension, goes to the console:
 *
 *   FUZZ-RESULT calls=N bad=B faults=F
 *
 * bootargs: seed=S calls=N (over all vCPUs).
 */
#include "guest.h"
#include "vireo_abi.h"

/* Where the calls point inside RAM: a quarter the harness leaves alone,
 * clear of the image below and the device tree at the top. */
#define SCRATCH_OFF(g) ((g)->ram_size / 2)
#define SCRATCH_LEN(g) ((g)->ram_size / 4)

enum { L_LEGACY, L_BASE, L_TIME, L_IPI, L_RFENCE, L_HSM, L_PMU, L_DBCN,
       L_STA, L_CPPC, L_NACL, L_FWFT, L_VIREO, L_RANDOM, NR_EXT };

static const char *const ext_name[NR_EXT] = {
	"legacy", "base", "time", "ipi", "rfence", "hsm", "pmu", "dbcn",
	"sta", "cppc", "nacl", "fwft", "vireo", "random-eid",
};
static const unsigned long ext_id[NR_EXT] = {
	0, 0x10, 0x54494D45, 0x735049, 0x52464E43, SBI_EXT_HSM, 0x504D55,
	0x4442434E, 0x535441, 0x43505043, 0x4E41434C, 0x46574654,
	VIREO_SBI_EXT, 0,
};

/* Error codes 0 (success) .. -13 (SBI_ERR_IO), SBI 2.0 table 1. */
#define NR_CODES 14
#define BAD NR_CODES

struct stats {
	unsigned long calls, legacy, code[NR_EXT][NR_CODES + 1];
	unsigned long bad_ext, bad_fid, bad_err; /* the last bad call */
};

static struct stats st[GUEST_MAX_HARTS];
static volatile unsigned long harts_done;
static uint64_t per_hart, seed;

static bool excluded(unsigned long ext, unsigned long fid)
{
	return ext == SBI_EXT_SRST || ext == 0x53555350 /* SUSP */ ||
	       ext == 0x08 /* legacy shutdown */ ||
	       (ext == SBI_EXT_HSM && (fid == 1 || fid == 3));
}

/* An argument: an edge value most of the time, else anything. */
static unsigned long arg(uint64_t *s)
{
	unsigned long ram = guest.ram_base, size = guest.ram_size;
	uint64_t r = guest_rand(s);

	switch (r % 16) {
	case 0: return 0;
	case 1: return ~0UL;
	case 2: return 1UL << 63;
	case 3: return r >> 60; /* small: ports, ids, harts, fids */
	case 4: return (r >> 8) % 32;
	case 5: /* inside its RAM, in the part the harness does not use */
		return ram + SCRATCH_OFF(&guest) + (r >> 16) % SCRATCH_LEN(&guest);
	case 6: return (ram + SCRATCH_OFF(&guest) + (r >> 16) % SCRATCH_LEN(&guest)) & ~4095UL;
	case 7: return ram + size;          /* just past it */
	case 8: return ram + size - 1 - (r >> 60);
	case 9: return ram - 4096;          /* just below it */
	case 10: return 0xfffff000UL;       /* just below 4 GiB */
	case 11: return 0x100000000UL;
	case 12: return 1UL << (r >> 58);   /* huge lengths, powers of two */
	case 13: return 0x80000000UL + ((r >> 20) & 0xfffffff); /* host RAM range */
	default: return guest_rand(s);
	}
}

static unsigned long pick_fid(unsigned e, uint64_t *s)
{
	uint64_t r = guest_rand(s);

	if (e == L_VIREO)
		return r % 40; /* every function and some past the last */
	if (e == L_RANDOM || r % 8 == 0)
		return arg(s);
	return r % 8;
}

static void record(struct stats *t, unsigned e, unsigned long ext,
		   unsigned long fid, long err)
{
	unsigned long code = (unsigned long)-err;

	t->calls++;
	if (code > NR_CODES - 1) {
		t->code[e][BAD]++;
		t->bad_ext = ext;
		t->bad_fid = fid;
		t->bad_err = (unsigned long)err;
		return;
	}
	t->code[e][code]++;
}

static void one_call(struct stats *t, uint64_t *s)
{
	unsigned e = (unsigned)(guest_rand(s) % NR_EXT);
	unsigned long ext = ext_id[e], fid = pick_fid(e, s), a[6];
	struct sbiret r;

	if (e == L_LEGACY)
		ext = guest_rand(s) % 9;
	else if (e == L_RANDOM)
		ext = arg(s);
	if (excluded(ext, fid))
		return;
	for (unsigned i = 0; i < 6; i++)
		a[i] = arg(s);
	r = sbi_call(ext, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ext <= 0x0f) {
		t->calls++;
		t->legacy++; /* a value, not an error code */
		return;
	}
	record(t, e, ext, fid, r.error);
}

static void fuzz(unsigned long hartid)
{
	struct stats *t = &st[hartid];
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + hartid + 1;

	while (t->calls < per_hart)
		one_call(t, &s);
	__atomic_add_fetch(&harts_done, 1, __ATOMIC_RELEASE);
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	fuzz(hartid);
}

static void report(void)
{
	unsigned long calls = 0, legacy = 0, bad = 0, faults = 0;

	for (unsigned e = 0; e < NR_EXT; e++) {
		unsigned long n[NR_CODES + 1] = {0};
		for (unsigned h = 0; h < guest.nr_harts; h++)
			for (unsigned c = 0; c <= NR_CODES; c++)
				n[c] += st[h].code[e][c];
		guest_printf("FUZZ-HIST %s", ext_name[e]);
		for (unsigned c = 0; c < NR_CODES; c++)
			if (n[c])
				guest_printf(" %d:%lu", -(int)c, n[c]);
		guest_printf(" bad:%lu\n", n[BAD]);
		bad += n[BAD];
	}
	for (unsigned h = 0; h < guest.nr_harts; h++) {
		calls += st[h].calls;
		legacy += st[h].legacy;
		faults += guest_faults[h].count;
		if (st[h].bad_err)
			guest_printf("FUZZ-BAD hart %u ext %lx fid %lx err %ld\n",
				     h, st[h].bad_ext, st[h].bad_fid,
				     (long)st[h].bad_err);
	}
	guest_printf("FUZZ-RESULT calls=%lu legacy=%lu bad=%lu faults=%lu "
		     "harts=%u seed=%lu\n", calls, legacy, bad, faults,
		     guest.nr_harts, (unsigned long)seed);
}

void guest_main(unsigned long hartid)
{
	uint64_t total = guest_arg("calls=", 100000);

	if (!guest.ram_size) {
		guest_printf("FUZZ-ERROR no /memory in the device tree\n");
		return;
	}
	seed = guest_arg("seed=", 1);
	per_hart = total / (guest.nr_harts ? guest.nr_harts : 1);
	/* Printable bytes where the calls point, so DBCN writes stay legible. */
	memset((char *)(guest.ram_base + SCRATCH_OFF(&guest)), '.',
	       SCRATCH_LEN(&guest));
	guest_printf("FUZZ-START harts=%u calls=%lu seed=%lu ram=%lx+%lx\n",
		     guest.nr_harts, (unsigned long)total, (unsigned long)seed,
		     guest.ram_base, guest.ram_size);
	guest_start_secondaries(0);
	fuzz(hartid);
	while (__atomic_load_n(&harts_done, __ATOMIC_ACQUIRE) < guest.nr_harts)
		;
	report();
}
