/*
 * vireod: start-up (single instance, daemon or foreground), the log, and
 * the poll() loop that drives everything else.
 *
 *   vireod [-F] [-s SOCKET] [-p PIDFILE] [-l LOGFILE] [-S STATEFILE]
 *
 * (the defaults are /run/vireod.sock, /run/vireod.pid, /var/log/vireod.log
 * and /var/lib/vireo/domains; the others are for tests).
 * -F stays in the foreground and logs to stderr as well. Otherwise vireod
 * forks, detaches (setsid) and returns once it is listening, so that a
 * `vireod; vl create ...` right after it finds the socket. A second vireod
 * finds /run/vireod.pid locked (flock) and refuses to start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vireod.h"

static FILE *vd_logf;
static int vd_log_stderr;
static volatile sig_atomic_t vd_stop;

void vd_log(const char *fmt, ...)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	if (vd_logf) {
		fprintf(vd_logf, "%s ", stamp);
		va_start(ap, fmt);
		vfprintf(vd_logf, fmt, ap);
		va_end(ap);
		fputc('\n', vd_logf);
		fflush(vd_logf);
	}
	if (vd_log_stderr) {
		fprintf(stderr, "vireod: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

int64_t vd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	(void)sig;
	vd_stop = 1;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Lock the pid file; returns its fd, or -1 (message printed). */
static int pidfile_lock(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ssize_t r;

	if (fd < 0) {
		fprintf(stderr, "vireod: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	r = read(fd, buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fprintf(stderr, "vireod: already running (pid %s, lock on %s)\n",
		*buf ? buf : "?", path);
	close(fd);
	return -1;
}

static void pidfile_write(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		vd_log("cannot write the pid file: %s", strerror(errno));
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vireod: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* We hold the pid lock: a socket file left here is stale. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 16) < 0)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "vireod: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Detach from the terminal. The parent waits for the child's word (a byte
 * on a pipe) that it is ready, so its exit status means something.
 */
