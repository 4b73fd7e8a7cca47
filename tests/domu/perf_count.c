/*
 * Count a known loop's instructions and cycles with perf_event_open in a
 * DomU (test_pmu): Linux's SBI PMU driver asks Vireo for a counter, the
 * reads of instret/cycle trap to Vireo, which returns this vCPU's own
 * counts. The loop is 2 instructions an iteration (addi, bnez).
 *
 *   perf_count N  ->  "PERF instructions=I cycles=C expected=E"
 */
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_counter(uint64_t config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = config;
	a.disabled = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static void loop(unsigned long n)
{
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000UL;
	int fi = open_counter(PERF_COUNT_HW_INSTRUCTIONS);
	int fc = open_counter(PERF_COUNT_HW_CPU_CYCLES);
	uint64_t ins = 0, cyc = 0;

	if (fi < 0 || fc < 0) {
		perror("perf_event_open");
		return 1;
	}
	ioctl(fi, PERF_EVENT_IOC_RESET, 0);
	ioctl(fc, PERF_EVENT_IOC_RESET, 0);
	ioctl(fi, PERF_EVENT_IOC_ENABLE, 0);
	ioctl(fc, PERF_EVENT_IOC_ENABLE, 0);
	loop(n);
	ioctl(fc, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(fi, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fi, &ins, sizeof(ins)) != sizeof(ins) ||
	    read(fc, &cyc, sizeof(cyc)) != sizeof(cyc)) {
		perror("read");
		return 1;
	}
	printf("PERF instructions=%llu cycles=%llu expected=%lu\n",
	       (unsigned long long)ins, (unsigned long long)cyc, 2 * n);
	return 0;
}
