/*
 * libfdt_env.h includes <stdlib.h>, but the libfdt files the hypervisor
 * builds call nothing from it (only fdt_overlay.c uses strtoul, and it is
 * not built). The hypervisor has no malloc: this header stays empty.
 */
#ifndef VIREO_LIBC_STDLIB_H
#define VIREO_LIBC_STDLIB_H

#include <stddef.h>

#endif
