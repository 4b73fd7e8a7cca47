/* The hypervisor log: printed on the physical UART and kept in a ring. */
#ifndef VIREO_PRINTK_H
#define VIREO_PRINTK_H

#include "types.h"

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define BUG_ON(c)                                                            \
	do {                                                                 \
		if (c)                                                       \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);   \
	} while (0)

#endif
