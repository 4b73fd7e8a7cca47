// SPDX-License-Identifier: GPL-2.0
/*
 * vireo.ko: a domain's interface to the Vireo hypervisor.
 *
 * In Dom0 it binds to the device tree node compatible "vireo,hypervisor",
 * which the hypervisor adds to Dom0's tree:
 *
 *   reg         the foreign-mapping window (guest-physical, outside /memory)
 *   interrupts  one vPLIC line: the event-channel upcall; domain state
 *               changes and console output are VIRQs on it
 *
 * In a DomU it binds to "vireo,hypervisor-domu" (the /hypervisor node the
 * builder writes, libvireo domu_dtb.c), whose one interrupt is the
 * event-channel upcall. There it provides event channels only
 * (vireo_evtchn.c): the hypercalls behind /dev/vireo are Dom0's.
 *
 * In Dom0 it also provides /dev/vireo (see dom0-tools/include/vireo_ioctl.h):
 *
 *   ioctl  VIREO_IOCTL_HYPERCALL: one hypercall, its buffer staged in a
 *          page-aligned kernel page; CAP_SYS_ADMIN only
 *   mmap   the foreign window, byte offset = file offset; CAP_SYS_ADMIN only
 *   read   the accumulated event mask (8 bytes, VIREO_EVENT_*), cleared on read
 *   poll   POLLIN while that mask is non-zero
 *
 * Modelled on Xen's privcmd and evtchn drivers. A hypercall is an SBI call
 * (abi/vireo_abi.h): a7 = VIREO_SBI_EXT, a6 = function, a0..a5 arguments.
 *
 * There is one hypervisor, so the driver state is static. Binding through
 * sysfs is disabled: the device goes away only at rmmod, which an open
 * /dev/vireo prevents.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/of.h>
#include <linux/of_device.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/sbi.h>

#include "vireo_abi.h"
#include "vireo_evtchn.h"
#include "vireo_internal.h"
#include "vireo_ioctl.h"


/* Which node the driver bound to (of_device_id.data). */
enum vireo_role {
	VIREO_ROLE_DOM0 = 1,
	VIREO_ROLE_DOMU,
};

static struct {
	bool bound;
	enum vireo_role role;
	phys_addr_t base;		/* foreign window */
	resource_size_t size;
	int irq;
	unsigned long version;		/* VIREO_HC_VERSION */
	wait_queue_head_t wq;		/* readers and pollers */
	spinlock_t files_lock;		/* the open files (IRQ-safe) */
	struct list_head files;
} vireo = {
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(vireo.wq),
	.files_lock = __SPIN_LOCK_UNLOCKED(vireo.files_lock),
	.files = LIST_HEAD_INIT(vireo.files),
};

/*
 * Every open file sees every event: vireod and a tool that waits for one
 * domain do not steal each other's notifications.
 */
struct vireo_file {
	struct list_head node;
	atomic64_t pending;		/* events not yet read through this file */
	struct list_head direct;	/* its direct mappings (vireo_direct.c) */
};

