/*
 * Host test of the hypercall dispatcher (kernel/core/hypercall.c): who may
 * call what, retired and unknown numbers, and the device-model calls of
 * interface 2.0 decoded before anything acts (check-then-act): a bad
 * buffer or a non-zero output field reaches no ioreq function. The rest of
 * the kernel is stubbed; each stub records that it was called.
 */
#include "test.h"

#include <arch/vcpu_arch.h>
#include "domain.h"
#include "hypercall.h"
#include "ioreq.h"
#include "pcpu.h"

/* ------------------------------------------------------------ host stubs */
struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus = 1;
uint32_t timebase_hz = 10000000;
uint64_t host_total_pages;
struct domain *domains[MAX_DOMAINS];
struct domain *dom0;
struct page_pool dom_pool, hyp_pool;

static struct pcpu *test_this_pcpu(void)
{
	return &pcpus[0];
}
#define this_pcpu() test_this_pcpu()

/* Dom0's RAM, for the buffers a call names: 0x80000000 + 64 KiB. */
#define RAM 0x80000000UL
static uint8_t ram[65536];
static unsigned calls; /* every stub that acts counts here */
static struct {
	uint64_t off, port, id, a, b;
	struct vireo_ioreq_latch latch;
} seen;

bool domain_copy_from(struct domain *d, void *dst, gpa_t src, size_t len)
{
	if (src < RAM || src - RAM + len > sizeof(ram))
		return false;
	memcpy(dst, ram + (src - RAM), len);
	return true;
}
bool domain_copy_to(struct domain *d, gpa_t dst, const void *src, size_t len)
{
	if (dst < RAM || dst - RAM + len > sizeof(ram))
		return false;
	memcpy(ram + (dst - RAM), src, len);
	return true;
}

long ioreq_create(struct domain *d, uint64_t off, uint64_t port, uint32_t *id,
		  uint32_t *domu_port)
{
	calls++;
	seen.off = off;
	seen.port = port;
	*id = 2;
	*domu_port = 7;
	return HC_SUCCESS;
}
long ioreq_map_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size,
		     uint64_t notify_off, uint32_t *first)
{
	calls++;
	seen.id = id;
	seen.a = base;
	seen.b = size;
	*first = 5;
	return HC_SUCCESS;
}
long ioreq_unmap_range(struct domain *d, uint64_t id, gpa_t base, uint64_t size)
{
	calls++;
	return HC_SUCCESS;
}
long ioreq_latch(struct domain *d, uint64_t id,
		 const struct vireo_ioreq_latch *l, uint32_t *index)
{
	calls++;
	seen.latch = *l;
	*index = 3;
	return HC_SUCCESS;
}
long ioreq_complete(struct domain *d, uint64_t id, uint64_t vcpus,
		    uint64_t latches)
{
	calls++;
	seen.id = id;
	seen.a = vcpus;
	seen.b = latches;
	return HC_SUCCESS;
}
long ioreq_destroy(struct domain *d, uint64_t id)
{
	calls++;
	seen.id = id;
	return HC_SUCCESS;
}

/* Everything else the dispatcher may reach: any call here is a failure of
 * the cases below, which never name these functions. */
#define STUB(ret, name, ...)                                                   \
	ret name(__VA_ARGS__)                                                  \
	{                                                                      \
		calls += 1000;                                                 \
		return (ret)0;                                                 \
	}
STUB(uint64_t, direct_extents, struct domain *d, gpa_t g, uint64_t s,
     unsigned m, void (*e)(void *, const struct vireo_extent *), void *c)
STUB(long, direct_map, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, domain_console_rx, struct domain *d, uint8_t c)
STUB(long, domain_control, struct domain *d, uint32_t cmd)
STUB(long, domain_pause, struct domain *d)
STUB(long, domain_unpause, struct domain *d)
STUB(void *, domain_ram_page, struct domain *d, gpa_t g, size_t l)
STUB(size_t, domain_ring_read, struct domain *d, char *b, size_t l)
STUB(long, domain_trigger, struct domain *d, unsigned long t)
STUB(long, foreign_map, struct domain *d, gpa_t g, uint64_t s, uint64_t o)
STUB(long, foreign_unmap, uint64_t o, uint64_t s)
STUB(size_t, log_read_at, uint64_t o, char *b, size_t l)
STUB(uint64_t, log_written, void)
STUB(long, memory_populate, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, memory_populated, struct domain *d, gpa_t g, uint64_t s)
STUB(bool, p2m_lookup, const struct p2m *p, gpa_t g, paddr_t *pa,
     unsigned long *prot)
