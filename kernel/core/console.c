/*
 * The physical console: output from the hypervisor log and Dom0's vUART,
 * input switched between Dom0 and the monitor by three Ctrl-A, as in Xen.
 */
#include <arch/uart.h>

#include "console.h"
#include "domain.h"
#include "printk.h"
#include "spinlock.h"

#define CTRL_A 0x01
#define INPUT_BUF 1024

static spinlock_t out_lock = SPINLOCK_INIT;
static spinlock_t log_lock = SPINLOCK_INIT;
static char log_ring[LOG_RING_SIZE];
static uint64_t log_head; /* total bytes ever written */
static bool log_line_start = true;

static spinlock_t in_lock = SPINLOCK_INIT;
static uint8_t in_buf[INPUT_BUF];
static unsigned in_head, in_count;
static unsigned ctrl_a_run;
static bool to_monitor;

void console_write(const char *s, size_t n)
{
	spin_lock(&out_lock);
	for (size_t i = 0; i < n; i++)
		uart_putc((uint8_t)s[i]);
	spin_unlock(&out_lock);
}

/* Hypervisor text: "\n" becomes "\r\n" on the wire. */
void console_write_text(const char *s, size_t n)
{
	spin_lock(&out_lock);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc((uint8_t)s[i]);
	}
	spin_unlock(&out_lock);
}

static void ring_put(char c)
{
	log_ring[log_head % LOG_RING_SIZE] = c;
	log_head++;
}

void log_write(const char *s, size_t n)
{
	static const char prefix[] = "(vireo) ";
	char line[320];
	size_t len = 0;

	spin_lock(&log_lock);
	for (size_t i = 0; i < n; i++) {
		if (log_line_start) {
			for (size_t j = 0; j < sizeof(prefix) - 1; j++)
				if (len < sizeof(line))
					line[len++] = prefix[j];
			log_line_start = false;
		}
		ring_put(s[i]);
		if (len < sizeof(line))
			line[len++] = s[i];
		if (s[i] == '\n')
			log_line_start = true;
	}
	spin_unlock(&log_lock);
	console_write_text(line, len);
}

void log_dump(void (*sink)(const char *s, size_t n))
{
	uint64_t start, end;

	spin_lock(&log_lock);
	end = log_head;
	start = end > LOG_RING_SIZE ? end - LOG_RING_SIZE : 0;
	for (uint64_t i = start; i < end;) {
		uint64_t off = i % LOG_RING_SIZE;
		uint64_t n = MIN(end - i, LOG_RING_SIZE - off);
		sink(&log_ring[off], n);
		i += n;
	}
	spin_unlock(&log_lock);
}

uint64_t log_written(void)
{
	return __atomic_load_n(&log_head, __ATOMIC_ACQUIRE);
}

size_t log_read_at(uint64_t off, char *buf, size_t len)
{
	uint64_t start;
	size_t n = 0;

	spin_lock(&log_lock);
	start = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	if (off < start)
		off = start; /* overwritten: continue from the oldest byte kept */
	for (; off < log_head && n < len; off++)
		buf[n++] = log_ring[off % LOG_RING_SIZE];
	spin_unlock(&log_lock);
	return n;
}

/* Move buffered input into Dom0's vUART while it has room. */
void console_feed_dom0(void)
{
	if (!dom0)
		return;
	spin_lock(&in_lock);
	while (in_count && domain_console_rx(dom0, in_buf[in_head])) {
		in_head = (in_head + 1) % INPUT_BUF;
		in_count--;
	}
	spin_unlock(&in_lock);
}

static void to_dom0(uint8_t c)
{
	spin_lock(&in_lock);
	if (in_count < INPUT_BUF) {
		in_buf[(in_head + in_count) % INPUT_BUF] = c;
		in_count++;
	}
	spin_unlock(&in_lock);
	console_feed_dom0();
}

void console_input(uint8_t c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_run == 3) {
			ctrl_a_run = 0;
			to_monitor = !to_monitor;
			if (to_monitor)
				monitor_enter();
			else
				printk("*** Serial input to Dom0 "
				       "(type 'CTRL-a' three times to switch input)\n");
		}
		return;
	}
	/* Ctrl-A pressed fewer than three times is passed on. */
	for (; ctrl_a_run; ctrl_a_run--)
		to_monitor ? monitor_input(CTRL_A) : to_dom0(CTRL_A);
	if (to_monitor)
		monitor_input(c);
	else
		to_dom0(c);
}