struct sbiret vireo_hypercall(u32 fid, const unsigned long a[VIREO_NR_ARGS])
{
	return sbi_ecall(VIREO_SBI_EXT, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static struct sbiret vireo_hypercall0(u32 fid)
{
	static const unsigned long none[VIREO_NR_ARGS];

	return vireo_hypercall(fid, none);
}

/* New state-change events: record them and wake readers and pollers. */
static void vireo_post(u64 mask)
{
	struct vireo_file *vf;
	unsigned long flags;

	spin_lock_irqsave(&vireo.files_lock, flags);
	list_for_each_entry(vf, &vireo.files, node)
		atomic64_or(mask, &vf->pending);
	spin_unlock_irqrestore(&vireo.files_lock, flags);
	wake_up_interruptible_poll(&vireo.wq, EPOLLIN | EPOLLRDNORM);
}

/* Dom0's VIRQs: what happened, for vireod (vireo_wait_event()'s mask). */
static void vireo_virq(u32 port, void *arg)
{
	vireo_post((uintptr_t)arg);
}

static int vireo_bind_virqs(struct device *dev)
{
	static const struct {
		u32 virq;
		u64 event;
	} virqs[] = {
		{ VIREO_VIRQ_DOM_EXC, VIREO_EVENT_STATE },
		{ VIREO_VIRQ_CONSOLE, VIREO_EVENT_CONSOLE },
	};
	u32 port;

	for (size_t i = 0; i < ARRAY_SIZE(virqs); i++) {
		int rc = vireo_evtchn_bind_virq(virqs[i].virq, vireo_virq,
						(void *)(uintptr_t)virqs[i].event,
						&port);
		if (rc) {
			dev_err(dev, "cannot bind VIRQ %u: %d\n", virqs[i].virq,
				rc);
			return rc;
		}
	}
	return 0;
}

static long vireo_ioctl_hypercall(struct vireo_ioctl_hypercall __user *uhc)
{
	struct vireo_ioctl_hypercall hc;
	unsigned long arg[VIREO_NR_ARGS], page = 0;
	struct sbiret ret;
	long rc = 0;
	int i;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&hc, uhc, sizeof(hc)))
		return -EFAULT;
	/* Only vireo_direct.c maps 1:1 and says when nothing is pinned. */
	if (hc.fid == VIREO_HC_FOREIGN_MAP_DIRECT ||
	    hc.fid == VIREO_HC_FOREIGN_RELEASE)
		return -EPERM;
	if (hc.flags & ~(VIREO_BUF_IN | VIREO_BUF_OUT))
		return -EINVAL;
	if (hc.buf_arg == VIREO_BUF_NONE) {
		if (hc.buf_len || hc.flags)
			return -EINVAL;
	} else if (hc.buf_arg >= VIREO_NR_ARGS || hc.buf_len > VIREO_BUF_MAX) {
		return -EINVAL;
	}

	for (i = 0; i < VIREO_NR_ARGS; i++)
		arg[i] = hc.arg[i];
	if (hc.buf_arg != VIREO_BUF_NONE) {
		/*
		 * One whole page: the buffer never crosses a page boundary,
		 * and what the hypervisor does not write reads back as zeros.
		 */
		page = get_zeroed_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		if ((hc.flags & VIREO_BUF_IN) &&
		    copy_from_user((void *)page, u64_to_user_ptr(hc.buf),
				   hc.buf_len)) {
			rc = -EFAULT;
			goto out;
		}
		arg[hc.buf_arg] = virt_to_phys((void *)page);
	}

	ret = vireo_hypercall(hc.fid, arg);

	if (put_user((__s64)ret.error, &uhc->ret_error) ||
	    put_user((__s64)ret.value, &uhc->ret_value)) {
		rc = -EFAULT;
		goto out;
	}
	if (page && (hc.flags & VIREO_BUF_OUT) &&
	    copy_to_user(u64_to_user_ptr(hc.buf), (void *)page, hc.buf_len))
		rc = -EFAULT;
out:
	free_page(page);
	return rc;
}

static long vireo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vireo_file *vf = file->private_data;

	switch (cmd) {
	case VIREO_IOCTL_HYPERCALL:
		return vireo_ioctl_hypercall((void __user *)arg);
	case VIREO_IOCTL_MAP_DIRECT:
		return vireo_direct_ioctl(&vf->direct, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int vireo_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long pages = vma_pages(vma);
	unsigned long window_pages = vireo.size >> PAGE_SHIFT;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* A private (copy-on-write) view of another domain's RAM is no use. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vireo_direct_pgoff(vma->vm_pgoff)) {
		struct vireo_file *vf = file->private_data;

		return vireo_direct_mmap(&vf->direct, vma);
	}
	if (vma->vm_pgoff >= window_pages ||
	    pages > window_pages - vma->vm_pgoff)
		return -EINVAL;

	/* DomU RAM: normal memory, so vm_page_prot stays as it is. */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	return remap_pfn_range(vma, vma->vm_start,
			       PHYS_PFN(vireo.base) + vma->vm_pgoff,
			       pages << PAGE_SHIFT, vma->vm_page_prot);
}

