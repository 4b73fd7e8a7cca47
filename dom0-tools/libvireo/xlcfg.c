/*
 * xl.cfg keys: what each key means. One small handler per key, found
 * through xlcfg_keys[], then the checks that need more than one key
 * (required keys, maxmem against memory, maxvcpus against vcpus, cap and
 * the CPU lists against maxvcpus, the kernel command line, the virtio-mmio
 * slots the devices take). The device lists (disk, vif, virtio) are parsed
 * by xlcfg_devlist.c, the vCPU and scheduling keys (maxvcpus, cpus,
 * cpus_soft, cpu_weight, cap, pool) by xlcfg_sched.c.
 * Keys we do not know yet are skipped with a warning, as xl does, so that a
 * configuration written for xl still starts.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_priv.h"

/*
 * A sanity bound on memory and maxmem, so that sizes in bytes never
 * overflow; the domain builder checks what the host can really give.
 */
#define XLCFG_MEMORY_MAX_MIB (INT64_C(1) << 24) /* 16 TiB */

/* A parse in progress. */
struct xlcfg_state {
	struct xlcfg *cfg;
	struct xlcfg_err *err;
	struct xlcfg_loc file; /* for messages about the whole file */
	/* Read after every key is in, by the checks across keys. */
	const struct xlcfg_entry *maxmem, *cmdline, *root, *extra;
	struct xlcfg_sched_keys sched;
	const struct xlcfg_entry *last_dev; /* the last device list */
};

static int key_name(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	const char *s;
	size_t n;

	if (xlcfg_get_string(e, &s, st->err))
		return -1;
	n = strlen(s);
	if (n < 1 || n > XLCFG_NAME_MAX || strspn(s, ok) != n) {
		xlcfg_errorf(
		    st->err, &e->loc,
		    "name must be 1 to %d characters from A-Z a-z 0-9 _ . -",
		    XLCFG_NAME_MAX);
		return -1;
	}
	memcpy(st->cfg->name, s, n + 1);
	return 0;
}

static int get_mib(struct xlcfg_state *st, const struct xlcfg_entry *e,
		   uint64_t *out)
{
	int64_t n;

	if (xlcfg_get_int(e, 1, INT64_MAX, "a positive integer", &n, st->err))
		return -1;
	if (n > XLCFG_MEMORY_MAX_MIB) {
		xlcfg_errorf(st->err, &e->loc,
			     "%s is too large (at most %lld MiB)", e->key,
			     (long long)XLCFG_MEMORY_MAX_MIB);
		return -1;
	}
	*out = (uint64_t)n;
	return 0;
}

static int key_memory(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return get_mib(st, e, &st->cfg->memory_mib);
}

static int key_maxmem(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->maxmem = e;
	return get_mib(st, e, &st->cfg->maxmem_mib);
}

static int key_vcpus(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	int64_t n;

	if (xlcfg_get_int(e, 1, XLCFG_VCPUS_MAX, "an integer from 1 to 8", &n,
			  st->err))
		return -1;
	st->cfg->vcpus = (unsigned)n;
	return 0;
}

/* maxvcpus, cpus, cpus_soft, cpu_weight, cap, pool: xlcfg_sched.c. */
static int key_maxvcpus(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->sched.maxvcpus = e;
	return xlcfg_sched_maxvcpus(st->cfg, e, st->err);
}

static int key_cpus(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	if (!strcmp(e->key, "cpus"))
		st->sched.cpus = e;
	else
		st->sched.cpus_soft = e;
	return xlcfg_sched_cpus(st->cfg, e, st->err);
}

static int key_cpu_weight(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return xlcfg_sched_weight(st->cfg, e, st->err);
}

static int key_cap(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->sched.cap = e;
	return xlcfg_sched_cap(st->cfg, e, st->err);
}

static int key_pool(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return xlcfg_sched_pool(st->cfg, e, st->err);
}

static int key_kernel(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	if (xlcfg_take_string(e, &st->cfg->kernel, st->err))
		return -1;
	if (!st->cfg->kernel[0]) {
		xlcfg_errorf(st->err, &e->loc, "kernel must not be empty");
		return -1;
	}
	return 0;
}

