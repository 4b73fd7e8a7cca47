/* The physical ns16550a UART, owned by the hypervisor. */
#ifndef VIREO_UART_H
#define VIREO_UART_H

#include "types.h"

void uart_init(paddr_t base);
void uart_putc(uint8_t c);
/* Next received byte, or -1. */
int uart_getc(void);
/* Raise the UART interrupt when input arrives. */
void uart_enable_rx_irq(void);

#endif
