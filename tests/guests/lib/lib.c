/*
 * The test-guest harness: start-up, console, SBI, device tree, traps.
 * Runs with the MMU off, so guest-physical addresses are used directly.
 */
#include <stdarg.h>

#include "guest.h"
#include "vireo_abi.h"

struct guest_info guest;
struct guest_fault guest_faults[GUEST_MAX_HARTS];
static volatile bool expect_fault[GUEST_MAX_HARTS];
static volatile int print_lock;
void (*volatile guest_irq)(unsigned long cause);

extern char _bss_start[], _bss_end[];

/* ------------------------------------------------------------- console */
#define UART ((volatile uint8_t *)VIREO_DOMU_UART_BASE)
#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

static void putc_raw(char c)
{
	while (!(UART[UART_LSR] & LSR_THRE))
		;
	UART[UART_THR] = (uint8_t)c;
}

static void put(char c)
{
	if (c == '\n')
		putc_raw('\r');
	putc_raw(c);
}

static void put_num(uint64_t v, unsigned base, bool neg)
{
	char buf[24];
	int n = 0;

	if (neg)
		put('-');
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		put(buf[--n]);
}

/* %s %c %d %u %x with an optional l or ll: all a test guest prints. */
static void vprint(const char *f, va_list ap)
{
	for (; *f; f++) {
		bool lng = false;
		if (*f != '%') {
			put(*f);
			continue;
		}
		while (*++f == 'l')
			lng = true;
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				put(*s++);
			break;
		}
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, false);
			break;
		default:
			put('%');
			put(*f);
		}
	}
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

/* ----------------------------------------------------------------- SBI */
struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2, unsigned long a3,
		       unsigned long a4, unsigned long a5)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r5 __asm__("a5") = a5;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){(long)r0, (long)r1};
}

void guest_halt(void)
{
	for (;;)
		__asm__ volatile("wfi");
}

/* ---------------------------------------------------------- device tree */
#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static uint64_t be64(const void *p)
{
	return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4);
}

/* /chosen/bootargs and the first /memory reg (2 address, 2 size cells). */
static void parse_fdt(const uint8_t *fdt)
{
	const uint8_t *s, *strings;
	bool in_chosen = false, in_memory = false;

	guest.bootargs = "";
	if (!fdt || be32(fdt) != FDT_MAGIC)
		return;
	s = fdt + be32(fdt + 8);
	strings = fdt + be32(fdt + 12);
	for (;;) {
		uint32_t tok = be32(s);
		s += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)s;
			in_chosen = !strncmp(name, "chosen", 7);
			in_memory = !strncmp(name, "memory", 6);
			s += (strlen(name) + 4) & ~3UL;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(s), off = be32(s + 4);
			const char *pname = (const char *)strings + off;
			if (in_chosen && !strncmp(pname, "bootargs", 9))
				guest.bootargs = (const char *)s + 8;
			if (in_memory && !guest.ram_size && len >= 16 &&
			    !strncmp(pname, "reg", 4)) {
				guest.ram_base = be64(s + 8);
				guest.ram_size = be64(s + 16);
			}
			s += 8 + ((len + 3) & ~3U);
		} else if (tok == FDT_END_NODE || tok == FDT_NOP) {
			continue;
		} else {
			return; /* FDT_END or garbage */
		}
	}
}

uint64_t guest_arg(const char *key, uint64_t dflt)
{
	size_t k = strlen(key);

	for (const char *p = guest.bootargs; *p; p++) {
		uint64_t v = 0;
		if ((p != guest.bootargs && p[-1] != ' ') || strncmp(p, key, k))
			continue;
		p += k;
		if (*p < '0' || *p > '9')
			return dflt;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p++ - '0');
		return v;
	}
	return dflt;
}

/* --------------------------------------------------------------- start */
void guest_start_secondaries(unsigned long opaque)
{
	unsigned long self = guest_hartid();

	for (unsigned long h = 0; h < guest.nr_harts; h++)
		if (h != self)
			sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, h,
				 (unsigned long)guest_secondary_entry, opaque, 0,
				 0, 0);
}

void guest_start(unsigned long hartid, unsigned long arg, long boot);
void guest_start(unsigned long hartid, unsigned long arg, long boot)
{
	if (!boot) {
		guest_secondary(hartid, arg);
		guest_halt();
	}
	memset(_bss_start, 0, (size_t)(_bss_end - _bss_start));
	parse_fdt((const uint8_t *)arg);
	/* The vCPUs that exist: HSM answers for them, INVALID_PARAM past. */
	while (guest.nr_harts < GUEST_MAX_HARTS &&
	       sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, guest.nr_harts,
			0, 0, 0, 0, 0).error == 0)
		guest.nr_harts++;
	guest_main(hartid);
	guest_halt();
}

/* --------------------------------------------------------------- traps */
#define SCAUSE_INTR (1UL << 63)

void guest_expect_fault(bool on)
{
	expect_fault[guest_hartid() % GUEST_MAX_HARTS] = on;
}

void guest_trap(unsigned long *frame);
void guest_trap(unsigned long *frame)
{
	unsigned long scause, stval, hart = frame[4] % GUEST_MAX_HARTS;
	struct guest_fault *f = &guest_faults[hart];

	__asm__ volatile("csrr %0, scause" : "=r"(scause));
	__asm__ volatile("csrr %0, stval" : "=r"(stval));
	f->count++;
	f->scause = scause;
	f->stval = stval;
	if ((scause & SCAUSE_INTR) && guest_irq) {
		guest_irq(scause & ~SCAUSE_INTR);
		return;
	}
	if (!(scause & SCAUSE_INTR) && expect_fault[hart]) {
		/* Skip the access: 2 or 4 bytes by its low bits. */
		uint16_t lo = *(volatile uint16_t *)frame[0];
		frame[0] += (lo & 3) == 3 ? 4 : 2;
		return;
	}
	guest_printf("GUEST-TRAP hart %lu scause %lx stval %lx sepc %lx\n",
		     hart, scause, stval, frame[0]);
	guest_halt();
}

/* ------------------------------------------------------ the C library */
void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;
	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}
