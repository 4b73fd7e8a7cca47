/*
 * Host test of the virtual ns16550a: register semantics, the receive FIFO,
 * interrupt identification and the interrupt output, checked through the
 * two callbacks.
 */
#include "test.h"
#include "../../kernel/core/vuart.c"

struct sink {
	uint8_t tx[64];
	unsigned ntx;
	bool full; /* what tx_full answers (sink_full_ops) */
	unsigned irq_calls;
	bool level;
};

static void sink_tx(void *opaque, uint8_t c)
{
	struct sink *s = opaque;

	if (s->ntx < sizeof(s->tx))
		s->tx[s->ntx] = c;
	s->ntx++;
}

static void sink_set_irq(void *opaque, bool level)
{
	struct sink *s = opaque;

	CHECK(level != s->level); /* called only on a change */
	s->level = level;
	s->irq_calls++;
}

static const struct vuart_ops sink_ops = {
	.tx = sink_tx,
	.set_irq = sink_set_irq,
};

static bool sink_full(void *opaque)
{
	return ((struct sink *)opaque)->full;
}

static const struct vuart_ops sink_full_ops = {
	.tx = sink_tx,
	.set_irq = sink_set_irq,
	.tx_full = sink_full,
};

static void setup(struct vuart *u, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	memset(u, 0x5a, sizeof(*u)); /* init must not rely on zeroed memory */
	vuart_init(u, &sink_ops, s);
}

static uint8_t rd(struct vuart *u, unsigned off)
{
	uint8_t v = 0xee;

	CHECK(vuart_read(u, off, &v));
	return v;
}

static void wr(struct vuart *u, unsigned off, uint8_t v)
{
	CHECK(vuart_write(u, off, v));
}

/* ---------------------------------------------------------------- cases */

static void test_reset_state(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	CHECK_EQ(rd(&u, UART_IER), 0);
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	CHECK_EQ(rd(&u, UART_LCR), 0);
	CHECK_EQ(rd(&u, UART_MCR), 0);
	CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_MSR), 0xb0); /* CTS | DSR | DCD, no deltas */
	CHECK_EQ(rd(&u, UART_SCR), 0);
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO);
	CHECK(!u.irq);
	CHECK_EQ(s.irq_calls, 0);
}

static void test_tx(void)
{
	static const char msg[] = "Vireo\n";
	struct vuart u;
	struct sink s;
	unsigned i;

	setup(&u, &s);
	for (i = 0; msg[i]; i++) {
		wr(&u, UART_THR, (uint8_t)msg[i]);
		CHECK_EQ(s.ntx, i + 1); /* sent at once */
		CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	}
	CHECK(!memcmp(s.tx, msg, sizeof(msg) - 1));
	wr(&u, UART_THR, 0x00);
	wr(&u, UART_THR, 0xff);
	CHECK_EQ(s.ntx, 8);
	CHECK_EQ(s.tx[6], 0x00);
	CHECK_EQ(s.tx[7], 0xff);
	CHECK_EQ(s.irq_calls, 0); /* no interrupt enabled */
	CHECK_EQ(rd(&u, UART_RBR), 0); /* nothing looped back */
}

static void test_rx_order_and_full(void)
{
	struct vuart u;
	struct sink s;
	unsigned i;

	setup(&u, &s);
	CHECK_EQ(rd(&u, UART_RBR), 0); /* empty FIFO reads 0 */
	for (i = 0; i < VUART_FIFO; i++) {
		CHECK_EQ(vuart_rx_space(&u), VUART_FIFO - i);
		CHECK(vuart_rx_push(&u, (uint8_t)(0x80 + i)));
	}
	CHECK_EQ(vuart_rx_space(&u), 0);
	CHECK(!vuart_rx_push(&u, 0x11));
	CHECK_EQ(rd(&u, UART_LSR), LSR_DR | LSR_THRE | LSR_TEMT); /* no OE */
	/* Pop a few, refill: order must survive the wrap-around. */
	for (i = 0; i < 5; i++)
		CHECK_EQ(rd(&u, UART_RBR), 0x80 + i);
	CHECK_EQ(vuart_rx_space(&u), 5);
	for (i = 0; i < 5; i++)
		CHECK(vuart_rx_push(&u, (uint8_t)(0x80 + VUART_FIFO + i)));
	CHECK(!vuart_rx_push(&u, 0x11));
	for (i = 5; i < VUART_FIFO + 5; i++) {
		CHECK(rd(&u, UART_LSR) & LSR_DR);
		CHECK_EQ(rd(&u, UART_RBR), 0x80 + i);
	}
	CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO);
	CHECK_EQ(s.irq_calls, 0);
}

