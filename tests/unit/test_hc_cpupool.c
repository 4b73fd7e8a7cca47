/*
 * libvireo's cpupool calls against the ABI (abi/vireo_abi.h): the
 * CPUPOOL_OP wrappers of dom0-tools/libvireo/hc.c (which operation in a0,
 * the struct in a1, the hart or domid in a2, a null pool that is full
 * turned into VIREO_EPOOLFULL), and dom0-tools/libvireo/cpupool.c's walk
 * over INFO and its lookup by name or id. /dev/vireo's ioctl is stood in
 * for by fake_ioctl, which plays a hypervisor with a few pools.
 */
#define TEST_NO_PRINTK
#include "test.h"

#include <stdarg.h>

#define ioctl fake_ioctl
#include "../../dom0-tools/libvireo/hc.c"
#undef ioctl
#include "../../dom0-tools/libvireo/cpupool.c"

/* The hypervisor's pools, by id (sparse, as after a destroy). */
static struct vireo_cpupool hv_pools[] = {
	{0, VIREO_SCHED_CREDIT, 0x3, 2, 0, "Pool-0"},
	{2, VIREO_SCHED_NULL, 0x4, 1, 0, "rt"},
	{5, VIREO_SCHED_CREDIT, 0x8, 0, 0, "batch"},
};
#define NR_POOLS (sizeof(hv_pools) / sizeof(hv_pools[0]))

static struct vireo_ioctl_hypercall last; /* the last call, as sent */
static struct vireo_cpupool sent;	  /* its struct, as sent */
static int64_t answer_error, answer_value; /* for calls other than INFO */
static unsigned nr_calls, nr_info;
static int info_broken; /* INFO answers a smaller id than asked */

/* INFO as the ABI says: the pool, or the next larger; else none. */
static void play_info(struct vireo_cpupool *p, struct vireo_ioctl_hypercall *h)
{
	nr_info++;
	for (unsigned i = 0; i < NR_POOLS; i++) {
		if (hv_pools[i].id >= p->id) {
			h->ret_error = 0;
			h->ret_value = hv_pools[i].id != p->id;
			*p = hv_pools[i];
			if (info_broken)
				p->id = 0;
			return;
		}
	}
	h->ret_error = VIREO_EINVAL;
	h->ret_value = 0;
}

int fake_ioctl(int fd, unsigned long req, ...)
{
	struct vireo_ioctl_hypercall *h;
	struct vireo_cpupool *p;
	va_list ap;

	va_start(ap, req);
	h = va_arg(ap, struct vireo_ioctl_hypercall *);
	va_end(ap);
	CHECK_EQ(fd, 42);
	CHECK_EQ(req, VIREO_IOCTL_HYPERCALL);
	nr_calls++;
	last = *h;
	h->ret_error = answer_error;
	h->ret_value = answer_value;
	if (h->fid != VIREO_HC_CPUPOOL_OP)
		return 0;
	CHECK_EQ(h->buf_len, sizeof(struct vireo_cpupool));
	if (h->buf_len != sizeof(struct vireo_cpupool))
		return 0;
	p = (struct vireo_cpupool *)(uintptr_t)h->buf;
	sent = *p;
	if (h->arg[0] == VIREO_CPUPOOL_INFO)
		play_info(p, h);
	else if (h->arg[0] == VIREO_CPUPOOL_CREATE)
		p->id = 7;
	return 0;
}

static struct vireo fake = {.fd = 42};

/* Every call: CPUPOOL_OP, the struct in a1, copied both ways. */
static void check_call(uint32_t op, uint64_t a2)
{
	CHECK_EQ(last.fid, VIREO_HC_CPUPOOL_OP);
	CHECK_EQ(last.arg[0], op);
	CHECK_EQ(last.arg[2], a2);
	CHECK_EQ(last.buf_arg, 1);
	CHECK_EQ(last.flags, VIREO_BUF_IN | VIREO_BUF_OUT);
	CHECK_EQ(sent.pad, 0);
}

static void test_create(void)
{
	uint32_t id = 0;

	answer_error = answer_value = 0;
	CHECK_EQ(vireo_cpupool_create(&fake, "rt2", VIREO_SCHED_NULL, &id), 0);
	check_call(VIREO_CPUPOOL_CREATE, 0);
	CHECK(!strcmp(sent.name, "rt2") && sent.sched == VIREO_SCHED_NULL);
	CHECK_EQ(id, 7);
	/* A name that does not fit, or none: refused here, no call. */
	nr_calls = 0;
	CHECK_EQ(vireo_cpupool_create(&fake, "", 0, &id), VIREO_EINVAL);
	CHECK_EQ(vireo_cpupool_create(&fake, "0123456789012345678901234567890"
					     "1", 0, &id), VIREO_EINVAL);
	CHECK_EQ(nr_calls, 0);
	CHECK_EQ(vireo_cpupool_create(&fake, "0123456789012345678901234567890",
				      0, &id), 0);
	CHECK_EQ(sent.name[31], '\0');
	answer_error = VIREO_EEXIST;
	CHECK_EQ(vireo_cpupool_create(&fake, "rt", 0, &id), VIREO_EEXIST);
}

