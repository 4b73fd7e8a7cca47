// SPDX-License-Identifier: GPL-2.0
/*
 * Direct mappings of DomU RAM for device models (VIREO_IOCTL_MAP_DIRECT).
 *
 * The foreign window maps DomU RAM at guest-physical addresses Dom0's
 * kernel has no struct pages for, so nothing mapped through it can be
 * pinned: O_DIRECT and DMA into guest memory are impossible, and a backend
 * copies every byte through a bounce buffer. FOREIGN_MAP_DIRECT instead
 * maps the DomU's frames at guest-physical = host-physical, inside the
 * pool that Dom0's device tree lists as memory and /reserved-memory: Linux
 * has (reserved) struct pages there, vm_insert_page() puts them in the
 * device model's address space, get_user_pages() pins them, and a
 * passed-through device DMAs to the right host addresses (there is no
 * IOMMU: Dom0's guest-physical is host-physical).
 *
 * A device DMAs past the G-stage, so destroying the domain cannot stop a
 * read already sent to the disk from landing in its frames. The hypervisor
 * therefore holds a destroyed domain's frames (quarantine) until Dom0 says
 * no reference is left (FOREIGN_RELEASE). That is said here, and only
 * here: once the file and every mmap of a domain's mappings are gone, a
 * worker waits until each frame's count is back to the one reserved
 * memory starts with (nothing pins it, no I/O is in flight), and then
 * releases the domain.
 */
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vireo_abi.h"
#include "vireo_internal.h"
#include "vireo_ioctl.h"

/* mmap offsets: past the window (1 GiB), 4 GiB of pages per mapping. */
#define DIRECT_PGOFF_BASE (1UL << 28)
#define DIRECT_ID_SHIFT 20
#define DIRECT_MAX_PAGES (1UL << DIRECT_ID_SHIFT)
#define DRAIN_DELAY (HZ / 50)

struct direct_map {
	struct list_head node;       /* live or draining */
	struct list_head file_node;  /* the file's, while it holds it */
	u32 domid;
	u32 id;
	int users;                   /* the file + each VMA */
	unsigned long npages;
	struct page **pages;
};

static DEFINE_MUTEX(direct_lock);
static LIST_HEAD(live);
static LIST_HEAD(draining);
static u32 next_id;
static void drain(struct work_struct *work);
static DECLARE_DELAYED_WORK(drain_work, drain);

static void direct_free(struct direct_map *m)
{
	list_del(&m->node);
	kvfree(m->pages);
	kfree(m);
}

/* Under direct_lock: a user is gone; the last one sends m to draining. */
static void direct_put(struct direct_map *m)
{
	if (--m->users)
		return;
	list_move(&m->node, &draining);
	mod_delayed_work(system_wq, &drain_work, 0);
}

/* Nothing holds any of m's frames beyond the count reserved pages have. */
static bool unpinned(const struct direct_map *m)
{
	for (unsigned long i = 0; i < m->npages; i++)
		if (page_count(m->pages[i]) != 1)
			return false;
	return true;
}

static bool domid_in(struct list_head *list, u32 domid)
{
	struct direct_map *m;

	list_for_each_entry(m, list, node)
		if (m->domid == domid)
			return true;
	return false;
}

static void release_domain(u32 domid)
{
	const unsigned long a[VIREO_NR_ARGS] = { domid };
	struct sbiret r;

	do
		r = vireo_hypercall(VIREO_HC_FOREIGN_RELEASE, a);
	while (!r.error && r.value == VIREO_DESTROY_MORE);
	if (r.error)
		pr_warn("FOREIGN_RELEASE of domain %u failed: %ld\n", domid,
			r.error);
}

/*
 * A domain is released once it has no live mapping and none of its
 * draining ones is pinned; its draining records then go.
 */
static void drain(struct work_struct *work)
{
	struct direct_map *m, *t;
	bool again = false;

	mutex_lock(&direct_lock);
	list_for_each_entry_safe(m, t, &draining, node) {
		u32 domid = m->domid;
		bool busy = domid_in(&live, domid);
		struct direct_map *o;

		list_for_each_entry(o, &draining, node)
			if (o->domid == domid && !unpinned(o))
				busy = true;
		if (busy) {
			again = true;
			continue;
		}
		release_domain(domid);
		list_for_each_entry_safe(o, t, &draining, node)
			if (o->domid == domid)
				direct_free(o);
		/* t may have gone with them: start over. */
		mutex_unlock(&direct_lock);
		mod_delayed_work(system_wq, &drain_work, 0);
		return;
	}
	if (again)
		schedule_delayed_work(&drain_work, DRAIN_DELAY);
	mutex_unlock(&direct_lock);
}

static int errno_of(long sbi_err)
{
	switch (sbi_err) {
	case -3: return -EINVAL;  /* SBI_ERR_INVALID_PARAM */
	case -5: return -EFAULT;  /* SBI_ERR_INVALID_ADDRESS: not populated */
	case -4: return -EACCES;  /* SBI_ERR_DENIED */
	case -2: return -ENOSYS;  /* SBI_ERR_NOT_SUPPORTED: old hypervisor */
	default: return -EIO;
	}
}

/* Fill m->pages for [gpa, gpa+size) of domid, mapping the frames 1:1. */
static int map_frames(struct direct_map *m, u64 gpa, u64 size,
		      struct vireo_extent *ext)
{
	const unsigned long max = PAGE_SIZE / sizeof(*ext);

