/*
 * cpumap: xl's CPU lists, read and written as a 64-bit mask of harts (bit h:
 * hart h, as the ABI's affinity masks are; abi/vireo_abi.h).
 *
 * Read (xl vcpu-pin, xl.cfg cpus and cpus_soft): items separated by ',',
 * applied left to right to an empty set:
 *
 *   all       every CPU of the host
 *   N         CPU N
 *   N-M       CPUs N to M (M >= N)
 *   ^N, ^N-M  take them out again: "all,^1" is every CPU but 1
 *
 * Blanks around an item are ignored. NUMA items (xl's "node:N", "nodes:N")
 * are refused: Vireo has no NUMA topology. A list must leave at least one
 * CPU, and name only CPUs below the host's count.
 *
 * Written (xl vcpu-list) as xl's print_bitmap() writes a cpumap: "all" when
 * the host's every CPU is in, "none" when none is, else the runs, "0-1,3".
 */
#ifndef VIREO_CPUMAP_H
#define VIREO_CPUMAP_H

#include <stddef.h>
#include <stdint.h>

#define CPUMAP_MAX 64 /* CPUs a mask can name */
/* Room for any cpumap_format() output: "0,2,4,...,62" is 85 bytes. */
#define CPUMAP_STRLEN 128

/*
 * Parse s for a host of nr_cpus CPUs (1..CPUMAP_MAX; larger counts are
 * taken as CPUMAP_MAX). Returns 0 and *mask, or -1 with a message
 * ("Invalid pcpu range: 3-1") in err, truncated to errlen (err may be NULL
 * if errlen is 0); *mask is then untouched. Allocates nothing.
 */
int cpumap_parse(const char *s, unsigned nr_cpus, uint64_t *mask, char *err,
		 size_t errlen);

/* The CPUs of mask below nr_cpus, as xl writes them; snprintf's result. */
int cpumap_format(uint64_t mask, unsigned nr_cpus, char *buf, size_t len);

/* Every CPU of a host of nr_cpus (clamped as for cpumap_parse). */
uint64_t cpumap_all(unsigned nr_cpus);

#endif