static void test_rx_interrupt(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	CHECK(vuart_rx_push(&u, 'a')); /* ERBFI off: no interrupt */
	CHECK_EQ(s.irq_calls, 0);
	wr(&u, UART_IER, IER_ERBFI); /* data already there: raise */
	CHECK_EQ(s.irq_calls, 1);
	CHECK(s.level && u.irq);
	CHECK_EQ(rd(&u, UART_IIR), IIR_RDI);
	CHECK(vuart_rx_push(&u, 'b')); /* still high: no call */
	CHECK_EQ(s.irq_calls, 1);
	CHECK_EQ(rd(&u, UART_RBR), 'a');
	CHECK_EQ(s.irq_calls, 1);
	CHECK_EQ(rd(&u, UART_RBR), 'b'); /* empty: lower */
	CHECK_EQ(s.irq_calls, 2);
	CHECK(!s.level && !u.irq);
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	CHECK(vuart_rx_push(&u, 'c')); /* raise again */
	CHECK_EQ(s.irq_calls, 3);
	wr(&u, UART_IER, 0); /* disabling the source lowers */
	CHECK_EQ(s.irq_calls, 4);
	CHECK(!s.level);
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	wr(&u, UART_IER, IER_ERBFI);
	CHECK_EQ(s.irq_calls, 5);
	wr(&u, UART_FCR, FCR_ENABLE | FCR_CLEAR_RX); /* flushing lowers */
	CHECK_EQ(s.irq_calls, 6);
	CHECK(!s.level);
}

static void test_thre_interrupt(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	wr(&u, UART_THR, 'x'); /* ETBEI off: latched, not visible */
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	wr(&u, UART_IER, IER_ETBEI); /* 0 -> 1 */
	CHECK_EQ(s.irq_calls, 1);
	CHECK(s.level);
	CHECK_EQ(rd(&u, UART_IIR), IIR_THRI); /* acknowledges */
	CHECK_EQ(s.irq_calls, 2);
	CHECK(!s.level);
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	wr(&u, UART_IER, IER_ETBEI); /* 1 -> 1: no new edge */
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	CHECK_EQ(s.irq_calls, 2);
	wr(&u, UART_THR, 'y'); /* byte gone at once: pending again */
	CHECK_EQ(s.ntx, 2);
	CHECK_EQ(s.irq_calls, 3);
	CHECK(s.level);
	wr(&u, UART_THR, 'z'); /* ack + re-pend: the line stays high */
	CHECK_EQ(s.irq_calls, 3);
	/* Only an IIR read that reports THRE acknowledges it. */
	CHECK(vuart_rx_push(&u, 'r'));
	wr(&u, UART_IER, IER_ETBEI | IER_ERBFI);
	CHECK_EQ(rd(&u, UART_IIR), IIR_RDI);
	CHECK_EQ(rd(&u, UART_RBR), 'r');
	CHECK_EQ(rd(&u, UART_IIR), IIR_THRI);
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	CHECK_EQ(s.irq_calls, 4);
	CHECK(!s.level);
}

/*
 * A full sink (a DomU's console ring Dom0 has not drained): THR reads busy,
 * so a guest polling LSR waits; THRE is raised only when the sink says it
 * has room (vuart_tx_ready), and not again if nothing was waiting.
 */
