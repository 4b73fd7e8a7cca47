/*
 * Cpupools over the CPUPOOL_OP wrappers of hc.c (libvireo.h): the list of
 * every pool, a pool by name or id (libxl's "qualifier"), and the names of
 * the schedulers a pool can run. No hypercall is made here but through
 * vireo_cpupool_info(), so that tests can stand in for it.
 */
#include <string.h>

#include "libvireo.h"
#include "vireod_proto.h" /* vireod_parse_domid: digits only */

/* clang-format off */
static const char *const sched_names[] = {
	[VIREO_SCHED_CREDIT] = "credit",
	[VIREO_SCHED_NULL] = "null",
};
/* clang-format on */

#define NR_SCHEDS (sizeof(sched_names) / sizeof(sched_names[0]))

const char *vireo_sched_name(uint32_t sched)
{
	return sched < NR_SCHEDS ? sched_names[sched] : NULL;
}

int vireo_sched_from_name(const char *name, uint32_t *sched)
{
	for (uint32_t i = 0; i < NR_SCHEDS; i++) {
		if (!strcmp(name, sched_names[i])) {
			*sched = i;
			return 0;
		}
	}
	return VIREO_EINVAL;
}

/*
 * INFO answers with the pool asked for or the next larger one, so the
 * walk is: id 0, then one past each answer, until there is none. The ids
 * must only grow (an answer that does not is an error), so the walk ends.
 */
int vireo_cpupool_list(struct vireo *v, struct vireo_cpupool *pools,
		       unsigned max)
{
	struct vireo_cpupool p;
	uint32_t id = 0;
	int n = 0, rc;

	while ((rc = vireo_cpupool_info(v, id, &p)) == 0) {
		if (p.id < id)
			return VIREO_EFAILED;
		if ((unsigned)n < max)
			pools[n] = p;
		n++;
		if (p.id == UINT32_MAX || n == INT32_MAX)
			break;
		id = p.id + 1;
	}
	return rc && rc != VIREO_ENOENT ? rc : n;
}

const struct vireo_cpupool *vireo_cpupool_find(
	const struct vireo_cpupool *pools, unsigned nr, const char *qualifier)
{
	unsigned id;
	int byid = vireod_parse_domid(qualifier, &id);

	for (unsigned i = 0; i < nr; i++)
		if (byid ? pools[i].id == id
			 : !strcmp(pools[i].name, qualifier))
			return &pools[i];
	return NULL;
}

int vireo_cpupool_lookup(struct vireo *v, const char *qualifier,
			 struct vireo_cpupool *pool)
{
	struct vireo_cpupool pools[VIREO_CPUPOOL_MAX];
	const struct vireo_cpupool *p;
	int n = vireo_cpupool_list(v, pools, VIREO_CPUPOOL_MAX);

	if (n < 0)
		return n;
	p = vireo_cpupool_find(pools,
			       n < VIREO_CPUPOOL_MAX ? (unsigned)n
						     : VIREO_CPUPOOL_MAX,
			       qualifier);
	if (!p)
		return VIREO_ENOENT;
	*pool = *p;
	return 0;
}
