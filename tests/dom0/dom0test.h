/*
 * Shared by the test programs that run inside Dom0 (tests/dom0/): the
 * failure counter, EXPECT, and typing into a DomU's console.
 */
#ifndef VIREO_DOM0TEST_H
#define VIREO_DOM0TEST_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libvireo.h"

static int failures;
static struct vireo *v;

#define EXPECT(cond, ...)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			failures++;                                          \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
		}                                                            \
	} while (0)

/* Type s on domain id's console, waiting while its vUART FIFO is full. */
static __attribute__((unused)) void type(uint32_t id, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		int done = vireo_console_write(v, id, s, n);
		if (done < 0)
			return;
		s += done;
		n -= (size_t)done;
		if (n)
			usleep(10000);
	}
}

/* The last line of every program: PASS/FAIL and the exit status. */
static int report(void)
{
	printf("\n%s: %d failures\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}

#endif