static void test_tx_backpressure(void)
{
	struct vuart u;
	struct sink s;

	memset(&s, 0, sizeof(s));
	vuart_init(&u, &sink_full_ops, &s);
	wr(&u, UART_IER, IER_ETBEI);
	CHECK_EQ(rd(&u, UART_IIR), IIR_THRI);
	s.full = true;
	CHECK_EQ(rd(&u, UART_LSR), 0); /* busy: neither THRE nor TEMT */
	vuart_tx_ready(&u); /* nobody waiting yet: nothing */
	CHECK(!s.level);
	s.full = false;
	wr(&u, UART_THR, 'a');
	CHECK(s.level);
	CHECK_EQ(rd(&u, UART_IIR), IIR_THRI);
	s.full = true;
	wr(&u, UART_THR, 'b'); /* the byte that filled it still goes */
	CHECK_EQ(s.ntx, 2);
	CHECK(!s.level); /* THR busy: no THRE */
	CHECK_EQ(rd(&u, UART_IIR), IIR_NO_INT);
	vuart_tx_ready(&u); /* still full: nothing */
	CHECK(!s.level);
	s.full = false;
	CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	vuart_tx_ready(&u);
	CHECK(s.level);
	CHECK_EQ(rd(&u, UART_IIR), IIR_THRI);
	vuart_tx_ready(&u); /* once per wait */
	CHECK(!s.level);
	/* Loopback: THR feeds the FIFO, never the sink, so never busy. */
	s.full = true;
	wr(&u, UART_MCR, MCR_LOOP);
	CHECK(rd(&u, UART_LSR) & LSR_THRE);
}

/* The THRE probe of serial8250_do_startup() must not flag UART_BUG_THRE. */
static void test_thre_linux_probe(void)
{
	struct vuart u;
	struct sink s;
	uint8_t iir1, iir2;

	setup(&u, &s);
	wr(&u, UART_IER, IER_ETBEI);
	iir1 = rd(&u, UART_IIR);
	wr(&u, UART_IER, 0);
	wr(&u, UART_IER, IER_ETBEI);
	iir2 = rd(&u, UART_IIR);
	wr(&u, UART_IER, 0);
	CHECK_EQ(iir1, IIR_THRI);
	CHECK_EQ(iir2, IIR_THRI);
	CHECK(!s.level);
	CHECK_EQ(s.irq_calls, 4);
}

static void test_iir_priority(void)
{
	struct vuart u;
	struct sink s;
	unsigned i;

	setup(&u, &s);
	wr(&u, UART_FCR, FCR_ENABLE);
	wr(&u, UART_MCR, MCR_LOOP); /* CTS/DSR/DCD drop: 3 deltas */
	wr(&u, UART_IER, IER_MASK);
	CHECK_EQ(s.irq_calls, 1);
	for (i = 0; i <= VUART_FIFO; i++) /* one byte too many: overrun */
		wr(&u, UART_THR, (uint8_t)i);
	CHECK_EQ(s.ntx, 0);
	/* Pending now: line status, data, THRE and modem status. */
	CHECK_EQ(rd(&u, UART_IIR), IIR_FIFO_ON | IIR_RLSI);
	CHECK_EQ(rd(&u, UART_LSR), LSR_OE | LSR_DR | LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_IIR), IIR_FIFO_ON | IIR_RDI);
	for (i = 0; i < VUART_FIFO; i++)
		CHECK_EQ(rd(&u, UART_RBR), i);
	CHECK_EQ(rd(&u, UART_IIR), IIR_FIFO_ON | IIR_THRI);
	CHECK_EQ(rd(&u, UART_IIR), IIR_FIFO_ON | IIR_MSI);
	CHECK_EQ(rd(&u, UART_MSR), MSR_DCTS | MSR_DDSR | MSR_DDCD);
	CHECK_EQ(rd(&u, UART_IIR), IIR_FIFO_ON | IIR_NO_INT);
	CHECK_EQ(s.irq_calls, 2);
	CHECK(!s.level);
}

static void test_fcr(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	CHECK_EQ(rd(&u, UART_IIR), 0x01);
	wr(&u, UART_FCR, FCR_ENABLE);
	CHECK_EQ(rd(&u, UART_IIR), 0xc1);
	wr(&u, UART_FCR, FCR_ENABLE | FCR_TRIGGER | FCR_CLEAR_TX);
	CHECK_EQ(rd(&u, UART_IIR), 0xc1); /* bits 5:4 stay 0 (no 16750) */
	CHECK(vuart_rx_push(&u, 1));
	CHECK(vuart_rx_push(&u, 2));
	wr(&u, UART_FCR, FCR_ENABLE | FCR_CLEAR_TX); /* TX clear: no-op */
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO - 2);
	wr(&u, UART_FCR, FCR_ENABLE | FCR_CLEAR_RX);
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO);
	CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	CHECK(vuart_rx_push(&u, 3));
	wr(&u, UART_FCR, 0); /* disabling the FIFOs empties them */
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO);
	CHECK_EQ(rd(&u, UART_IIR), 0x01);
	CHECK(vuart_rx_push(&u, 4));
	wr(&u, UART_FCR, FCR_CLEAR_RX); /* without FCR.0: not programmed */
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO - 1);
	wr(&u, UART_FCR, FCR_ENABLE); /* enabling empties them too */
	CHECK_EQ(vuart_rx_space(&u), VUART_FIFO);
	CHECK_EQ(s.irq_calls, 0);
}

