/*
 * xl.cfg device specs, part one: what every spec parser shares, then
 * disk = [...] (xl-disk-configuration(5)) and virtio = [...] (xl.cfg(5)).
 * vif = [...] and MAC addresses are in xlcfg_vif.c; the lists as a whole
 * (unique vdevs, the slot count) in xlcfg_devlist.c.
 *
 * A spec is a comma-separated series of parameters; blanks before and after
 * each are ignored. A parser copies the spec, splits the copy in place and
 * fills its result only once every parameter has passed, so that a bad spec
 * leaves nothing behind. Vireo has one way to serve each kind of device
 * (virtio-mmio, from Dom0), so a key either agrees with it, or only tunes
 * Xen's own backends (accepted, and ignored where noted), or asks for
 * something Vireo does not do (an error, never a silent change).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domu_dtb.h"
#include "xlcfg_priv.h"

_Static_assert(XLCFG_DEV_SLOTS == DOMU_DTB_MAX_VIRTIO,
	       "a DomU's device tree has one node per virtio-mmio slot");

/* ------------------------------------------------------------- shared */

static int spec_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *xlcfg_spec_next(char **pp, const char *rest_key)
{
	char *s = *pp, *end;

	if (!s)
		return NULL;
	while (spec_is_blank(*s))
		s++;
	if (!*s) {
		*pp = NULL;
		return NULL;
	}
	if (rest_key && !strncmp(s, rest_key, strlen(rest_key))) {
		*pp = NULL;
		return s;
	}
	end = strchr(s, ',');
	*pp = end ? end + 1 : NULL;
	if (!end)
		end = s + strlen(s);
	while (end > s && spec_is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

char *xlcfg_spec_value(char *param)
{
	char *eq = strchr(param, '='), *key_end, *val;

	if (!eq)
		return NULL;
	for (val = eq + 1; spec_is_blank(*val); val++)
		;
	for (key_end = eq; key_end > param && spec_is_blank(key_end[-1]);)
		key_end--;
	*key_end = '\0';
	return val;
}

int xlcfg_dev_error(const struct xlcfg_dev_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (diag->errlen) {
		va_start(ap, fmt);
		vsnprintf(diag->err, diag->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int xlcfg_dev_warn(const struct xlcfg_dev_diag *diag, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!diag->warn)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag->warn(diag->ctx, msg))
		return xlcfg_dev_error(diag, "out of memory");
	return 0;
}

int xlcfg_dev_once(const struct xlcfg_dev_diag *diag, const char *key,
		   unsigned bit, unsigned *seen)
{
	if (*seen & bit)
		return xlcfg_dev_error(diag, "%s given twice", key);
	*seen |= bit;
	return 0;
}

/* Driver domains do not exist here: Dom0 serves every device. */
int xlcfg_dev_backend(const struct xlcfg_dev_diag *diag, const char *val)
{
	if (!strcmp(val, "0") || !strcmp(val, "Domain-0"))
		return 0;
	return xlcfg_dev_error(diag,
			       "backend '%s' is not supported: Domain-0 "
			       "serves every device",
			       val);
}

/* Dom0's backends map guest memory directly, without grants. */
int xlcfg_dev_grant_usage(const struct xlcfg_dev_diag *diag, const char *val)
{
	if (!strcmp(val, "0"))
		return 0;
	if (!strcmp(val, "1"))
		return xlcfg_dev_error(diag,
				       "grant_usage=1 is not supported: "
				       "Domain-0 maps guest memory directly");
	return xlcfg_dev_error(diag, "invalid grant_usage '%s' (0 or 1)", val);
}

static int dev_transport(const struct xlcfg_dev_diag *diag, const char *val)
{
	if (!strcmp(val, "mmio"))
		return 0;
	return xlcfg_dev_error(
	    diag, "transport '%s' is not supported (only mmio)", val);
}

static int spec_copy(const struct xlcfg_dev_diag *diag, const char *spec,
		     char **copy)
{
	if (diag->errlen)
		diag->err[0] = '\0';
	*copy = xlcfg_strdup(spec);
	return *copy ? 0 : xlcfg_dev_error(diag, "out of memory");
}

/* --------------------------------------------------------------- disk */

/*
 * disk = [ 'DISKSPEC', ... ], as xl-disk-configuration(5):
 *
 *   positional  target, format, vdev, access, in that order; a parameter
 *               without '=' that is not a flag fills the next one not yet
 *               given. After a deprecated prefix (file:, phy:, raw:, tap:,
 *               aio:, ...) on the target there is no format position:
 *               'file:/g.img,xvda,w' is target, vdev, access.
 *   target=     the image: the whole rest of the spec, commas included, so
 *               it comes last. A path not starting with '/' is under /dev,
 *               as in xl. Required.
 *   format=     raw (the default); qcow, qcow2, vhd, qed: error.
 *   vdev=       xvdX, hdX, sdX or vdX, X from a to zzz. Required, unique in
 *               the domain. A name only: a virtio disk has no vdev inside
 *               the guest. The old 'xvda:disk' form is accepted.
 *   access=     rw or w (the default), ro or r.
 *   devtype=disk; cdrom (or the flag cdrom): error, no CD-ROM drives.
 *   backendtype=phy, qdisk or standalone: accepted, all mean Dom0's
 *               virtio-blk; tap: error.
 *   specification=virtio, implied; xen: accepted with a warning and
 *               served as virtio, as Vireo has no PV block protocol.
 *   transport=mmio; backend=0 or Domain-0; grant_usage=0.
 *   script= and the script prefixes (iscsi:, nbd:, ...): error.
 *   direct-io-safe, discard, no-discard, trusted, untrusted, no-colo:
 *               advice to Xen's backends or frontends, accepted, ignored.
 * An empty parameter takes its default; a parameter given twice (the
 * first time empty excepted) or an unknown key is an error.
 */
enum disk_pos { DISK_TARGET, DISK_FORMAT, DISK_VDEV, DISK_ACCESS, DISK_NPOS };

static const char *const disk_pos_names[DISK_NPOS] = {"target", "format",
						      "vdev", "access"};

struct disk_parse {
	const struct xlcfg_dev_diag *diag;
	const char *pos[DISK_NPOS]; /* NULL: not given; "": the default */
	int old_syntax;		    /* deprecated prefix: no format position */
	unsigned seen;		    /* the other keys, one bit each */
};

static int disk_set(struct disk_parse *st, enum disk_pos k, const char *val)
{
	if (st->pos[k] && st->pos[k][0])
		return xlcfg_dev_error(st->diag, "%s given twice",
				       disk_pos_names[k]);
	st->pos[k] = val;
	return 0;
}

static int disk_devtype(struct disk_parse *st, const char *val)
{
	if (!strcmp(val, "disk"))
		return 0;
	if (!strcmp(val, "cdrom"))
		return xlcfg_dev_error(st->diag,
				       "CD-ROM drives are not supported");
	return xlcfg_dev_error(st->diag, "unknown devtype '%s' (only disk)",
			       val);
}

static int disk_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#define WORD_IN(w, list) word_in((w), (list), sizeof(list) / sizeof(list[0]))

static int word_in(const char *w, const char *const *list, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return 1;
	return 0;
}

/*
 * The deprecated "prefix:...target": strip and apply each known prefix. A
 * word of [a-z0-9] and ':' that is no known prefix is an error unless a
 * letter or digit follows (then it is part of a relative path).
 */
static int disk_prefixes(struct disk_parse *st, char **target)
{
	static const char *const ignored[] = {"file", "phy",   "tap",	 "tap2",
					      "aio",  "ioemu", "tapdisk"};
	static const char *const formats[] = {"raw", "qcow", "qcow2", "vhd"};
	static const char *const scripts[] = {"iscsi", "nbd", "enbd", "drbd"};
	char *s = *target, *p = s;

	if (*p < 'a' || *p > 'z')
		return 0;
	while (disk_is_alnum(*p))
		p++;
	if (*p != ':')
		return 0;
	*p = '\0';
	if (WORD_IN(s, scripts))
		return xlcfg_dev_error(st->diag,
				       "'%s:' (a block script) is not "
				       "supported: Vireo runs no scripts",
				       s);
	if (!WORD_IN(s, formats) && !WORD_IN(s, ignored)) {
		if (!disk_is_alnum(p[1]))
			return xlcfg_dev_error(
			    st->diag, "unknown deprecated prefix '%s:'", s);
		*p = ':'; /* part of the path */
		return 0;
	}
	st->old_syntax = 1;
	*target = p + 1;
	if (WORD_IN(s, formats) && disk_set(st, DISK_FORMAT, s))
		return -1;
	return disk_prefixes(st, target);
}

static int disk_positional(struct disk_parse *st, char *val)
{
	char *colon;

	if (!st->pos[DISK_TARGET]) {
		if (disk_prefixes(st, &val))
			return -1;
		st->pos[DISK_TARGET] = val;
	} else if (!st->old_syntax && !st->pos[DISK_FORMAT]) {
		st->pos[DISK_FORMAT] = val;
	} else if (!st->pos[DISK_VDEV]) {
		colon = strrchr(val, ':'); /* deprecated "vdev:devtype" */
		if (colon) {
			*colon = '\0';
			if (disk_devtype(st, colon + 1))
				return -1;
		}
		st->pos[DISK_VDEV] = val;
	} else if (!st->pos[DISK_ACCESS]) {
		st->pos[DISK_ACCESS] = val;
	} else {
		return xlcfg_dev_error(
		    st->diag, "too many positional parameters ('%s')", val);
	}
	return 0;
}

/* A bare word that is a flag: 0, -1 (error), or 1 if it is not a flag. */
static int disk_flag(struct disk_parse *st, const char *word)
{
	static const char *const ignored[] = {"direct-io-safe", "discard",
					      "no-discard",	"trusted",
					      "untrusted",	"no-colo"};
	if (WORD_IN(word, ignored))
		return 0;
	if (!strcmp(word, "cdrom"))
		return disk_devtype(st, word);
	if (!strcmp(word, "colo"))
		return xlcfg_dev_error(st->diag, "colo is not supported");
	return 1;
}

static int disk_backendtype(struct disk_parse *st, const char *val)
{
	if (!strcmp(val, "phy") || !strcmp(val, "qdisk") ||
	    !strcmp(val, "standalone"))
		return 0;
	if (!strcmp(val, "tap"))
		return xlcfg_dev_error(st->diag,
				       "backendtype=tap is not supported "
				       "(phy, qdisk or standalone)");
	return xlcfg_dev_error(st->diag, "unknown backendtype '%s'", val);
}

static int disk_specification(struct disk_parse *st, const char *val)
{
	if (!strcmp(val, "virtio"))
		return 0;
	if (!strcmp(val, "xen"))
		return xlcfg_dev_warn(st->diag,
				      "specification=xen served as virtio "
				      "(Vireo has no PV block devices)");
	return xlcfg_dev_error(
	    st->diag, "unknown specification '%s' (virtio or xen)", val);
}

static int disk_backend(struct disk_parse *st, const char *val)
{
	return xlcfg_dev_backend(st->diag, val);
}

static int disk_transport(struct disk_parse *st, const char *val)
{
	return dev_transport(st->diag, val);
}

static int disk_grant_usage(struct disk_parse *st, const char *val)
{
	return xlcfg_dev_grant_usage(st->diag, val);
}

static int disk_key(struct disk_parse *st, const char *key, const char *val)
{
	static const struct {
		const char *key;
		int (*check)(struct disk_parse *st, const char *val);
	} keys[] = {
	    {"devtype", disk_devtype},
	    {"backend", disk_backend},
	    {"backendtype", disk_backendtype},
	    {"specification", disk_specification},
	    {"transport", disk_transport},
	    {"grant_usage", disk_grant_usage},
	};
	unsigned i;

	for (i = 0; i < DISK_NPOS; i++)
		if (!strcmp(key, disk_pos_names[i]))
			return disk_set(st, (enum disk_pos)i, val);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].key))
			return xlcfg_dev_once(st->diag, key, 1u << i,
					      &st->seen) ||
			       keys[i].check(st, val);
	if (!strcmp(key, "script"))
		return xlcfg_dev_error(st->diag, "script= is not supported: "
						 "Vireo runs no block scripts");
	return xlcfg_dev_error(st->diag, "unknown key '%s'", key);
}

