/* Hypercall wrappers over /dev/vireo (see libvireo.h, vireo_ioctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvireo.h"
#include "vireo_ioctl.h"

#define WINDOW_PAGE 4096UL
#define WINDOW_SIZE (1UL << 30) /* the vireo node's reg (Dom0's DT) */

#define MAX_MAPS 16

struct vireo {
	int fd;
	uint8_t window_used[WINDOW_SIZE / (WINDOW_PAGE * 512)]; /* 2 MiB slots */
	struct {
		void *addr;
		uint64_t off, bytes;
	} maps[MAX_MAPS];
	uint64_t ioreq_off; /* window offset of this process's ioreq page */
	void *ioreq_page;
};

const char *vireo_strerror(int rc)
{
	switch (rc) {
	case 0: return "success";
	case VIREO_EFAILED: return "hypervisor out of memory or domain slots";
	case VIREO_ENOTSUP: return "not supported by this hypervisor";
	case VIREO_EINVAL: return "invalid argument";
	case VIREO_EDENIED: return "permission denied by the hypervisor";
	case VIREO_EADDR: return "invalid address";
	case VIREO_EEXIST: return "already exists or already running";
	case VIREO_ESYS: return strerror(errno);
	case VIREO_ENOENT: return "no such file or domain";
	case VIREO_EFORMAT: return "unusable file format";
	case VIREO_ENOMEM: return "not enough free memory";
	case VIREO_EPOOLFULL:
		return "the null cpupool has no free CPU for every vCPU";
	default: return "unknown error";
	}
}

