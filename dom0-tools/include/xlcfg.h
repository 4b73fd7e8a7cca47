/*
 * xlcfg: the xl.cfg(5) parser of libvireo.
 *
 * A domain configuration is a series of `key = value` lines, as for xl:
 *
 *   name    = "demo"            # "string" or 'string'
 *   memory  = 512               # decimal or 0x hex; MiB
 *   disk    = [ 'file:/srv/a.img,xvda,w',
 *               'file:/srv/b.img,xvdb,r' ]   # lists may span lines
 *
 * `#` starts a comment, blank lines are ignored, and a statement ends at the
 * end of its line (a trailing ';' is rejected). Overrides given on the
 * command line (`vl create demo.cfg memory=1024 'name="x"'`) are parsed with
 * the same value syntax, except that a bare word is accepted as a string or
 * a number, and replace or add keys after the file has been read.
 */
#ifndef VIREO_XLCFG_H
#define VIREO_XLCFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xlcfg_dev.h"

#define XLCFG_NAME_MAX 31 /* characters, without the NUL */
#define XLCFG_VCPUS_MAX 8
#define XLCFG_POOL_NAME_MAX 31 /* a cpupool's name, without the NUL */

/*
 * cpus or cpus_soft as written: xl's CPU lists (cpumap.h), each checked
 * for syntax only, as the host's CPUs are known at build time
 * (xlcfg_affinity()). A string (per_vcpu 0, nr 1) is every vCPU's; a list
 * gives vCPU i items[i], and the vCPUs past its end are not pinned. nr 0:
 * not given.
 */
struct xlcfg_cpus {
	char **items;
	unsigned nr;
	int per_vcpu;
};

/* What vireod does when a guest powers off, reboots or crashes. */
enum xlcfg_action {
	XLCFG_ACTION_DESTROY,
	XLCFG_ACTION_RESTART,
	XLCFG_ACTION_PRESERVE,
	XLCFG_ACTION_RENAME_RESTART,
};

struct xlcfg {
	char name[XLCFG_NAME_MAX + 1];
	uint64_t memory_mib;
	uint64_t maxmem_mib; /* >= memory_mib; memory_mib when not given */
	unsigned vcpus;	     /* 1..XLCFG_VCPUS_MAX, default 1: online at boot */
	/*
	 * The domain's vCPUs, vcpus..XLCFG_VCPUS_MAX (vcpus when not given):
	 * those from vcpus on start offline, for `vl vcpu-set` to bring up.
	 * maxvcpus_set: given (the dry run shows it only then).
	 */
	unsigned maxvcpus;
	int maxvcpus_set;
	/* The cpupool, a name or an id ("1") as written; NULL: Pool-0. It
	 * is looked up when the domain is built. */
	char *pool;
	struct xlcfg_cpus cpus, cpus_soft; /* hard and soft affinity */
	/* Credit scheduler, each if set: cpu_weight 1..65535 (the
	 * hypervisor's default 256), cap 0..100 x vcpus (% of one CPU; 0 =
	 * no cap) */
	unsigned cpu_weight, cap;
	int cpu_weight_set, cap_set;
	char *kernel;	     /* never NULL after a successful parse */
	char *ramdisk;	     /* NULL if none */
	char *cmdline; /* as built from cmdline, root, extra; never NULL */
	enum xlcfg_action on_poweroff, on_reboot, on_crash;
	/* mvendorid, marchid, mimpid (ours): bit i set = machine_id[i] given */
	unsigned machine_id_set;
	uint64_t machine_id[3];
	/* The device lists as written (for the dry run)... */
	char **disk;
	unsigned nr_disk;
	char **vif;
	unsigned nr_vif;
	char **virtio;
	unsigned nr_virtio;
	/*
	 * ...and parsed (xlcfg_dev.h), in the same order: disks[i] is
	 * disk[i]. Vdevs, MACs given and vifnames given are each unique, there
	 * is at most one virtio device of each type, and nr_disks + nr_vifs +
	 * nr_virtios <= XLCFG_DEV_SLOTS.
	 */
	struct xlcfg_disk *disks;
	unsigned nr_disks;
	struct xlcfg_vif *vifs;
	unsigned nr_vifs;
	struct xlcfg_virtio *virtios;
	unsigned nr_virtios;
	/* "FILE:LINE: warning: ..." lines, e.g. for unknown keys. */
	char **warnings;
	unsigned nr_warnings;
};

/*
 * Parse a configuration file, then apply the overrides ("key=value" strings)
 * in order. Return 0 and fill *out (release it with xlcfg_free()), or -1 with
 * a "FILE:LINE: message" in err (truncated to errlen) and *out zeroed;
 * nothing is leaked on failure. err may be NULL if errlen is 0.
 */
int xlcfg_parse_file(const char *path, const char *const *overrides,
		     unsigned nr_overrides, struct xlcfg *out, char *err,
		     size_t errlen);

/* The same on text in memory; name_for_messages stands for FILE. */
int xlcfg_parse_string(const char *name_for_messages, const char *text,
		       const char *const *overrides, unsigned nr_overrides,
		       struct xlcfg *out, char *err, size_t errlen);

/* Release everything *cfg owns and zero it; safe on a zeroed struct. */
void xlcfg_free(struct xlcfg *cfg);

/* "destroy", "restart", "preserve", "rename-restart", or NULL if invalid. */
const char *xlcfg_action_name(enum xlcfg_action action);

/*
 * The affinity masks cfg asks for on a host of nr_cpus CPUs: hard[i] and
 * soft[i] for each vCPU i < cfg->maxvcpus (bit h: CPU h), 0 where it asks
 * for none. Returns 0, or -1 with a message ("cpus '0-5': CPU 5 is out of
 * range: CPUs are 0-3") in err, truncated to errlen.
 */
int xlcfg_affinity(const struct xlcfg *cfg, unsigned nr_cpus,
		   uint64_t hard[XLCFG_VCPUS_MAX],
		   uint64_t soft[XLCFG_VCPUS_MAX], char *err, size_t errlen);

/*
 * Write the dry-run form of `vl -N create`: a pretty-printed JSON object with
 * the keys name, memory, maxmem, vcpus, kernel, ramdisk (null if none),
 * cmdline, on_poweroff, on_reboot, on_crash, disk, vif, virtio, in that
 * order, and a final newline; the device lists as written (the parsed
 * devices are not shown). maxvcpus, cpus and cpus_soft (a string or a
 * list, as written), cpu_weight, cap and pool (a string) come after vcpus,
 * each only if given.
 * Return 0, or -1 if writing failed.
 */
int xlcfg_to_json(const struct xlcfg *cfg, FILE *out);

#endif
