/*
 * Virtual ns16550a: the register model Linux's 8250 driver expects from a
 * device tree node with compatible "ns16550a", reg-shift 0, byte accesses.
 *
 * Model:
 *  - Transmission is instantaneous. A THR write hands the byte to ops->tx()
 *    at once, so THR and the transmitter are empty again at once: LSR reads
 *    THRE | TEMT, unless the sink is full (ops->tx_full). Then THR reads as
 *    holding a byte, as a real UART's does while its line is slower than
 *    the writer: a guest that waits for THRE (every 8250 driver, the test
 *    harness) waits for the sink to drain instead of losing output, and the
 *    THRE interrupt comes when the sink calls vuart_tx_ready().
 *  - The receiver is a VUART_FIFO-byte FIFO filled by vuart_rx_push(). It is
 *    that deep even while FCR has FIFOs disabled (16450 mode); a guest that
 *    reads RBR until LSR.DR clears cannot tell. There is no trigger level
 *    and no character timeout: "data available" is pending whenever the
 *    FIFO holds a byte.
 *  - The divisor latch, LCR and SCR are plain storage; nothing is timed.
 *
 * Interrupt sources, highest priority first, as IIR bits 3:0 report them:
 *
 *   IIR   source               set by                   cleared by
 *   0x06  receiver line status OE (loopback overrun)    reading LSR
 *   0x04  received data        FIFO non-empty           emptying the FIFO
 *   0x02  THR empty            ETBEI 0->1, THR write    IIR read showing 0x02,
 *                                                       THR write
 *   0x00  modem status         MSR delta bits           reading MSR
 *   0x01  (none pending)
 *
 * A source counts only when its IER bit is set. IIR bits 7:6 read 11 while
 * FCR.0 has FIFOs enabled. The interrupt output is high while any enabled
 * source is pending.
 *
 * MCR.OUT2 is not modelled as an interrupt gate. On a PC, OUT2 enables a
 * tri-state buffer between the chip's INTR pin and the shared ISA IRQ line,
 * which is why the 8250 driver sets it. Here INTR is wired straight to a
 * vPLIC source, as on QEMU virt, and a guest that never sets OUT2 (a boot
 * loader, or a polled earlycon) must not lose its interrupts.
 *
 * Loopback (MCR.4), as on the 16550: THR is looped into the receive FIFO and
 * nothing reaches ops->tx(); the receiver is cut off from the line, so
 * vuart_rx_push() refuses bytes; the modem inputs follow the modem outputs
 * (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD). Outside loopback the inputs read
 * CTS | DSR | DCD, a modem that is always ready.
 */
#include "vuart.h"

/* Register offsets (reg-shift 0). */
#define UART_RBR	0	/* read, DLAB = 0 */
#define UART_THR	0	/* write, DLAB = 0 */
#define UART_DLL	0	/* DLAB = 1 */
#define UART_IER	1	/* DLAB = 0 */
#define UART_DLM	1	/* DLAB = 1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

/* IER: interrupt enables. Bits 7:4 are always 0 on a 16550A. */
#define IER_ERBFI	0x01U	/* received data available */
#define IER_ETBEI	0x02U	/* THR empty */
#define IER_ELSI	0x04U	/* receiver line status */
#define IER_EDSSI	0x08U	/* modem status */
#define IER_MASK	0x0fU

/* IIR: interrupt identification. */
#define IIR_NO_INT	0x01U
#define IIR_MSI		0x00U	/* modem status */
#define IIR_THRI	0x02U	/* THR empty */
#define IIR_RDI		0x04U	/* received data available */
#define IIR_RLSI	0x06U	/* receiver line status */
#define IIR_RX_TIMEOUT	0x0cU	/* character timeout: never reported */
#define IIR_FIFO_ON	0xc0U	/* FIFOs enabled */

