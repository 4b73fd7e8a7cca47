/*
 * DomU console logs, as xenconsoled --log=guest keeps them: every byte a
 * DomU writes to its console is appended, as written, to DIR/NAME.log.
 * When a log reaches VD_CONLOG_MAX bytes it becomes NAME.log.1 (replacing
 * the one before) and a new NAME.log begins, so a guest flooding its
 * console holds at most twice that much of Dom0's disk. xenconsoled leaves
 * rotation to logrotate (it reopens its logs on SIGHUP); Dom0 runs no cron,
 * so vireod rotates by size itself, keeping one old file as logrotate's
 * `rotate 1` would, under the same name.
 *
 * Pure file handling, no policy: console.c decides where and whether to
 * log, and what to say when it cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireod.h"

static int log_path(char *buf, size_t cap, const char *dir, const char *name,
		    const char *suffix)
{
	int n = snprintf(buf, cap, "%s/%s.log%s", dir, name, suffix);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* mkdir -p dir: the log directory is made on first use. */
static int make_dir(const char *dir)
{
	char path[VD_CONLOG_PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s", dir);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

void vd_conlog_close(struct vd_conlog *l)
{
	if (l->open)
		close(l->fd);
	*l = (struct vd_conlog){ 0 };
}

static int conlog_open(struct vd_conlog *l, const char *dir, const char *name)
{
	char path[VD_CONLOG_PATH_MAX];
	struct stat st;
	int r = log_path(path, sizeof(path), dir, name, "");

	if (r < 0 || (r = make_dir(dir)) < 0)
		return r;
	l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return -errno;
	l->open = 1;
	if (fstat(l->fd, &st) < 0) {
		r = -errno;
		vd_conlog_close(l);
		return r;
	}
	l->size = (uint64_t)st.st_size;
	return 0;
}

/* NAME.log -> NAME.log.1; the next write begins a new NAME.log. */
static int conlog_rotate(struct vd_conlog *l, const char *dir,
			 const char *name)
{
	char cur[VD_CONLOG_PATH_MAX], old[VD_CONLOG_PATH_MAX];
	int r = log_path(cur, sizeof(cur), dir, name, "");

	if (r < 0 || (r = log_path(old, sizeof(old), dir, name, ".1")) < 0)
		return r;
	vd_conlog_close(l);
	return rename(cur, old) < 0 ? -errno : 0;
}

int vd_conlog_write(struct vd_conlog *l, const char *dir, const char *name,
		    const char *p, size_t n)
{
	while (n) {
		size_t room, chunk;
		ssize_t w;
		int r;

		if (!l->open && (r = conlog_open(l, dir, name)) < 0)
			return r;
		room = l->size >= VD_CONLOG_MAX ? 0
						: (size_t)(VD_CONLOG_MAX - l->size);
		if (!room) {
			if ((r = conlog_rotate(l, dir, name)) < 0)
				return r;
			continue;
		}
		chunk = n < room ? n : room;
		w = write(l->fd, p, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		l->size += (uint64_t)w;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
