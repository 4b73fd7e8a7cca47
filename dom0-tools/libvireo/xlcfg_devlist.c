/*
 * The disk, vif and virtio keys of xl.cfg: each list's strings through
 * their spec parser (xlcfg_dev.c, xlcfg_vif.c) into struct xlcfg, then the
 * checks across a list (a vdev, MAC, vifname or virtio type used twice) and
 * across all three (the virtio-mmio slots).
 *
 * A message names the item and the line it starts on, so that a list
 * spread over several lines points at the right one:
 *   "FILE:LINE: disk 'SPEC': what is wrong"
 *   "FILE:LINE: warning: vif 'SPEC': what is ignored"
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_priv.h"

/* One item of a list being parsed: where it is and what went wrong. */
struct dev_item {
	struct xlcfg *cfg;
	struct xlcfg_err *err;
	struct xlcfg_loc loc; /* the item's line */
	const char *kind, *spec;
	char msg[256];
	struct xlcfg_dev_diag diag; /* into msg, warnings to cfg */
};

static int item_warn(void *arg, const char *msg)
{
	struct dev_item *it = arg;

	return xlcfg_warn(it->cfg, it->err, &it->loc, "%s '%s': %s", it->kind,
			  it->spec, msg);
}

static void item_init(struct dev_item *it, struct xlcfg *cfg,
		      const struct xlcfg_loc *loc, const unsigned *lines,
		      unsigned i, const char *kind, const char *spec,
		      struct xlcfg_err *err)
{
	it->cfg = cfg;
	it->err = err;
	it->loc = *loc;
	if (lines)
		it->loc.line = lines[i];
	it->kind = kind;
	it->spec = spec;
	it->msg[0] = '\0';
	it->diag.err = it->msg;
	it->diag.errlen = sizeof(it->msg);
	it->diag.warn = item_warn;
	it->diag.ctx = it;
}

/* The parser's message, with the item and its location: returns -1. */
static int item_error(struct dev_item *it)
{
	xlcfg_errorf(it->err, &it->loc, "%s '%s': %s", it->kind, it->spec,
		     it->msg);
	return -1;
}

__attribute__((format(printf, 2, 3))) static int item_fail(struct dev_item *it,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
	va_end(ap);
	return item_error(it);
}

/* n items of size each, uninitialised; NULL (and the error) if none. */
static void *dev_array(unsigned n, size_t size, const struct xlcfg_loc *loc,
		       struct xlcfg_err *err)
{
	void *v = malloc(n * size);

	if (!v)
		xlcfg_errorf(err, loc, "out of memory");
	return v;
}

int xlcfg_dev_disks(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		    const unsigned *lines, struct xlcfg_err *err)
{
	struct dev_item it;
	unsigned i, j;

	if (!cfg->nr_disk)
		return 0;
	cfg->disks = dev_array(cfg->nr_disk, sizeof(*cfg->disks), loc, err);
	if (!cfg->disks)
		return -1;
	for (i = 0; i < cfg->nr_disk; i++) {
		struct xlcfg_disk *d = &cfg->disks[i];

		item_init(&it, cfg, loc, lines, i, "disk", cfg->disk[i], err);
		if (xlcfg_disk_parse(cfg->disk[i], d, &it.diag))
			return item_error(&it);
		cfg->nr_disks++;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->disks[j].vdev, d->vdev))
				return item_fail(&it, "vdev %s is used twice",
						 d->vdev);
	}
	return 0;
}

static int vif_clash(struct dev_item *it, const struct xlcfg_vif *a,
		     const struct xlcfg_vif *b)
{
	char mac[XLCFG_MAC_STRLEN];

	if (a->mac_set && b->mac_set && !memcmp(a->mac, b->mac, 6)) {
		xlcfg_format_mac(a->mac, mac, sizeof(mac));
		return item_fail(it, "mac %s is used twice", mac);
	}
	if (a->vifname[0] && !strcmp(a->vifname, b->vifname))
		return item_fail(it, "vifname %s is used twice", a->vifname);
	return 0;
}

int xlcfg_dev_vifs(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		   const unsigned *lines, struct xlcfg_err *err)
{
	struct dev_item it;
	unsigned i, j;

	if (!cfg->nr_vif)
		return 0;
	cfg->vifs = dev_array(cfg->nr_vif, sizeof(*cfg->vifs), loc, err);
	if (!cfg->vifs)
		return -1;
	for (i = 0; i < cfg->nr_vif; i++) {
		item_init(&it, cfg, loc, lines, i, "vif", cfg->vif[i], err);
		if (xlcfg_vif_parse(cfg->vif[i], &cfg->vifs[i], &it.diag))
			return item_error(&it);
		cfg->nr_vifs++;
		for (j = 0; j < i; j++)
			if (vif_clash(&it, &cfg->vifs[i], &cfg->vifs[j]))
				return -1;
	}
	return 0;
}

int xlcfg_dev_virtios(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		      const unsigned *lines, struct xlcfg_err *err)
{
	struct dev_item it;
	unsigned i, j, id;

	if (!cfg->nr_virtio)
		return 0;
	cfg->virtios =
	    dev_array(cfg->nr_virtio, sizeof(*cfg->virtios), loc, err);
	if (!cfg->virtios)
		return -1;
	for (i = 0; i < cfg->nr_virtio; i++) {
		item_init(&it, cfg, loc, lines, i, "virtio", cfg->virtio[i],
			  err);
		if (xlcfg_virtio_parse(cfg->virtio[i], &cfg->virtios[i],
				       &it.diag))
			return item_error(&it);
		cfg->nr_virtios++;
		id = cfg->virtios[i].device_id;
		for (j = 0; j < i; j++)
			if (cfg->virtios[j].device_id == id)
				return item_fail(&it,
						 "a second virtio %s (one of "
						 "each type)",
						 xlcfg_virtio_name(id));
	}
	return 0;
}

int xlcfg_dev_check_slots(const struct xlcfg *cfg, const struct xlcfg_loc *loc,
			  struct xlcfg_err *err)
{
	unsigned n = cfg->nr_disks + cfg->nr_vifs + cfg->nr_virtios;

	if (n <= XLCFG_DEV_SLOTS)
		return 0;
	xlcfg_errorf(err, loc,
		     "too many devices: %u disk + %u vif + %u virtio = %u, "
		     "but a domain has %d virtio-mmio slots",
		     cfg->nr_disks, cfg->nr_vifs, cfg->nr_virtios, n,
		     XLCFG_DEV_SLOTS);
	return -1;
}

void xlcfg_dev_free(struct xlcfg *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nr_disks; i++)
		xlcfg_disk_release(&cfg->disks[i]);
	free(cfg->disks);
	free(cfg->vifs);
	free(cfg->virtios);
	cfg->disks = NULL;
	cfg->vifs = NULL;
	cfg->virtios = NULL;
	cfg->nr_disks = cfg->nr_vifs = cfg->nr_virtios = 0;
}
