/*
 * vireod, the Dom0 management daemon: internal interfaces.
 *
 * One thread, one poll() loop (main.c) over the control socket, the
 * clients (client.c, requests.c) and /dev/vireo's event fd. vireod owns
 * the domain records (domain.c): name <-> domid, the config each domain was
 * built from, its console buffer (console.c) and its creation time. It
 * applies on_poweroff / on_reboot / on_crash (lifecycle.c) and keeps the
 * records in VD_STATE_FILE (state.c) so that a new vireod finds them again.
 */
#ifndef VIREOD_H
#define VIREOD_H

#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/types.h>

#include "libvireo.h"
#include "vireo_ioctl.h"
#include "vireod_proto.h"
#include "xlcfg.h"

#define VD_STATE_DIR "/var/lib/vireo"
#define VD_STATE_FILE VD_STATE_DIR "/domains"
#define VD_PID_FILE "/run/vireod.pid"
#define VD_LOG_FILE "/var/log/vireod.log"
#define VD_CONFIG_DIR "/etc/vireo"
#define VD_RUN_DIR "/run/vireo"
#define VD_DM_PATH "/usr/sbin/vireo-dm"
#define VD_DM_LOG "/var/log/vireo-dm.%" PRIu32 ".log"
#define VD_DM_PID VD_RUN_DIR "/dm-%" PRIu32 ".pid"
#define VD_DM_READY_MS 10000	/* a device model's set-up, under TCG */
#define VD_DM_STOP_MS 2000	/* SIGTERM to SIGKILL */
#define VD_DEV_CONNECTED 4	/* device states as xenbus numbers them */
#define VD_DEV_CLOSED 6

#define VD_MAX_DOMS VIREO_MAX_DOMAINS
#define VD_MAX_CLIENTS 32
#define VD_TICK_MS 100		/* console fallback poll */
#define VD_CONSOLE_BATCH_MS 5	/* console events wait this long to drain */
#define VD_STATE_CHECK_MS 1000	/* state-change fallback poll */
#define VD_INPUT_RETRY_MS 10	/* console input waiting for room */
#define VD_INPUT_MAX 4096	/* console input queued per domain */
#define VD_OUT_MAX (1024 * 1024) /* queued output per client */
#define VD_IO_CHUNK 4096	/* one console read/write hypercall */
#define VD_CONLOG_DISK "/data" /* Dom0's persistent disk, if mounted */
#define VD_CONLOG_DIR VD_CONLOG_DISK "/log/vireo" /* DomU console logs */
#define VD_CONLOG_MAX (1024 * 1024) /* a log's size when it is rotated */
#define VD_CONLOG_PATH_MAX 256
#define VD_ENDED_MAX VD_MAX_DOMS /* consoles of domains that have gone */

/*
 * Bits of the mask vireo_wait_event() returns: the causes of Dom0's
 * notification line, as the hypervisor raises it.
 */
#define VD_EVENT_STATE VIREO_EVENT_STATE     /* a domain changed state */
#define VD_EVENT_CONSOLE VIREO_EVENT_CONSOLE /* a DomU wrote to its console */

/* ring.c: the last `cap` bytes written, oldest first. */
struct vd_ring {
	char *buf;
	size_t cap;
	uint64_t total; /* bytes ever written */
};

int vd_ring_init(struct vd_ring *r, size_t cap);
void vd_ring_free(struct vd_ring *r);
void vd_ring_write(struct vd_ring *r, const char *data, size_t len);
/* The held bytes as at most two pieces, oldest first; returns how many. */
unsigned vd_ring_pieces(const struct vd_ring *r, const char *p[2],
			size_t n[2]);

/* conlog.c: one DomU's console log, DIR/NAME.log, rotated to NAME.log.1. */
struct vd_conlog {
	int open;      /* 0 (as calloc leaves it): opened on the next write */
	int fd;
	uint64_t size; /* of the open file */
};

void vd_conlog_close(struct vd_conlog *l);
/* Append, rotating at VD_CONLOG_MAX; 0 or -errno. */
int vd_conlog_write(struct vd_conlog *l, const char *dir, const char *name,
		    const char *p, size_t n);

