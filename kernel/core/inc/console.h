/*
 * The physical console. The hypervisor owns the UART: its own log and Dom0's
 * vUART output share it, and its input goes either to Dom0's vUART or, after
 * three Ctrl-A, to the hypervisor monitor.
 */
#ifndef VIREO_CONSOLE_H
#define VIREO_CONSOLE_H

#include "types.h"

#define LOG_RING_SIZE (32 * 1024)

/* Raw output on the physical UART, serialised with every other writer. */
void console_write(const char *s, size_t n);
void console_write_text(const char *s, size_t n);
/* Hypervisor log: printed with a "(vireo) " prefix and kept in the ring. */
void log_write(const char *s, size_t n);
/* Copy the log ring, oldest first, through a sink. */
void log_dump(void (*sink)(const char *s, size_t n));
/* Log bytes from absolute offset off (bytes ever logged); 0 at the end. */
size_t log_read_at(uint64_t off, char *buf, size_t len);
/* Bytes ever logged; the ring keeps the last LOG_RING_SIZE of them. */
uint64_t log_written(void);
/* One byte arrived on the physical UART. */
void console_input(uint8_t c);
/* Dom0's vUART has room again: refill it from the input buffer. */
void console_feed_dom0(void);

/* The monitor behind three Ctrl-A. */
void monitor_input(uint8_t c);
void monitor_enter(void);

int vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
