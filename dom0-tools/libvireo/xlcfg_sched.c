/*
 * The vCPU and scheduling keys of xl.cfg(5):
 *
 *   maxvcpus   = 4                the domain's vCPUs, vcpus..8 (default
 *                                 vcpus); only vcpus of them are online at
 *                                 boot, `vl vcpu-set` brings up the others
 *   cpus       = "0-1"            hard affinity of every vCPU, or
 *   cpus       = ["0", "2-3"]     vCPU i's in item i; vCPUs past the end
 *                                 are not pinned, items past maxvcpus
 *                                 ignored (with a warning)
 *   cpus_soft  = ...              soft affinity, the same forms
 *   cpu_weight = 512              credit scheduler weight, 1..65535
 *   cap        = 50               at most this % of one CPU, 0 = no cap,
 *                                 up to 100 per vCPU (of maxvcpus, as Xen)
 *   pool       = "web"            the cpupool, by name or id (pool = 1,
 *                                 or a string of digits, as xl's
 *                                 cpupool_qualifier_to_cpupoolid())
 *
 * The CPU lists are xl's (cpumap.h). A list is checked here for its syntax
 * only, against the CPUs a mask can name: the host's count is known when
 * the domain is built, and xlcfg_affinity() turns the lists into masks
 * then. Likewise the pool's name is only checked for its form here; the
 * builder asks the hypervisor for it (an unknown pool creates nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap.h"
#include "xlcfg_priv.h"

#define XLCFG_WEIGHT_MAX 65535
#define XLCFG_CAP_PER_VCPU 100

int xlcfg_sched_maxvcpus(struct xlcfg *cfg, const struct xlcfg_entry *e,
			 struct xlcfg_err *err)
{
	int64_t n;

	if (xlcfg_get_int(e, 1, XLCFG_VCPUS_MAX, "an integer from 1 to 8", &n,
			  err))
		return -1;
	cfg->maxvcpus = (unsigned)n;
	cfg->maxvcpus_set = 1;
	return 0;
}

static struct xlcfg_cpus *cpus_of(struct xlcfg *cfg, const char *key)
{
	return strcmp(key, "cpus") ? &cfg->cpus_soft : &cfg->cpus;
}

/* The value into c: a list as it is, one string as a list of one. */
static int take_cpus(struct xlcfg_cpus *c, struct xlcfg_entry *e,
		     struct xlcfg_err *err)
{
	char **v;

	if (e->val.type == XLCFG_V_LIST) {
		c->per_vcpu = 1;
		return xlcfg_take_list(e, &c->items, &c->nr, err);
	}
	/* A string, a bare word or a number (cpus = 3): as written. */
	v = malloc(sizeof(*v));
	if (!v) {
		xlcfg_errorf(err, &e->loc, "out of memory");
		return -1;
	}
	v[0] = e->val.str;
	e->val.str = NULL;
	c->items = v;
	c->nr = 1;
	return 0;
}

int xlcfg_sched_cpus(struct xlcfg *cfg, struct xlcfg_entry *e,
		     struct xlcfg_err *err)
{
	struct xlcfg_cpus *c = cpus_of(cfg, e->key);
	struct xlcfg_loc loc = e->loc;
	char msg[256];
	uint64_t mask;

	if (take_cpus(c, e, err))
		return -1;
	for (unsigned i = 0; i < c->nr; i++) {
		if (c->per_vcpu && e->val.lines)
			loc.line = e->val.lines[i];
		if (cpumap_parse(c->items[i], CPUMAP_MAX, &mask, msg,
				 sizeof(msg))) {
			xlcfg_errorf(err, &loc, "%s '%s': %s", e->key,
				     c->items[i], msg);
			return -1;
		}
	}
	return 0;
}

int xlcfg_sched_weight(struct xlcfg *cfg, const struct xlcfg_entry *e,
		       struct xlcfg_err *err)
{
	int64_t n;

	if (xlcfg_get_int(e, 1, XLCFG_WEIGHT_MAX, "an integer from 1 to 65535",
			  &n, err))
		return -1;
	cfg->cpu_weight = (unsigned)n;
	cfg->cpu_weight_set = 1;
	return 0;
}

int xlcfg_sched_cap(struct xlcfg *cfg, const struct xlcfg_entry *e,
		    struct xlcfg_err *err)
{
	int64_t n;

	if (xlcfg_get_int(e, 0, XLCFG_CAP_PER_VCPU * XLCFG_VCPUS_MAX,
			  "an integer from 0 (no cap) to 800 (% of one CPU)",
			  &n, err))
		return -1;
	cfg->cap = (unsigned)n;
	cfg->cap_set = 1;
	return 0;
}

/* A printable character of a pool's name (no control characters). */
static int pool_char_ok(unsigned char c)
{
	return c >= 0x20 && c != 0x7f;
}

/*
 * pool: a name, or an id (a number is kept as its decimal text). Only its
 * form is checked here: which pools exist is known when it is built.
 */