static void test_ops(void)
{
	answer_error = answer_value = 0;
	CHECK_EQ(vireo_cpupool_destroy(&fake, 5), 0);
	check_call(VIREO_CPUPOOL_DESTROY, 0);
	CHECK_EQ(sent.id, 5);
	CHECK_EQ(vireo_cpupool_cpu_add(&fake, 2, 3), 0);
	check_call(VIREO_CPUPOOL_CPU_ADD, 3);
	CHECK_EQ(sent.id, 2);
	CHECK_EQ(vireo_cpupool_cpu_remove(&fake, 0, 1), 0);
	check_call(VIREO_CPUPOOL_CPU_REMOVE, 1);
	CHECK_EQ(sent.id, 0);
	CHECK_EQ(vireo_cpupool_migrate(&fake, 2, 9), 0);
	check_call(VIREO_CPUPOOL_MIGRATE, 9);
	CHECK_EQ(sent.id, 2);
	/* A full null pool: INVALID_PARAM with value ERR_FULL. */
	answer_error = VIREO_EINVAL;
	answer_value = VIREO_CPUPOOL_ERR_FULL;
	CHECK_EQ(vireo_cpupool_migrate(&fake, 2, 9), VIREO_EPOOLFULL);
	CHECK_EQ(vireo_cpupool_cpu_remove(&fake, 2, 2), VIREO_EPOOLFULL);
	/* INVALID_PARAM alone is not that. */
	answer_value = 0;
	CHECK_EQ(vireo_cpupool_migrate(&fake, 2, 9), VIREO_EINVAL);
	answer_error = VIREO_EDENIED;
	answer_value = VIREO_CPUPOOL_ERR_FULL;
	CHECK_EQ(vireo_cpupool_cpu_add(&fake, 2, 3), VIREO_EDENIED);
	CHECK(strstr(vireo_strerror(VIREO_EPOOLFULL), "null cpupool") != NULL);
	answer_error = answer_value = 0;
}

/* DOMAIN_CREATE into a full null pool says so too. */
static void test_domain_create_full(void)
{
	struct vireo_domain_create c = {.nr_vcpus = 2, .pool = 2};

	answer_error = VIREO_EINVAL;
	answer_value = VIREO_CPUPOOL_ERR_FULL;
	CHECK_EQ(vireo_domain_create_ex(&fake, &c), VIREO_EPOOLFULL);
	CHECK_EQ(last.fid, VIREO_HC_DOMAIN_CREATE);
	answer_value = 0;
	CHECK_EQ(vireo_domain_create_ex(&fake, &c), VIREO_EINVAL);
	answer_error = 0;
}

static void test_info(void)
{
	struct vireo_cpupool p;

	CHECK_EQ(vireo_cpupool_info(&fake, 2, &p), 0);
	check_call(VIREO_CPUPOOL_INFO, 0);
	CHECK_EQ(sent.id, 2);
	CHECK(p.id == 2 && !strcmp(p.name, "rt") && p.harts == 0x4);
	/* No pool 3: the next one. */
	CHECK_EQ(vireo_cpupool_info(&fake, 3, &p), 0);
	CHECK(p.id == 5 && !strcmp(p.name, "batch"));
	CHECK_EQ(vireo_cpupool_info(&fake, 6, &p), VIREO_ENOENT);
	/* An answer that goes back would loop a walk for ever. */
	info_broken = 1;
	CHECK_EQ(vireo_cpupool_info(&fake, 1, &p), VIREO_EFAILED);
	info_broken = 0;
}

static void test_list(void)
{
	struct vireo_cpupool l[VIREO_CPUPOOL_MAX];

	nr_info = 0;
	CHECK_EQ(vireo_cpupool_list(&fake, l, VIREO_CPUPOOL_MAX), 3);
	CHECK_EQ(nr_info, 4); /* 0, 1 (gives 2), 3 (gives 5), 6 (none) */
	CHECK(l[0].id == 0 && l[1].id == 2 && l[2].id == 5);
	CHECK(!strcmp(l[2].name, "batch"));
	/* Fewer slots: the count all the same. */
	memset(l, 0, sizeof(l));
	CHECK_EQ(vireo_cpupool_list(&fake, l, 1), 3);
	CHECK(l[0].id == 0 && l[1].id == 0 && !l[1].name[0]);
	info_broken = 1;
	CHECK_EQ(vireo_cpupool_list(&fake, l, VIREO_CPUPOOL_MAX),
		 VIREO_EFAILED);
	info_broken = 0;
}

static void test_lookup(void)
{
	struct vireo_cpupool p;
	uint32_t s;

	CHECK_EQ(vireo_cpupool_lookup(&fake, "batch", &p), 0);
	CHECK_EQ(p.id, 5);
	CHECK_EQ(vireo_cpupool_lookup(&fake, "2", &p), 0);
	CHECK(!strcmp(p.name, "rt"));
	CHECK_EQ(vireo_cpupool_lookup(&fake, "Pool-0", &p), 0);
	CHECK_EQ(p.id, 0);
	CHECK_EQ(vireo_cpupool_lookup(&fake, "3", &p), VIREO_ENOENT);
	CHECK_EQ(vireo_cpupool_lookup(&fake, "pool-0", &p), VIREO_ENOENT);
	CHECK_EQ(vireo_cpupool_lookup(&fake, "", &p), VIREO_ENOENT);
	CHECK(vireo_cpupool_find(hv_pools, NR_POOLS, "05") == &hv_pools[2]);
	CHECK(vireo_cpupool_find(hv_pools, 2, "batch") == NULL);
	/* The schedulers, both ways. */
	CHECK(!strcmp(vireo_sched_name(VIREO_SCHED_CREDIT), "credit"));
	CHECK(!strcmp(vireo_sched_name(VIREO_SCHED_NULL), "null"));
	CHECK(vireo_sched_name(2) == NULL);
	CHECK(vireo_sched_from_name("null", &s) == 0 && s == VIREO_SCHED_NULL);
	CHECK(vireo_sched_from_name("credit", &s) == 0 && s == 0);
	CHECK_EQ(vireo_sched_from_name("credit2", &s), VIREO_EINVAL);
}

int main(void)
{
	RUN(test_create);
	RUN(test_ops);
	RUN(test_domain_create_full);
	RUN(test_info);
	RUN(test_list);
	RUN(test_lookup);
	TEST_DONE();
}
