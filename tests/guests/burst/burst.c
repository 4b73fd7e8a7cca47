/*
 * Console bursts (issue 9, "nothing lost"): a DomU prints numbered lines as
 * fast as its vUART takes them, in two bursts with a pause between (so that
 * output is lost neither in the middle nor at the end), then a line with
 * the totals, then powers off at once through SBI SRST, giving Dom0 no
 * time to catch up. Each line is
 *
 *   L <n> <check> <padding>
 *
 * with n counting from 0 and check = n * 7919 % 65521, so that a checker
 * (awk in Dom0) can tell a missing, repeated or garbled line without
 * knowing the guest's arguments, and the last line is
 *
 *   BURST-DONE lines=N bytes=B sum=S waits=W
 *
 * with B the bytes printed before it (each line ends in "\r\n") and S the
 * sum of every check; W counts the polls of LSR that found THR busy (the
 * hypervisor's ring full: the guest waited for Dom0 instead of losing
 * output). Arguments (bootargs): lines=N (3000) and pad=P (the padding's
 * length, 40).
 */
#include "guest.h"
#include "vireo_abi.h"

#define SRST_SHUTDOWN 0
#define SRST_NO_REASON 0
#define CHECK_MUL 7919
#define CHECK_MOD 65521

#define UART ((volatile uint8_t *)VIREO_DOMU_UART_BASE)
#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

static unsigned long bytes, waits;

/* The harness's console, but counting the waits for THR. */
static void out(char c)
{
	while (!(UART[UART_LSR] & LSR_THRE))
		waits++;
	UART[UART_THR] = (uint8_t)c;
	bytes++;
}

static void out_str(const char *s)
{
	while (*s)
		out(*s++);
}

static void out_num(unsigned long v)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out(buf[--n]);
}

/* Print lines [from, to); add up their checks. */
static void burst(unsigned long from, unsigned long to, const char *pad,
		  unsigned long *sum)
{
	for (unsigned long n = from; n < to; n++) {
		unsigned long check = n * CHECK_MUL % CHECK_MOD;

		out_str("L ");
		out_num(n);
		out(' ');
		out_num(check);
		out(' ');
		out_str(pad);
		out_str("\r\n");
		*sum += check;
	}
}

/* A pause between the bursts, long enough for Dom0 to drain in it. */
static void pause_a_while(void)
{
	for (volatile unsigned long i = 0; i < 2000000; i++)
		;
}

void guest_main(unsigned long hartid)
{
	static char pad[128];
	unsigned long lines = guest_arg("lines=", 3000);
	unsigned long pad_len = guest_arg("pad=", 40);
	unsigned long sum = 0;

	if (pad_len >= sizeof(pad))
		pad_len = sizeof(pad) - 1;
	for (unsigned long i = 0; i < pad_len; i++)
		pad[i] = (char)('a' + i % 26);
	burst(0, lines / 2, pad, &sum);
	pause_a_while();
	burst(lines / 2, lines, pad, &sum);
	guest_printf("BURST-DONE lines=%lu bytes=%lu sum=%lu waits=%lu\n",
		     lines, bytes, sum, waits);
	sbi_call(SBI_EXT_SRST, 0, SRST_SHUTDOWN, SRST_NO_REASON, 0, 0, 0, 0);
	guest_printf("BURST-ERROR: SRST returned\n");
}

/* One vCPU: the harness starts no others. */
void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	guest_halt();
}