static int disk_param(struct disk_parse *st, char *param)
{
	char *val = xlcfg_spec_value(param);
	int r;

	if (val)
		return disk_key(st, param, val);
	r = disk_flag(st, param);
	return r <= 0 ? r : disk_positional(st, param);
}

static int disk_vdev_ok(const char *v)
{
	static const char *const prefixes[] = {"xvd", "hd", "sd", "vd"};
	unsigned i;
	size_t n, len;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		len = strlen(prefixes[i]);
		if (strncmp(v, prefixes[i], len))
			continue;
		n = strlen(v + len);
		return n >= 1 && n <= 3 &&
		       strspn(v + len, "abcdefghijklmnopqrstuvwxyz") == n;
	}
	return 0;
}

static int disk_check_format(struct disk_parse *st, const char *f)
{
	static const char *const other[] = {"qcow", "qcow2", "vhd", "qed",
					    "empty"};
	if (!f || !*f || !strcmp(f, "raw"))
		return 0;
	if (WORD_IN(f, other))
		return xlcfg_dev_error(st->diag,
				       "format '%s' is not supported: Vireo "
				       "disks are raw files",
				       f);
	return xlcfg_dev_error(st->diag, "unknown format '%s'", f);
}

/* Every parameter is in: check what needs the whole spec, then fill *d. */
static int disk_finish(struct disk_parse *st, struct xlcfg_disk *d)
{
	const char *t = st->pos[DISK_TARGET], *v = st->pos[DISK_VDEV];
	const char *a = st->pos[DISK_ACCESS];
	int ro;

	if (!t || !*t)
		return xlcfg_dev_error(st->diag,
				       "no target (the disk's image file)");
	if (disk_check_format(st, st->pos[DISK_FORMAT]))
		return -1;
	if (!v || !*v)
		return xlcfg_dev_error(st->diag, "no vdev (e.g. vdev=xvda)");
	if (!disk_vdev_ok(v))
		return xlcfg_dev_error(st->diag,
				       "invalid vdev '%s' (xvdX, hdX, sdX or "
				       "vdX, X from a to zzz)",
				       v);
	if (!a || !*a || !strcmp(a, "rw") || !strcmp(a, "w"))
		ro = 0;
	else if (!strcmp(a, "ro") || !strcmp(a, "r"))
		ro = 1;
	else
		return xlcfg_dev_error(
		    st->diag, "invalid access '%s' (rw, w, ro or r)", a);
	d->target = malloc(strlen("/dev/") + strlen(t) + 1);
	if (!d->target)
		return xlcfg_dev_error(st->diag, "out of memory");
	sprintf(d->target, "%s%s", t[0] == '/' ? "" : "/dev/", t);
	strcpy(d->vdev, v);
	d->readonly = ro;
	return 0;
}

