// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's event channels, modelled on Xen's drivers/xen/evtchn.c:
 * vireo.ko registers the domain's shared page with the hypervisor, takes
 * the upcall line and hands each fired port to its owner: a kernel
 * callback (the vireo_evtchn_* API, exported: vireo_evtchn.h) or an open
 * /dev/vireo_evtchn file, where it stays masked until userspace writes it
 * back. The same code serves Dom0 (upcall on vPLIC line 49, found through
 * the PLIC node) and a DomU (line 6, from its /hypervisor node).
 */
#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "vireo_abi.h"
#include "vireo_evtchn.h"
#include "vireo_internal.h"
#include "vireo_ioctl.h"

#define RING 256 /* a file can hold every port once */

struct evtchn_file {
	spinlock_t lock;
	u32 ring[RING];
	unsigned int head, count;
	wait_queue_head_t wq;
};

struct port_owner {
	vireo_evtchn_cb cb;              /* a kernel user, or */
	void *arg;
	struct evtchn_file *file;        /* a /dev/vireo_evtchn file */
};

static struct vireo_evtchn_shared *shared;
static struct port_owner owners[VIREO_EVTCHN_PORTS];
static DEFINE_SPINLOCK(owners_lock);
static int upcall_irq;

static long hc(u32 fid, unsigned long a0, unsigned long a1, long *value)
{
	const unsigned long a[VIREO_NR_ARGS] = { a0, a1 };
	struct sbiret r = vireo_hypercall(fid, a);

	if (value)
		*value = r.value;
	return r.error;
}

static int errno_of(long sbi_err)
{
	switch (sbi_err) {
	case 0: return 0;
	case -3: return -EINVAL;  /* SBI_ERR_INVALID_PARAM */
	case -4: return -EACCES;  /* SBI_ERR_DENIED */
	case -6: return -EBUSY;   /* SBI_ERR_ALREADY_AVAILABLE */
	default: return -EIO;
	}
}

static u64 *word_of(u64 *bitmap, u32 port)
{
	return &bitmap[port / 64];
}

/* Hand a fired port to its owner; false if it has none (yet). */
static bool deliver(u32 port)
{
	struct port_owner o;
	unsigned long flags;

	spin_lock_irqsave(&owners_lock, flags);
	o = owners[port];
	spin_unlock_irqrestore(&owners_lock, flags);
	if (!o.cb && !o.file)
		return false;
	if (o.cb) {
		o.cb(port, o.arg);
	} else if (o.file) {
		struct evtchn_file *f = o.file;
		/* Masked until userspace has seen it and writes it back. */
		set_bit(port % 64, (unsigned long *)word_of(shared->mask, port));
		spin_lock_irqsave(&f->lock, flags);
		if (f->count < RING)
			f->ring[(f->head + f->count++) % RING] = port;
		spin_unlock_irqrestore(&f->lock, flags);
		wake_up_interruptible(&f->wq);
	}
	return true;
}

static irqreturn_t upcall(int irq, void *data)
{
	bool any = false;

	for (unsigned int w = 0; w < VIREO_EVTCHN_PORTS / 64; w++) {
		u64 bits = xchg(&shared->pending[w], 0);
		while (bits) {
			unsigned int b = __ffs64(bits);
			bits &= bits - 1;
			/*
			 * A port that fired between its bind hypercall and
			 * its owner's entry: keep it pending for bind().
			 */
			if (!deliver(w * 64 + b))
				set_bit(b, (unsigned long *)&shared->pending[w]);
			any = true;
		}
	}
	return any ? IRQ_HANDLED : IRQ_NONE;
}

static int bind(u32 fid, u32 domid, u32 rport, struct port_owner *o, u32 *port)
{
	unsigned long flags;
	long v, err = hc(fid, domid, rport, &v);

	if (err)
		return errno_of(err);
	*port = v;
	spin_lock_irqsave(&owners_lock, flags);
	owners[v] = *o;
	spin_unlock_irqrestore(&owners_lock, flags);
	/*
	 * An event that came before the owner did is still pending (see
	 * upcall()): UNMASK has the hypervisor raise the upcall again, so it
	 * is delivered from the handler like any other.
	 */
	if (test_bit(v % 64, (unsigned long *)word_of(shared->pending, v)))
		hc(VIREO_HC_EVTCHN_UNMASK, v, 0, NULL);
	return 0;
}

