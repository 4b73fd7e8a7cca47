/*
 * vireod's persisted domain records, VD_STATE_FILE (/var/lib/vireo/domains):
 *
 *   # vireod state 1
 *   DOMID	NAME	CTIME	FLAGS	CONFIG	CWD[	OVERRIDE...]
 *
 * one line per domain, fields as in the control protocol (TAB-separated,
 * escaped, vireod_proto.h). CTIME is seconds since the Epoch, FLAGS "-" or
 * "p" (preserved: its on_* action is done), CONFIG the absolute path of the
 * xl.cfg file ("" if none) and CWD the directory of the `vl create` that
 * made it, against which relative kernel paths are taken; the OVERRIDEs are
 * the "key=value" strings of that command. A new vireod parses CONFIG again
 * with them, so that on_reboot = "restart" keeps working.
 *
 * The file is rewritten whole on every change: a temporary file in the same
 * directory, fsync, then rename over the old one, so a reader (or a crash)
 * sees the old records or the new ones, never a mix. No libvireo here: host
 * unit tests include this file as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vireod.h"

#define STATE_HEADER "# vireod state 1\n"

void vd_record_free(struct vd_record *r)
{
	free(r->cfg_path);
	free(r->cwd);
	for (unsigned i = 0; i < r->nr_overrides; i++)
		free(r->overrides[i]);
	free(r->overrides);
	memset(r, 0, sizeof(*r));
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

int vd_record_copy(struct vd_record *dst, const struct vd_record *src)
{
	*dst = *src;
	dst->cfg_path = dst->cwd = NULL;
	dst->overrides = NULL;
	dst->nr_overrides = 0;
	if (dup_or_null(&dst->cfg_path, src->cfg_path) ||
	    dup_or_null(&dst->cwd, src->cwd))
		goto fail;
	if (src->nr_overrides) {
		dst->overrides = calloc(src->nr_overrides, sizeof(char *));
		if (!dst->overrides)
			goto fail;
		for (unsigned i = 0; i < src->nr_overrides; i++) {
			dst->overrides[i] = strdup(src->overrides[i]);
			if (!dst->overrides[i])
				goto fail;
			dst->nr_overrides = i + 1;
		}
	}
	return 0;
fail:
	vd_record_free(dst);
	return -1;
}

int vd_state_format(const struct vd_record *r, char *buf, size_t cap)
{
	const char *f[6 + VIREOD_FIELDS_MAX];
	char id[16], ctime[24];
	unsigned nr = 0;

	if (r->nr_overrides > VIREOD_FIELDS_MAX)
		return -1;
	snprintf(id, sizeof(id), "%" PRIu32, r->domid);
	snprintf(ctime, sizeof(ctime), "%" PRId64, r->ctime);
	f[nr++] = id;
	f[nr++] = r->name;
	f[nr++] = ctime;
	f[nr++] = (r->flags & VD_REC_PRESERVED) ? "p" : "-";
	f[nr++] = r->cfg_path ? r->cfg_path : "";
	f[nr++] = r->cwd ? r->cwd : "";
	for (unsigned i = 0; i < r->nr_overrides; i++)
		f[nr++] = r->overrides[i];
	return vireod_line_build(buf, cap, f, nr);
}

static int parse_i64(const char *s, int64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return (!*s || *end || errno) ? -1 : 0;
}

static int parse_overrides(struct vd_record *r, char **f, unsigned nr)
{
	if (!nr)
		return 0;
	r->overrides = calloc(nr, sizeof(char *));
	if (!r->overrides)
		return -1;
	for (unsigned i = 0; i < nr; i++) {
		r->overrides[i] = strdup(f[i]);
		if (!r->overrides[i])
			return -1;
		r->nr_overrides = i + 1;
	}
	return 0;
}

int vd_state_parse(char *line, struct vd_record *r)
{
	char *f[6 + VIREOD_FIELDS_MAX];
	unsigned domid;
	int nr;

	memset(r, 0, sizeof(*r));
	nr = vireod_line_split(line, f, 6 + VIREOD_FIELDS_MAX);
	if (nr < 6 || !vireod_parse_domid(f[0], &domid) || !*f[1] ||
	    strlen(f[1]) > XLCFG_NAME_MAX || parse_i64(f[2], &r->ctime))
		return -1;
	if (strcmp(f[3], "-") && strcmp(f[3], "p"))
		return -1;
	r->domid = domid;
	strcpy(r->name, f[1]);
	r->flags = !strcmp(f[3], "p") ? VD_REC_PRESERVED : 0;
	if ((*f[4] && !(r->cfg_path = strdup(f[4]))) ||
	    (*f[5] && !(r->cwd = strdup(f[5]))) ||
	    parse_overrides(r, f + 6, (unsigned)nr - 6)) {
		vd_record_free(r);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int vd_state_save(const char *path, const struct vd_record *const *recs,
		  unsigned nr)
{
	char tmp[4096], line[VIREOD_LINE_MAX + 1];
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, STATE_HEADER, strlen(STATE_HEADER));
	for (unsigned i = 0; i < nr && !rc; i++) {
		int n = vd_state_format(recs[i], line, sizeof(line));

		rc = n < 0 ? -E2BIG : write_all(fd, line, (size_t)n);
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int vd_state_load(const char *path, struct vd_record *out, unsigned max,
		  unsigned *nr, unsigned *bad)
{
	char line[VIREOD_LINE_MAX + 2];
	FILE *f = fopen(path, "re");

	*nr = *bad = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			/* Too long: skip the rest of it. */
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			(*bad)++;
			continue;
		}
		if (!len || line[0] == '#')
			continue;
		if (*nr == max || vd_state_parse(line, &out[*nr]) < 0)
			(*bad)++;
		else
			(*nr)++;
	}
	fclose(f);
	return 0;
}
