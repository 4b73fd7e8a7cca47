/*
 * xlcfg_dev: the device specs of xl.cfg(5), parsed.
 *
 * Every Vireo device is a virtio-mmio device served from Dom0:
 *
 *   disk   = [ 'format=raw, vdev=xvda, access=rw, target=/data/g1.img' ]
 *	virtio-blk over a raw file (or block device) in Dom0; the syntax of
 *	xl-disk-configuration(5), positional ('/data/g1.img,raw,xvda,rw') and
 *	deprecated ('file:/data/g1.img,xvda,w') forms included.
 *   vif    = [ 'mac=00:16:3e:01:02:03, bridge=vbr0' ]
 *	virtio-net on a tap device in a Dom0 bridge (xl-network-
 *	configuration(5)).
 *   virtio = [ 'type=virtio,device4, transport=mmio' ]
 *	a generic virtio device by its virtio device ID: 3 console, 4 rng.
 *
 * A domain has XLCFG_DEV_SLOTS virtio-mmio slots, for all three kinds
 * together. What each key accepts, ignores (with a warning) or refuses is
 * listed above its parser in dom0-tools/libvireo/xlcfg_dev.c (disk,
 * virtio) and xlcfg_vif.c (vif, MAC addresses).
 */
#ifndef VIREO_XLCFG_DEV_H
#define VIREO_XLCFG_DEV_H

#include <stddef.h>
#include <stdint.h>

#define XLCFG_VDEV_MAX 15
#define XLCFG_IFNAME_MAX 15
#define XLCFG_DEV_SLOTS 8	/* virtio-mmio slots per DomU */
#define XLCFG_VIF_BRIDGE "vbr0" /* a vif's bridge when none is given */
#define XLCFG_MAC_STRLEN 18	/* "00:16:3e:0a:0b:0c" and its NUL */
#define XLCFG_VIRTIO_CONSOLE 3	/* virtio device IDs (virtio spec 5) */
#define XLCFG_VIRTIO_RNG 4

struct xlcfg_disk {
	char vdev[XLCFG_VDEV_MAX + 1]; /* "xvda": a name, the guest sees none */
	char *target;		       /* absolute path of the raw image */
	int readonly;
};

struct xlcfg_vif {
	uint8_t mac[6];
	int mac_set; /* 0: pick one with xlcfg_vif_random_mac() at create */
	char bridge[XLCFG_IFNAME_MAX + 1];
	char vifname[XLCFG_IFNAME_MAX + 1]; /* "" = default */
};

struct xlcfg_virtio {
	unsigned device_id; /* 3 console, 4 rng */
};

/*
 * Where a spec parser reports: the error, without a location, into
 * err[0..errlen) (truncated; err may be NULL if errlen is 0), and each
 * warning, also without a location, to warn (if not NULL). warn returns 0,
 * or -1 to fail the parse (the error is then "out of memory").
 */
struct xlcfg_dev_diag {
	char *err;
	size_t errlen;
	int (*warn)(void *ctx, const char *msg);
	void *ctx;
};

/*
 * Parse one spec of a disk = [...], vif = [...] or virtio = [...] list.
 * Return 0 and fill *out, or -1 with *out zeroed and the reason in
 * diag->err, e.g. "unknown key 'foo'". A parsed disk owns its target:
 * release it with xlcfg_disk_release().
 */
int xlcfg_disk_parse(const char *spec, struct xlcfg_disk *out,
		     const struct xlcfg_dev_diag *diag);
int xlcfg_vif_parse(const char *spec, struct xlcfg_vif *out,
		    const struct xlcfg_dev_diag *diag);
int xlcfg_virtio_parse(const char *spec, struct xlcfg_virtio *out,
		       const struct xlcfg_dev_diag *diag);
void xlcfg_disk_release(struct xlcfg_disk *disk);

/* "console", "rng", or NULL for an ID Vireo does not offer. */
const char *xlcfg_virtio_name(unsigned device_id);

/* "00:16:3e:0a:0b:0c" (two hex digits a byte, ':' between): 0, or -1. */
int xlcfg_parse_mac(const char *s, uint8_t mac[6]);
/* The same form, lower case, into buf: 0, or -1 if len < XLCFG_MAC_STRLEN. */
int xlcfg_format_mac(const uint8_t mac[6], char *buf, size_t len);
/* 00:16:3e (Xen's OUI) and three random bytes, for a vif without mac=. */
void xlcfg_vif_random_mac(uint8_t mac[6]);

#endif