int xlcfg_disk_parse(const char *spec, struct xlcfg_disk *out,
		     const struct xlcfg_dev_diag *diag)
{
	struct disk_parse st = {.diag = diag};
	char *copy, *p, *param;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (spec_copy(diag, spec, &copy))
		return -1;
	p = copy;
	while ((param = xlcfg_spec_next(&p, "target=")))
		if (disk_param(&st, param))
			goto out;
	rc = disk_finish(&st, out);
out:
	free(copy);
	return rc;
}

void xlcfg_disk_release(struct xlcfg_disk *disk)
{
	free(disk->target);
	memset(disk, 0, sizeof(*disk));
}

/* ------------------------------------------------------------- virtio */

/*
 * virtio = [ 'type=virtio,deviceN, transport=mmio', ... ], as xl.cfg(5):
 *
 *   type=virtio,deviceN   required; N the virtio device ID in lower-case
 *                         hex: 3 (console) or 4 (rng). The one comma
 *                         allowed inside a value.
 *   transport=mmio        the default and the only transport
 *   backend=0 (or Domain-0), grant_usage=0
 * Anything else is an error.
 */
static int virtio_device_id(const struct xlcfg_dev_diag *diag, const char *dev,
			    unsigned *id)
{
	const char *hex = dev ? dev + strlen("device") : NULL;
	size_t n;

	if (!dev || strncmp(dev, "device", strlen("device")))
		return xlcfg_dev_error(diag, "type must be virtio,deviceN "
					     "(3 = console, 4 = rng)");
	n = strlen(hex);
	if (!n)
		return xlcfg_dev_error(diag,
				       "type=virtio,device needs the device "
				       "ID: virtio,device3 (console) or "
				       "virtio,device4 (rng)");
	if (n > 8 || hex[0] == '0' || strspn(hex, "0123456789abcdef") != n)
		return xlcfg_dev_error(
		    diag, "invalid virtio device ID '%s' (lower-case hex)",
		    hex);
	*id = (unsigned)strtoul(hex, NULL, 16);
	if (!xlcfg_virtio_name(*id))
		return xlcfg_dev_error(diag,
				       "virtio device %s not supported "
				       "(3 = console, 4 = rng)",
				       hex);
	return 0;
}