/* state.c: the persisted part of a domain record. */
#define VD_REC_PRESERVED (1U << 0) /* its on_* action is done: leave it */

struct vd_record {
	uint32_t domid;
	char name[XLCFG_NAME_MAX + 1];
	int64_t ctime;
	unsigned flags;	 /* VD_REC_* */
	char *cfg_path;	 /* absolute; NULL if not known */
	char *cwd;	 /* the creating client's directory; NULL if none */
	char **overrides;
	unsigned nr_overrides;
};

void vd_record_free(struct vd_record *r);
int vd_record_copy(struct vd_record *dst, const struct vd_record *src);
/* One line of the state file, '\n' included; returns its length or -1. */
int vd_state_format(const struct vd_record *r, char *buf, size_t cap);
/* Parse one line (without '\n', modified in place); 0 or -1. */
int vd_state_parse(char *line, struct vd_record *r);
/* Rewrite path atomically (temporary file, fsync, rename); 0 or -errno. */
int vd_state_save(const char *path, const struct vd_record *const *recs,
		  unsigned nr);
/*
 * Read path into out[0..max-1]; a missing file is no record. Bad lines are
 * skipped and counted in *bad. Returns 0, or -errno if it cannot be read.
 */
int vd_state_load(const char *path, struct vd_record *out, unsigned max,
		  unsigned *nr, unsigned *bad);

/* A domain vireod manages. */
struct vd_domain {
	struct vd_record rec;
	struct xlcfg cfg; /* as parsed for the last build */
	int have_cfg;
	int restarts;	  /* quick restarts in a row (see lifecycle.c) */
	uint64_t gen;	  /* which build: a restart may reuse the domid */
	struct vd_ring console;
	struct vd_conlog log;
	int log_failed;	  /* its log could not be written: not tried again */
	char input[VD_INPUT_MAX]; /* guest input not yet taken */
	size_t input_len;
	pid_t dm_pid;	  /* its vireo-dm, 0 if none */
	int dm_state;	  /* VD_DEV_*, 0 if it has no devices */
	int dm_recovered; /* a replacement model runs (or was tried) */
	uint8_t macs[8][6]; /* its vifs' MACs (XLCFG_DEV_SLOTS) */
	int mac_picked[8];
};

enum vd_client_mode {
	VD_CLIENT_REQUEST, /* reading request lines */
	VD_CLIENT_WAIT,	   /* a shutdown/reboot awaits the guest */
	VD_CLIENT_CONSOLE, /* raw console bytes */
};

struct vd_wait {
	uint32_t domid;
	int reboot;	     /* else shutdown */
	int full;	     /* -w: until the on_* action is applied */
	uint64_t gen;	     /* the record's gen when asked (0: none) */
	int64_t deadline_ms; /* monotonic */
};

