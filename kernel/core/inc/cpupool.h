/*
 * Cpupools (Xen's): the harts are partitioned into pools, each with its own
 * scheduler; a domain belongs to one pool and its vCPUs run only on that
 * pool's harts. Pool-0 is made at boot with every hart, holds Dom0 and the
 * boot hart for good (host device interrupts go to the boot hart's PLIC
 * context, so they never reach another pool's harts). A hart taken out of
 * a pool is free until it is added to one.
 *
 * Changes happen under the domctl lock. A hart's pool and a pool's hart
 * mask are read by the schedulers without it: pools live in a static
 * table and are never freed, and a hart leaves a pool's mask before the
 * vCPUs homed there move away, so nothing new lands on it meanwhile.
 */
#ifndef VIREO_CPUPOOL_H
#define VIREO_CPUPOOL_H

#include "sched.h"
#include "types.h"
#include "vireo_abi.h"

struct domain;
struct pcpu;
struct hc_ret;
struct vcpu;

struct cpupool {
	bool used;
	uint32_t id;
	uint32_t sched; /* VIREO_SCHED_* */
	const struct sched_ops *ops;
	volatile uint64_t harts; /* bit h: hart h is in the pool */
	uint32_t nr_domains;
	struct sched_credit_params credit; /* its credit scheduler's */
	char name[VIREO_CPUPOOL_NAME_LEN];
};

extern struct cpupool cpupools[VIREO_CPUPOOL_MAX];
/* Bumped when a hart leaves a pool or a domain changes pools: harts then
 * look for vCPUs to send away (sched.c). */
extern volatile uint32_t cpupool_epoch;
#define pool0 (&cpupools[0])

/* At boot: Pool-0 (credit) with the harts found. */
void cpupool_init(unsigned nr_harts);
/* A hart that did not start leaves Pool-0 (it never runs a vCPU). */
void cpupool_hart_absent(struct pcpu *p);
/* The pool with this id, NULL if none. */
struct cpupool *cpupool_by_id(uint32_t id);
/* Harts of c that can run vCPUs. */
uint64_t cpupool_usable(const struct cpupool *c);
/* Could c take nr more vCPUs (a null pool: a free hart for each; any
 * other: a hart at all)? */
bool cpupool_room(const struct cpupool *c, unsigned nr);
/* d joins c (NULL: leaves its pool), for the pools' domain counts. */
void cpupool_set_domain(struct domain *d, struct cpupool *c);
/* v is being freed: drop any claim it holds on a null-pool hart. */
void cpupool_vcpu_gone(struct vcpu *v);
/* CPUPOOL_OP (Dom0, domctl lock held). */
struct hc_ret cpupool_hypercall(struct vcpu *v);

#endif