STUB(bool, vcpu_start, struct vcpu *v, unsigned long pc, unsigned long a0,
     unsigned long a1)
struct hc_ret evtchn_hypercall(struct vcpu *v, unsigned long f)
{
	calls += 1000;
	return (struct hc_ret){0, 0};
}
long domain_destroy(struct domain *d, bool *more)
{
	calls += 1000;
	*more = false;
	return HC_ERR_FAILED;
}
long domain_release(struct domain *d, bool *more)
{
	calls += 1000;
	*more = false;
	return HC_ERR_FAILED;
}
long domu_create(uint32_t n, uint64_t b, struct domain **o)
{
	calls += 1000;
	*o = NULL;
	return HC_ERR_FAILED;
}
void domain_getinfo(struct domain *d, struct vireo_domain_info *i)
{
	calls += 1000;
}

static unsigned domctl_depth;
void domctl_lock(void)
{
	domctl_depth++;
}
void domctl_unlock(void)
{
	domctl_depth--;
}

struct domain *domain_by_id(unsigned id)
{
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (domains[i] && domains[i]->id == id)
			return domains[i];
	return NULL;
}
static int refs;
struct domain *domain_get(unsigned id)
{
	struct domain *d = domain_by_id(id);

	if (!d || d->dying)
		return NULL;
	refs++;
	return d;
}
void domain_put(struct domain *d)
{
	refs--;
}
struct vcpu *domain_vcpu(struct domain *d, unsigned long i)
{
	return i < d->nr_vcpus ? d->vcpus[i] : NULL;
}

#include "../../kernel/core/hypercall.c"

/* ---------------------------------------------------------------- set-up */
static struct domain D0, U;
static struct vcpu V0, VU;

static void setup(void)
{
	memset(&D0, 0, sizeof(D0));
	memset(&U, 0, sizeof(U));
	memset(ram, 0, sizeof(ram));
	memset(&seen, 0, sizeof(seen));
	memset(domains, 0, sizeof(domains));
	memset(pcpus, 0, sizeof(pcpus));
	D0.is_dom0 = true;
	V0.dom = &D0;
	U.id = 4;
	U.nr_vcpus = 1;
	U.vcpus[0] = &VU;
	VU.dom = &U;
	domains[0] = dom0 = &D0;
	domains[1] = &U;
	calls = 0;
}

/* A hypercall from v with arguments a0..a5. */
static struct hc_ret call(struct vcpu *v, unsigned long fid, uint64_t a0,
			  uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	v->regs.x[10] = a0;
	v->regs.x[11] = a1;
	v->regs.x[12] = a2;
	v->regs.x[13] = a3;
	v->regs.x[14] = a4;
	return hypercall(v, fid);
}

/* ----------------------------------------------------------------- cases */

/* Retired and unknown numbers are not supported; a DomU gets DENIED for
 * Dom0's calls; nothing acts. */
static void test_numbers(void)
{
	static const unsigned long retired[] = {15, 24, 25, 26, 27, 28};

	setup();
	for (unsigned i = 0; i < ARRAY_SIZE(retired); i++)
		CHECK_EQ(call(&V0, retired[i], 4, 0, 0, 0, 0).error,
			 HC_ERR_NOT_SUPPORTED);
	CHECK_EQ(call(&V0, VIREO_HC_MAX + 1, 4, 0, 0, 0, 0).error,
		 HC_ERR_NOT_SUPPORTED);
	CHECK_EQ(call(&V0, ~0UL, 4, 0, 0, 0, 0).error, HC_ERR_NOT_SUPPORTED);
	for (unsigned long f = VIREO_HC_IOREQ_CREATE;
	     f <= VIREO_HC_IOREQ_DESTROY; f++)
		CHECK_EQ(call(&VU, f, 4, 0, 0, 0, 0).error, HC_ERR_DENIED);
	CHECK_EQ(call(&V0, VIREO_HC_VERSION, 0, 0, 0, 0, 0).value,
		 VIREO_INTERFACE_VERSION);
	CHECK_EQ(calls, 0);
	CHECK(domctl_depth == 0 && refs == 0);
}

