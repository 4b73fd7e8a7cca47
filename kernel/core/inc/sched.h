/*
 * Round-robin scheduling of vCPUs over harts. Each vCPU is pinned to one
 * hart and sits on that hart's run queue; a hart runs the next runnable vCPU
 * after the current one, for a slice of SCHED_SLICE_US when it has rivals,
 * and idles in WFI when none is runnable.
 */
#ifndef VIREO_SCHED_H
#define VIREO_SCHED_H

#include "types.h"

struct vcpu;
struct pcpu;
struct vcpu_regs;

#define SCHED_SLICE_US 10000

extern uint32_t timebase_hz;

/* Add v to p's run queue (v->pcpu = p). */
void sched_add(struct pcpu *p, struct vcpu *v);
/* The hart for a domain's n-th vCPU: round-robin over the harts that came
 * up (a hart whose HSM start failed gets none, or destroy would wait on it). */
struct pcpu *sched_place(unsigned n);
/*
 * Unlink the vCPUs of dying domains from p's run queue (p is this hart).
 * trap_done: this hart has finished the trap of its current vCPU, which
 * may then go too; inside a trap (false) the current vCPU stays.
 */
void sched_reap(struct pcpu *p, bool trap_done);
/* Pick the vCPU this hart runs next, idling until there is one. */
struct vcpu *schedule(void);
/* Scheduler entry on a hart that has never run a vCPU. */
void sched_start(void) __attribute__((noreturn));

#endif
