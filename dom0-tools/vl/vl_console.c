/*
 * vl console: the terminal in raw mode, bytes copied both ways between it
 * and vireod's console connection, until Ctrl-] (0x1d) is typed or the
 * domain goes away. vireod first sends what the guest wrote while nobody
 * was attached. End of file on a non-terminal stdin stops input only, so
 * `printf 'cmd\n' | timeout 5 vl console d` shows the answer.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vl.h"

#define VL_DETACH_CHAR 0x1d /* Ctrl-] */

static struct termios saved_tio;
static int tio_saved;

static void tty_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = 0;
}

static void on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void tty_raw(void)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio = saved_tio;
	cfmakeraw(&tio);
	tio_saved = 1;
	atexit(tty_restore);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGINT, on_signal);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Typed bytes to the guest; 1 when Ctrl-] asks to detach, -1 on error. */
static int from_stdin(int sock, int *stdin_open)
{
	char buf[1024], *stop;
	ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));

	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0) {
		*stdin_open = 0;
		return 0;
	}
	stop = memchr(buf, VL_DETACH_CHAR, (size_t)r);
	if (write_all(sock, buf, stop ? (size_t)(stop - buf) : (size_t)r) < 0)
		return -1;
	return stop ? 1 : 0;
}

static int console_loop(int sock)
{
	int stdin_open = 1;
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1,
			  .events = POLLIN },
		};
		ssize_t r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = from_stdin(sock, &stdin_open);
			if (r)
				return r < 0 ? 1 : 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(sock, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return 0; /* the domain has gone */
			if (write_all(STDOUT_FILENO, buf, (size_t)r) < 0)
				return 1;
		}
	}
}

int vl_console_attach_then(const char *dom, const char *const *then,
			   unsigned nr_then)
{
	const char *req[2] = { "console", dom };
	char *ok[VIREOD_FIELDS_MAX];
	struct vl_conn c;
	unsigned nr_ok;
	int rc;

	if (vl_connect(&c) < 0)
		return 1;
	if (vl_call(&c, req, 2, NULL, NULL, ok, &nr_ok) < 0) {
		vl_close(&c);
		if (then)
			vl_simple(then, nr_then); /* not left paused */
		return 1;
	}
	/* Attached: from here on nothing it writes is missed. */
	if (then && vl_simple(then, nr_then) < 0) {
		vl_close(&c);
		return 1;
	}
	/* Console bytes read along with the "ok" line come first. */
	if (c.len && write_all(STDOUT_FILENO, c.buf, c.len) < 0) {
		vl_close(&c);
		return 1;
	}
	tty_raw();
	rc = console_loop(c.fd);
	tty_restore();
	vl_close(&c);
	return rc;
}

int vl_console_attach(const char *dom)
{
	return vl_console_attach_then(dom, NULL, 0);
}

int main_console(int argc, char **argv)
{
	int opt;

	VL_FOREACH_OPT(opt, "", "console", 1) {
	}
	if (argc - optind != 1)
		return vl_usage_error("console");
	return vl_console_attach(argv[optind]);
}
