/*
 * Stand-ins for what test_domain_life.c does not test: the vCPU arch
 * state, the vPLIC, the vUART, the console and the ioreq server.
 */
#ifndef STUBS_DOMAIN_LIFE_H
#define STUBS_DOMAIN_LIFE_H

static unsigned ioreq_destroys;

void arch_idle(void) {}
void arch_timer_arm(uint64_t when) {}
void console_feed_dom0(void) {}
void console_write(const char *s, size_t n) {}
enum mmio_result ioreq_mmio(struct vcpu *v, gpa_t gpa, unsigned width,
			    bool is_store, uint64_t *valp)
{
	return MMIO_FAULT;
}
void ioreq_destroy_all(struct domain *d) { ioreq_destroys++; }
int domain_devices_init(struct domain *d) { return 0; }
bool vcpu_arch_irq_pending(struct vcpu *v) { return false; }
void vcpu_arch_load(struct vcpu *v) {}
void vcpu_arch_prepare_entry(struct vcpu *v) {}
void vcpu_arch_put(struct vcpu *v) {}
void vcpu_arch_reset(struct vcpu *v, unsigned long pc, unsigned long a0,
		     unsigned long a1) {}
uint64_t vcpu_arch_timer(struct vcpu *v) { return ~0UL; }
uint64_t vcpu_arch_wakeup(struct vcpu *v) { return ~0UL; }
void vcpu_arch_trap_wfi(struct vcpu *v, bool trap) {}
void vcpu_kick(struct vcpu *v) {}
void vcpu_arch_enter(struct vcpu *v) { abort(); }
void vcpu_set_irq(struct vcpu *v, unsigned long hvip_bit, bool level) {}
/* Counted: the console ring's tests check when Dom0 is told. */
static unsigned virq_raised, tx_ready_calls;
int virqc_init(struct domain *d, unsigned nr_lines) { return 0; }
void virqc_free(struct domain *d) {}
void virqc_set_level(struct domain *d, unsigned line, bool level) {}
void virqc_inject(struct domain *d, unsigned line) {}
unsigned vmid_arch_probe_bits(void) { return 14; }
void vmid_arch_flush_local(uint16_t vmid) {}
void vuart_init(struct vuart *u, const struct vuart_ops *ops, void *opaque) {}
bool vuart_read(struct vuart *u, unsigned off, uint8_t *val) { return false; }
bool vuart_rx_push(struct vuart *u, uint8_t c) { return false; }
bool vuart_write(struct vuart *u, unsigned off, uint8_t val) { return false; }
void vuart_tx_ready(struct vuart *u) { tx_ready_calls++; }

#endif
