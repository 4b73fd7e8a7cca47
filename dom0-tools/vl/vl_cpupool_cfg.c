/*
 * The pool config of vl cpupool-create (vl_cpupool.h): xlcpupool.cfg(5)'s
 * keys over the xl.cfg lexer of libvireo (xlcfg_lex.c, through
 * xlcfg_priv.h), so that quoting, lists, comments, overrides and the
 * "FILE:LINE: message" errors are those of `vl create`. Each key has a
 * handler that checks its value alone; the file may give a key once, and
 * a Variable=Value override replaces it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../libvireo/xlcfg_priv.h"
#include "cpumap.h"
#include "libvireo.h"
#include "vl_cpupool.h"

#define POOL_FILE_MAX (64 * 1024) /* bytes; real pool configs are < 1 KiB */
#define POOL_NAME_MAX (VIREO_CPUPOOL_NAME_LEN - 1)

enum { KEY_NAME, KEY_SCHED, KEY_CPUS, KEY_NODES, NR_KEYS };

static const char *const pool_keys[NR_KEYS] = {
	[KEY_NAME] = "name",
	[KEY_SCHED] = "sched",
	[KEY_CPUS] = "cpus",
	[KEY_NODES] = "nodes",
};

/* A parse in progress: the last entry of each key (key NULL: not given). */
struct pool_parse {
	struct xlcfg_entry e[NR_KEYS];
	struct xlcfg_err *err;
	FILE *warn;
	unsigned nr_cpus;
};

/* Read statements: the file may give a key once, an override replaces it. */
static int pool_read(struct pool_parse *pp, const char *src, const char *text,
		     int override)
{
	struct xlcfg_lexer lx;
	struct xlcfg_entry e;
	int rc;

	xlcfg_lex_init(&lx, src, text, override, pp->err);
	while ((rc = xlcfg_lex_next(&lx, &e)) > 0) {
		int k = NR_KEYS;

		while (k-- > 0 && strcmp(e.key, pool_keys[k]))
			;
		if (k < 0) {
			char msg[512];
			struct xlcfg_err w = { msg, sizeof(msg) };

			/* Ignored, as xl does, but not in silence. */
			xlcfg_errorf(&w, &e.loc,
				     "warning: unknown key '%s' ignored",
				     e.key);
			fprintf(pp->warn, "%s\n", msg);
		} else if (pp->e[k].key && !override) {
			xlcfg_errorf(pp->err, &e.loc, "duplicate key '%s'",
				     e.key);
			rc = -1;
		} else {
			xlcfg_entry_free(&pp->e[k]);
			pp->e[k] = e;
			memset(&e, 0, sizeof(e));
		}
		xlcfg_entry_free(&e);
		if (rc < 0)
			break;
	}
	return rc;
}

/* name, else the file's name without its directory (as xl's). */
static int pool_name(struct pool_parse *pp, const char *file,
		     struct vl_pool_cfg *cfg)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	const struct xlcfg_entry *e = &pp->e[KEY_NAME];
	struct xlcfg_loc loc = { file, 0, 0 };
	const char *s;
	size_t n;

	if (e->key) {
		if (xlcfg_get_string(e, &s, pp->err))
			return -1;
		loc = e->loc;
	} else if (file) {
		s = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	} else {
		snprintf(pp->err->buf, pp->err->len, "Missing cpupool name!");
		return -1;
	}
	n = strlen(s);
	if (n < 1 || n > POOL_NAME_MAX || strspn(s, ok) != n) {
		xlcfg_errorf(pp->err, &loc, "cpupool name '%s' must be 1 to %d "
			     "characters from A-Z a-z 0-9 _ . -", s,
			     POOL_NAME_MAX);
		return -1;
	}
	if (strspn(s, "0123456789") == n) {
		xlcfg_errorf(pp->err, &loc, "cpupool name '%s' is a number, "
			     "which names a pool by its id", s);
		return -1;
	}
	memcpy(cfg->name, s, n + 1);
	return 0;
}

