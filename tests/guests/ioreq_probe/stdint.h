/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abi/vireo_abi.h includes <stdint.h>; a Linux module is built -nostdinc,
 * so this stands in for it. <linux/types.h> defines uint32_t and friends.
 */
#ifndef VIREO_KO_STDINT_H
#define VIREO_KO_STDINT_H

#include <linux/types.h>

#endif