static void test_dlab(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	wr(&u, UART_IER, IER_ERBFI | IER_ELSI);
	CHECK(vuart_rx_push(&u, 'q'));
	CHECK_EQ(s.irq_calls, 1);
	wr(&u, UART_LCR, LCR_DLAB | 0x03);
	CHECK_EQ(rd(&u, UART_LCR), LCR_DLAB | 0x03);
	wr(&u, UART_DLL, 0x12); /* not a THR write */
	wr(&u, UART_DLM, 0x34); /* not an IER write */
	CHECK_EQ(s.ntx, 0);
	CHECK_EQ(rd(&u, UART_DLL), 0x12); /* not an RBR pop */
	CHECK_EQ(rd(&u, UART_DLM), 0x34);
	CHECK(rd(&u, UART_LSR) & LSR_DR);
	CHECK_EQ(rd(&u, UART_IIR), IIR_RDI); /* offset 2 ignores DLAB */
	wr(&u, UART_LCR, 0x03);
	CHECK_EQ(rd(&u, UART_IER), IER_ERBFI | IER_ELSI);
	CHECK_EQ(rd(&u, UART_RBR), 'q');
	wr(&u, UART_THR, '!');
	CHECK_EQ(s.ntx, 1);
	wr(&u, UART_LCR, LCR_DLAB);
	CHECK_EQ(rd(&u, UART_DLL), 0x12);
	CHECK_EQ(rd(&u, UART_DLM), 0x34);
	CHECK_EQ(s.irq_calls, 2);
}

static void test_scratch_and_masks(void)
{
	struct vuart u;
	struct sink s;
	unsigned v;

	setup(&u, &s);
	for (v = 0; v < 256; v++) {
		wr(&u, UART_SCR, (uint8_t)v);
		CHECK_EQ(rd(&u, UART_SCR), v);
	}
	wr(&u, UART_IER, 0xf0); /* bits 7:4 do not exist (not XScale UUE) */
	CHECK_EQ(rd(&u, UART_IER), 0);
	wr(&u, UART_IER, 0xff);
	CHECK_EQ(rd(&u, UART_IER), 0x0f);
	wr(&u, UART_IER, 0);
	wr(&u, UART_MCR, 0xef);
	CHECK_EQ(rd(&u, UART_MCR), 0x0f); /* bits 7:5 do not exist */
	wr(&u, UART_LSR, 0x00); /* read-only registers ignore writes */
	wr(&u, UART_MSR, 0x00);
	CHECK_EQ(rd(&u, UART_LSR), LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_MSR), 0xb0);
}