/* FCR: FIFO control (write-only). */
#define FCR_ENABLE	0x01U
#define FCR_CLEAR_RX	0x02U	/* self-clearing */
#define FCR_CLEAR_TX	0x04U	/* self-clearing */
#define FCR_DMA_MODE	0x08U
#define FCR_TRIGGER	0xc0U	/* receive trigger level */
#define FCR_KEPT	(FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER)

/* LCR: line control. Only DLAB has an effect here. */
#define LCR_DLAB	0x80U

/* MCR: modem control. Bits 7:5 are always 0 on a 16550A. */
#define MCR_DTR		0x01U
#define MCR_RTS		0x02U
#define MCR_OUT1	0x04U
#define MCR_OUT2	0x08U
#define MCR_LOOP	0x10U
#define MCR_MASK	0x1fU

/* LSR: line status. */
#define LSR_DR		0x01U	/* data ready */
#define LSR_OE		0x02U	/* overrun error */
#define LSR_PE		0x04U	/* parity error */
#define LSR_FE		0x08U	/* framing error */
#define LSR_BI		0x10U	/* break interrupt */
#define LSR_THRE	0x20U	/* THR empty */
#define LSR_TEMT	0x40U	/* transmitter empty */
#define LSR_RXFE	0x80U	/* error in receive FIFO */
#define LSR_ERRORS	(LSR_OE | LSR_PE | LSR_FE | LSR_BI)

/* MSR: modem status. Each delta bit sits 4 below its input. */
#define MSR_DCTS	0x01U
#define MSR_DDSR	0x02U
#define MSR_TERI	0x04U	/* trailing edge of RI */
#define MSR_DDCD	0x08U
#define MSR_CTS		0x10U
#define MSR_DSR		0x20U
#define MSR_RI		0x40U
#define MSR_DCD		0x80U
#define MSR_DELTAS	0x0fU
#define MSR_INPUTS	0xf0U
#define MSR_IDLE	(MSR_CTS | MSR_DSR | MSR_DCD)

/* ------------------------------------------------------- receive FIFO */

static bool rx_put(struct vuart *u, uint8_t c)
{
	if (u->rx_count == VUART_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = c;
	u->rx_count++;
	return true;
}

static uint8_t rx_pop(struct vuart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_FIFO;
	u->rx_count--;
	return c;
}

static void rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* --------------------------------------------------------- interrupts */

static uint8_t iir_cause(const struct vuart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRORS))
		return IIR_RLSI;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NO_INT;
}

/* Recompute the interrupt output; tell the vPLIC only when it changes. */
static void update_irq(struct vuart *u)
{
	bool level = iir_cause(u) != IIR_NO_INT;

	if (level == u->irq)
		return;
	u->irq = level;
	u->ops->set_irq(u->opaque, level);
}

/* ------------------------------------------------------- modem status */

static uint8_t msr_inputs(const struct vuart *u)
{
	uint8_t in = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_IDLE;
	if (u->mcr & MCR_RTS)
		in |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		in |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		in |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

/* Latch the new modem inputs and record which of them changed. */
static void msr_update(struct vuart *u)
{
	uint8_t old = u->msr & MSR_INPUTS;
	uint8_t now = msr_inputs(u);
	uint8_t delta = (uint8_t)((old ^ now) >> 4);

	/* RI reports only its trailing edge (1 -> 0). */
	if (!(old & MSR_RI) || (now & MSR_RI))
		delta &= (uint8_t)~MSR_TERI;
	u->msr = now | (u->msr & MSR_DELTAS) | delta;
}

/* ---------------------------------------------------------- registers */

/* Is the sink full? Never in loopback, where THR feeds our own FIFO. */
static bool tx_full(const struct vuart *u)
{
	return !(u->mcr & MCR_LOOP) && u->ops->tx_full &&
	       u->ops->tx_full(u->opaque);
}

static void thr_write(struct vuart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		/* The shift register overwrites nothing in a full FIFO. */
		if (!rx_put(u, c))
			u->lsr_err |= LSR_OE;
	} else {
		u->ops->tx(u->opaque, c);
	}
	/*
	 * A THR write acknowledges a THRE interrupt, but the byte is gone at
	 * once, so THR is empty again and the interrupt is pending again;
	 * unless the sink is full, when it is pending once the sink drains.
	 */
	u->tx_waiting = tx_full(u);
	u->thre_pending = !u->tx_waiting;
}