static int daemonize(int *ready_fd)
{
	int p[2];
	char c = 1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 0 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	if (chdir("/") < 0)
		return -1;
	*ready_fd = p[1];
	return 0;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Build the poll set: [0] listen, [1] events, then one per client. */
static unsigned poll_setup(struct vd *vd, struct pollfd *pfd,
			   struct vd_client **who)
{
	unsigned n = 2;

	vd_client_reap(vd);
	pfd[0] = (struct pollfd){ .fd = vd->listen_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = vd->event_fd, .events = POLLIN };
	for (unsigned i = 0; i < VD_MAX_CLIENTS; i++) {
		struct vd_client *c = vd->clients[i];
		struct vd_domain *d;
		short ev = 0;

		if (!c)
			continue;
		if (!c->closing && c->mode != VD_CLIENT_WAIT)
			ev |= POLLIN;
		if (c->mode == VD_CLIENT_CONSOLE &&
		    (d = vd_dom_by_id(vd, c->domid)) &&
		    d->input_len == sizeof(d->input))
			ev &= ~POLLIN; /* the guest is not reading yet */
		if (c->out_len)
			ev |= POLLOUT;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
		who[n++] = c;
	}
	return n;
}

/*
 * The console/reap tick only runs while there are DomUs: an idle Dom0
 * without them should sleep, and each wake-up of a Dom0 vCPU is a WFI
 * trap now that WFI always traps (run time is then time really run).
 */
static int poll_timeout(struct vd *vd)
{
	int64_t now = vd_now_ms();
	int64_t next = vd_dom_any(vd) ? vd->next_tick_ms : INT64_MAX;
	int64_t w = vd_wait_next_deadline(vd);

	if (vd->next_check_ms < next)
		next = vd->next_check_ms;
	if (w >= 0 && w < next)
		next = w;
	if (vd_console_input_pending(vd) && now + VD_INPUT_RETRY_MS < next)
		next = now + VD_INPUT_RETRY_MS;
	if (vd->console_due_ms && vd->console_due_ms < next)
		next = vd->console_due_ms; /* a console has output waiting */
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

static void handle_events(struct vd *vd)
{
	uint64_t mask = 0;
	int r = vireo_wait_event(vd->v, 0, &mask);

	if (r < 0) {
		vd_log("vireo_wait_event: %s", vireo_strerror(r));
		return;
	}
	if (mask & VD_EVENT_CONSOLE)
		vd_console_event(vd);
	if (mask & VD_EVENT_STATE)
		vd_check_domains(vd);
}

static void handle_timers(struct vd *vd)
{
	int64_t now = vd_now_ms();

	if (now >= vd->next_tick_ms) {
		vd_console_drain(vd);
		vd_dm_reap(vd);
		vd->next_tick_ms = now + VD_TICK_MS;
	} else if (vd->console_due_ms && now >= vd->console_due_ms) {
		vd_console_drain(vd);
	}
	if (now >= vd->next_check_ms) {
		vd_check_domains(vd);
		vd->next_check_ms = now + VD_STATE_CHECK_MS;
	}
	vd_console_flush_input(vd);
	vd_wait_check(vd);
}

static void run(struct vd *vd)
{
	struct pollfd pfd[2 + VD_MAX_CLIENTS];
	struct vd_client *who[2 + VD_MAX_CLIENTS];

	while (!vd_stop) {
		unsigned n = poll_setup(vd, pfd, who);
		int r = poll(pfd, n, poll_timeout(vd));

		if (r < 0 && errno != EINTR) {
			vd_log("poll: %s", strerror(errno));
			break;
		}
		if (r > 0 && (pfd[1].revents & POLLIN))
			handle_events(vd);
		for (unsigned i = 2; r > 0 && i < n; i++) {
			struct vd_client *c = who[i];

			/* Closed by what an earlier one asked for? */
			if (c->fd < 0)
				continue;
			if ((pfd[i].revents & POLLOUT) && vd_client_flush(c) < 0)
				vd_client_close(vd, c);
			if (c->fd >= 0 &&
			    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				vd_client_input(vd, c);
		}
		if (r > 0 && (pfd[0].revents & POLLIN))
			vd_client_accept(vd);
		handle_timers(vd);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: vireod [-F] [-s SOCKET] [-p PIDFILE] "
			"[-l LOGFILE] [-S STATEFILE]\n"
			"  -F  stay in the foreground, log to stderr too\n");
}

struct vd_opts {
	int foreground;
	const char *sock, *pidfile, *logfile, *state;
};

static int parse_opts(int argc, char **argv, struct vd_opts *o)
{
	int opt;

	*o = (struct vd_opts){ 0, VIREOD_SOCKET, VD_PID_FILE, VD_LOG_FILE,
			       VD_STATE_FILE };
	while ((opt = getopt(argc, argv, "Fs:p:l:S:h")) != -1) {
		switch (opt) {
		case 'F':
			o->foreground = 1;
			break;
		case 's':
			o->sock = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'l':
			o->logfile = optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (optind != argc) {
		usage();
		return -1;
	}
	return 0;
}

/* mkdir -p of the directory holding path. */
static void mkdir_parents(const char *path)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

/* Everything that can fail before we detach, so the user sees why. */
static int setup(struct vd *vd, const struct vd_opts *o, int *pid_fd)
{
	/* A fresh Dom0 has no /var: make /var/lib/vireo and /var/log. */
	mkdir_parents(o->state);
	mkdir_parents(o->logfile);
	*pid_fd = pidfile_lock(o->pidfile);
	if (*pid_fd < 0)
		return -1;
	vd->v = vireo_open();
	if (!vd->v) {
		fprintf(stderr, "vireod: cannot open /dev/vireo: %s "
				"(is vireo.ko loaded?)\n", strerror(errno));
		return -1;
	}
	vd->event_fd = vireo_event_fd(vd->v);
	vd->listen_fd = listen_on(o->sock);
	if (vd->listen_fd < 0)
		return -1;
	vd_logf = fopen(o->logfile, "ae");
	if (!vd_logf)
		fprintf(stderr, "vireod: %s: %s (logging to stderr only)\n",
			o->logfile, strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	static struct vd vd;
	struct vd_opts o;
	int pid_fd, ready_fd = -1;
	char ok = 0;

	if (parse_opts(argc, argv, &o) < 0)
		return 1;
	vd.state_path = o.state;
	if (setup(&vd, &o, &pid_fd) < 0)
		return 1;
	vd_log_stderr = o.foreground;
	if (!o.foreground && daemonize(&ready_fd) < 0) {
		fprintf(stderr, "vireod: fork: %s\n", strerror(errno));
		return 1;
	}
	pidfile_write(pid_fd);
	signals();
	vd_log("vireod started (pid %ld, socket %s)", (long)getpid(), o.sock);
	vd_dom_reload(&vd);
	vd_check_domains(&vd);
	if (ready_fd >= 0) {
		detach_stdio();
		if (write(ready_fd, &ok, 1) != 1)
			vd_log("cannot tell the parent we are ready");
		close(ready_fd);
	}
	run(&vd);
	vd_log("vireod stopping; domains keep running");
	unlink(o.sock);
	unlink(o.pidfile);
	return 0;
}