struct vireo *vireo_open(void)
{
	struct vireo *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->fd = open(VIREO_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (v->fd < 0) {
		int e = errno;
		free(v);
		errno = e;
		return NULL;
	}
	return v;
}

void vireo_close(struct vireo *v)
{
	if (!v)
		return;
	close(v->fd);
	free(v);
}

int vireo_event_fd(struct vireo *v)
{
	return v->fd;
}

int vireo_wait_event(struct vireo *v, int timeout_ms, uint64_t *mask)
{
	struct pollfd p = {.fd = v->fd, .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);

	*mask = 0;
	if (r < 0)
		return VIREO_ESYS;
	if (r == 0)
		return 0;
	/* Non-blocking: poll said readable, but never hang on a race. */
	if (read(v->fd, mask, sizeof(*mask)) != sizeof(*mask))
		return errno == EAGAIN ? 0 : VIREO_ESYS;
	return 0;
}

/* One hypercall; buf (if any) goes in argument buf_arg. */
static int hc(struct vireo *v, uint32_t fid, const uint64_t args[6], int buf_arg,
	      void *buf, uint32_t len, uint32_t flags, int64_t *value)
{
	struct vireo_ioctl_hypercall h = {
		.fid = fid,
		.buf_arg = buf_arg < 0 ? VIREO_BUF_NONE : (uint32_t)buf_arg,
		.buf = (uintptr_t)buf,
		.buf_len = buf ? len : 0,
		.flags = buf ? flags : 0,
	};

	memcpy(h.arg, args, sizeof(h.arg));
	if (ioctl(v->fd, VIREO_IOCTL_HYPERCALL, &h) < 0)
		return VIREO_ESYS;
	if (value)
		*value = h.ret_value;
	return (int)h.ret_error;
}

#define ARGS(...) ((const uint64_t[6]){__VA_ARGS__})

int vireo_version(struct vireo *v, uint32_t *version)
{
	int64_t val;
	int rc = hc(v, VIREO_HC_VERSION, ARGS(0), -1, NULL, 0, 0, &val);

	if (!rc)
		*version = (uint32_t)val;
	return rc;
}

int vireo_physinfo(struct vireo *v, struct vireo_physinfo *pi)
{
	return hc(v, VIREO_HC_PHYSINFO, ARGS(0), 0, pi, sizeof(*pi),
		  VIREO_BUF_OUT, NULL);
}

int vireo_domain_create_ex(struct vireo *v, struct vireo_domain_create *c)
{
	int64_t val = 0;
	int rc = hc(v, VIREO_HC_DOMAIN_CREATE, ARGS(0), 0, c, sizeof(*c),
		    VIREO_BUF_IN | VIREO_BUF_OUT, &val);

	/* Into a null cpupool without a hart for each vCPU. */
	return rc == VIREO_EINVAL && val == VIREO_CPUPOOL_ERR_FULL
		       ? VIREO_EPOOLFULL
		       : rc;
}

int vireo_domain_create(struct vireo *v, uint32_t nr_vcpus, uint64_t ram_bytes,
			uint32_t *domid)
{
	struct vireo_domain_create c = {.nr_vcpus = nr_vcpus,
					.ram_bytes = ram_bytes};
	int rc = vireo_domain_create_ex(v, &c);

	if (!rc)
		*domid = c.domid;
	return rc;
}

int vireo_domain_trigger(struct vireo *v, uint32_t domid, uint32_t trigger)
{
	return hc(v, VIREO_HC_DOMAIN_TRIGGER, ARGS(domid, trigger), -1, NULL,
		  0, 0, NULL);
}

/*
 * The hypervisor frees a domain's memory a bounded chunk per call and says
 * VIREO_DESTROY_MORE until it is done, so that no call holds its control
 * lock for long; the domain is gone when this returns 0.
 */
int vireo_domain_destroy_call(struct vireo *v, uint32_t domid, int *state)
{
	int64_t val = 0;
	int rc = hc(v, VIREO_HC_DOMAIN_DESTROY, ARGS(domid), -1, NULL, 0, 0,
		    &val);

	*state = rc ? 0 : (int)val;
	return rc;
}

int vireo_domain_destroy_step(struct vireo *v, uint32_t domid, int *more)
{
	int state, rc = vireo_domain_destroy_call(v, domid, &state);

	*more = state == VIREO_DESTROY_MORE;
	return rc;
}

/*
 * A quarantined domain is gone for the toolstack, but its memory returns
 * only once vireo.ko has seen every pin go (its device model has exited,
 * so that is soon): wait for it, so that a destroy that returned has
 * freed the memory, as it does without quarantine.
 */
int vireo_domain_destroy(struct vireo *v, uint32_t domid)
{
	struct vireo_domain_info info;
	int state, rc;

	do
		rc = vireo_domain_destroy_call(v, domid, &state);
	while (state == VIREO_DESTROY_MORE);
	for (int i = 0; !rc && state == VIREO_DESTROY_QUARANTINED && i < 1000 &&
			vireo_domain_getinfo(v, domid, &info) == 0;
	     i++)
		usleep(10000);
	return rc;
}

int vireo_domain_pause(struct vireo *v, uint32_t domid)
{
	return hc(v, VIREO_HC_DOMAIN_PAUSE, ARGS(domid), -1, NULL, 0, 0, NULL);
}

int vireo_domain_unpause(struct vireo *v, uint32_t domid)
{
	return hc(v, VIREO_HC_DOMAIN_UNPAUSE, ARGS(domid), -1, NULL, 0, 0, NULL);
}

int vireo_domain_getinfo(struct vireo *v, uint32_t domid,
			 struct vireo_domain_info *info)
{
	int rc = hc(v, VIREO_HC_DOMAIN_GETINFO, ARGS(domid), 1, info,
		    sizeof(*info), VIREO_BUF_OUT, NULL);