static void test_loopback(void)
{
	struct vuart u;
	struct sink s;
	unsigned i;

	setup(&u, &s);
	/* autoconfig(): MCR = LOOP | RTS | OUT2 must read CTS | DCD. */
	wr(&u, UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
	CHECK_EQ(rd(&u, UART_MSR) & MSR_INPUTS, 0x90);
	CHECK(!vuart_rx_push(&u, 'e')); /* receiver cut off from the line */
	CHECK_EQ(vuart_rx_space(&u), 0);
	wr(&u, UART_THR, 'L');
	CHECK_EQ(s.ntx, 0);
	CHECK_EQ(rd(&u, UART_LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_RBR), 'L');
	/* Overrun: the 17th byte is lost and OE is latched until LSR read. */
	for (i = 0; i <= VUART_FIFO; i++)
		wr(&u, UART_THR, (uint8_t)('a' + i));
	CHECK_EQ(rd(&u, UART_LSR), LSR_OE | LSR_DR | LSR_THRE | LSR_TEMT);
	CHECK_EQ(rd(&u, UART_LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	for (i = 0; i < VUART_FIFO; i++)
		CHECK_EQ(rd(&u, UART_RBR), 'a' + i);
	CHECK(!(rd(&u, UART_LSR) & LSR_DR));
	/* Outputs drive the inputs: DTR->DSR, OUT1->RI. */
	wr(&u, UART_MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
	CHECK_EQ(rd(&u, UART_MSR),
		 MSR_DSR | MSR_RI | MSR_DCTS | MSR_DDSR | MSR_DDCD);
	wr(&u, UART_MCR, MCR_LOOP); /* RI 1 -> 0: trailing edge */
	CHECK_EQ(rd(&u, UART_MSR), MSR_DDSR | MSR_TERI);
	CHECK_EQ(rd(&u, UART_MSR), 0);
	wr(&u, UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2); /* loopback off */
	CHECK_EQ(rd(&u, UART_MSR), 0xb0 | MSR_DCTS | MSR_DDSR | MSR_DDCD);
	CHECK_EQ(rd(&u, UART_MSR), 0xb0);
	wr(&u, UART_THR, 'T'); /* to the line again, not the FIFO */
	CHECK_EQ(s.ntx, 1);
	CHECK_EQ(s.tx[0], 'T');
	CHECK(vuart_rx_push(&u, 'e'));
	CHECK_EQ(rd(&u, UART_RBR), 'e');
	CHECK_EQ(s.irq_calls, 0);
}

static void test_modem_interrupt(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	wr(&u, UART_IER, IER_EDSSI);
	CHECK_EQ(s.irq_calls, 0);
	wr(&u, UART_MCR, MCR_OUT2); /* not a gate, no input change */
	CHECK_EQ(s.irq_calls, 0);
	wr(&u, UART_MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS | MCR_DTR);
	CHECK_EQ(s.irq_calls, 0); /* same inputs as the idle modem */
	wr(&u, UART_MCR, MCR_LOOP | MCR_OUT2 | MCR_DTR); /* CTS drops */
	CHECK_EQ(s.irq_calls, 1);
	CHECK_EQ(rd(&u, UART_IIR), IIR_MSI);
	CHECK_EQ(rd(&u, UART_MSR), MSR_DSR | MSR_DCD | MSR_DCTS);
	CHECK_EQ(s.irq_calls, 2);
	CHECK(!s.level);
}

/* The interrupt output ignores MCR.OUT2 (wired to a vPLIC, not ISA). */
static void test_no_out2_gate(void)
{
	struct vuart u;
	struct sink s;

	setup(&u, &s);
	wr(&u, UART_MCR, 0);
	wr(&u, UART_IER, IER_ERBFI);
	CHECK(vuart_rx_push(&u, 'k'));
	CHECK(s.level);
	wr(&u, UART_MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
	CHECK(s.level);
	CHECK_EQ(s.irq_calls, 1);
}

static void test_bad_offsets(void)
{
	static const unsigned bad[] = { 8, 9, 0xff, VUART_SIZE, ~0U };
	struct vuart u, before;
	struct sink s;
	unsigned i;
	uint8_t v;

	setup(&u, &s);
	CHECK(vuart_rx_push(&u, 'z'));
	memcpy(&before, &u, sizeof(u));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0x77;
		CHECK(!vuart_read(&u, bad[i], &v));
		CHECK_EQ(v, 0x77);
		CHECK(!vuart_write(&u, bad[i], 0x41));
	}
	CHECK(!memcmp(&u, &before, sizeof(u)));
	CHECK_EQ(s.ntx, 0);
	CHECK_EQ(s.irq_calls, 0);
}

int main(void)
{
	RUN(test_reset_state);
	RUN(test_tx);
	RUN(test_rx_order_and_full);
	RUN(test_rx_interrupt);
	RUN(test_thre_interrupt);
	RUN(test_thre_linux_probe);
	RUN(test_tx_backpressure);
	RUN(test_iir_priority);
	RUN(test_fcr);
	RUN(test_dlab);
	RUN(test_scratch_and_masks);
	RUN(test_loopback);
	RUN(test_modem_interrupt);
	RUN(test_no_out2_gate);
	RUN(test_bad_offsets);
	TEST_DONE();
}
