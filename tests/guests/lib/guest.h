/*
 * The freestanding test-guest harness (tests/guests/lib): what a test
 * guest gets. A guest defines guest_main() (boot vCPU) and, if it starts
 * others, guest_secondary(); the harness gives it a console on the DomU's
 * vUART, SBI calls, a PRNG, the device tree's bootargs and RAM, and a trap
 * handler that records faults, which a test can expect (guest_expect_fault).
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_asm.h"

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2, unsigned long a3,
		       unsigned long a4, unsigned long a5);

#define SBI_EXT_HSM 0x48534DUL
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_EXT_SRST 0x53525354UL

/* What the device tree says (guest_start fills it before guest_main). */
struct guest_info {
	unsigned long ram_base, ram_size;
	const char *bootargs; /* "" if none */
	unsigned nr_harts;    /* vCPUs that exist (HSM get_status answers) */
};
extern struct guest_info guest;

/* Provided by the guest. */
void guest_main(unsigned long hartid);
void guest_secondary(unsigned long hartid, unsigned long opaque);

/* Start every other vCPU at guest_secondary(hartid, opaque). */
void guest_start_secondaries(unsigned long opaque);
/* Where an HSM start (or a non-retentive resume) lands: guest_secondary. */
extern char guest_secondary_entry[];

/* Console (the vUART, a 16550 at VIREO_DOMU_UART_BASE), serialised. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The number after "key" in bootargs ("seed=5"), or dflt. */
uint64_t guest_arg(const char *key, uint64_t dflt);

/* xorshift64*: a seeded, per-caller generator. */
static inline uint64_t guest_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/*
 * Faults. Each trap is counted per hart with its cause and address. With
 * guest_expect_fault(), a load or store that faults resumes at the next
 * instruction and guest_fault_taken() says so; any other trap is reported
 * on the console and stops the hart (a harness bug or a hypervisor one).
 */
struct guest_fault {
	unsigned long count, scause, stval;
};
extern struct guest_fault guest_faults[GUEST_MAX_HARTS];
void guest_expect_fault(bool on);
/*
 * Interrupts: if set, guest_irq(scause) handles every interrupt this
 * guest takes (scause with its top bit cleared); unset, an interrupt is a
 * stray trap like any other.
 */
extern void (*volatile guest_irq)(unsigned long cause);
/* This vCPU's hart id (kept in tp). */
static inline unsigned long guest_hartid(void)
{
	unsigned long id;
	__asm__ volatile("mv %0, tp" : "=r"(id));
	return id;
}

/* Stop this vCPU for good (wfi with interrupts off). */
void guest_halt(void) __attribute__((noreturn));

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

#endif