	return rc == VIREO_EINVAL ? VIREO_ENOENT : rc;
}

int vireo_domain_list(struct vireo *v, uint32_t *ids, unsigned max)
{
	uint32_t tmp[VIREO_MAX_DOMAINS];
	int64_t n;
	int rc = hc(v, VIREO_HC_DOMAIN_LIST, ARGS(0, VIREO_MAX_DOMAINS), 0, tmp,
		    sizeof(tmp), VIREO_BUF_OUT, &n);

	if (rc)
		return rc;
	if ((unsigned)n > max)
		n = max;
	memcpy(ids, tmp, (size_t)n * sizeof(*ids));
	return (int)n;
}

int vireo_memory_populate(struct vireo *v, uint32_t domid, uint64_t gpa,
			  uint64_t bytes)
{
	return hc(v, VIREO_HC_MEMORY_POPULATE, ARGS(domid, gpa, bytes), -1, NULL,
		  0, 0, NULL);
}

int vireo_vcpu_set_entry(struct vireo *v, uint32_t domid, uint32_t vcpu,
			 uint64_t pc, uint64_t a0, uint64_t a1)
{
	return hc(v, VIREO_HC_VCPU_SET_ENTRY, ARGS(domid, vcpu, pc, a0, a1), -1,
		  NULL, 0, 0, NULL);
}

static void vireo_foreign_unmap_at(struct vireo *v, void *addr, uint64_t off,
				   uint64_t bytes);

/* First run of free 2 MiB window slots that holds bytes. */
static long window_alloc(struct vireo *v, uint64_t bytes)
{
	unsigned want = (unsigned)((bytes + (2UL << 20) - 1) >> 21);
	unsigned n = sizeof(v->window_used);

	for (unsigned i = 0; i + want <= n; i++) {
		unsigned j = 0;
		while (j < want && !v->window_used[i + j])
			j++;
		if (j == want) {
			memset(&v->window_used[i], 1, want);
			return (long)i << 21;
		}
		i += j;
	}
	return -1;
}

static void window_free(struct vireo *v, uint64_t off, uint64_t bytes)
{
	memset(&v->window_used[off >> 21], 0, (bytes + (2UL << 20) - 1) >> 21);
}

/*
 * Run a hypercall that claims [off, off + bytes) of Dom0's window at a free
 * place. Other processes (vireod's builder, each vireo-dm) allocate from the
 * same window without telling us: a range the hypervisor reports as in use
 * is marked taken here and the next free one is tried.
 */
static int window_claim(struct vireo *v, uint64_t bytes,
			int (*call)(struct vireo *v, uint64_t off, void *arg),
			void *arg, uint64_t *off_out)
{
	for (;;) {
		long off = window_alloc(v, bytes);
		int rc;

		if (off < 0)
			return VIREO_ENOMEM;
		rc = call(v, (uint64_t)off, arg);
		if (rc == VIREO_EEXIST)
			continue; /* someone else's: keep it marked */
		if (rc) {
			window_free(v, (uint64_t)off, bytes);
			return rc;
		}
		*off_out = (uint64_t)off;
		return 0;
	}
}

struct fmap_args {
	uint32_t domid;
	uint64_t gpa, bytes;
};

static int fmap_call(struct vireo *v, uint64_t off, void *arg)
{
	struct fmap_args *a = arg;

	return hc(v, VIREO_HC_FOREIGN_MAP, ARGS(a->domid, a->gpa, a->bytes, off),
		  -1, NULL, 0, 0, NULL);
}

void *vireo_foreign_map(struct vireo *v, uint32_t domid, uint64_t gpa,
			uint64_t bytes, int *rc)
{
	struct fmap_args a = {domid, gpa, bytes};
	uint64_t off;
	void *p;

	*rc = window_claim(v, bytes, fmap_call, &a, &off);
	if (*rc)
		return NULL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		 (off_t)off);
	if (p == MAP_FAILED) {
		*rc = VIREO_ESYS;
		hc(v, VIREO_HC_FOREIGN_UNMAP, ARGS(off, bytes), -1, NULL,
		   0, 0, NULL);
		window_free(v, off, bytes);
		return NULL;
	}
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		if (!v->maps[i].addr) {
			v->maps[i].addr = p;
			v->maps[i].off = off;
			v->maps[i].bytes = bytes;
			return p;
		}
	}
	vireo_foreign_unmap_at(v, p, off, bytes);
	*rc = VIREO_ENOMEM;
	return NULL;
}