/* sched: "credit" (the default, as the hypervisor's) or "null". */
static int pool_sched(struct pool_parse *pp, struct vl_pool_cfg *cfg)
{
	const struct xlcfg_entry *e = &pp->e[KEY_SCHED];
	const char *s;

	cfg->sched = VIREO_SCHED_CREDIT;
	if (!e->key)
		return 0;
	if (xlcfg_get_string(e, &s, pp->err))
		return -1;
	if (vireo_sched_from_name(s, &cfg->sched) < 0) {
		xlcfg_errorf(pp->err, &e->loc, "Unknown scheduler '%s': a "
			     "cpupool runs \"credit\" or \"null\"", s);
		return -1;
	}
	return 0;
}

/* One item of a cpus list: a CPU number, as xl's list items are. */
static int pool_cpu_item(struct pool_parse *pp, const struct xlcfg_entry *e,
			 unsigned i, uint64_t *mask)
{
	const char *s = e->val.items[i];
	struct xlcfg_loc loc = e->loc;
	char msg[256];
	uint64_t m;

	loc.line = e->val.lines ? e->val.lines[i] : loc.line;
	if (!*s || strspn(s, "0123456789") != strlen(s)) {
		xlcfg_errorf(pp->err, &loc, "cpus: list item '%s' is not a "
			     "CPU number", s);
		return -1;
	}
	if (cpumap_parse(s, pp->nr_cpus, &m, msg, sizeof(msg)) < 0) {
		xlcfg_errorf(pp->err, &loc, "cpus: %s", msg);
		return -1;
	}
	*mask |= m;
	return 0;
}

/* cpus: a CPU list ("2-3", a number alike) or a list of CPU numbers. */
static int pool_cpus(struct pool_parse *pp, struct vl_pool_cfg *cfg)
{
	const struct xlcfg_entry *e = &pp->e[KEY_CPUS];
	char msg[256];

	cfg->cpus = 0;
	if (!e->key)
		return 0;
	if (e->val.type == XLCFG_V_LIST) {
		for (unsigned i = 0; i < e->val.nr_items; i++)
			if (pool_cpu_item(pp, e, i, &cfg->cpus) < 0)
				return -1;
		return 0;
	}
	if (cpumap_parse(e->val.str, pp->nr_cpus, &cfg->cpus, msg,
			 sizeof(msg)) < 0) {
		xlcfg_errorf(pp->err, &e->loc, "cpus '%s': %s", e->val.str,
			     msg);
		return -1;
	}
	return 0;
}

int vl_pool_cfg_parse(const char *file, const char *text, char *const *vars,
		      unsigned nr_vars, unsigned nr_cpus,
		      struct vl_pool_cfg *cfg, FILE *warn, char *err,
		      size_t errlen)
{
	struct xlcfg_err xe = { err, errlen };
	struct pool_parse pp = { .err = &xe, .warn = warn, .nr_cpus = nr_cpus };
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (pool_read(&pp, file ? file : "command line", text, 0) < 0)
		goto out;
	for (unsigned i = 0; i < nr_vars; i++)
		if (pool_read(&pp, vars[i], vars[i], 1) < 0)
			goto out;
	if (pp.e[KEY_NODES].key) {
		xlcfg_errorf(&xe, &pp.e[KEY_NODES].loc, "nodes: Vireo has no "
			     "NUMA nodes: give the pool's CPUs with cpus=");
		goto out;
	}
	if (pool_name(&pp, file, cfg) < 0 || pool_sched(&pp, cfg) < 0 ||
	    pool_cpus(&pp, cfg) < 0)
		goto out;
	rc = 0;
out:
	for (unsigned k = 0; k < NR_KEYS; k++)
		xlcfg_entry_free(&pp.e[k]);
	return rc;
}

char *vl_pool_cfg_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(POOL_FILE_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, POOL_FILE_MAX + 1, f) : 0;
	int e = errno;

	if (buf && (ferror(f) || n > POOL_FILE_MAX)) {
		e = ferror(f) ? errno : EFBIG;
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	if (!buf) {
		fprintf(stderr, "Failed to read config file: %s: %s\n", path,
			strerror(e));
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

