/*
 * xl.cfg device specs, part two: vif = [...] (xl-network-configuration(5))
 * and MAC addresses. The shared helpers are in xlcfg_dev.c.
 *
 * Every vif is a virtio-net device whose Dom0 end is a tap device, which
 * vireod adds to a bridge itself: there are no hotplug scripts. Keys:
 *
 *   mac=       six hex bytes, 00:16:3e:01:02:03; unicast (the first byte
 *              even) and not all zero; unique in the domain. Without it,
 *              vireod picks 00:16:3e:xx:xx:xx at create
 *              (xlcfg_vif_random_mac()), as xl does.
 *   bridge=    the Dom0 bridge, default vbr0 (XLCFG_VIF_BRIDGE).
 *   vifname=   the tap's name; default: vireod's choice. Unique in the
 *              domain. Both names as Linux takes them: 1 to 15 printable
 *              ASCII characters, no '/', ':' or blank, not "." or "..".
 *   type=      vif or ioemu (xl's values) or virtio: all are virtio-net.
 *   model=     virtio or virtio-net; any other (rtl8139, e1000, ...) is
 *              accepted with a warning, since the guest gets virtio-net.
 *   script=    vif-bridge, what vireod does anyway: accepted with a
 *              warning. Any other script (vif-route, vif-nat, ...) is an
 *              error: vireod would not do what it does.
 *   ip=, gatewaydev=, netdev=
 *              read only by hotplug scripts: ignored with a warning.
 *   rate=, mtu=, devid=
 *              not implemented: ignored with a warning (no rate limit,
 *              the bridge's MTU, numbered by place in the list).
 *   vlan=      error: ignoring it would put the guest on the untagged
 *              network.
 *   backend=0 (or Domain-0).
 *   trusted, untrusted
 *              advice to the guest's driver: accepted, ignored.
 * Any other key or bare word is an error, and so is a key given twice.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "xlcfg_priv.h"

struct vif_parse {
	const struct xlcfg_dev_diag *diag;
	struct xlcfg_vif v;
	unsigned seen;	 /* keys given, one bit each */
	const char *key; /* the one being read */
};

static int vif_mac(struct vif_parse *st, const char *val)
{
	static const uint8_t zero[6];

	if (xlcfg_parse_mac(val, st->v.mac))
		return xlcfg_dev_error(st->diag,
				       "invalid mac '%s' (six hex bytes, e.g. "
				       "00:16:3e:01:02:03)",
				       val);
	if (st->v.mac[0] & 1)
		return xlcfg_dev_error(st->diag,
				       "mac %s is a multicast address (the "
				       "first byte must be even)",
				       val);
	if (!memcmp(st->v.mac, zero, sizeof(zero)))
		return xlcfg_dev_error(st->diag, "mac %s is not an address",
				       val);
	st->v.mac_set = 1;
	return 0;
}

static int vif_ifname(struct vif_parse *st, const char *val,
		      char dst[XLCFG_IFNAME_MAX + 1])
{
	size_t n = strlen(val);
	int ok = n >= 1 && n <= XLCFG_IFNAME_MAX && strcmp(val, ".") &&
		 strcmp(val, "..");
	const unsigned char *p;

	for (p = (const unsigned char *)val; ok && *p; p++)
		ok = *p > ' ' && *p < 0x7f && *p != '/' && *p != ':';
	if (!ok)
		return xlcfg_dev_error(st->diag,
				       "%s '%s' is not an interface name (1 "
				       "to %d characters, no '/', ':' or "
				       "blanks)",
				       st->key, val, XLCFG_IFNAME_MAX);
	memcpy(dst, val, n + 1);
	return 0;
}

static int vif_bridge(struct vif_parse *st, const char *val)
{
	return vif_ifname(st, val, st->v.bridge);
}

static int vif_vifname(struct vif_parse *st, const char *val)
{
	return vif_ifname(st, val, st->v.vifname);
}

static int vif_type(struct vif_parse *st, const char *val)
{
	if (!strcmp(val, "vif") || !strcmp(val, "ioemu") ||
	    !strcmp(val, "virtio"))
		return 0;
	return xlcfg_dev_error(st->diag,
			       "unknown type '%s' (vif, ioemu or virtio)", val);
}

static int vif_model(struct vif_parse *st, const char *val)
{
	if (!strcmp(val, "virtio") || !strcmp(val, "virtio-net"))
		return 0;
	return xlcfg_dev_warn(st->diag,
			      "model=%s ignored: every vif is virtio-net", val);
}

