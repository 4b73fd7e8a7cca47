/*
 * A domain's virtio devices: vireod turns the disk, vif and virtio lists of
 * its config into one vireo-dm process (Xen's device model), started after
 * the domain is built and before it runs, stopped before it is destroyed.
 *
 * Slots are given in config order: disks, then vifs, then virtio devices;
 * slot i is VIREO_DOMU_VIRTIO_BASE + i * 4 KiB in the guest. A vif without
 * a MAC gets a random 00:16:3e one at the first build, kept across
 * restarts. The device model's output goes to VD_DM_LOG; its pid to
 * VD_DM_PID so that a restarted vireod can still stop it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vireod.h"
#include "xlcfg_dev.h"

#define DM_ARGS (4 + XLCFG_DEV_SLOTS + 1)
#define DM_SPEC_MAX 512

unsigned vd_dev_count(const struct xlcfg *cfg)
{
	return cfg->nr_disks + cfg->nr_vifs + cfg->nr_virtios;
}

static void pick_macs(struct vd_domain *d)
{
	for (unsigned i = 0; i < d->cfg.nr_vifs && i < XLCFG_DEV_SLOTS; i++) {
		if (d->cfg.vifs[i].mac_set)
			memcpy(d->macs[i], d->cfg.vifs[i].mac, 6);
		else if (!d->mac_picked[i])
			xlcfg_vif_random_mac(d->macs[i]);
		d->mac_picked[i] = 1;
	}
}

static void vif_name(const struct vd_domain *d, unsigned i, char *buf,
		     size_t len)
{
	if (d->cfg.vifs[i].vifname[0])
		snprintf(buf, len, "%s", d->cfg.vifs[i].vifname);
	else
		snprintf(buf, len, "vif%" PRIu32 ".%u", d->rec.domid, i);
}

/* The vireo-dm argument of device number n (config order). */
static int dev_spec(const struct vd_domain *d, unsigned n, char *buf,
		    size_t len, char *err, size_t errlen)
{
	const struct xlcfg *cfg = &d->cfg;
	char mac[XLCFG_MAC_STRLEN], ifname[XLCFG_IFNAME_MAX + 8];
	int r;

	if (n < cfg->nr_disks) {
		const struct xlcfg_disk *k = &cfg->disks[n];
		if (strchr(k->target, ',') || strchr(k->target, ':')) {
			snprintf(err, errlen, "disk %s: target %s: ',' and ':' "
				 "are not allowed in paths", k->vdev, k->target);
			return -1;
		}
		r = snprintf(buf, len, "%u:blk:ro=%d,path=%s", n, k->readonly,
			     k->target);
	} else if ((n -= cfg->nr_disks) < cfg->nr_vifs) {
		xlcfg_format_mac(d->macs[n], mac, sizeof(mac));
		vif_name(d, n, ifname, sizeof(ifname));
		r = snprintf(buf, len, "%u:net:mac=%s,bridge=%s,ifname=%s",
			     cfg->nr_disks + n, mac, cfg->vifs[n].bridge, ifname);
	} else {
		unsigned slot = cfg->nr_disks + cfg->nr_vifs + (n - cfg->nr_vifs);
		unsigned id = cfg->virtios[n - cfg->nr_vifs].device_id;
		if (id == XLCFG_VIRTIO_CONSOLE)
			r = snprintf(buf, len, "%u:console:link=%s/console-%"
				     PRIu32 "-%u", slot, VD_RUN_DIR,
				     d->rec.domid, n - cfg->nr_vifs);
		else
			r = snprintf(buf, len, "%u:%s", slot,
				     xlcfg_virtio_name(id));
	}
	if (r < 0 || (size_t)r >= len) {
		snprintf(err, errlen, "device %u: spec too long", n);
		return -1;
	}
	return 0;
}

static void dm_paths(uint32_t domid, char *log, char *pid, size_t len)
{
	snprintf(log, len, VD_DM_LOG, domid);
	snprintf(pid, len, VD_DM_PID, domid);
}

/* The last line vireo-dm wrote to its log, for an error message. */
static void last_log_line(const char *path, char *buf, size_t len)
{
	char tmp[2048];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = pread(fd, tmp, sizeof(tmp) - 1,
		  lseek(fd, 0, SEEK_END) > (off_t)sizeof(tmp) - 1
			  ? lseek(fd, 0, SEEK_END) - (off_t)sizeof(tmp) + 1 : 0);
	close(fd);
	if (n <= 0)
		return;
	tmp[n] = '\0';
	while (n > 0 && tmp[n - 1] == '\n')
		tmp[--n] = '\0';
	p = strrchr(tmp, '\n');
	snprintf(buf, len, "%.*s", (int)len - 1, p ? p + 1 : tmp);
}

static void child(const char *log, int ready_wr, char **argv)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int nul = open("/dev/null", O_RDONLY);

	if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0)
		_exit(127);
	setsid();
	(void)ready_wr; /* inherited: its number is in argv */
	execv(VD_DM_PATH, argv);
	fprintf(stderr, "vireod: cannot run %s: %s\n", VD_DM_PATH,
		strerror(errno));
	_exit(127);
}

