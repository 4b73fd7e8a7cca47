/*
 * The xl.cfg parse driver: the file, then each override, into one list of
 * entries; then xlcfg_apply() (xlcfg.c) gives each entry to its key.
 *
 * Like `xl create demo.cfg KEY=VALUE...`, an override replaces what the
 * file says for its key or adds the key; only the file may not repeat a key.
 * A function that owns resources releases them on one `out:` path; a failed
 * parse frees all it allocated and leaves *out zeroed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_priv.h"

#define XLCFG_FILE_MAX (1024 * 1024) /* bytes; real files are < 4 KiB */

struct xlcfg_entries {
	struct xlcfg_entry *v;
	unsigned n, cap;
};

static struct xlcfg_entry *entries_find(struct xlcfg_entries *es,
					const char *key)
{
	unsigned i;

	for (i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].key, key))
			return &es->v[i];
	return NULL;
}

/* Move *e to the end of the list (zeroing *e), or put it in place of old. */
static int entries_put(struct xlcfg_entries *es, struct xlcfg_entry *old,
		       struct xlcfg_entry *e, struct xlcfg_err *err)
{
	if (!old && es->n == es->cap) {
		unsigned cap = es->cap ? es->cap * 2 : 16;
		struct xlcfg_entry *v = realloc(es->v, cap * sizeof(*v));

		if (!v) {
			xlcfg_errorf(err, &e->loc, "out of memory");
			return -1;
		}
		es->v = v;
		es->cap = cap;
	}
	if (old)
		xlcfg_entry_free(old);
	else
		old = &es->v[es->n++];
	*old = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

static void entries_free(struct xlcfg_entries *es)
{
	unsigned i;

	for (i = 0; i < es->n; i++)
		xlcfg_entry_free(&es->v[i]);
	free(es->v);
	memset(es, 0, sizeof(*es));
}

/*
 * Read statements into es. In the file a key may appear once; an override
 * replaces the entry of its key, keeping its place, or adds one.
 */
static int read_entries(struct xlcfg_entries *es, const char *src,
			const char *text, int override, struct xlcfg_err *err)
{
	struct xlcfg_lexer lx;
	struct xlcfg_entry e;
	int rc;

	xlcfg_lex_init(&lx, src, text, override, err);
	while ((rc = xlcfg_lex_next(&lx, &e)) > 0) {
		struct xlcfg_entry *old = entries_find(es, e.key);

		if (old && !override) {
			xlcfg_errorf(err, &e.loc, "duplicate key '%s'", e.key);
			rc = -1;
		} else {
			rc = entries_put(es, old, &e, err);
		}
		xlcfg_entry_free(&e);
		if (rc)
			break;
	}
	return rc;
}

int xlcfg_parse_string(const char *name_for_messages, const char *text,
		       const char *const *overrides, unsigned nr_overrides,
		       struct xlcfg *out, char *errbuf, size_t errlen)
{
	struct xlcfg_err err = {errbuf, errlen};
	struct xlcfg_entries es = {0};
	struct xlcfg cfg = {.vcpus = 1,
			    .on_poweroff = XLCFG_ACTION_DESTROY,
			    .on_reboot = XLCFG_ACTION_RESTART,
			    .on_crash = XLCFG_ACTION_DESTROY};
	unsigned i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (errlen)
		errbuf[0] = '\0';
	if (read_entries(&es, name_for_messages, text, 0, &err))
		goto out;
	for (i = 0; i < nr_overrides; i++)
		if (read_entries(&es, overrides[i], overrides[i], 1, &err))
			goto out;
	if (xlcfg_apply(&cfg, es.v, es.n, name_for_messages, &err))
		goto out;
	*out = cfg;
	memset(&cfg, 0, sizeof(cfg));
	rc = 0;
out:
	xlcfg_free(&cfg);
	entries_free(&es);
	return rc;
}

/* The whole file as a string; a NUL byte in it is an error. */
static int read_text(const char *path, char **out, struct xlcfg_err *err)
{
	struct xlcfg_loc loc = {path, 0, 0};
	size_t len = 0, cap = 0, r;
	char *buf = NULL, *p;
	FILE *f;
	int rc = -1;

	f = fopen(path, "r");
	if (!f) {
		xlcfg_errorf(err, &loc, "cannot open: %s", strerror(errno));
		goto out;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap + 1);
			if (!p) {
				xlcfg_errorf(err, &loc, "out of memory");
				goto out;
			}
			buf = p;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r && len <= XLCFG_FILE_MAX);
	if (ferror(f)) {
		xlcfg_errorf(err, &loc, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (len > XLCFG_FILE_MAX) {
		xlcfg_errorf(err, &loc, "file is larger than %d bytes",
			     XLCFG_FILE_MAX);
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		for (loc.line = 1, p = buf; *p; p++)
			loc.line += *p == '\n';
		xlcfg_errorf(err, &loc, "NUL byte in file");
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int xlcfg_parse_file(const char *path, const char *const *overrides,
		     unsigned nr_overrides, struct xlcfg *out, char *errbuf,
		     size_t errlen)
{
	struct xlcfg_err err = {errbuf, errlen};
	char *text = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (read_text(path, &text, &err))
		goto out;
	rc = xlcfg_parse_string(path, text, overrides, nr_overrides, out,
				errbuf, errlen);
out:
	free(text);
	return rc;
}

void xlcfg_free(struct xlcfg *cfg)
{
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	xlcfg_strv_free(cfg->disk, cfg->nr_disk);
	xlcfg_strv_free(cfg->vif, cfg->nr_vif);
	xlcfg_strv_free(cfg->virtio, cfg->nr_virtio);
	xlcfg_dev_free(cfg);
	xlcfg_sched_free(cfg);
	xlcfg_strv_free(cfg->warnings, cfg->nr_warnings);
	memset(cfg, 0, sizeof(*cfg));
}