static int vif_script(struct vif_parse *st, const char *val)
{
	const char *base = strrchr(val, '/');

	base = base ? base + 1 : val;
	if (!strcmp(base, "vif-bridge"))
		return xlcfg_dev_warn(st->diag,
				      "script=%s ignored: vireod adds the tap "
				      "to the bridge itself",
				      val);
	return xlcfg_dev_error(st->diag,
			       "script '%s' is not supported: vireod only "
			       "bridges, it runs no hotplug scripts",
			       val);
}

static int vif_for_scripts(struct vif_parse *st, const char *val)
{
	return xlcfg_dev_warn(st->diag,
			      "%s=%s ignored: only hotplug scripts read it, "
			      "and Vireo runs none",
			      st->key, val);
}

static int vif_unimplemented(struct vif_parse *st, const char *val)
{
	static const struct {
		const char *key, *why;
	} why[] = {
	    {"rate", "Vireo does not limit vif traffic"},
	    {"mtu", "the tap takes the bridge's MTU"},
	    {"devid", "vifs are numbered by their place in the list"},
	};
	unsigned i;

	for (i = 0; strcmp(why[i].key, st->key); i++)
		;
	return xlcfg_dev_warn(st->diag, "%s=%s ignored: %s", st->key, val,
			      why[i].why);
}

static int vif_vlan(struct vif_parse *st, const char *val)
{
	return xlcfg_dev_error(st->diag, "vlan=%s is not supported", val);
}

static int vif_backend(struct vif_parse *st, const char *val)
{
	return xlcfg_dev_backend(st->diag, val);
}

static int vif_param(struct vif_parse *st, char *param)
{
	static const struct {
		const char *key;
		int (*handle)(struct vif_parse *st, const char *val);
	} keys[] = {
	    {"mac", vif_mac},
	    {"bridge", vif_bridge},
	    {"vifname", vif_vifname},
	    {"type", vif_type},
	    {"model", vif_model},
	    {"script", vif_script},
	    {"ip", vif_for_scripts},
	    {"gatewaydev", vif_for_scripts},
	    {"netdev", vif_for_scripts},
	    {"rate", vif_unimplemented},
	    {"mtu", vif_unimplemented},
	    {"devid", vif_unimplemented},
	    {"vlan", vif_vlan},
	    {"backend", vif_backend},
	};
	char *val = xlcfg_spec_value(param);
	unsigned i;

	if (!val) {
		if (!*param || !strcmp(param, "trusted") ||
		    !strcmp(param, "untrusted"))
			return 0;
		return xlcfg_dev_error(st->diag, "expected key=value, not '%s'",
				       param);
	}
	st->key = param;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(param, keys[i].key))
			return xlcfg_dev_once(st->diag, param, 1u << i,
					      &st->seen) ||
			       keys[i].handle(st, val);
	return xlcfg_dev_error(st->diag, "unknown key '%s'", param);
}

int xlcfg_vif_parse(const char *spec, struct xlcfg_vif *out,
		    const struct xlcfg_dev_diag *diag)
{
	struct vif_parse st = {.diag = diag, .v.bridge = XLCFG_VIF_BRIDGE};
	char *copy, *p, *param;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (diag->errlen)
		diag->err[0] = '\0';
	copy = xlcfg_strdup(spec);
	if (!copy)
		return xlcfg_dev_error(diag, "out of memory");
	p = copy;
	while ((param = xlcfg_spec_next(&p, NULL)))
		if (vif_param(&st, param))
			goto out;
	*out = st.v;
	rc = 0;
out:
	free(copy);
	return rc;
}

/* -------------------------------------------------------- MAC addresses */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xlcfg_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

int xlcfg_format_mac(const uint8_t mac[6], char *buf, size_t len)
{
	if (len < XLCFG_MAC_STRLEN) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

static int random_bytes(uint8_t *buf, size_t n)
{
	ssize_t r = getrandom(buf, n, GRND_NONBLOCK);
	int fd;

	if (r == (ssize_t)n)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, n);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

/*
 * The kernel's random bytes; should they be out of reach (no getrandom,
 * no /dev/urandom), the clock and the PID, which still differ between two
 * vifs made one after the other.
 */
void xlcfg_vif_random_mac(uint8_t mac[6])
{
	static unsigned calls;
	uint8_t r[3];

	if (random_bytes(r, sizeof(r))) {
		struct timespec ts;
		uint32_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec * 2654435761u ^
		    (uint32_t)getpid() << 8 ^ ++calls * 40503u;
		r[0] = (uint8_t)(x >> 16);
		r[1] = (uint8_t)(x >> 8);
		r[2] = (uint8_t)x;
	}
	mac[0] = 0x00; /* Xen's OUI: unicast, globally administered */
	mac[1] = 0x16;
	mac[2] = 0x3e;
	memcpy(mac + 3, r, sizeof(r));
}