static ssize_t vireo_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct vireo_file *vf = file->private_data;
	u64 mask;
	int rc;

	if (count < sizeof(mask))
		return -EINVAL;
	for (;;) {
		mask = atomic64_xchg(&vf->pending, 0);
		if (mask)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(vireo.wq,
					      atomic64_read(&vf->pending));
		if (rc)
			return rc;
	}
	if (copy_to_user(buf, &mask, sizeof(mask))) {
		atomic64_or(mask, &vf->pending);	/* not delivered: keep it */
		return -EFAULT;
	}
	return sizeof(mask);
}

static __poll_t vireo_poll(struct file *file, poll_table *wait)
{
	struct vireo_file *vf = file->private_data;

	poll_wait(file, &vireo.wq, wait);
	return atomic64_read(&vf->pending) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int vireo_open(struct inode *inode, struct file *file)
{
	struct vireo_file *vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	unsigned long flags;

	if (!vf)
		return -ENOMEM;
	file->private_data = vf;
	INIT_LIST_HEAD(&vf->direct);
	spin_lock_irqsave(&vireo.files_lock, flags);
	list_add(&vf->node, &vireo.files);
	spin_unlock_irqrestore(&vireo.files_lock, flags);
	return stream_open(inode, file);
}

static int vireo_release(struct inode *inode, struct file *file)
{
	struct vireo_file *vf = file->private_data;
	unsigned long flags;

	spin_lock_irqsave(&vireo.files_lock, flags);
	list_del(&vf->node);
	spin_unlock_irqrestore(&vireo.files_lock, flags);
	vireo_direct_file_release(&vf->direct);
	kfree(vf);
	return 0;
}

static const struct file_operations vireo_fops = {
	.owner		= THIS_MODULE,
	.open		= vireo_open,
	.release	= vireo_release,
	.read		= vireo_read,
	.poll		= vireo_poll,
	.unlocked_ioctl	= vireo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vireo_mmap,
	.llseek		= no_llseek,
};

static struct miscdevice vireo_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vireo",
	.fops	= &vireo_fops,
	.mode	= 0600,
};

/* Same major interface version as abi/vireo_abi.h, or nothing binds. */
static int vireo_check_version(struct device *dev)
{
	struct sbiret ret = vireo_hypercall0(VIREO_HC_VERSION);

	if (ret.error) {
		dev_err(dev, "VERSION hypercall failed: error %ld\n",
			ret.error);
		return -ENODEV;
	}
	if ((ret.value >> 16) != (VIREO_INTERFACE_VERSION >> 16)) {
		dev_err(dev, "hypervisor interface %lu.%lu, driver built for %u.%u\n",
			ret.value >> 16, ret.value & 0xffff,
			VIREO_INTERFACE_VERSION >> 16,
			VIREO_INTERFACE_VERSION & 0xffff);
		return -ENODEV;
	}
	vireo.version = ret.value;
	return 0;
}

/* Dom0: the foreign window, event channels (with its VIRQs) and
 * /dev/vireo. */