static void ier_write(struct vuart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & IER_MASK;
	/* Enabling ETBEI while THR is empty raises THRE; else its draining. */
	if (!(old & IER_ETBEI) && (u->ier & IER_ETBEI)) {
		u->tx_waiting = tx_full(u);
		u->thre_pending = !u->tx_waiting;
	}
}

static void fcr_write(struct vuart *u, uint8_t val)
{
	/* Turning the FIFOs on or off empties them. */
	if ((val ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	/* With FCR.0 clear the other bits are not programmed. */
	if (!(val & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (val & FCR_CLEAR_RX)
		rx_clear(u);
	/* FCR_CLEAR_TX: nothing to do, the transmitter is always empty. */
	u->fcr = val & FCR_KEPT;
}

static uint8_t iir_read(struct vuart *u)
{
	uint8_t cause = iir_cause(u);

	/* Reading IIR acknowledges THRE, but only when it is what IIR shows. */
	if (cause == IIR_THRI)
		u->thre_pending = false;
	return cause | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
}

static uint8_t lsr_read(struct vuart *u)
{
	uint8_t lsr = u->lsr_err;

	if (!tx_full(u))
		lsr |= LSR_THRE | LSR_TEMT;

	if (u->rx_count)
		lsr |= LSR_DR;
	u->lsr_err = 0;
	return lsr;
}

static uint8_t msr_read(struct vuart *u)
{
	uint8_t msr = u->msr;

	u->msr &= MSR_INPUTS;
	return msr;
}

bool vuart_read(struct vuart *u, unsigned off, uint8_t *val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RBR: /* or DLL */
		*val = dlab ? u->dll : rx_pop(u);
		break;
	case UART_IER: /* or DLM */
		*val = dlab ? u->dlm : u->ier;
		break;
	case UART_IIR:
		*val = iir_read(u);
		break;
	case UART_LCR:
		*val = u->lcr;
		break;
	case UART_MCR:
		*val = u->mcr;
		break;
	case UART_LSR:
		*val = lsr_read(u);
		break;
	case UART_MSR:
		*val = msr_read(u);
		break;
	case UART_SCR:
		*val = u->scr;
		break;
	default:
		return false;
	}
	update_irq(u);
	return true;
}

bool vuart_write(struct vuart *u, unsigned off, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_THR: /* or DLL */
		if (dlab)
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case UART_IER: /* or DLM */
		if (dlab)
			u->dlm = val;
		else
			ier_write(u, val);
		break;
	case UART_FCR:
		fcr_write(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & MCR_MASK;
		msr_update(u);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only (factory test on real parts): ignored. */
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		return false;
	}
	update_irq(u);
	return true;
}

bool vuart_rx_push(struct vuart *u, uint8_t c)
{
	if ((u->mcr & MCR_LOOP) || !rx_put(u, c))
		return false;
	update_irq(u);
	return true;
}

void vuart_tx_ready(struct vuart *u)
{
	if (!u->tx_waiting || tx_full(u))
		return;
	u->tx_waiting = false;
	u->thre_pending = true;
	update_irq(u);
}

unsigned vuart_rx_space(const struct vuart *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;
	return VUART_FIFO - u->rx_count;
}

void vuart_init(struct vuart *u, const struct vuart_ops *ops, void *opaque)
{
	/* Power-on state: everything 0, modem ready, output low. */
	*u = (struct vuart){
		.ops = ops,
		.opaque = opaque,
		.msr = MSR_IDLE,
	};
}