/* An empty ramdisk means none, so that an override can remove it. */
static int key_ramdisk(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	struct xlcfg *cfg = st->cfg;

	if (xlcfg_take_string(e, &cfg->ramdisk, st->err))
		return -1;
	if (!cfg->ramdisk[0]) {
		free(cfg->ramdisk);
		cfg->ramdisk = NULL;
	}
	return 0;
}

/* cmdline, root and extra are combined once all keys are in. */
static int key_cmdline(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	const char *s;

	st->cmdline = e;
	return xlcfg_get_string(e, &s, st->err);
}

static int key_root(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	const char *s;

	st->root = e;
	return xlcfg_get_string(e, &s, st->err);
}

static int key_extra(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	const char *s;

	st->extra = e;
	return xlcfg_get_string(e, &s, st->err);
}

/*
 * mvendorid, marchid, mimpid: what SBI BASE tells this guest instead of
 * the host's (Linux picks its errata by them). A number, or a string for
 * values past 2^63 - 1 (SiFive's marchid has the top bit set); mvendorid
 * is a 32-bit register.
 */
static int key_machine_id(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	static const char *const keys[] = {"mvendorid", "marchid", "mimpid"};
	unsigned i = 0;
	uint64_t v;

	while (strcmp(e->key, keys[i]))
		i++;
	if (e->val.type == XLCFG_V_STRING) {
		char *end;
		errno = 0;
		v = strtoull(e->val.str, &end, 0);
		if (!e->val.str[0] || *end || errno || e->val.str[0] == '-') {
			xlcfg_errorf(st->err, &e->loc,
				     "%s must be a number, or a string holding one",
				     e->key);
			return -1;
		}
	} else {
		int64_t n;
		if (xlcfg_get_int(e, 0, INT64_MAX, "a number", &n, st->err))
			return -1;
		v = (uint64_t)n;
	}
	if (i == 0 && v > 0xffffffffULL) {
		xlcfg_errorf(st->err, &e->loc, "mvendorid is 32 bits");
		return -1;
	}
	st->cfg->machine_id[i] = v;
	st->cfg->machine_id_set |= 1U << i;
	return 0;
}

static int key_on_poweroff(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return xlcfg_get_action(e, &st->cfg->on_poweroff, st->err);
}

static int key_on_reboot(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return xlcfg_get_action(e, &st->cfg->on_reboot, st->err);
}

static int key_on_crash(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	return xlcfg_get_action(e, &st->cfg->on_crash, st->err);
}

/*
 * disk, vif and virtio: the strings as written stay in cfg->disk (vif,
 * virtio), for the dry run; xlcfg_devlist.c parses each into cfg->disks
 * (vifs, virtios).
 */
static int key_disk(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->last_dev = e;
	return xlcfg_take_list(e, &st->cfg->disk, &st->cfg->nr_disk, st->err) ||
	       xlcfg_dev_disks(st->cfg, &e->loc, e->val.lines, st->err);
}

static int key_vif(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->last_dev = e;
	return xlcfg_take_list(e, &st->cfg->vif, &st->cfg->nr_vif, st->err) ||
	       xlcfg_dev_vifs(st->cfg, &e->loc, e->val.lines, st->err);
}

static int key_virtio(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	st->last_dev = e;
	return xlcfg_take_list(e, &st->cfg->virtio, &st->cfg->nr_virtio,
			       st->err) ||
	       xlcfg_dev_virtios(st->cfg, &e->loc, e->val.lines, st->err);
}

/* clang-format off */
static const struct xlcfg_key {
	const char *key;
	int (*handle)(struct xlcfg_state *st, struct xlcfg_entry *e);
	int required;
} xlcfg_keys[] = {
	{ "name", key_name, 1 },
	{ "memory", key_memory, 1 },
	{ "maxmem", key_maxmem, 0 },
	{ "vcpus", key_vcpus, 0 },
	{ "maxvcpus", key_maxvcpus, 0 },
	{ "cpus", key_cpus, 0 },
	{ "cpus_soft", key_cpus, 0 },
	{ "cpu_weight", key_cpu_weight, 0 },
	{ "cap", key_cap, 0 },
	{ "pool", key_pool, 0 },
	{ "kernel", key_kernel, 1 },
	{ "ramdisk", key_ramdisk, 0 },
	{ "cmdline", key_cmdline, 0 },
	{ "root", key_root, 0 },
	{ "extra", key_extra, 0 },
	{ "on_poweroff", key_on_poweroff, 0 },
	{ "on_reboot", key_on_reboot, 0 },
	{ "on_crash", key_on_crash, 0 },
	{ "disk", key_disk, 0 },
	{ "vif", key_vif, 0 },
	{ "virtio", key_virtio, 0 },
	{ "mvendorid", key_machine_id, 0 },
	{ "marchid", key_machine_id, 0 },
	{ "mimpid", key_machine_id, 0 },
};
/* clang-format on */