void *vireo_foreign_map_direct(struct vireo *v, uint32_t domid, uint64_t gpa,
			       uint64_t bytes, int *rc)
{
	struct vireo_ioctl_map_direct md = {.domid = domid, .gpa = gpa,
					    .size = bytes};
	void *p;

	if (ioctl(v->fd, VIREO_IOCTL_MAP_DIRECT, &md) < 0) {
		/* ENXIO: Dom0 has no struct pages for the pool; ENOSYS: an
		 * older hypervisor; ENOTTY: an older vireo.ko. */
		*rc = errno == ENXIO || errno == ENOSYS || errno == ENOTTY ?
			      VIREO_ENOTSUP :
		      errno == EFAULT ? VIREO_EADDR :
		      errno == EINVAL ? VIREO_EINVAL : VIREO_ESYS;
		return NULL;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		 (off_t)md.offset);
	if (p == MAP_FAILED) {
		*rc = VIREO_ESYS;
		return NULL; /* released with the file */
	}
	*rc = 0;
	return p;
}

struct ioreq_args {
	uint32_t domid;
	struct vireo_ioreq_server srv;
};

static int ioreq_call(struct vireo *v, uint64_t off, void *arg)
{
	struct ioreq_args *a = arg;

	a->srv.page_off = off;
	return hc(v, VIREO_HC_IOREQ_CREATE, ARGS(a->domid), 1, &a->srv,
		  sizeof(a->srv), VIREO_BUF_IN | VIREO_BUF_OUT, NULL);
}

struct vireo_ioreq_page *vireo_ioreq_server_create(struct vireo *v,
						   uint32_t domid,
						   uint32_t port, uint32_t *id,
						   uint32_t *domu_port, int *rc)
{
	struct ioreq_args a = {.domid = domid, .srv.dom0_port = port};
	uint64_t off;
	void *p;

	*rc = window_claim(v, WINDOW_PAGE, ioreq_call, &a, &off);
	if (*rc)
		return NULL;
	p = mmap(NULL, WINDOW_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		 (off_t)off);
	if (p == MAP_FAILED) {
		*rc = VIREO_ESYS;
		hc(v, VIREO_HC_IOREQ_DESTROY, ARGS(domid, a.srv.id), -1, NULL,
		   0, 0, NULL);
		window_free(v, off, WINDOW_PAGE);
		return NULL;
	}
	v->ioreq_off = off;
	v->ioreq_page = p;
	*id = a.srv.id;
	*domu_port = a.srv.domu_port;
	return p;
}

int vireo_ioreq_map_range(struct vireo *v, uint32_t domid, uint32_t id,
			  uint64_t base, uint64_t size, uint32_t notify_off,
			  uint32_t *notify_first)
{
	int64_t first = 0;
	int rc = hc(v, VIREO_HC_IOREQ_MAP_RANGE,
		    ARGS(domid, id, base, size, notify_off), -1, NULL, 0, 0,
		    &first);

	if (!rc && notify_first)
		*notify_first = (uint32_t)first;
	return rc;
}

int vireo_ioreq_unmap_range(struct vireo *v, uint32_t domid, uint32_t id,
			    uint64_t base, uint64_t size)
{
	return hc(v, VIREO_HC_IOREQ_UNMAP_RANGE, ARGS(domid, id, base, size),
		  -1, NULL, 0, 0, NULL);
}

int vireo_ioreq_latch(struct vireo *v, uint32_t domid, uint32_t id,
		      const struct vireo_ioreq_latch *l, uint32_t *index)
{
	struct vireo_ioreq_latch copy = *l;
	int64_t i = 0;
	int rc = hc(v, VIREO_HC_IOREQ_LATCH, ARGS(domid, id, 0), 2, &copy,
		    sizeof(copy), VIREO_BUF_IN, &i);

	if (!rc && index)
		*index = (uint32_t)i;
	return rc;
}

void *vireo_window_mmap(struct vireo *v, uint64_t off, uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

int vireo_window_offset(struct vireo *v, const void *addr, uint64_t *off)
{
	if (addr && addr == v->ioreq_page) {
		*off = v->ioreq_off;
		return 0;
	}
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		if (v->maps[i].addr && v->maps[i].addr == addr) {
			*off = v->maps[i].off;
			return 0;
		}
	}
	return VIREO_EINVAL;
}

