/*
 * libvireo: what every Dom0 tool links. Hypercall wrappers over /dev/vireo
 * (vireo.ko), the domain builder and (xlcfg.h) the xl.cfg parser.
 *
 * Conventions, after libxl: functions return 0 or a negative VIREO_E*
 * code (rc); vireo_strerror() names it. Hypervisor (SBI) errors map to
 * VIREO_E* one to one; system-call failures become VIREO_ESYS with errno
 * kept.
 */
#ifndef LIBVIREO_H
#define LIBVIREO_H

#include <stddef.h>
#include <stdint.h>

#include "vireo_abi.h"

#define VIREO_EFAILED -1   /* SBI_ERR_FAILED: out of memory or slots */
#define VIREO_ENOTSUP -2   /* SBI_ERR_NOT_SUPPORTED */
#define VIREO_EINVAL -3    /* SBI_ERR_INVALID_PARAM */
#define VIREO_EDENIED -4   /* SBI_ERR_DENIED */
#define VIREO_EADDR -5     /* SBI_ERR_INVALID_ADDRESS */
#define VIREO_EEXIST -6    /* SBI_ERR_ALREADY_AVAILABLE */
#define VIREO_ESYS -100    /* a system call failed: see errno */
#define VIREO_ENOENT -101  /* no such file, domain or name */
#define VIREO_EFORMAT -102 /* a kernel image or config we cannot use */
#define VIREO_ENOMEM -103  /* not enough free memory */
/* A null cpupool has no hart left for a vCPU (SBI_ERR_INVALID_PARAM with
 * value VIREO_CPUPOOL_ERR_FULL, from CPUPOOL_OP or DOMAIN_CREATE). */
#define VIREO_EPOOLFULL -104

struct vireo;

const char *vireo_strerror(int rc);

/* Open /dev/vireo; NULL with errno set on failure. */
struct vireo *vireo_open(void);
void vireo_close(struct vireo *v);
/* The fd to poll for state-change events (read 8 bytes: the mask). */
int vireo_event_fd(struct vireo *v);
/* Wait for events (timeout_ms < 0: forever); returns the mask, 0 on timeout. */
int vireo_wait_event(struct vireo *v, int timeout_ms, uint64_t *mask);

int vireo_version(struct vireo *v, uint32_t *version);
int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi);
int vireo_domain_create(struct vireo *v, uint32_t nr_vcpus, uint64_t ram_bytes,
			uint32_t *domid);
/* The same with every field of the ABI's request (machine ids); sets c->domid. */
int vireo_domain_create_ex(struct vireo *v, struct vireo_domain_create *c);
/* xl trigger: VIREO_TRIGGER_* (s3resume). */
int vireo_domain_trigger(struct vireo *v, uint32_t domid, uint32_t trigger);
int vireo_domain_destroy(struct vireo *v, uint32_t domid);
/* One bounded step of it: *more is set while memory remains to be freed
 * (the domain is dying meanwhile); vireo_domain_destroy loops on it. */
int vireo_domain_destroy_step(struct vireo *v, uint32_t domid, int *more);
/*
 * One DOMAIN_DESTROY call: *state is 0 (gone), VIREO_DESTROY_MORE (call
 * again) or VIREO_DESTROY_QUARANTINED (gone but for its memory, which
 * Dom0 mapped 1:1 and vireo.ko gives back once no I/O holds it).
 * vireo_domain_destroy() waits up to 10 s for that, then returns anyway.
 */
int vireo_domain_destroy_call(struct vireo *v, uint32_t domid, int *state);
int vireo_domain_pause(struct vireo *v, uint32_t domid);
int vireo_domain_unpause(struct vireo *v, uint32_t domid);
int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info);
/* Fill ids (up to max); returns the count or a negative rc. */
int vireo_domain_list(struct vireo *v, uint32_t *ids, unsigned max);
int vireo_memory_populate(struct vireo *v, uint32_t domid, uint64_t gpa,
			  uint64_t bytes);
int vireo_vcpu_set_entry(struct vireo *v, uint32_t domid, uint32_t vcpu,
			 uint64_t pc, uint64_t a0, uint64_t a1);
/* Map a DomU range into this process (through Dom0's window). */
void *vireo_foreign_map(struct vireo *v, uint32_t domid, uint64_t gpa,
			uint64_t bytes, int *rc);