/* Wait for "ready" on fd; 0, or -1 if the model exits or times out. */
static int wait_ready(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[8];

	if (poll(&p, 1, VD_DM_READY_MS) <= 0)
		return -1;
	return read(fd, buf, sizeof(buf)) > 0 ? 0 : -1;
}

static void write_pidfile(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
}

/* Run vireo-dm with args (after --ready-fd N) and wait until it is ready. */
static pid_t spawn(struct vd_domain *d, char **args, unsigned nargs, char *err,
		   size_t errlen)
{
	char *argv[DM_ARGS + 2];
	char log[128], pidf[128], why[256], rfd[16];
	int pfd[2], argc = 0;
	pid_t pid;

	mkdir(VD_RUN_DIR, 0755);
	dm_paths(d->rec.domid, log, pidf, sizeof(log));
	if (pipe(pfd)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	snprintf(rfd, sizeof(rfd), "%d", pfd[1]);
	argv[argc++] = "vireo-dm";
	argv[argc++] = "--ready-fd";
	argv[argc++] = rfd;
	for (unsigned i = 0; i < nargs && argc < DM_ARGS + 1; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child(log, pfd[1], argv);
	}
	close(pfd[1]);
	if (pid < 0 || wait_ready(pfd[0])) {
		close(pfd[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		last_log_line(log, why, sizeof(why));
		snprintf(err, errlen, "device model failed: %s",
			 why[0] ? why : "no output");
		return -1;
	}
	close(pfd[0]);
	write_pidfile(pidf, pid);
	return pid;
}

int vd_dm_start(struct vd *vd, struct vd_domain *d, char *err, size_t errlen)
{
	unsigned nr = vd_dev_count(&d->cfg);
	char specs[XLCFG_DEV_SLOTS][DM_SPEC_MAX], domid[16];
	char *args[1 + XLCFG_DEV_SLOTS];
	pid_t pid;

	(void)vd;
	d->dm_pid = 0;
	d->dm_state = 0;
	d->dm_recovered = 0;
	if (!nr)
		return 0;
	pick_macs(d);
	snprintf(domid, sizeof(domid), "%" PRIu32, d->rec.domid);
	args[0] = domid;
	for (unsigned i = 0; i < nr; i++) {
		if (dev_spec(d, i, specs[i], sizeof(specs[i]), err, errlen))
			return -1;
		args[1 + i] = specs[i];
	}
	pid = spawn(d, args, 1 + nr, err, errlen);
	if (pid < 0)
		return -1;
	d->dm_pid = pid;
	d->dm_state = VD_DEV_CONNECTED;
	vd_log("domain %" PRIu32 ": vireo-dm %d serves %u device(s)",
	       d->rec.domid, (int)pid, nr);
	return 0;
}

/*
 * The model died under a running guest: a replacement takes over its
 * rings and fails every request (backend-drivers/dm/dm_state.c), so that
 * the guest sees I/O errors rather than waiting forever. Once only.
 */
static void recover(struct vd_domain *d)
{
	char domid[16], err[512];
	char *args[] = {"--recover", domid};
	pid_t pid;

	if (d->dm_recovered)
		return;
	d->dm_recovered = 1;
	snprintf(domid, sizeof(domid), "%" PRIu32, d->rec.domid);
	pid = spawn(d, args, 2, err, sizeof(err));
	if (pid < 0) {
		vd_log("domain %" PRIu32 ": no replacement device model: %s",
		       d->rec.domid, err);
		return;
	}
	d->dm_pid = pid;
	vd_log("domain %" PRIu32 ": vireo-dm %d fails its devices' requests",
	       d->rec.domid, (int)pid);
}

static int gone(pid_t pid)
{
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return 1;
	/* Not our child (a previous vireod started it): ask the kernel. */
	return kill(pid, 0) < 0 && errno == ESRCH;
}

void vd_dm_stop(struct vd *vd, struct vd_domain *d)
{
	char log[128], pidf[128];

	(void)vd;
	dm_paths(d->rec.domid, log, pidf, sizeof(log));
	if (d->dm_pid > 0 && kill(d->dm_pid, SIGTERM) == 0) {
		int64_t until = vd_now_ms() + VD_DM_STOP_MS;
		while (!gone(d->dm_pid) && vd_now_ms() < until)
			usleep(10000);
		if (!gone(d->dm_pid)) {
			kill(d->dm_pid, SIGKILL);
			waitpid(d->dm_pid, NULL, 0);
		}
	}
	if (d->dm_pid > 0)
		unlink(pidf);
	snprintf(pidf, sizeof(pidf), VD_RUN_DIR "/dm-%" PRIu32 ".state",
		 d->rec.domid);
	unlink(pidf); /* what a killed model left for recovery */
	d->dm_pid = 0;
	d->dm_state = 0;
}

/* A device model that died on its own: its devices are closed. */
void vd_dm_reap(struct vd *vd)
{
	int status;
	pid_t pid;

	for (unsigned i = 0; i < VD_MAX_DOMS; i++) {
		struct vd_domain *d = vd->doms[i];
		/* Adopted from an earlier vireod: not our child to wait for. */
		if (d && d->dm_pid > 0 && kill(d->dm_pid, 0) < 0 &&
		    errno == ESRCH) {
			vd_log("domain %" PRIu32 " (%s): vireo-dm %d is gone; its "
			       "devices are closed", d->rec.domid, d->rec.name,
			       (int)d->dm_pid);
			d->dm_pid = 0;
			d->dm_state = VD_DEV_CLOSED;
			recover(d);
		}
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < VD_MAX_DOMS; i++) {
			struct vd_domain *d = vd->doms[i];
			if (!d || d->dm_pid != pid)
				continue;
			vd_log("domain %" PRIu32 " (%s): vireo-dm %d %s %d; its "
			       "devices are closed", d->rec.domid, d->rec.name,
			       (int)pid, WIFSIGNALED(status) ? "killed by signal"
							     : "exited with",
			       WIFSIGNALED(status) ? WTERMSIG(status)
						   : WEXITSTATUS(status));
			d->dm_pid = 0;
			d->dm_state = VD_DEV_CLOSED;
			recover(d);
		}
	}
}

/*
 * The MACs a running model was given (random ones included) are in its
 * command line: "SLOT:net:mac=..." arguments, in vif order. Taking them
 * back keeps network-list right, and a later restart of the domain on the
 * same addresses, after a vireod restart.
 */
static void adopt_macs(struct vd_domain *d, int pid)
{
	char path[64], args[4096];
	unsigned vif = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, args, sizeof(args) - 1);
	close(fd);
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(args + i) + 1) {
		const char *mac;

		args[n] = '\0';
		mac = strstr(args + i, ":net:mac=");
		if (!mac || vif >= d->cfg.nr_vifs || vif >= XLCFG_DEV_SLOTS)
			continue;
		mac += strlen(":net:mac=");
		char buf[XLCFG_MAC_STRLEN];
		snprintf(buf, sizeof(buf), "%.17s", mac);
		if (!xlcfg_parse_mac(buf, d->macs[vif]))
			d->mac_picked[vif] = 1;
		vif++;
	}
}

