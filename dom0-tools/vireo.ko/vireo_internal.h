/* Shared between the parts of vireo.ko. */
#ifndef VIREO_INTERNAL_H
#define VIREO_INTERNAL_H

#include <linux/device.h>
#include <asm/sbi.h>

#define VIREO_NR_ARGS 6

struct sbiret vireo_hypercall(u32 fid, const unsigned long a[VIREO_NR_ARGS]);

/*
 * Event channels (vireo_evtchn.c): the domain's shared page, its upcall on
 * irq (the vireo node's interrupt, Dom0's and a DomU's alike) and
 * /dev/vireo_evtchn.
 */
int vireo_evtchn_probe(struct device *dev, int irq);
void vireo_evtchn_remove(void);

/*
 * Direct (1:1) mappings of DomU RAM (vireo_direct.c): VIREO_IOCTL_MAP_DIRECT,
 * the mmap of its offsets (vireo_direct_pgoff()), and the release of a
 * file's mappings. file_maps is the file's own list.
 */
struct vm_area_struct;
long vireo_direct_ioctl(struct list_head *file_maps, void __user *arg);
bool vireo_direct_pgoff(unsigned long pgoff);
int vireo_direct_mmap(struct list_head *file_maps, struct vm_area_struct *vma);
void vireo_direct_file_release(struct list_head *file_maps);
void vireo_direct_exit(void);

#endif