static int virtio_param(const struct xlcfg_dev_diag *diag, char *param,
			char **rest, unsigned *seen, unsigned *id)
{
	char *val = xlcfg_spec_value(param);

	if (!val)
		return xlcfg_dev_error(diag, "expected key=value, not '%s'",
				       param);
	if (!strcmp(param, "type")) {
		if (xlcfg_dev_once(diag, param, 1, seen))
			return -1;
		if (strcmp(val, "virtio"))
			return xlcfg_dev_error(diag,
					       "unknown type '%s' (expected "
					       "virtio,deviceN)",
					       val);
		return virtio_device_id(diag, xlcfg_spec_next(rest, NULL), id);
	}
	if (!strcmp(param, "transport"))
		return xlcfg_dev_once(diag, param, 2, seen) ||
		       dev_transport(diag, val);
	if (!strcmp(param, "backend"))
		return xlcfg_dev_once(diag, param, 4, seen) ||
		       xlcfg_dev_backend(diag, val);
	if (!strcmp(param, "grant_usage"))
		return xlcfg_dev_once(diag, param, 8, seen) ||
		       xlcfg_dev_grant_usage(diag, val);
	return xlcfg_dev_error(diag, "unknown key '%s'", param);
}

int xlcfg_virtio_parse(const char *spec, struct xlcfg_virtio *out,
		       const struct xlcfg_dev_diag *diag)
{
	char *copy, *p, *param;
	unsigned seen = 0, id = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (spec_copy(diag, spec, &copy))
		return -1;
	p = copy;
	while ((param = xlcfg_spec_next(&p, NULL)))
		if (virtio_param(diag, param, &p, &seen, &id))
			goto out;
	if (!(seen & 1)) {
		xlcfg_dev_error(diag,
				"no type (type=virtio,device3 for a "
				"console, type=virtio,device4 for an rng)");
		goto out;
	}
	out->device_id = id;
	rc = 0;
out:
	free(copy);
	return rc;
}

const char *xlcfg_virtio_name(unsigned device_id)
{
	switch (device_id) {
	case XLCFG_VIRTIO_CONSOLE:
		return "console";
	case XLCFG_VIRTIO_RNG:
		return "rng";
	default:
		return NULL;
	}
}