/* IOREQ_CREATE copies its struct in, checks it, acts, copies it out. */
static void test_ioreq_create(void)
{
	struct vireo_ioreq_server s = {.page_off = 0x5000, .dom0_port = 9};
	const gpa_t at = RAM + 0x100;

	setup();
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK(calls == 1 && seen.off == 0x5000 && seen.port == 9);
	memcpy(&s, ram + 0x100, sizeof(s));
	CHECK(s.id == 2 && s.domu_port == 7);
	/* Output fields and padding must come in zero. */
	s = (struct vireo_ioreq_server){.page_off = 0x5000, .id = 1};
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	s = (struct vireo_ioreq_server){._pad = 1};
	memcpy(ram + 0x100, &s, sizeof(s));
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	/* Not Dom0's RAM, or across a page: nothing is created. */
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 4, 0x1000, 0, 0, 0).error,
		 HC_ERR_INVALID_ADDRESS);
	CHECK_EQ(
	    call(&V0, VIREO_HC_IOREQ_CREATE, 4, RAM + 4096 - 8, 0, 0, 0).error,
	    HC_ERR_INVALID_ADDRESS);
	CHECK_EQ(calls, 1);
	/* No such domain, Dom0 itself, or a dying one. */
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 5, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_CREATE, 0, at, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	U.dying = true;
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_MAP_RANGE, 4, 0, 0, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(calls, 1);
	CHECK(domctl_depth == 0 && refs == 0);
}

/* The other device-model calls pass their arguments through; LATCH's
 * struct comes from a buffer; COMPLETE runs on the data path (a
 * reference, no domctl lock). */
static void test_ioreq_calls(void)
{
	struct vireo_ioreq_latch l = {
	    .read_addr = 0x10001060, .width = 4, .line = 11};
	struct hc_ret r;

	setup();
	r = call(&V0, VIREO_HC_IOREQ_MAP_RANGE, 4, 1, 0x10001000, 0x2000, 0x50);
	CHECK(r.error == HC_SUCCESS && r.value == 5);
	CHECK(seen.id == 1 && seen.a == 0x10001000 && seen.b == 0x2000);
	memcpy(ram + 0x200, &l, sizeof(l));
	r = call(&V0, VIREO_HC_IOREQ_LATCH, 4, 1, RAM + 0x200, 0, 0);
	CHECK(r.error == HC_SUCCESS && r.value == 3);
	CHECK(seen.latch.read_addr == 0x10001060 && seen.latch.line == 11);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_LATCH, 4, 1, 0x10, 0, 0).error,
		 HC_ERR_INVALID_ADDRESS);
	r = call(&V0, VIREO_HC_IOREQ_COMPLETE, 4, 1, 0x1, 0x4, 0);
	CHECK(r.error == HC_SUCCESS && seen.a == 1 && seen.b == 4);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_UNMAP_RANGE, 4, 1, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_DESTROY, 4, 1, 0, 0, 0).error,
		 HC_SUCCESS);
	CHECK_EQ(calls, 5);
	CHECK_EQ(pcpus[0].stats.hcall[VIREO_HC_IOREQ_COMPLETE], 1);
	/* COMPLETE on a dying domain: no reference to be had. */
	U.dying = true;
	CHECK_EQ(call(&V0, VIREO_HC_IOREQ_COMPLETE, 4, 1, 1, 0, 0).error,
		 HC_ERR_INVALID_PARAM);
	CHECK_EQ(calls, 5);
	CHECK(domctl_depth == 0 && refs == 0);
}

int main(void)
{
	RUN(test_numbers);
	RUN(test_ioreq_create);
	RUN(test_ioreq_calls);
	TEST_DONE();
}