int vireo_ioreq_server_destroy(struct vireo *v, uint32_t domid, uint32_t id,
			       struct vireo_ioreq_page *page)
{
	int rc = hc(v, VIREO_HC_IOREQ_DESTROY, ARGS(domid, id), -1, NULL, 0,
		    0, NULL);

	if (page) {
		munmap(page, WINDOW_PAGE);
		window_free(v, v->ioreq_off, WINDOW_PAGE);
	}
	return rc;
}

int vireo_ioreq_complete(struct vireo *v, uint32_t domid, uint32_t id,
			 uint32_t vcpus, uint32_t latches)
{
	return hc(v, VIREO_HC_IOREQ_COMPLETE, ARGS(domid, id, vcpus, latches),
		  -1, NULL, 0, 0, NULL);
}

static void vireo_foreign_unmap_at(struct vireo *v, void *addr, uint64_t off,
				   uint64_t bytes)
{
	munmap(addr, bytes);
	hc(v, VIREO_HC_FOREIGN_UNMAP, ARGS(off, bytes), -1, NULL, 0, 0, NULL);
	window_free(v, off, bytes);
}

int vireo_foreign_unmap(struct vireo *v, void *addr, uint64_t bytes)
{
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		if (v->maps[i].addr == addr && v->maps[i].bytes == bytes) {
			vireo_foreign_unmap_at(v, addr, v->maps[i].off, bytes);
			v->maps[i].addr = NULL;
			return 0;
		}
	}
	return VIREO_EINVAL;
}

int vireo_vcpu_info(struct vireo *v, uint32_t domid,
		    struct vireo_vcpu_info *info, unsigned max)
{
	int64_t n = 0;
	int rc;

	if (max > VIREO_BUF_MAX / sizeof(*info))
		max = VIREO_BUF_MAX / sizeof(*info);
	rc = hc(v, VIREO_HC_VCPU_INFO, ARGS(domid, 0, max), 1, info,
		(uint32_t)(max * sizeof(*info)), VIREO_BUF_OUT, &n);
	if (rc)
		return rc == VIREO_EINVAL ? VIREO_ENOENT : rc;
	return n < 0 || n > INT32_MAX ? VIREO_EFAILED : (int)n;
}

int vireo_vcpu_affinity(struct vireo *v, uint32_t domid, uint32_t vcpu,
			uint64_t hard, uint64_t soft, uint32_t which)
{
	return hc(v, VIREO_HC_VCPU_AFFINITY, ARGS(domid, vcpu, hard, soft, which),
		  -1, NULL, 0, 0, NULL);
}

int vireo_sched_credit(struct vireo *v, uint32_t domid,
		       struct vireo_sched_credit *sc, uint32_t set)
{
	return hc(v, VIREO_HC_SCHED_CREDIT, ARGS(domid, 0, set), 1, sc,
		  sizeof(*sc), VIREO_BUF_IN | VIREO_BUF_OUT, NULL);
}

int vireo_sched_credit_params(struct vireo *v, uint32_t pool,
			      struct vireo_sched_credit_params *p,
			      uint32_t set)
{
	p->pad = 0;
	return hc(v, VIREO_HC_SCHED_CREDIT_PARAMS, ARGS(pool, 0, set), 1, p,
		  sizeof(*p), VIREO_BUF_IN | VIREO_BUF_OUT, NULL);
}

/*
 * One CPUPOOL_OP: a0 = op, a1 = the struct (in/out), a2 = hart or domid.
 * A null pool that would be full says INVALID_PARAM with value
 * VIREO_CPUPOOL_ERR_FULL: VIREO_EPOOLFULL here.
 */
static int cpupool_op(struct vireo *v, uint32_t op, struct vireo_cpupool *p,
		      uint64_t arg)
{
	int64_t val = 0;
	int rc;

	p->pad = 0;
	rc = hc(v, VIREO_HC_CPUPOOL_OP, ARGS(op, 0, arg), 1, p, sizeof(*p),
		VIREO_BUF_IN | VIREO_BUF_OUT, &val);
	if (rc == VIREO_EINVAL && val == VIREO_CPUPOOL_ERR_FULL)
		return VIREO_EPOOLFULL;
	return rc;
}