#define XLCFG_NR_KEYS (sizeof(xlcfg_keys) / sizeof(xlcfg_keys[0]))

static int check_required(struct xlcfg_state *st,
			  const struct xlcfg_entry *entries, unsigned n)
{
	unsigned i, k;

	for (k = 0; k < XLCFG_NR_KEYS; k++) {
		if (!xlcfg_keys[k].required)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(entries[i].key, xlcfg_keys[k].key))
				break;
		if (i == n) {
			xlcfg_errorf(st->err, &st->file,
				     "missing required key '%s'",
				     xlcfg_keys[k].key);
			return -1;
		}
	}
	return 0;
}

/* maxmem defaults to memory; above it is kept for ballooning later. */
static int check_maxmem(struct xlcfg_state *st)
{
	struct xlcfg *cfg = st->cfg;

	if (!st->maxmem) {
		cfg->maxmem_mib = cfg->memory_mib;
		return 0;
	}
	if (cfg->maxmem_mib < cfg->memory_mib) {
		xlcfg_errorf(st->err, &st->maxmem->loc,
			     "maxmem (%llu MiB) is less than memory (%llu MiB)",
			     (unsigned long long)cfg->maxmem_mib,
			     (unsigned long long)cfg->memory_mib);
		return -1;
	}
	return 0;
}

/*
 * As xl's parse_cmdline(): cmdline is used as it is, and then root and
 * extra are ignored with a warning; otherwise "root=ROOT EXTRA", either
 * part optional.
 */
static int build_cmdline(struct xlcfg_state *st)
{
	const char *root = st->root ? st->root->val.str : NULL;
	const char *extra = st->extra ? st->extra->val.str : NULL;
	const struct xlcfg_loc *loc;

	if (st->cmdline) {
		loc = &st->cmdline->loc;
		st->cfg->cmdline = xlcfg_strdup(st->cmdline->val.str);
		if (st->cfg->cmdline && (root || extra))
			return xlcfg_warn(
			    st->cfg, st->err, loc,
			    "ignoring root= and extra= in favour of cmdline=");
	} else {
		size_t n = (root ? strlen("root=") + strlen(root) : 0) +
			   (root && extra ? 1 : 0) +
			   (extra ? strlen(extra) : 0) + 1;

		loc = &st->file;
		st->cfg->cmdline = malloc(n);
		if (st->cfg->cmdline)
			snprintf(st->cfg->cmdline, n, "%s%s%s%s",
				 root ? "root=" : "", root ? root : "",
				 root && extra ? " " : "", extra ? extra : "");
	}
	if (!st->cfg->cmdline) {
		xlcfg_errorf(st->err, loc, "out of memory");
		return -1;
	}
	return 0;
}

static int apply_entry(struct xlcfg_state *st, struct xlcfg_entry *e)
{
	unsigned k;

	for (k = 0; k < XLCFG_NR_KEYS; k++)
		if (!strcmp(e->key, xlcfg_keys[k].key))
			return xlcfg_keys[k].handle(st, e);
	return xlcfg_warn(st->cfg, st->err, &e->loc, "unknown key '%s' ignored",
			  e->key);
}

int xlcfg_apply(struct xlcfg *cfg, struct xlcfg_entry *entries, unsigned n,
		const char *src, struct xlcfg_err *err)
{
	struct xlcfg_state st = {.cfg = cfg, .err = err, .file = {src, 0, 0}};
	unsigned i;

	for (i = 0; i < n; i++)
		if (apply_entry(&st, &entries[i]))
			return -1;
	if (check_required(&st, entries, n) || check_maxmem(&st) ||
	    xlcfg_sched_check(cfg, &st.sched, err) ||
	    build_cmdline(&st))
		return -1;
	if (st.last_dev && xlcfg_dev_check_slots(cfg, &st.last_dev->loc, err))
		return -1;
	return 0;
}