/* After a vireod restart: find the running model from its pid file. */
void vd_dm_adopt(struct vd_domain *d)
{
	char log[128], pidf[128];
	FILE *f;
	int pid = 0;

	dm_paths(d->rec.domid, log, pidf, sizeof(log));
	f = fopen(pidf, "r");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) == 1 && pid > 0 && kill(pid, 0) == 0) {
		d->dm_pid = pid;
		d->dm_state = VD_DEV_CONNECTED;
		if (d->have_cfg)
			adopt_macs(d, pid);
	}
	fclose(f);
}

/* "devices DOM": see vireod_proto.h. */
void vd_req_devices(struct vd *vd, struct vd_client *c, char **a, unsigned nr)
{
	struct vd_domain *d;
	char err[256], st[12], slot[12], idx[12], mac[XLCFG_MAC_STRLEN];
	char ifname[XLCFG_IFNAME_MAX + 8];
	uint32_t domid;
	unsigned s = 0;

	(void)nr;
	if (vd_dom_resolve(vd, a[0], &domid, err, sizeof(err)) < 0) {
		vd_client_err(c, "%s", err);
		return;
	}
	d = vd_dom_by_id(vd, domid);
	if (!d || !d->have_cfg) { /* Dom0, or a domain vireod did not build */
		vd_client_ok(c, NULL, NULL);
		return;
	}
	snprintf(st, sizeof(st), "%d", d->dm_state ? d->dm_state : VD_DEV_CLOSED);
	for (unsigned i = 0; i < d->cfg.nr_disks; i++, s++) {
		const struct xlcfg_disk *k = &d->cfg.disks[i];
		snprintf(slot, sizeof(slot), "%u", s);
		vd_client_line(c, (const char *const[]){"disk", k->vdev, "0", st,
			       slot, k->readonly ? "ro" : "rw", k->target}, 7);
	}
	for (unsigned i = 0; i < d->cfg.nr_vifs; i++, s++) {
		snprintf(idx, sizeof(idx), "%u", i);
		snprintf(slot, sizeof(slot), "%u", s);
		xlcfg_format_mac(d->macs[i], mac, sizeof(mac));
		vif_name(d, i, ifname, sizeof(ifname));
		vd_client_line(c, (const char *const[]){"nic", idx, "0", st, slot,
			       mac, d->cfg.vifs[i].bridge, ifname}, 8);
	}
	for (unsigned i = 0; i < d->cfg.nr_virtios; i++, s++) {
		const char *type = xlcfg_virtio_name(d->cfg.virtios[i].device_id);
		snprintf(idx, sizeof(idx), "%u", i);
		snprintf(slot, sizeof(slot), "%u", s);
		vd_client_line(c, (const char *const[]){"virtio", idx, "0", st,
			       slot, type ? type : "?"}, 6);
	}
	vd_client_ok(c, NULL, NULL);
}
