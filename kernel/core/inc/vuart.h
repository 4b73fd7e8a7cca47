/*
 * Virtual ns16550a UART (the domain console), modelled on Xen on Arm's vpl011:
 * output goes to a sink callback, input is pushed into a 16-byte receive FIFO,
 * and the interrupt output drives a vPLIC line. The guest only traps when it
 * touches a register, so an idle console costs nothing.
 *
 * Registers (reg-shift 0, byte accesses at base + off):
 *   0 RBR (read) / THR (write) / DLL (DLAB=1)
 *   1 IER / DLM (DLAB=1)
 *   2 IIR (read) / FCR (write)
 *   3 LCR  4 MCR  5 LSR  6 MSR  7 SCR
 */
#ifndef VIREO_VUART_H
#define VIREO_VUART_H

#include "types.h"

#define VUART_FIFO 16
#define VUART_SIZE 0x100

/*
 * tx and set_irq are required. They are called with the caller's lock held
 * (see below), so they must not call back into vuart_*().
 */
struct vuart_ops {
	/* One byte written to THR (never called in loopback mode). */
	void (*tx)(void *opaque, uint8_t c);
	/* The interrupt output changed level; called only on a change. */
	void (*set_irq)(void *opaque, bool level);
	/*
	 * Optional: is the sink too full to take more? While it is, LSR
	 * reads THR as busy; the sink calls vuart_tx_ready() once it is not.
	 */
	bool (*tx_full)(void *opaque);
};

struct vuart {
	const struct vuart_ops *ops;
	void *opaque;
	uint8_t rx[VUART_FIFO];
	unsigned rx_head, rx_count;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;       /* FCR as written, minus the self-clearing bits */
	uint8_t lsr_err;   /* LSR error bits (OE) latched until LSR is read */
	uint8_t msr;       /* modem inputs (bits 7:4) and their deltas (3:0) */
	bool thre_pending; /* THR-empty interrupt not yet acknowledged */
	bool tx_waiting;   /* THR busy on a full sink: THRE due when it drains */
	bool irq;          /* current level of the interrupt output */
};

/*
 * The model has no lock of its own: the caller serialises every call on one
 * struct vuart (the domain's console lock).
 */
void vuart_init(struct vuart *u, const struct vuart_ops *ops, void *opaque);
/* Byte access at offset off (0..7). Returns false for a bad offset. */
bool vuart_read(struct vuart *u, unsigned off, uint8_t *val);
bool vuart_write(struct vuart *u, unsigned off, uint8_t val);
/*
 * Queue one received byte; false when the FIFO is full or the UART is in
 * loopback mode (its receiver is then cut off from the line): the caller
 * keeps the byte and tries again later.
 */
bool vuart_rx_push(struct vuart *u, uint8_t c);
/* The sink has room again: THR empties (a THRE interrupt if due). */
void vuart_tx_ready(struct vuart *u);
/* How many bytes vuart_rx_push() would accept now (0 in loopback mode). */
unsigned vuart_rx_space(const struct vuart *u);

#endif