static void unbind(u32 port)
{
	unsigned long flags;

	spin_lock_irqsave(&owners_lock, flags);
	memset(&owners[port], 0, sizeof(owners[port]));
	spin_unlock_irqrestore(&owners_lock, flags);
	hc(VIREO_HC_EVTCHN_CLOSE, port, 0, NULL);
	/*
	 * A file closed between reading a port and writing it back (its
	 * process killed) leaves it masked: the number's next owner must
	 * not inherit that, or it would never hear an event.
	 */
	clear_bit(port % 64, (unsigned long *)word_of(shared->mask, port));
}

int vireo_evtchn_alloc_unbound(u32 remote_domid, vireo_evtchn_cb cb,
			       void *arg, u32 *port)
{
	struct port_owner o = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return bind(VIREO_HC_EVTCHN_ALLOC_UNBOUND, remote_domid, 0, &o, port);
}
EXPORT_SYMBOL_GPL(vireo_evtchn_alloc_unbound);

int vireo_evtchn_bind_virq(u32 virq, vireo_evtchn_cb cb, void *arg, u32 *port)
{
	struct port_owner o = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return bind(VIREO_HC_EVTCHN_BIND_VIRQ, virq, 0, &o, port);
}
EXPORT_SYMBOL_GPL(vireo_evtchn_bind_virq);

int vireo_evtchn_bind_interdomain(u32 remote_domid, u32 remote_port,
				  vireo_evtchn_cb cb, void *arg, u32 *port)
{
	struct port_owner o = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return bind(VIREO_HC_EVTCHN_BIND_INTERDOMAIN, remote_domid,
		    remote_port, &o, port);
}
EXPORT_SYMBOL_GPL(vireo_evtchn_bind_interdomain);

int vireo_evtchn_send(u32 port)
{
	return errno_of(hc(VIREO_HC_EVTCHN_SEND, port, 0, NULL));
}
EXPORT_SYMBOL_GPL(vireo_evtchn_send);

void vireo_evtchn_close(u32 port)
{
	if (port && port < VIREO_EVTCHN_PORTS) {
		unbind(port);
		/* deliver() copies an owner out of the table and calls it
		 * unlocked: let a handler in flight finish with cb and arg. */
		synchronize_irq(upcall_irq);
	}
}
EXPORT_SYMBOL_GPL(vireo_evtchn_close);

static int evf_open(struct inode *inode, struct file *file)
{
	struct evtchn_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	init_waitqueue_head(&f->wq);
	file->private_data = f;
	return stream_open(inode, file);
}

static int evf_release(struct inode *inode, struct file *file)
{
	struct evtchn_file *f = file->private_data;

	for (u32 p = 1; p < VIREO_EVTCHN_PORTS; p++)
		if (READ_ONCE(owners[p].file) == f)
			unbind(p);
	/*
	 * deliver() copies the owner out of the table and uses f after
	 * dropping owners_lock: an upcall running on another CPU may still
	 * be queueing into f. No new one can find it now that the ports are
	 * unbound, so once the handlers in flight are done f can go.
	 */
	synchronize_irq(upcall_irq);
	kfree(f);
	return 0;
}

static bool owned(struct evtchn_file *f, u32 port)
{
	return port && port < VIREO_EVTCHN_PORTS && READ_ONCE(owners[port].file) == f;
}

static long evf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct evtchn_file *f = file->private_data;
	struct port_owner o = { .file = f };
	struct vireo_evtchn_ioctl io;
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&io, (void __user *)arg, sizeof(io)))
		return -EFAULT;
	switch (cmd) {
	case VIREO_EVTCHN_BIND_INTERDOMAIN:
		rc = bind(VIREO_HC_EVTCHN_BIND_INTERDOMAIN, io.domid,
			  io.remote_port, &o, &io.port);
		break;
	case VIREO_EVTCHN_ALLOC_UNBOUND:
		rc = bind(VIREO_HC_EVTCHN_ALLOC_UNBOUND, io.domid, 0, &o, &io.port);
		break;
	case VIREO_EVTCHN_BIND_VIRQ:
		rc = bind(VIREO_HC_EVTCHN_BIND_VIRQ, io.domid, 0, &o, &io.port);
		break;
	case VIREO_EVTCHN_NOTIFY:
		return owned(f, io.port) ? vireo_evtchn_send(io.port) : -EINVAL;
	case VIREO_EVTCHN_UNBIND:
		if (!owned(f, io.port))
			return -EINVAL;
		unbind(io.port);
		return 0;
	default:
		return -ENOTTY;
	}
	if (!rc && copy_to_user((void __user *)arg, &io, sizeof(io)))
		return -EFAULT;
	return rc;
}