struct vd_client {
	int fd;
	enum vd_client_mode mode;
	uint32_t domid; /* VD_CLIENT_CONSOLE */
	struct vd_wait wait;
	char in[VIREOD_LINE_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_cap;
	int closing; /* close once out is flushed */
};

/*
 * The console buffer of a domain that has gone, for `vl console NAME` (or
 * its last domid) until a new domain takes the name.
 */
struct vd_ended {
	char name[XLCFG_NAME_MAX + 1];
	uint32_t domid;
	uint64_t seq; /* the oldest goes first when all are used */
	struct vd_ring console;
};

struct vd {
	struct vireo *v;
	int listen_fd;
	int event_fd;
	const char *state_path;
	struct vd_domain *doms[VD_MAX_DOMS];
	struct vd_client *clients[VD_MAX_CLIENTS];
	int64_t next_tick_ms, next_check_ms;
	uint64_t gen; /* last vd_domain.gen given */
	struct vd_ended ended[VD_ENDED_MAX];
	uint64_t ended_seq;
	int64_t console_due_ms;	  /* next drain asked for (0: none) */
	int64_t console_drained_ms; /* when the last drain was */
	int conlog_state; /* 0: not checked yet, 1: logging, -1: no disk */
};

/* main.c */
__attribute__((format(printf, 1, 2))) void vd_log(const char *fmt, ...);
int64_t vd_now_ms(void);

/* client.c */
void vd_client_accept(struct vd *vd);
void vd_client_input(struct vd *vd, struct vd_client *c);
int vd_client_flush(struct vd_client *c);
/* Close now (fd = -1); the struct is freed by the next vd_client_reap. */
void vd_client_close(struct vd *vd, struct vd_client *c);
void vd_client_reap(struct vd *vd);
int vd_client_send(struct vd_client *c, const char *data, size_t len);
int vd_client_line(struct vd_client *c, const char *const *fields,
		   unsigned nr);
void vd_client_ok(struct vd_client *c, const char *a, const char *b);
__attribute__((format(printf, 2, 3))) void vd_client_err(struct vd_client *c,
							 const char *fmt, ...);

/* requests.c: one handler per verb; fields[0] is the verb. */
void vd_request(struct vd *vd, struct vd_client *c, char **fields,
		unsigned nr);

/* domain.c */
struct vd_domain *vd_dom_by_id(struct vd *vd, uint32_t domid);
struct vd_domain *vd_dom_by_name(struct vd *vd, const char *name);
/* DOM as in the protocol -> domid of an existing domain; 0 or -1 + err. */
int vd_dom_resolve(struct vd *vd, const char *dom, uint32_t *domid,
		   char *err, size_t errlen);
int vd_dom_check_name(struct vd *vd, const char *name, char *err,
		      size_t errlen);
/* Parse rec->cfg_path with its overrides into d->cfg; paths resolved. */
int vd_dom_load_cfg(struct vd_domain *d, char *err, size_t errlen);
/* Build d from d->cfg under d->rec.name; sets rec.domid and ctime. */
int vd_dom_build(struct vd *vd, struct vd_domain *d, int paused, char *err,
		 size_t errlen);
int vd_dom_room(struct vd *vd); /* is there a free record slot? */
int vd_dom_any(struct vd *vd);  /* is any DomU recorded? */
int vd_dom_add(struct vd *vd, struct vd_domain *d); /* -1: no slot */
void vd_dom_forget(struct vd *vd, struct vd_domain *d);
void vd_dom_free(struct vd_domain *d);
int vd_dom_destroy(struct vd *vd, uint32_t domid, char *err, size_t errlen);
void vd_dom_save(struct vd *vd);
void vd_dom_reload(struct vd *vd);

/* lifecycle.c */
void vd_check_domains(struct vd *vd);
void vd_wait_begin(struct vd *vd, struct vd_client *c, uint32_t domid,
		   int reboot, int full);
void vd_wait_check(struct vd *vd);
int64_t vd_wait_next_deadline(struct vd *vd);

/* devices.c */
unsigned vd_dev_count(const struct xlcfg *cfg);
int vd_dm_start(struct vd *vd, struct vd_domain *d, char *err, size_t errlen);
void vd_dm_stop(struct vd *vd, struct vd_domain *d);
void vd_dm_reap(struct vd *vd);
void vd_dm_adopt(struct vd_domain *d);
void vd_req_devices(struct vd *vd, struct vd_client *c, char **a, unsigned nr);

/* console.c */
void vd_console_drain(struct vd *vd);
/* The console event came: ask for a drain (batched, see console.c). */
void vd_console_event(struct vd *vd);
/* Read d's console until the hypervisor's ring is empty (it has ended). */
void vd_console_drain_dom(struct vd *vd, struct vd_domain *d);
/* d is going: keep its console buffer for `vl console`, close its log. */
void vd_console_keep(struct vd *vd, struct vd_domain *d);
/* A new domain is called name: the old one's buffer goes. */
void vd_console_forget_ended(struct vd *vd, const char *name);
/* The buffer of a gone domain named or numbered dom, or NULL. */
struct vd_ended *vd_console_ended(struct vd *vd, const char *dom);
void vd_console_replay_ended(struct vd_client *c, struct vd_ended *e);
void vd_console_attach(struct vd *vd, struct vd_client *c,
		       struct vd_domain *d);
void vd_console_input(struct vd *vd, struct vd_client *c);
void vd_console_flush_input(struct vd *vd);
int vd_console_input_pending(struct vd *vd);
void vd_console_detach_all(struct vd *vd, uint32_t domid);
void vd_console_move(struct vd *vd, uint32_t from, uint32_t to);

#endif
