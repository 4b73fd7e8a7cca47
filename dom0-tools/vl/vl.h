/*
 * vl, the xl-style command line of Vireo's Dom0: internal interfaces.
 *
 * One command table (vl_cmdtable.c) drives dispatch and `vl help`; each
 * command is one main_* function that parses its flags (VL_FOREACH_OPT) and
 * makes one vireod request (vl_conn.c) or one libvireo call. Stateful
 * commands go through vireod; info and dmesg go to the hypervisor directly.
 * vcpu-list, vcpu-pin and sched-credit take the domains' names and IDs from
 * vireod's "list" (as xl takes them from xenstore) and their scheduling
 * from the hypervisor directly.
 */
#ifndef VL_H
#define VL_H

#include <getopt.h> /* optind, for VL_FOREACH_OPT users */
#include <stdint.h>
#include <stdio.h>

#include "vireod_proto.h"

struct cmd_spec {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *desc;    /* one line, no final '.' */
	const char *usage;   /* after "vl NAME " */
	const char *options; /* "-x  what\n..." or NULL */
};

/* vl_cmdtable.c */
extern const struct cmd_spec vl_cmdtable[];
extern const unsigned vl_cmdtable_len;
const struct cmd_spec *vl_cmd_find(const char *name);

/* vl.c */
extern int vl_dryrun; /* vl -N */
/* `vl help CMD` text on f. */
void vl_help(const char *cmd, FILE *f);
/*
 * getopt over a command's argv ("h" is added): -h prints its help and exits
 * 0, a bad flag prints it on stderr and exits 1, as does having fewer than
 * min_args arguments left at the end. Returns the option, -1 at the end.
 */
int vl_getopt(int argc, char **argv, const char *opts, const char *cmd,
	      int min_args);
#define VL_FOREACH_OPT(opt, opts, cmd, min_args)                            \
	while (((opt) = vl_getopt(argc, argv, (opts), (cmd), (min_args))) != \
	       -1)                                                           \
		switch (opt)
/* The same with long options (longopts as getopt_long's, with "help";
 * NULL: --help only). */
int vl_getopt_long(int argc, char **argv, const char *opts,
		   const struct option *longopts, const char *cmd,
		   int min_args);
#define VL_FOREACH_OPT_LONG(opt, opts, longopts, cmd, min_args)             \
	while (((opt) = vl_getopt_long(argc, argv, (opts), (longopts),       \
				       (cmd), (min_args))) != -1)            \
		switch (opt)
/* Too many arguments: usage on stderr; returns 1 to exit with. */
int vl_usage_error(const char *cmd);

/* vl_conn.c: a connection to vireod. */
struct vl_conn {
	int fd;
	char buf[2 * VIREOD_LINE_MAX];
	size_t len;
	char line[VIREOD_LINE_MAX + 1];
	int no_warn; /* drop "warn" lines instead of printing them */
};

/* Connect; on failure say how to start vireod and return -1. */
int vl_connect(struct vl_conn *c);
void vl_close(struct vl_conn *c);
int vl_send(struct vl_conn *c, const char *const *fields, unsigned nr);
/* Read the final reply of a request sent earlier: see vl_call. */
int vl_reply(struct vl_conn *c, int (*on_line)(void *arg, char **f,
					       unsigned nr),
	     void *arg, char **ok, unsigned *nr_ok);
/*
 * Send one request and read its reply. "warn" lines go to stderr, other
 * lines before the final one to on_line (if not NULL). Returns 0 with the
 * fields of the "ok" line in ok[0..*nr_ok-1] (ok[0] is "ok"; valid until
 * the next read), or -1 after printing the error ("err" message as it is).
 */
int vl_call(struct vl_conn *c, const char *const *req, unsigned nr,
	    int (*on_line)(void *arg, char **f, unsigned nr), void *arg,
	    char **ok, unsigned *nr_ok);
/*
 * Connect, call, close: on_line as for vl_call, and on_ok (if not NULL)
 * sees the "ok" fields before the connection goes. Returns vl_call's result
 * (-1 also when vireod cannot be reached).
 */
int vl_request(const char *const *req, unsigned nr,
	       int (*on_line)(void *arg, char **f, unsigned nr),
	       void (*on_ok)(void *arg, char **ok, unsigned nr_ok), void *arg);
/* vl_request for requests with one "ok" and no more. */
int vl_simple(const char *const *req, unsigned nr);

/* One domain as `vireod list` gives it (vl_fmt.c). */
struct vl_dom {
	uint32_t domid;
	char name[64];
	uint32_t state, reason, vcpus; /* vcpus: all (maxvcpus) */
	uint32_t online;               /* of those, started (xl list's) */
	uint64_t mem_pages, cpu_ns;
	int64_t ctime;
	char config[1024]; /* "" if none */
};