static ssize_t evf_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct evtchn_file *f = file->private_data;
	u32 ports[RING];
	unsigned int n = 0;
	int rc;

	count = min_t(size_t, count / sizeof(u32), RING);
	if (!count)
		return -EINVAL;
	for (;;) {
		spin_lock_irq(&f->lock);
		while (n < count && f->count) {
			ports[n++] = f->ring[f->head];
			f->head = (f->head + 1) % RING;
			f->count--;
		}
		spin_unlock_irq(&f->lock);
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(f->wq, READ_ONCE(f->count));
		if (rc)
			return rc;
	}
	if (copy_to_user(buf, ports, n * sizeof(u32)))
		return -EFAULT;
	return n * sizeof(u32);
}

/*
 * Writing ports back unmasks them, as Xen's 2-level unmask does: clear the
 * mask bit in the shared page and call the hypervisor only if the port is
 * pending, so that it raises the upcall the mask held back. The hypervisor
 * sets pending and then reads mask; we clear mask and then read pending,
 * both fully ordered, so at least one side sees the other's write and an
 * event is never lost (both seeing it costs one spurious upcall).
 */
static ssize_t evf_write(struct file *file, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	struct evtchn_file *f = file->private_data;
	u32 ports[32];
	size_t n = min_t(size_t, count / sizeof(u32), ARRAY_SIZE(ports));

	if (!n)
		return -EINVAL;
	if (copy_from_user(ports, buf, n * sizeof(u32)))
		return -EFAULT;
	for (size_t i = 0; i < n; i++) {
		if (!owned(f, ports[i]))
			return -EINVAL;
		clear_bit(ports[i] % 64,
			  (unsigned long *)word_of(shared->mask, ports[i]));
		smp_mb__after_atomic();
		if (test_bit(ports[i] % 64,
			     (unsigned long *)word_of(shared->pending, ports[i])))
			hc(VIREO_HC_EVTCHN_UNMASK, ports[i], 0, NULL);
	}
	return n * sizeof(u32);
}

static __poll_t evf_poll(struct file *file, poll_table *wait)
{
	struct evtchn_file *f = file->private_data;

	poll_wait(file, &f->wq, wait);
	return READ_ONCE(f->count) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations evf_fops = {
	.owner = THIS_MODULE,
	.open = evf_open,
	.release = evf_release,
	.read = evf_read,
	.write = evf_write,
	.poll = evf_poll,
	.unlocked_ioctl = evf_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice evf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vireo_evtchn",
	.fops = &evf_fops,
};

/*
 * Dom0's node names its state-change line only; the upcall is PLIC line
 * VIREO_DOM0_EVTCHN_IRQ, mapped here through the PLIC node.
 */
int vireo_evtchn_probe(struct device *dev, int irq)
{
	int rc;

	shared = (void *)get_zeroed_page(GFP_KERNEL);
	if (!shared)
		return -ENOMEM;
	upcall_irq = irq;
	rc = errno_of(hc(VIREO_HC_EVTCHN_INIT, virt_to_phys(shared), 0, NULL));
	if (!rc)
		rc = request_irq(upcall_irq, upcall, 0, "vireo-evtchn", NULL);
	if (!rc) {
		rc = misc_register(&evf_misc);
		if (rc)
			free_irq(upcall_irq, NULL);
	}
	if (rc) {
		dev_err(dev, "event channels: setup failed (%d)\n", rc);
		hc(VIREO_HC_EVTCHN_INIT, 0, 0, NULL);
		free_page((unsigned long)shared);
		return rc;
	}
	return 0;
}

void vireo_evtchn_remove(void)
{
	misc_deregister(&evf_misc);
	for (u32 p = 1; p < VIREO_EVTCHN_PORTS; p++)
		if (owners[p].cb || owners[p].file)
			unbind(p);
	free_irq(upcall_irq, NULL);
	hc(VIREO_HC_EVTCHN_INIT, 0, 0, NULL);
	free_page((unsigned long)shared);
}
