/*
 * libfdt_env.h includes <limits.h>. GCC's own limits.h has every macro we
 * need (INT_MAX, UINT32_MAX comes from stdint.h), but it first includes the
 * C library's limits.h, which a -nostdinc build has none of. Defining
 * _LIBC_LIMITS_H_ tells GCC's header that there is nothing to chain to.
 */
#ifndef VIREO_LIBC_LIMITS_H
#define VIREO_LIBC_LIMITS_H

#define _LIBC_LIMITS_H_
#include_next <limits.h>

#endif