/* vl_fmt.c: pure formatting, no I/O but on the FILE given. */
int vl_dom_parse(char **f, unsigned nr, struct vl_dom *d);
void vl_state_letters(uint32_t state, uint32_t reason, char out[7]);
uint64_t vl_mem_mib(const struct vl_dom *d);
void vl_list_header(FILE *f);
void vl_list_row(FILE *f, const struct vl_dom *d);
void vl_list_json(FILE *f, const struct vl_dom *doms, unsigned nr);
void vl_json_string(FILE *f, const char *s);
void vl_uptime_string(uint64_t secs, int short_mode, char *buf, size_t len);
void vl_info_line(FILE *f, const char *filter, const char *key,
		  const char *value);

/*
 * One device line of vireod's "devices DOM" (vl_devices.c). The strings
 * point into the reply's fields, so they live as long as the line.
 */
enum vl_dev_kind { VL_DEV_DISK, VL_DEV_NIC, VL_DEV_VIRTIO };

struct vl_dev {
	enum vl_dev_kind kind;
	const char *id;			   /* disk: VDEV; else INDEX as sent */
	unsigned index;			   /* INDEX; a disk's: its place */
	uint32_t backend, state, slot;	   /* BACKEND, STATE, SLOT */
	const char *access, *target;	   /* disk */
	const char *mac, *bridge, *ifname; /* nic; ifname may be "" */
	const char *type;		   /* virtio: "console", "rng" */
};

/* vl_devices.c: pure formatting, as vl_fmt.c. */
/* 0, or -1 if f[0..nr-1] is no well-formed disk, nic or virtio line. */
int vl_dev_parse(char **f, unsigned nr, struct vl_dev *d);
void vl_block_header(FILE *f);
void vl_block_row(FILE *f, const struct vl_dev *d);
void vl_network_header(FILE *f);
void vl_network_row(FILE *f, const struct vl_dev *d);

/* vl_info.c: /dev/vireo, or NULL after saying why. */
struct vireo *vl_open_vireo(void);

/*
 * vl_sched.c: vcpu-list, vcpu-pin and sched-credit. The formats are xl's
 * (tools/xl/xl_vcpu.c, xl_sched.c); they do no I/O but on the FILE given.
 */
struct vireo_vcpu_info;
struct vireo_sched_credit;
struct vireo_sched_credit_params;
void vl_vcpu_header(FILE *f);
/* One vCPU of domain name/domid; affinity over the host's nr_cpus. */
void vl_vcpu_row(FILE *f, const char *name, uint32_t domid,
		 const struct vireo_vcpu_info *vi, unsigned nr_cpus);
void vl_sched_credit_header(FILE *f);
void vl_sched_credit_row(FILE *f, const char *name, uint32_t domid,
			 const struct vireo_sched_credit *sc);
/* A cpupool's line; p NULL: its parameters could not be read. */
void vl_sched_credit_pool(FILE *f, const char *pool,
			  const struct vireo_sched_credit_params *p);

/*
 * vl_vcpuset.c: may domain dom (facts read from the hypervisor) be set to
 * n vCPUs online? 1..nr_vcpus, and, with check_host (xl's default, -i
 * drops it), not above both the vCPUs online now and the host's CPUs. 0,
 * or -1 once the reason is printed.
 */
struct vl_vcpuset_facts {
	unsigned nr_vcpus;  /* DOMAIN_GETINFO: the domain's vCPUs (maxvcpus) */
	unsigned online;    /* of them, online now (check_host only) */
	unsigned host_cpus; /* the host's harts (check_host only) */
};
int vl_vcpuset_check(const char *dom, unsigned n,
		     const struct vl_vcpuset_facts *f, int check_host);

/* vl_console.c: attach to DOM on a fresh connection; exit status. */
int vl_console_attach(const char *dom);
/*
 * Attach, then send the request then[0..nr_then-1] (`vl create -c` sends
 * "unpause": as xl, it attaches before the guest runs, so that nothing
 * it writes is missed).
 */
int vl_console_attach_then(const char *dom, const char *const *then,
			   unsigned nr_then);

/* The commands. */
int main_create(int argc, char **argv);
int main_list(int argc, char **argv);
int main_console(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_trigger(int argc, char **argv);
int main_info(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_top(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_block_list(int argc, char **argv);
int main_network_list(int argc, char **argv);
int main_vcpu_list(int argc, char **argv);
int main_vcpu_pin(int argc, char **argv);
int main_vcpu_set(int argc, char **argv);
int main_sched_credit(int argc, char **argv);
int main_cpupool_create(int argc, char **argv);
int main_cpupool_list(int argc, char **argv);
int main_cpupool_destroy(int argc, char **argv);
int main_cpupool_cpu_add(int argc, char **argv);
int main_cpupool_cpu_remove(int argc, char **argv);
int main_cpupool_migrate(int argc, char **argv);
int main_help(int argc, char **argv);

#endif
