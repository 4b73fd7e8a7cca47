/*
 * libvireo's scheduling wrappers (dom0-tools/libvireo/hc.c:
 * vireo_vcpu_info, vireo_vcpu_affinity, vireo_sched_credit,
 * vireo_sched_credit_params) against the ABI (abi/vireo_abi.h): which
 * function, which argument carries the buffer, how long it is, which way
 * it is copied, and how the hypervisor's answer comes back. /dev/vireo's
 * ioctl is stood in for by fake_ioctl, which plays the hypervisor.
 */
#define TEST_NO_PRINTK
#include "test.h"

#include <stdarg.h>

#define ioctl fake_ioctl
#include "../../dom0-tools/libvireo/hc.c"
#undef ioctl

static struct vireo_ioctl_hypercall last; /* the last call, as sent */
static unsigned char sent[VIREO_BUF_MAX]; /* its buffer, as sent */
static int64_t answer_error, answer_value;
/* What the "hypervisor" writes into the buffer (when flags ask for it). */
static unsigned char reply[VIREO_BUF_MAX];
static unsigned nr_calls;

int fake_ioctl(int fd, unsigned long req, ...)
{
	struct vireo_ioctl_hypercall *h;
	va_list ap;

	va_start(ap, req);
	h = va_arg(ap, struct vireo_ioctl_hypercall *);
	va_end(ap);
	CHECK_EQ(fd, 42);
	CHECK_EQ(req, VIREO_IOCTL_HYPERCALL);
	nr_calls++;
	last = *h;
	CHECK(h->buf_len <= VIREO_BUF_MAX);
	if (h->buf && h->buf_len <= VIREO_BUF_MAX) {
		memcpy(sent, (void *)(uintptr_t)h->buf, h->buf_len);
		if (h->flags & VIREO_BUF_OUT)
			memcpy((void *)(uintptr_t)h->buf, reply, h->buf_len);
	}
	h->ret_error = answer_error;
	h->ret_value = answer_value;
	return 0;
}

static struct vireo fake = {.fd = 42};

static void test_vcpu_info(void)
{
	struct vireo_vcpu_info want = {1, 3, VIREO_VCPUSTATE_ONLINE, 0, 77,
				       0x3, 0xf};
	struct vireo_vcpu_info info[200];

	memset(reply, 0, sizeof(reply));
	memcpy(reply + sizeof(want), &want, sizeof(want));
	answer_error = 0;
	answer_value = 2;
	CHECK_EQ(vireo_vcpu_info(&fake, 5, info, 8), 2);
	CHECK_EQ(last.fid, VIREO_HC_VCPU_INFO);
	CHECK(last.arg[0] == 5 && last.arg[2] == 8);
	CHECK_EQ(last.buf_arg, 1);
	CHECK_EQ(last.buf_len, 8 * sizeof(info[0]));
	CHECK_EQ(last.flags, VIREO_BUF_OUT);
	CHECK(!memcmp(&info[1], &want, sizeof(want)));
	/* No more than a page: the count asked for is capped with it. */
	CHECK_EQ(vireo_vcpu_info(&fake, 5, info, 200), 2);
	CHECK_EQ(last.arg[2], VIREO_BUF_MAX / sizeof(info[0]));
	CHECK_EQ(last.buf_len,
		 VIREO_BUF_MAX / sizeof(info[0]) * sizeof(info[0]));
	/* No such domain; other errors as they are. */
	answer_error = VIREO_EINVAL;
	CHECK_EQ(vireo_vcpu_info(&fake, 99, info, 8), VIREO_ENOENT);
	answer_error = VIREO_EDENIED;
	CHECK_EQ(vireo_vcpu_info(&fake, 1, info, 8), VIREO_EDENIED);
	answer_error = 0;
	answer_value = -1;
	CHECK_EQ(vireo_vcpu_info(&fake, 1, info, 8), VIREO_EFAILED);
}

static void test_affinity(void)
{
	answer_error = 0;
	CHECK_EQ(vireo_vcpu_affinity(&fake, 3, 1, 0x5, 0xa,
				     VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT),
		 0);
	CHECK_EQ(last.fid, VIREO_HC_VCPU_AFFINITY);
	CHECK(last.arg[0] == 3 && last.arg[1] == 1 && last.arg[2] == 0x5 &&
	      last.arg[3] == 0xa);
	CHECK_EQ(last.arg[4], VIREO_AFFINITY_HARD | VIREO_AFFINITY_SOFT);
	CHECK(last.buf_arg == VIREO_BUF_NONE && last.buf_len == 0);
	answer_error = VIREO_EINVAL;
	CHECK_EQ(vireo_vcpu_affinity(&fake, 3, 9, 1, 0, VIREO_AFFINITY_HARD),
		 VIREO_EINVAL);
	answer_error = 0;
}

static void test_credit(void)
{
	struct vireo_sched_credit sc = {512, 50}, out = {300, 20};
	struct vireo_sched_credit_params p = {5000, 0, 0, 0},
					 now = {5000, 0, 10000, 0};

	memcpy(reply, &out, sizeof(out));
	CHECK_EQ(vireo_sched_credit(&fake, 4, &sc, VIREO_SCHED_SET_CAP), 0);
	CHECK_EQ(last.fid, VIREO_HC_SCHED_CREDIT);
	CHECK(last.arg[0] == 4 && last.arg[2] == VIREO_SCHED_SET_CAP);
	CHECK(last.buf_arg == 1 && last.buf_len == sizeof(sc));
	CHECK_EQ(last.flags, VIREO_BUF_IN | VIREO_BUF_OUT);
	CHECK(!memcmp(sent, &(struct vireo_sched_credit){512, 50},
		      sizeof(sc)));
	CHECK(sc.weight == 300 && sc.cap == 20); /* the values in force */
	memcpy(reply, &now, sizeof(now));
	p.pad = 7; /* padding goes out as zero */
	CHECK_EQ(vireo_sched_credit_params(&fake, 0, &p,
					   VIREO_SCHED_SET_PARAMS),
		 0);
	CHECK_EQ(last.fid, VIREO_HC_SCHED_CREDIT_PARAMS);
	CHECK(last.arg[0] == 0 && last.arg[2] == VIREO_SCHED_SET_PARAMS);
	CHECK(last.buf_arg == 1 && last.buf_len == sizeof(p));
	CHECK_EQ(last.flags, VIREO_BUF_IN | VIREO_BUF_OUT);
	CHECK_EQ(((struct vireo_sched_credit_params *)sent)->pad, 0);
	CHECK_EQ(((struct vireo_sched_credit_params *)sent)->tslice_us, 5000);
	CHECK_EQ(p.tick_us, 10000);
	answer_error = VIREO_EINVAL;
	CHECK_EQ(vireo_sched_credit(&fake, 4, &sc, 0), VIREO_EINVAL);
	answer_error = 0;
}

int main(void)
{
	RUN(test_vcpu_info);
	RUN(test_affinity);
	RUN(test_credit);
	TEST_DONE();
}
