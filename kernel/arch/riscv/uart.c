/*
 * Polled output and interrupt-driven input on QEMU virt's ns16550a
 * (reg-shift 0). Registers: 0 RBR/THR, 1 IER, 2 IIR/FCR, 3 LCR, 5 LSR.
 */
#include <arch/uart.h>

#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_IER_ERBFI 0x01 /* interrupt when data is available */
#define UART_FCR_ENABLE 0x07 /* FIFOs on, both cleared */
#define UART_LCR_8N1 0x03
#define UART_MCR_OUT2 0x08
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart;

static inline uint8_t rd(unsigned r)
{
	return uart[r];
}

static inline void wr(unsigned r, uint8_t v)
{
	uart[r] = v;
}

void uart_init(paddr_t base)
{
	uart = (volatile uint8_t *)base;
	wr(UART_IER, 0);
	wr(UART_LCR, UART_LCR_8N1);
	wr(UART_FCR, UART_FCR_ENABLE);
	wr(UART_MCR, UART_MCR_OUT2);
}

void uart_putc(uint8_t c)
{
	if (!uart)
		return;
	while (!(rd(UART_LSR) & UART_LSR_THRE))
		;
	wr(UART_THR, c);
}

int uart_getc(void)
{
	if (!uart || !(rd(UART_LSR) & UART_LSR_DR))
		return -1;
	return rd(UART_RBR);
}

void uart_enable_rx_irq(void)
{
	wr(UART_IER, UART_IER_ERBFI);
}
