/*
 * A tiny unit-test harness for host builds of kernel/ and tool code. Each
 * tests/unit/test_*.c is one program: it includes the .c files under test,
 * runs its cases with RUN(), and exits non-zero if any CHECK failed.
 */
#ifndef VIREO_TEST_H
#define VIREO_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(c)                                                             \
	do {                                                                 \
		test_checks++;                                               \
		if (!(c)) {                                                  \
			test_failures++;                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",         \
				__FILE__, __LINE__, #c);                     \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		unsigned long long a_ = (unsigned long long)(a);             \
		unsigned long long b_ = (unsigned long long)(b);             \
		test_checks++;                                               \
		if (a_ != b_) {                                              \
			test_failures++;                                     \
			fprintf(stderr,                                      \
				"%s:%d: CHECK_EQ failed: %s == %s "          \
				"(0x%llx != 0x%llx)\n",                      \
				__FILE__, __LINE__, #a, #b, a_, b_);         \
		}                                                            \
	} while (0)

#define RUN(fn)                                                              \
	do {                                                                 \
		int before_ = test_failures;                                 \
		fn();                                                        \
		printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", \
		       #fn);                                                 \
	} while (0)

#define TEST_DONE()                                                          \
	do {                                                                 \
		printf("%d checks, %d failed\n", test_checks, test_failures); \
		return test_failures ? 1 : 0;                                \
	} while (0)

/* Host stand-ins for the hypervisor log, so kernel code links. */
#ifndef TEST_NO_PRINTK
__attribute__((format(printf, 1, 2))) void printk(const char *fmt, ...)
{
	va_list ap;
	if (!getenv("TEST_VERBOSE"))
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2), noreturn)) void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
#endif

#endif