	for (u64 done = 0; done < size;) {
		const unsigned long a[VIREO_NR_ARGS] = {
			m->domid, gpa + done, size - done,
			virt_to_phys(ext), max };
		struct sbiret r = vireo_hypercall(VIREO_HC_FOREIGN_MAP_DIRECT, a);
		u64 covered = 0;

		if (r.error)
			return errno_of(r.error);
		for (unsigned long e = 0; e < max && covered < (u64)r.value; e++) {
			unsigned long pfn = PHYS_PFN(ext[e].hpa);

			for (u64 o = 0; o < ext[e].size; o += PAGE_SIZE, pfn++) {
				/* Only the pool's reserved pages, never
				 * Dom0's own memory. */
				if (!pfn_valid(pfn) ||
				    !PageReserved(pfn_to_page(pfn)))
					return -ENXIO;
				m->pages[m->npages++] = pfn_to_page(pfn);
			}
			covered += ext[e].size;
		}
		if (!r.value || covered != (u64)r.value)
			return -EIO;
		done += covered;
	}
	return 0;
}

long vireo_direct_ioctl(struct list_head *file_maps, void __user *arg)
{
	struct vireo_ioctl_map_direct md;
	struct vireo_extent *ext;
	struct direct_map *m;
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&md, arg, sizeof(md)))
		return -EFAULT;
	if (md.pad || !md.size || !PAGE_ALIGNED(md.gpa | md.size) ||
	    md.size >> PAGE_SHIFT > DIRECT_MAX_PAGES)
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	ext = (struct vireo_extent *)get_zeroed_page(GFP_KERNEL);
	if (m)
		m->pages = kvcalloc(md.size >> PAGE_SHIFT, sizeof(*m->pages),
				    GFP_KERNEL);
	if (!m || !ext || !m->pages) {
		if (m)
			kvfree(m->pages);
		kfree(m);
		free_page((unsigned long)ext);
		return -ENOMEM;
	}
	m->domid = md.domid;
	m->users = 1;
	mutex_lock(&direct_lock);
	m->id = next_id++;
	list_add(&m->node, &live);
	rc = map_frames(m, md.gpa, md.size, ext);
	if (rc && !m->npages) {
		direct_free(m); /* the hypervisor mapped nothing */
	} else if (rc) {
		direct_put(m); /* what was mapped is released when unpinned */
	} else {
		list_add(&m->file_node, file_maps);
		md.offset = (DIRECT_PGOFF_BASE +
			     ((u64)m->id << DIRECT_ID_SHIFT)) << PAGE_SHIFT;
	}
	mutex_unlock(&direct_lock);
	free_page((unsigned long)ext);
	if (!rc && copy_to_user(arg, &md, sizeof(md)))
		rc = -EFAULT; /* the mapping stays the file's */
	return rc;
}

void vireo_direct_file_release(struct list_head *file_maps)
{
	struct direct_map *m, *t;

	mutex_lock(&direct_lock);
	list_for_each_entry_safe(m, t, file_maps, file_node) {
		list_del(&m->file_node);
		direct_put(m);
	}
	mutex_unlock(&direct_lock);
}

static void direct_vm_open(struct vm_area_struct *vma)
{
	struct direct_map *m = vma->vm_private_data;

	mutex_lock(&direct_lock);
	m->users++;
	mutex_unlock(&direct_lock);
}

static void direct_vm_close(struct vm_area_struct *vma)
{
	mutex_lock(&direct_lock);
	direct_put(vma->vm_private_data);
	mutex_unlock(&direct_lock);
}

static const struct vm_operations_struct direct_vm_ops = {
	.open = direct_vm_open,
	.close = direct_vm_close,
};

bool vireo_direct_pgoff(unsigned long pgoff)
{
	return pgoff >= DIRECT_PGOFF_BASE;
}

int vireo_direct_mmap(struct list_head *file_maps, struct vm_area_struct *vma)
{
	unsigned long rel = vma->vm_pgoff - DIRECT_PGOFF_BASE;
	unsigned long first = rel & (DIRECT_MAX_PAGES - 1);
	unsigned long n = vma_pages(vma);
	struct direct_map *m, *found = NULL;
	int rc = 0;

	mutex_lock(&direct_lock);
	list_for_each_entry(m, file_maps, file_node)
		if (m->id == (u32)(rel >> DIRECT_ID_SHIFT))
			found = m;
	if (!found || first >= found->npages || n > found->npages - first) {
		mutex_unlock(&direct_lock);
		return -EINVAL;
	}
	/* Ordinary pages in a shared mapping: no fork copy, no dump. */
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
	for (unsigned long i = 0; i < n && !rc; i++)
		rc = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				    found->pages[first + i]);
	if (!rc) {
		vma->vm_private_data = found;
		vma->vm_ops = &direct_vm_ops;
		found->users++;
	}
	/* On failure mmap_region() unmaps what was inserted. */
	mutex_unlock(&direct_lock);
	return rc;
}

/*
 * Module exit: every file is closed, so every mapping drains. What is
 * still pinned stays quarantined in the hypervisor: safe, but held.
 */
void vireo_direct_exit(void)
{
	struct direct_map *m, *t;

	flush_delayed_work(&drain_work);
	cancel_delayed_work_sync(&drain_work);
	drain(NULL);
	cancel_delayed_work_sync(&drain_work);
	mutex_lock(&direct_lock);
	list_for_each_entry_safe(m, t, &draining, node) {
		pr_warn("domain %u: frames still pinned at unload; its memory "
			"stays held by the hypervisor\n", m->domid);
		direct_free(m);
	}
	mutex_unlock(&direct_lock);
}
