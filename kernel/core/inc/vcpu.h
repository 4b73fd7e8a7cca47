/*
 * A virtual CPU: its saved guest registers, scheduling state and the arch
 * part (VS CSRs, interrupt lines). A vCPU is homed on one physical hart
 * (pcpu) and sits on that hart's run queue until it is moved
 * (sched_move).
 */
#ifndef VIREO_VCPU_H
#define VIREO_VCPU_H

#include <arch/vcpu_arch.h>

#include "pmu.h"
#include "sched.h"
#include "types.h"

struct domain;
struct pcpu;

enum vcpu_state {
	VCPU_STOPPED,  /* SBI HSM: not started, or stopped itself */
	VCPU_RUNNABLE, /* wants a hart */
	VCPU_BLOCKED,  /* WFI: waits for an interrupt or its timer */
	VCPU_WAIT_IO,  /* waits for a device model (ioreq) */
};

/* Pending requests another hart leaves for a vCPU (vcpu->requests bits). */
#define VCPU_REQ_FENCE_I (1U << 0)
#define VCPU_REQ_HFENCE_VVMA (1U << 1)
#define VCPU_REQ_RESET (1U << 2) /* start afresh at start_pc */

struct vcpu {
	struct vcpu_regs regs; /* first: trap.S addresses it through pcpu */
	struct domain *dom;
	unsigned id; /* also the guest's hart id */
	struct pcpu *pcpu;
	struct vcpu *rq_next; /* the pcpu's run queue */
	volatile enum vcpu_state state;
	volatile bool in_guest;      /* between entry and exit on its hart */
	volatile bool hsm_suspended; /* BLOCKED by SBI hart_suspend */
	volatile uint32_t requests;  /* VCPU_REQ_* */
	uint64_t wake_time;          /* BLOCKED: timer deadline, ~0 if none */
	unsigned long start_pc, start_a0, start_a1; /* VCPU_REQ_RESET */
	volatile uint32_t starting; /* vcpu_start() has claimed it */
	uint64_t run_start, cpu_ticks; /* accounting, in timer ticks */
	/* Steal time (SBI STA): runnable but not running since (0: not),
	 * the total, and the guest's shared record if it gave one. */
	volatile uint64_t steal_since;
	uint64_t steal_ticks;
	gpa_t sta_gpa;
	bool sta_on;
	struct vcpu_pmu pmu; /* SBI PMU: its virtual counters */
	uint8_t io_server;   /* VCPU_WAIT_IO: the ioreq server it waits on */
	union sched_vcpu_data sched; /* the policy's (sched.h) */
	volatile uint64_t hard_aff, soft_aff; /* bit h: hart h (sched.h) */
	struct pcpu *volatile move_to; /* sched_move: the hart it goes to */
	volatile bool moving;   /* being moved: no hart may enter it */
	volatile bool sync_req; /* vcpu_sync waits for its state in memory */
	struct vcpu_arch arch;
};

/* Make v runnable if it is blocked, and make its hart look at it. */
void vcpu_kick(struct vcpu *v);
/* v's device-model access is finished: WAIT_IO -> RUNNABLE, a wake-up. */
void vcpu_io_done(struct vcpu *v);
/*
 * Start a stopped vCPU at pc with a0/a1 (SBI HSM hart_start); false if it
 * was not stopped. Its hart resets it before running it, because only that
 * hart may touch the vCPU's CSRs while they are loaded there.
 */
bool vcpu_start(struct vcpu *v, unsigned long pc, unsigned long a0,
		unsigned long a1);
/* Ask every vCPU in mask (bit i = vCPU i) of v's domain for a fence. */
void vcpu_request_fence(struct domain *d, unsigned long mask, uint32_t req);
/* Guest timer (SBI set_timer) of the running vCPU. */
void vcpu_set_timer(struct vcpu *v, uint64_t when);
/* v became runnable but is not running (woken, or preempted): from now
 * on, until it runs, its wait is steal time. */
void vcpu_steal_mark(struct vcpu *v, uint64_t now);
/* v is about to run: account its wait, and publish it (SBI STA). */
void vcpu_steal_account(struct vcpu *v, uint64_t now);
/*
 * The time v has run, its current run included (cpu_ticks only grows at
 * its exits, and a vCPU that waits in hardware WFI, or spins, may not
 * exit for seconds): what vcpu-list and top show.
 */
static inline uint64_t vcpu_run_ticks(const struct vcpu *v, uint64_t now)
{
	uint64_t t = __atomic_load_n(&v->cpu_ticks, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE)) {
		uint64_t since = __atomic_load_n(&v->run_start, __ATOMIC_ACQUIRE);
		t += now > since ? now - since : 0;
	}
	return t;
}
/* Redirect an exception into the guest as if VS-mode had taken it. */
void vcpu_inject_exception(struct vcpu *v, unsigned long cause,
			   unsigned long tval);

/* Provided by the architecture. */
/* Put v's guest state into a fresh reset: pc, a0, a1, VS CSRs. */
void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1);
/* Move v's VS state into this hart's CSRs, and out again. */
void vcpu_arch_load(struct vcpu *v);
void vcpu_arch_put(struct vcpu *v);
/* The state of a non-retentive resume (SBI HSM): paging and interrupts off. */
void vcpu_arch_resume_state(struct vcpu *v);
/* Before entering v (loaded): its interrupt lines, pending fences. */
void vcpu_arch_prepare_entry(struct vcpu *v);
/* After a trap out of v: sync what the guest changed itself. */
void vcpu_arch_after_exit(struct vcpu *v);
/* Enter v (loaded, prepared) on this hart; returns only by a trap. */
void vcpu_arch_enter(struct vcpu *v) __attribute__((noreturn));
/* An interrupt for v is pending and enabled (wakes it from WFI). */
bool vcpu_arch_irq_pending(struct vcpu *v);
/*
 * Whether v's WFI traps. A vCPU alone on its hart waits in the hardware
 * instead: no trap per idle period, and any host interrupt still takes
 * the hart back.
 */
void vcpu_arch_trap_wfi(struct vcpu *v, bool trap);
/* Guest timer deadline of v, ~0 if none. */
uint64_t vcpu_arch_timer(struct vcpu *v);
/*
 * When v's own timer would wake it from WFI: its deadline if the guest
 * enabled the timer interrupt, else ~0. A deadline that cannot wake it
 * must not arm the hart's timer: it would fire at once, again and again,
 * and starve the vCPU that runs there.
 */
uint64_t vcpu_arch_wakeup(struct vcpu *v);
/* Finish v's trapped MMIO access: a load's value into its register, and
 * on past the instruction. */
void vcpu_arch_mmio_finish(struct vcpu *v, uint64_t value);

#endif