static int vireo_probe_dom0(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	int irq, rc;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || !resource_size(res) || !PAGE_ALIGNED(res->start) ||
	    !PAGE_ALIGNED(resource_size(res))) {
		dev_err(dev, "no page-aligned foreign window in reg\n");
		return -EINVAL;
	}
	if (!devm_request_mem_region(dev, res->start, resource_size(res),
				     "vireo foreign window")) {
		dev_err(dev, "foreign window %pR is busy\n", res);
		return -EBUSY;
	}
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;

	vireo.base = res->start;
	vireo.size = resource_size(res);
	vireo.irq = irq;

	/* The node's interrupt is the event-channel upcall; state changes
	 * and console output come as VIRQs on it. */
	rc = vireo_evtchn_probe(dev, irq);
	if (rc)
		return rc;
	rc = vireo_bind_virqs(dev);
	if (rc) {
		vireo_evtchn_remove();
		return rc;
	}
	rc = misc_register(&vireo_misc);
	if (rc) {
		dev_err(dev, "cannot register /dev/vireo: %d\n", rc);
		vireo_evtchn_remove();
		return rc;
	}

	pr_info("hypervisor interface %lu.%lu, window 0x%llx+0x%llx, irq %d\n",
		vireo.version >> 16, vireo.version & 0xffff,
		(unsigned long long)vireo.base,
		(unsigned long long)vireo.size, vireo.irq);
	return 0;
}

/* A DomU: event channels only, upcall on the node's one interrupt. */
static int vireo_probe_domu(struct platform_device *pdev)
{
	int irq = platform_get_irq(pdev, 0);
	int rc;

	if (irq < 0)
		return irq;
	rc = vireo_evtchn_probe(&pdev->dev, irq);
	if (rc)
		return rc;
	vireo.irq = irq;
	pr_info("DomU: hypervisor interface %lu.%lu, event channels on irq %d\n",
		vireo.version >> 16, vireo.version & 0xffff, irq);
	return 0;
}

static int vireo_probe(struct platform_device *pdev)
{
	enum vireo_role role;
	int rc;

	if (vireo.bound)
		return -EBUSY;
	role = (uintptr_t)of_device_get_match_data(&pdev->dev);
	rc = vireo_check_version(&pdev->dev);
	if (rc)
		return rc;
	rc = role == VIREO_ROLE_DOMU ? vireo_probe_domu(pdev)
				     : vireo_probe_dom0(pdev);
	if (rc)
		return rc;
	vireo.role = role;
	vireo.bound = true;
	return 0;
}

static int vireo_remove(struct platform_device *pdev)
{
	if (vireo.role == VIREO_ROLE_DOM0)
		misc_deregister(&vireo_misc);
	vireo_evtchn_remove();
	vireo.bound = false;
	return 0;	/* devm releases the IRQ and the window */
}

static const struct of_device_id vireo_of_match[] = {
	{ .compatible = "vireo,hypervisor", .data = (void *)VIREO_ROLE_DOM0 },
	{ .compatible = "vireo,hypervisor-domu",
	  .data = (void *)VIREO_ROLE_DOMU },
	{ }
};
MODULE_DEVICE_TABLE(of, vireo_of_match);

static struct platform_driver vireo_driver = {
	.probe	= vireo_probe,
	.remove	= vireo_remove,
	.driver	= {
		.name			= "vireo",
		.of_match_table		= vireo_of_match,
		.suppress_bind_attrs	= true,
		.probe_type		= PROBE_FORCE_SYNCHRONOUS,
	},
};

static int __init vireo_init(void)
{
	struct device_node *np;
	int rc;

	BUILD_BUG_ON(sizeof(struct vireo_ioctl_hypercall) != 88);
	BUILD_BUG_ON(VIREO_BUF_MAX > PAGE_SIZE);

	/* Not under Vireo: nothing to bind to, say nothing. */
	np = of_find_matching_node(NULL, vireo_of_match);
	if (!np)
		return -ENODEV;
	of_node_put(np);

	rc = platform_driver_register(&vireo_driver);
	if (rc)
		return rc;
	/* Probe ran synchronously; if it failed it said why. */
	if (!vireo.bound) {
		platform_driver_unregister(&vireo_driver);
		return -ENODEV;
	}
	return 0;
}
module_init(vireo_init);

static void __exit vireo_exit(void)
{
	platform_driver_unregister(&vireo_driver);
	vireo_direct_exit();
}
module_exit(vireo_exit);

MODULE_DESCRIPTION("Vireo hypervisor interface for Dom0 and DomUs");
MODULE_LICENSE("GPL");
