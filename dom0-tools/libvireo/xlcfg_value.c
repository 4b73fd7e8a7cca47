/*
 * Entries and their values: typed access for the key handlers, ownership,
 * and the "LOC: message" texts that point back at them.
 *
 * A value's type comes from how it was written: "quoted" is a string, 512
 * or 0x200 an integer, [ ... ] a list. An override's bare word (memory=1024,
 * name=web1) has no type of its own and takes the one its key asks for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_priv.h"

static const char *const xlcfg_action_names[] = {
    [XLCFG_ACTION_DESTROY] = "destroy",
    [XLCFG_ACTION_RESTART] = "restart",
    [XLCFG_ACTION_PRESERVE] = "preserve",
    [XLCFG_ACTION_RENAME_RESTART] = "rename-restart",
};

#define XLCFG_NR_ACTIONS                                                       \
	(sizeof(xlcfg_action_names) / sizeof(xlcfg_action_names[0]))

char *xlcfg_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/*
 * Like vsnprintf, after a "LOC: TAG" prefix; returns the full length.
 * LOC is "FILE:LINE", "FILE" for the whole file, or "override 'TEXT'".
 */
static int value_vformat(char *buf, size_t len, const struct xlcfg_loc *loc,
			 const char *tag, const char *fmt, va_list ap)
{
	int n, m;

	if (loc->override)
		n = snprintf(buf, len, "override '%s': %s", loc->src, tag);
	else if (loc->line)
		n = snprintf(buf, len, "%s:%u: %s", loc->src, loc->line, tag);
	else
		n = snprintf(buf, len, "%s: %s", loc->src, tag);
	if (n < 0)
		return n;
	if ((size_t)n < len)
		m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	else
		m = vsnprintf(NULL, 0, fmt, ap);
	return m < 0 ? m : n + m;
}

void xlcfg_errorf(struct xlcfg_err *err, const struct xlcfg_loc *loc,
		  const char *fmt, ...)
{
	va_list ap;

	if (!err || !err->len)
		return;
	va_start(ap, fmt);
	if (value_vformat(err->buf, err->len, loc, "", fmt, ap) < 0)
		err->buf[0] = '\0';
	va_end(ap);
}

int xlcfg_warn(struct xlcfg *cfg, struct xlcfg_err *err,
	       const struct xlcfg_loc *loc, const char *fmt, ...)
{
	char **v = NULL, *s = NULL;
	va_list ap;
	int n, rc = -1;

	va_start(ap, fmt);
	n = value_vformat(NULL, 0, loc, "warning: ", fmt, ap);
	va_end(ap);
	if (n >= 0)
		s = malloc((size_t)n + 1);
	if (!s)
		goto out;
	va_start(ap, fmt);
	value_vformat(s, (size_t)n + 1, loc, "warning: ", fmt, ap);
	va_end(ap);
	v = realloc(cfg->warnings, (cfg->nr_warnings + 1) * sizeof(*v));
	if (!v)
		goto out;
	v[cfg->nr_warnings++] = s;
	cfg->warnings = v;
	s = NULL;
	rc = 0;
out:
	if (rc)
		xlcfg_errorf(err, loc, "out of memory");
	free(s);
	return rc;
}

void xlcfg_strv_free(char **v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void xlcfg_entry_free(struct xlcfg_entry *e)
{
	free(e->key);
	free(e->val.str);
	xlcfg_strv_free(e->val.items, e->val.nr_items);
	free(e->val.lines);
	memset(e, 0, sizeof(*e));
}

int xlcfg_get_string(const struct xlcfg_entry *e, const char **out,
		     struct xlcfg_err *err)
{
	if (e->val.type != XLCFG_V_STRING && e->val.type != XLCFG_V_BARE) {
		xlcfg_errorf(err, &e->loc, "%s must be a string", e->key);
		return -1;
	}
	*out = e->val.str;
	return 0;
}

int xlcfg_take_string(struct xlcfg_entry *e, char **out, struct xlcfg_err *err)
{
	const char *s;

	if (xlcfg_get_string(e, &s, err))
		return -1;
	*out = e->val.str;
	e->val.str = NULL;
	return 0;
}

int xlcfg_get_int(const struct xlcfg_entry *e, int64_t lo, int64_t hi,
		  const char *what, int64_t *out, struct xlcfg_err *err)
{
	int64_t n = e->val.num;
	int r = 0;

	if (e->val.type == XLCFG_V_BARE)
		r = xlcfg_lex_number(e->val.str, &n);
	else if (e->val.type != XLCFG_V_INT)
		r = XLCFG_NUM_INVALID;
	if (r == XLCFG_NUM_RANGE) {
		xlcfg_errorf(err, &e->loc, "number '%s' is out of range",
			     e->val.str);
		return -1;
	}
	if (r || n < lo || n > hi) {
		xlcfg_errorf(err, &e->loc, "%s must be %s", e->key, what);
		return -1;
	}
	*out = n;
	return 0;
}

int xlcfg_take_list(struct xlcfg_entry *e, char ***items, unsigned *nr,
		    struct xlcfg_err *err)
{
	if (e->val.type != XLCFG_V_LIST) {
		xlcfg_errorf(err, &e->loc, "%s must be a list of strings",
			     e->key);
		return -1;
	}
	*items = e->val.items;
	*nr = e->val.nr_items;
	e->val.items = NULL;
	e->val.nr_items = 0;
	return 0;
}

int xlcfg_get_action(const struct xlcfg_entry *e, enum xlcfg_action *out,
		     struct xlcfg_err *err)
{
	if (e->val.type == XLCFG_V_STRING || e->val.type == XLCFG_V_BARE) {
		for (unsigned i = 0; i < XLCFG_NR_ACTIONS; i++) {
			if (!strcmp(e->val.str, xlcfg_action_names[i])) {
				*out = (enum xlcfg_action)i;
				return 0;
			}
		}
	}
	xlcfg_errorf(
	    err, &e->loc,
	    "%s must be one of destroy, restart, preserve, rename-restart",
	    e->key);
	return -1;
}

const char *xlcfg_action_name(enum xlcfg_action action)
{
	if ((unsigned)action >= XLCFG_NR_ACTIONS)
		return NULL;
	return xlcfg_action_names[action];
}
