/* Shared between the parts of vireo.ko. */
#ifndef VIREO_INTERNAL_H
#define VIREO_INTERNAL_H

#include <linux/device.h>
#include <asm/sbi.h>

#define VIREO_NR_ARGS 6

struct sbiret vireo_hypercall(u32 fid, const unsigned long a[VIREO_NR_ARGS]);

/* Event channels (vireo_evtchn.c): Dom0's shared page, upcall and
 * /dev/vireo_evtchn. */
int vireo_evtchn_probe(struct device *dev);
void vireo_evtchn_remove(void);

#endif