int vireo_foreign_unmap(struct vireo *v, void *addr, uint64_t bytes);
/*
 * Map a DomU range 1:1 (VIREO_IOCTL_MAP_DIRECT): ordinary pages this
 * process can hand to O_DIRECT I/O, so no bounce buffer is needed. NULL
 * with *rc = VIREO_ENOTSUP if the hypervisor or vireo.ko cannot (use
 * vireo_foreign_map()). The mapping lasts until munmap() and the close of
 * v; the frames go back once no I/O holds them.
 */
void *vireo_foreign_map_direct(struct vireo *v, uint32_t domid, uint64_t gpa,
			       uint64_t bytes, int *rc);
/*
 * Device models (ioreq servers, abi/vireo_abi.h). Create a server of
 * domid with Dom0 event port `port` (unbound, waiting for domid): returns
 * its mapped request page, its id and the domain's end of the channel, or
 * NULL with *rc set. One server page per process.
 */
struct vireo_ioreq_page *vireo_ioreq_server_create(struct vireo *v,
						   uint32_t domid,
						   uint32_t port, uint32_t *id,
						   uint32_t *domu_port, int *rc);
/* Route [base, base + size) to server id; notify_off: posted-notify offset
 * in each page (0 = none); *notify_first: the range's first notify word. */
int vireo_ioreq_map_range(struct vireo *v, uint32_t domid, uint32_t id,
			  uint64_t base, uint64_t size, uint32_t notify_off,
			  uint32_t *notify_first);
int vireo_ioreq_unmap_range(struct vireo *v, uint32_t domid, uint32_t id,
			    uint64_t base, uint64_t size);
/* Declare a status latch; *index: its word in the page's latch[]. */
int vireo_ioreq_latch(struct vireo *v, uint32_t domid, uint32_t id,
		      const struct vireo_ioreq_latch *l, uint32_t *index);
/*
 * Map bytes at window offset off that an earlier process set up (a device
 * model taking over from one that died); NULL with errno on failure.
 */
void *vireo_window_mmap(struct vireo *v, uint64_t off, uint64_t bytes);
/* The window offset of a mapping this process made (foreign or ioreq). */
int vireo_window_offset(struct vireo *v, const void *addr, uint64_t *off);
int vireo_ioreq_server_destroy(struct vireo *v, uint32_t domid, uint32_t id,
			       struct vireo_ioreq_page *page);
/* One call for a batch: the responses in the slots of the vCPUs in mask
 * vcpus, and the lines of the latches in mask latches. */
int vireo_ioreq_complete(struct vireo *v, uint32_t domid, uint32_t id,
			 uint32_t vcpus, uint32_t latches);

/*
 * Scheduling (xl's vcpu-list, vcpu-pin, sched-credit). vireo_vcpu_info
 * fills info[0..min(max, count) - 1] and returns count, the domain's vCPUs,
 * or a negative rc (VIREO_ENOENT: no such domain); max is capped at what
 * one page holds.
 */
int vireo_vcpu_info(struct vireo *v, uint32_t domid,
		    struct vireo_vcpu_info *info, unsigned max);
/* Set vCPU vcpu's hard and/or soft affinity (which: VIREO_AFFINITY_HARD |
 * _SOFT; a mask not named is not used). Bit h: hart h. */
int vireo_vcpu_affinity(struct vireo *v, uint32_t domid, uint32_t vcpu,
			uint64_t hard, uint64_t soft, uint32_t which);
/* Credit scheduler: set the fields of *sc named in set
 * (VIREO_SCHED_SET_WEIGHT | _CAP; 0 = only read); *sc then holds the
 * values in force. */
int vireo_sched_credit(struct vireo *v, uint32_t domid,
		       struct vireo_sched_credit *sc, uint32_t set);
/* The same for a cpupool's parameters (pool 0; set: VIREO_SCHED_SET_PARAMS
 * or 0). */
int vireo_sched_credit_params(struct vireo *v, uint32_t pool,
			      struct vireo_sched_credit_params *p,
			      uint32_t set);

/*
 * Cpupools (xl's cpupool-*; VIREO_HC_CPUPOOL_OP in abi/vireo_abi.h). A
 * refusal because a null pool would be full is VIREO_EPOOLFULL; other
 * refusals are VIREO_EINVAL (no such pool, a hart that is not free, ...).
 */
/* A new pool (no hart yet) named name (1..VIREO_CPUPOOL_NAME_LEN - 1
 * characters) running sched (VIREO_SCHED_*); sets *id. */
int vireo_cpupool_create(struct vireo *v, const char *name, uint32_t sched,
			 uint32_t *id);
