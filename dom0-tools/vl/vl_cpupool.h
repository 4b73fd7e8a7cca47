/*
 * vl's cpupool commands (vl_cpupool.c) and the pool config file of
 * cpupool-create (vl_cpupool_cfg.c), xlcpupool.cfg(5):
 *
 *   name  = "rt"          # default: the file's name, without its directory
 *   sched = "null"        # "credit" (the default) or "null"
 *   cpus  = "2-3"         # a CPU list, or a list of CPUs: ["2", "3"]
 *
 * read with the xl.cfg grammar (libvireo/xlcfg_lex.c). `nodes` is refused
 * (Vireo has no NUMA topology); other keys are ignored with a warning.
 */
#ifndef VL_CPUPOOL_H
#define VL_CPUPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vireo_abi.h"

struct vl_pool_cfg {
	char name[VIREO_CPUPOOL_NAME_LEN];
	uint32_t sched; /* VIREO_SCHED_* */
	uint64_t cpus;	/* bit h: hart h */
};

/*
 * Parse text (file names it in messages; NULL: no file, xl's "command
 * line"), then the Variable=Value overrides vars[0..nr_vars - 1], which
 * replace the file's keys, for a host of nr_cpus harts. Returns 0 and
 * *cfg, or -1 with "FILE:LINE: message" in err; warnings go to warn.
 */
int vl_pool_cfg_parse(const char *file, const char *text, char *const *vars,
		      unsigned nr_vars, unsigned nr_cpus,
		      struct vl_pool_cfg *cfg, FILE *warn, char *err,
		      size_t errlen);

/* The file at path, NUL-terminated (free it); NULL once xl's message
 * ("Failed to read config file: ...") is printed. */
char *vl_pool_cfg_read(const char *path);

#endif
