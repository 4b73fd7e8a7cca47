/*
 * Per physical hart state. In HS-mode tp holds the running hart's pcpu, and
 * sscratch holds it too while a guest runs, so trap.S finds it on a trap.
 */
#ifndef VIREO_PCPU_H
#define VIREO_PCPU_H

#include "sched.h"
#include "spinlock.h"
#include "trapstat.h"
#include "types.h"

struct vcpu;

#define MAX_PCPUS 8
#define HYP_STACK_SIZE (16 * 1024)

/* Reasons one hart interrupts another (pcpu->ipi_reasons bits). */
#define IPI_KICK (1U << 0)     /* look at the run queue / vCPU lines */
#define IPI_SHUTDOWN (1U << 1) /* park this hart */
#define IPI_GVMA_FLUSH (1U << 2) /* hfence.gvma: a G-stage mapping went */

struct pcpu {
	/* trap.S reads these three at fixed offsets: keep them first. */
	struct vcpu *current;   /* 0: vCPU whose registers the trap saves into */
	unsigned long stack_top; /* 8 */
	unsigned long scratch;  /* 16 */
	unsigned id;            /* index in pcpus[] */
	unsigned long hartid;
	bool online;
	bool absent;          /* HSM start failed: never given a vCPU */
	unsigned refs_held;   /* domain_get()s not yet put, on this hart */
	spinlock_t rq_lock;
	struct vcpu *rq_head; /* vCPUs pinned here, in round-robin order */
	struct vcpu *loaded;  /* vCPU whose VS CSRs are in this hart */
	volatile uint32_t ipi_reasons;
	union sched_pcpu_data sched; /* the policy's (sched.h) */
	struct cpupool *pool; /* its pool; once out of it, still that one */
	uint32_t pool_epoch;  /* cpupool_epoch when it last evacuated */
	volatile uint32_t move_pending; /* a vCPU here was asked to move */
	volatile uint32_t sync_pending; /* vcpu_sync waits for a put here */
	struct trapstat stats;
};

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned nr_pcpus;
/* The hart OpenSBI booted on, CPU 0: host interrupts, Pool-0 for good. */
extern struct pcpu *boot_pcpu;

/* Interrupt another hart (host SBI IPI) with a reason. */
void pcpu_ipi(struct pcpu *p, uint32_t reason);
/* The same, and wait until that hart has acted on it. */
void pcpu_ipi_wait(struct pcpu *p, uint32_t reason);

/* Provided by the architecture (and this_pcpu(), time_now() as inlines). */
void arch_halt(void) __attribute__((noreturn));
/* Per-hart HS-mode setup: delegation, counters, interrupt enables. */
void arch_hart_init(void);
/* Arm this hart's own timer; ~0 disarms. */
void arch_timer_arm(uint64_t when);
/* Wait for an interrupt in the hypervisor (interrupts stay masked) and
 * dispatch it. */
void arch_idle(void);
/* Handle this hart's pending host interrupts (IPI, timer, external). */
void arch_handle_host_irqs(void);

#include <arch/pcpu.h>

#endif
