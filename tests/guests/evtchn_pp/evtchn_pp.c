// SPDX-License-Identifier: GPL-2.0
/*
 * Event-channel ping-pong between kernel modules in two domains, through
 * Vireo's event-channel hypercalls and upcall interrupt only.
 *
 *   DomU:  insmod evtchn_pp.ko role=client       -> "evtchn_pp: client port P"
 *   Dom0:  insmod evtchn_pp.ko role=server domid=D port=P iters=N
 *          -> "evtchn_pp: N round trips ..." then fails to load (by design)
 *
 * The client echoes every event back; the server counts round trips. In
 * a DomU the module owns the domain's event channels (raw hypercalls; the
 * upcall line mapped through the vPLIC node by hand). In Dom0 vireo.ko owns
 * them, and the server uses its exported API.
 */
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <asm/sbi.h>

#include "vireo_abi.h"

static char *role = "client";
static uint domid, port, iters = 10000;
module_param(role, charp, 0444);
module_param(domid, uint, 0444);
module_param(port, uint, 0444);
module_param(iters, uint, 0444);

static struct vireo_evtchn_shared *shared;
static u32 local_port;
static int irq;
static bool server;
static atomic_t count;
static DECLARE_COMPLETION(done);

static long hc(unsigned long fid, unsigned long a0, unsigned long a1, long *val)
{
	struct sbiret r = sbi_ecall(VIREO_SBI_EXT, fid, a0, a1, 0, 0, 0, 0);

	if (val)
		*val = r.value;
	return r.error;
}

/* Dom0: vireo.ko's in-kernel event-channel API, looked up at run time so
 * the same module also loads in a DomU without vireo.ko. */
static int (*k_bind)(u32, u32, void (*)(u32, void *), void *, u32 *);
static int (*k_send)(u32);
static void (*k_close)(u32);

int vireo_evtchn_bind_interdomain(u32, u32, void (*)(u32, void *), void *, u32 *);
int vireo_evtchn_send(u32);
void vireo_evtchn_close(u32);

static void server_event(u32 p, void *arg)
{
	if (atomic_inc_return(&count) < iters)
		k_send(local_port);
	else
		complete(&done);
}

static int server_dom0(void)
{
	int rc;
	u64 t0;

	k_bind = symbol_get(vireo_evtchn_bind_interdomain);
	k_send = symbol_get(vireo_evtchn_send);
	k_close = symbol_get(vireo_evtchn_close);
	if (!k_bind || !k_send || !k_close) {
		rc = -ENOENT;
		goto out;
	}
	rc = k_bind(domid, port, server_event, NULL, &local_port);
	if (rc)
		goto out;
	t0 = ktime_get_ns();
	k_send(local_port);
	if (!wait_for_completion_timeout(&done, 60 * HZ))
		pr_info("evtchn_pp: timeout after %d round trips\n",
			atomic_read(&count));
	else
		pr_info("evtchn_pp: %d round trips in %llu us\n",
			atomic_read(&count), (ktime_get_ns() - t0) / 1000);
	k_close(local_port);
	local_port = 0;
out:
	if (rc)
		pr_info("evtchn_pp: vireo.ko event channels: error %d\n", rc);
	if (k_bind)
		symbol_put(vireo_evtchn_bind_interdomain);
	if (k_send)
		symbol_put(vireo_evtchn_send);
	if (k_close)
		symbol_put(vireo_evtchn_close);
	return -ENODEV; /* done: unload at once */
}

static irqreturn_t upcall(int irq_, void *data)
{
	u64 *word = &shared->pending[local_port / 64];
	u64 bit = 1ULL << (local_port % 64);

	if (!(xchg(word, 0) & bit))	/* only our port is in use */
		return IRQ_NONE;
	hc(VIREO_HC_EVTCHN_SEND, local_port, 0, NULL);	/* echo */
	return IRQ_HANDLED;
}

static int map_upcall(void)
{
	struct of_phandle_args args = { .args_count = 1 };
	struct device_node *vireo = of_find_compatible_node(NULL, NULL,
							   "vireo,hypervisor");

	args.np = of_find_compatible_node(NULL, NULL, "riscv,plic0");
	if (!args.np)
		return -ENODEV;
	args.args[0] = vireo ? VIREO_DOM0_EVTCHN_IRQ : VIREO_DOMU_EVTCHN_IRQ;
	of_node_put(vireo);
	irq = irq_create_of_mapping(&args);
	of_node_put(args.np);
	if (!irq)
		return -EINVAL;
	return request_irq(irq, upcall, 0, "evtchn_pp", NULL);
}

static void cleanup(void)
{
	if (local_port)
		hc(VIREO_HC_EVTCHN_CLOSE, local_port, 0, NULL);
	if (irq > 0)
		free_irq(irq, NULL);
	hc(VIREO_HC_EVTCHN_INIT, 0, 0, NULL);	/* the page goes back */
	free_page((unsigned long)shared);
}

static int __init pp_init(void)
{
	long err, val;
	int rc;

	server = !strcmp(role, "server");
	if (server)
		return server_dom0();
	shared = (void *)get_zeroed_page(GFP_KERNEL);
	if (!shared)
		return -ENOMEM;
	err = hc(VIREO_HC_EVTCHN_INIT, virt_to_phys(shared), 0, NULL);
	rc = err ? -EIO : map_upcall();
	if (rc) {
		pr_info("evtchn_pp: setup failed (%ld/%d)\n", err, rc);
		goto fail;
	}
	/* The client: wait for the server on a port for Dom0. */
	err = hc(VIREO_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &val);
	if (err)
		goto hcfail;
	local_port = val;
	pr_info("evtchn_pp: client port %u\n", local_port);
	return 0;
hcfail:
	pr_info("evtchn_pp: hypercall error %ld\n", err);
	rc = -EIO;
fail:
	cleanup();
	return rc;
}

static void __exit pp_exit(void)
{
	cleanup();
}

module_init(pp_init);
module_exit(pp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Vireo test: event-channel ping-pong between domains");
