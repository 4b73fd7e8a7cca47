/*
 * vireo-agent's side of `vl vcpu-set`: Linux CPU hotplug through sysfs.
 *
 * The guest's CPU K is vCPU K: Vireo boots vCPU 0 and its device tree lists
 * cpu@0..cpu@N-1 in order, so Linux numbers its CPUs as the vCPUs. On
 * VIREO_CONTROL_SET_VCPUS n, CPUs 1..n-1 are brought online and those from
 * n on taken offline (Linux then stops their vCPUs through SBI HSM
 * hart_stop, and starts them again with hart_start). CPU 0 is never taken
 * offline. Only CPUs whose DIR/cpuK/online exists are touched.
 */
#ifndef VIREO_AGENT_VCPUS_H
#define VIREO_AGENT_VCPUS_H

#include <stddef.h>
#include <stdint.h>

#define AGENT_CPU_DIR "/sys/devices/system/cpu"
#define AGENT_MAX_CPUS 64 /* bits of a mask */

/*
 * What to do for n online (pure): of the CPUs in present (bit K: cpuK has
 * an online file), *up gets those to bring online (1..n-1), *down those to
 * take offline (n and above); CPU 0 is in neither. Returns 0, or -1 (both
 * 0) if n is not 1..AGENT_MAX_CPUS.
 */
int agent_vcpus_plan(unsigned n, uint64_t present, uint64_t *up,
		     uint64_t *down);

/* "1-3,5" for a mask, "none" for 0; truncated to len. */
void agent_cpulist(uint64_t mask, char *buf, size_t len);

/* The CPUs under dir (AGENT_CPU_DIR) with an online file. */
uint64_t agent_vcpus_present(const char *dir);

/*
 * Carry out SET_VCPUS n under dir: write 1 to each CPU of up, then 0 to
 * each of down (highest first). msg gets one line without the newline:
 *   "vcpu-set 2: online 1, offline 2-3"
 * with ", failed 3: Device or resource busy" when a write failed (the
 * first failure's reason). Returns 0, or -1 if n was refused or a write
 * failed.
 */
int agent_vcpus_set(const char *dir, unsigned n, char *msg, size_t len);

#endif