int xlcfg_sched_pool(struct xlcfg *cfg, struct xlcfg_entry *e,
		     struct xlcfg_err *err)
{
	char num[24] = ""; /* stays empty for a list or a negative number */
	const char *s = num;
	size_t n = 0;

	if (e->val.type == XLCFG_V_INT && e->val.num >= 0)
		snprintf(num, sizeof(num), "%lld", (long long)e->val.num);
	else if (e->val.type == XLCFG_V_STRING || e->val.type == XLCFG_V_BARE)
		s = e->val.str;
	while (n <= XLCFG_POOL_NAME_MAX && s[n] &&
	       pool_char_ok((unsigned char)s[n]))
		n++;
	if (n < 1 || n > XLCFG_POOL_NAME_MAX || s[n]) {
		xlcfg_errorf(err, &e->loc,
			     "pool must be a cpupool's name (1 to %d printable "
			     "characters) or id",
			     XLCFG_POOL_NAME_MAX);
		return -1;
	}
	free(cfg->pool);
	cfg->pool = xlcfg_strdup(s);
	if (!cfg->pool) {
		xlcfg_errorf(err, &e->loc, "out of memory");
		return -1;
	}
	return 0;
}

/* A list longer than maxvcpus: its last items are ignored, as xl does. */
static int check_items(struct xlcfg *cfg, const struct xlcfg_entry *e,
		       const struct xlcfg_cpus *c, struct xlcfg_err *err)
{
	unsigned max = cfg->maxvcpus;

	if (!e || !c->per_vcpu || c->nr <= max)
		return 0;
	return xlcfg_warn(cfg, err, &e->loc,
			  "%s has %u items for %u vCPU%s: the last %u ignored",
			  e->key, c->nr, max, max > 1 ? "s" : "", c->nr - max);
}

/*
 * maxvcpus defaults to vcpus and may not be below it (xl: "maxvcpus <
 * vcpus"); cap and the CPU lists count the domain's vCPUs, all maxvcpus
 * of them, as Xen's credit scheduler checks the cap against max_vcpus.
 */
int xlcfg_sched_check(struct xlcfg *cfg, const struct xlcfg_sched_keys *k,
		      struct xlcfg_err *err)
{
	unsigned max;

	if (!k->maxvcpus) {
		cfg->maxvcpus = cfg->vcpus;
	} else if (cfg->maxvcpus < cfg->vcpus) {
		xlcfg_errorf(err, &k->maxvcpus->loc,
			     "maxvcpus (%u) is less than vcpus (%u)",
			     cfg->maxvcpus, cfg->vcpus);
		return -1;
	}
	max = XLCFG_CAP_PER_VCPU * cfg->maxvcpus;
	if (k->cap && cfg->cap > max) {
		xlcfg_errorf(err, &k->cap->loc,
			     "cap (%u) is more than 100 per vCPU: at most %u "
			     "with %s = %u",
			     cfg->cap, max, k->maxvcpus ? "maxvcpus" : "vcpus",
			     cfg->maxvcpus);
		return -1;
	}
	return check_items(cfg, k->cpus, &cfg->cpus, err) ||
	       check_items(cfg, k->cpus_soft, &cfg->cpus_soft, err);
}

/* vCPU i's mask of c on a host of nr_cpus CPUs (0: c pins it nowhere). */
static int vcpu_mask(const struct xlcfg_cpus *c, const char *key, unsigned i,
		     unsigned nr_cpus, uint64_t *mask, char *err, size_t errlen)
{
	const char *s;
	char msg[256];

	*mask = 0;
	if (!c->nr || (c->per_vcpu && i >= c->nr))
		return 0;
	s = c->items[c->per_vcpu ? i : 0];
	if (cpumap_parse(s, nr_cpus, mask, msg, sizeof(msg)) == 0)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%s '%s': %s", key, s, msg);
	return -1;
}

int xlcfg_affinity(const struct xlcfg *cfg, unsigned nr_cpus,
		   uint64_t hard[XLCFG_VCPUS_MAX],
		   uint64_t soft[XLCFG_VCPUS_MAX], char *err, size_t errlen)
{
	for (unsigned i = 0; i < XLCFG_VCPUS_MAX; i++) {
		hard[i] = soft[i] = 0;
		if (i >= cfg->maxvcpus)
			continue;
		if (vcpu_mask(&cfg->cpus, "cpus", i, nr_cpus, &hard[i], err,
			      errlen) ||
		    vcpu_mask(&cfg->cpus_soft, "cpus_soft", i, nr_cpus,
			      &soft[i], err, errlen))
			return -1;
	}
	return 0;
}

void xlcfg_sched_free(struct xlcfg *cfg)
{
	xlcfg_strv_free(cfg->cpus.items, cfg->cpus.nr);
	xlcfg_strv_free(cfg->cpus_soft.items, cfg->cpus_soft.nr);
	free(cfg->pool);
}