int vireo_cpupool_create(struct vireo *v, const char *name, uint32_t sched,
			 uint32_t *id)
{
	struct vireo_cpupool p = {.sched = sched};
	size_t n = strlen(name);
	int rc;

	if (n == 0 || n >= sizeof(p.name))
		return VIREO_EINVAL;
	memcpy(p.name, name, n);
	rc = cpupool_op(v, VIREO_CPUPOOL_CREATE, &p, 0);
	if (!rc)
		*id = p.id;
	return rc;
}

int vireo_cpupool_destroy(struct vireo *v, uint32_t id)
{
	struct vireo_cpupool p = {.id = id};

	return cpupool_op(v, VIREO_CPUPOOL_DESTROY, &p, 0);
}

int vireo_cpupool_info(struct vireo *v, uint32_t id,
		       struct vireo_cpupool *pool)
{
	struct vireo_cpupool p = {.id = id};
	int rc = cpupool_op(v, VIREO_CPUPOOL_INFO, &p, 0);

	if (rc)
		return rc == VIREO_EINVAL ? VIREO_ENOENT : rc;
	if (p.id < id)
		return VIREO_EFAILED; /* not what the ABI promises */
	p.name[sizeof(p.name) - 1] = '\0';
	*pool = p;
	return 0;
}

int vireo_cpupool_cpu_add(struct vireo *v, uint32_t id, uint32_t hart)
{
	struct vireo_cpupool p = {.id = id};

	return cpupool_op(v, VIREO_CPUPOOL_CPU_ADD, &p, hart);
}

int vireo_cpupool_cpu_remove(struct vireo *v, uint32_t id, uint32_t hart)
{
	struct vireo_cpupool p = {.id = id};

	return cpupool_op(v, VIREO_CPUPOOL_CPU_REMOVE, &p, hart);
}

int vireo_cpupool_migrate(struct vireo *v, uint32_t id, uint32_t domid)
{
	struct vireo_cpupool p = {.id = id};

	return cpupool_op(v, VIREO_CPUPOOL_MIGRATE, &p, domid);
}

int vireo_console_read(struct vireo *v, uint32_t domid, char *buf, size_t len)
{
	int64_t n;
	int rc;

	/* A page per call: the hypervisor's ring drains in few calls. */
	if (len > VIREO_BUF_MAX)
		len = VIREO_BUF_MAX;
	rc = hc(v, VIREO_HC_CONSOLE_READ, ARGS(domid, 0, len), 1, buf,
		(uint32_t)len, VIREO_BUF_OUT, &n);
	return rc ? (rc == VIREO_EINVAL ? VIREO_ENOENT : rc) : (int)n;
}

int vireo_console_write(struct vireo *v, uint32_t domid, const char *buf,
			size_t len)
{
	int64_t n;
	int rc;

	if (len > 256)
		len = 256;
	rc = hc(v, VIREO_HC_CONSOLE_WRITE, ARGS(domid, 0, len), 1, (void *)buf,
		(uint32_t)len, VIREO_BUF_IN, &n);
	return rc ? (rc == VIREO_EINVAL ? VIREO_ENOENT : rc) : (int)n;
}

int vireo_log_read(struct vireo *v, uint64_t off, char *buf, size_t len)
{
	int64_t n;
	int rc;

	if (len > 256)
		len = 256;
	rc = hc(v, VIREO_HC_LOG_READ, ARGS(off, 0, len), 1, buf, (uint32_t)len,
		VIREO_BUF_OUT, &n);
	return rc ? rc : (int)n;
}

int vireo_domain_control(struct vireo *v, uint32_t domid, uint32_t cmd)
{
	int rc = hc(v, VIREO_HC_DOMAIN_CONTROL, ARGS(domid, cmd), -1, NULL, 0, 0,
		    NULL);

	return rc;
}