/* The pool must hold no hart and no domain. */
int vireo_cpupool_destroy(struct vireo *v, uint32_t id);
/* Pool id, or else the one with the next larger id, into *pool (whose id
 * says which); VIREO_ENOENT if there is none from id on. */
int vireo_cpupool_info(struct vireo *v, uint32_t id,
		       struct vireo_cpupool *pool);
/* Move a free hart into pool id, or one of its harts out (free again). */
int vireo_cpupool_cpu_add(struct vireo *v, uint32_t id, uint32_t hart);
int vireo_cpupool_cpu_remove(struct vireo *v, uint32_t id, uint32_t hart);
/* Move domain domid (not Dom0) into pool id. */
int vireo_cpupool_migrate(struct vireo *v, uint32_t id, uint32_t domid);

/*
 * cpupool.c, over the calls above: every pool by id, Pool-0 first, into
 * pools[0..min(count, max) - 1]; returns count or a negative rc.
 */
int vireo_cpupool_list(struct vireo *v, struct vireo_cpupool *pools,
		       unsigned max);
/* As libxl's qualifier: digits are an id, anything else a name. The pool
 * of pools[0..nr - 1] it names, or NULL. */
const struct vireo_cpupool *vireo_cpupool_find(
	const struct vireo_cpupool *pools, unsigned nr, const char *qualifier);
/* The same over the hypervisor's pools: fills *pool; VIREO_ENOENT if no
 * pool has it. */
int vireo_cpupool_lookup(struct vireo *v, const char *qualifier,
			 struct vireo_cpupool *pool);
/* "credit", "null" (xl's names), or NULL for another value. */
const char *vireo_sched_name(uint32_t sched);
/* The reverse: 0 and *sched, or VIREO_EINVAL for a name we do not run. */
int vireo_sched_from_name(const char *name, uint32_t *sched);

/* Returns bytes moved (>= 0) or a negative rc. */
int vireo_console_read(struct vireo *v, uint32_t domid, char *buf, size_t len);
int vireo_console_write(struct vireo *v, uint32_t domid, const char *buf,
			size_t len);
int vireo_log_read(struct vireo *v, uint64_t off, char *buf, size_t len);
/* Ask the guest agent for VIREO_CONTROL_POWEROFF or _REBOOT. */
int vireo_domain_control(struct vireo *v, uint32_t domid, uint32_t cmd);

/* The domain builder (build.c). */
struct vireo_build {
	uint32_t nr_vcpus; /* the domain's vCPUs (xl.cfg maxvcpus) */
	/*
	 * Of them, online at boot (xl.cfg vcpus): 1..nr_vcpus, 0 = all. The
	 * others are in the device tree but Linux leaves them offline
	 * (maxcpus= on its command line), for `vl vcpu-set`.
	 */
	uint32_t online_vcpus;
	/* The cpupool (xl.cfg pool): a name, or an id in digits; NULL:
	 * Pool-0. Looked up before the domain is created. */
	const char *pool;
	uint64_t ram_bytes;
	const char *kernel;  /* Linux Image path */
	const char *ramdisk; /* NULL: none */
	const char *cmdline; /* NULL: empty */
	/* virtio-mmio slots 0..nr_virtio-1 in the tree (a device model serves them) */
	unsigned nr_virtio;  /* <= VIREO_DOMU_VIRTIO_SLOTS */
	/* VIREO_CREATE_F_M*ID bits: which of ids[] (mvendorid, marchid,
	 * mimpid) the guest sees instead of the host's */
	uint32_t machine_id_flags;
	uint64_t machine_ids[3];
	/*
	 * Scheduling (xl.cfg cpus, cpus_soft, cpu_weight, cap), set as soon
	 * as the domain exists: vCPU i's hard and soft affinity (bit h: hart
	 * h; 0: leave the hypervisor's default), and the fields of sched
	 * named in sched_set (VIREO_SCHED_SET_WEIGHT | _CAP; 0: none).
	 */
	uint64_t hard_affinity[VIREO_MAX_VCPUS];
	uint64_t soft_affinity[VIREO_MAX_VCPUS];
	uint32_t sched_set;
	struct vireo_sched_credit sched;
};

/*
 * Create a paused domain (in its cpupool) and load it: its scheduling set,
 * RAM populated, kernel at the RAM base, initramfs and device tree at the
 * top, vCPU 0 set to enter the kernel with a0 = 0, a1 = the tree. On
 * failure nothing is left behind; err (if given) says what went wrong.
 */
int vireo_build_domain(struct vireo *v, const struct vireo_build *b,
		       uint32_t *domid, char *err, size_t errlen);

#endif
