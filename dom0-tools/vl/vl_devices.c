/*
 * vl block-list and vl network-list: a domain's virtio disks and NICs, from
 * vireod's "devices DOM" (vireod_proto.h), in xl's layout where its columns
 * mean something here:
 *
 *   Vdev  BE  handle state slot access target
 *   xvda  0   0      4     0    rw     /data/guest1.img
 *
 *   Idx BE Mac Addr.         handle state slot bridge          ifname
 *   0   0  00:16:3e:0a:0b:0c 0      4     1    vbr0            vif3.0
 *
 * BE is the backend domain (always 0), handle the device's index among the
 * domain's disks or NICs (xl shows the frontend domid in block-list's),
 * state xenbus's number (4 connected, 6 closed), slot the virtio-mmio slot.
 * xl's event channel, ring references and backend path do not exist here.
 * The formatting functions do no I/O but on the FILE given, so
 * tests/unit/test_vl_devices.c checks them on the host.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vl.h"

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtoull(s, &end, 10);
	if (*end || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

/* The fields every kind has: ID BACKEND STATE SLOT after the kind. */
static int dev_common(char **f, struct vl_dev *d)
{
	d->id = f[1];
	return parse_u32(f[2], &d->backend) || parse_u32(f[3], &d->state) ||
	       parse_u32(f[4], &d->slot)
		   ? -1
		   : 0;
}

int vl_dev_parse(char **f, unsigned nr, struct vl_dev *d)
{
	memset(d, 0, sizeof(*d));
	if (nr >= 7 && !strcmp(f[0], "disk")) {
		d->kind = VL_DEV_DISK;
		d->access = f[5];
		d->target = f[6];
		return dev_common(f, d);
	}
	if (nr >= 8 && !strcmp(f[0], "nic")) {
		d->kind = VL_DEV_NIC;
		d->mac = f[5];
		d->bridge = f[6];
		d->ifname = f[7];
		return dev_common(f, d) || parse_u32(f[1], &d->index) ? -1 : 0;
	}
	if (nr >= 6 && !strcmp(f[0], "virtio")) {
		d->kind = VL_DEV_VIRTIO;
		d->type = f[5];
		return dev_common(f, d) || parse_u32(f[1], &d->index) ? -1 : 0;
	}
	return -1;
}

void vl_block_header(FILE *f)
{
	fprintf(f, "%-5s %-3s %-6s %-5s %-4s %-6s %s\n", "Vdev", "BE",
		"handle", "state", "slot", "access", "target");
}

void vl_block_row(FILE *f, const struct vl_dev *d)
{
	fprintf(f, "%-5s %-3" PRIu32 " %-6u %-5" PRIu32 " %-4" PRIu32
		   " %-6s %s\n",
		d->id, d->backend, d->index, d->state, d->slot, d->access,
		d->target);
}

void vl_network_header(FILE *f)
{
	fprintf(f, "%-3s %-2s %-17s %-6s %-5s %-4s %-15s %s\n", "Idx", "BE",
		"Mac Addr.", "handle", "state", "slot", "bridge", "ifname");
}

void vl_network_row(FILE *f, const struct vl_dev *d)
{
	fprintf(f, "%-3u %-2" PRIu32 " %-17s %-6u %-5" PRIu32 " %-4" PRIu32
		   " %-15s %s\n",
		d->index, d->backend, d->mac, d->index, d->state, d->slot,
		d->bridge, d->ifname[0] ? d->ifname : "-");
}

/* One domain's reply: the rows of one kind, the rest skipped. */
struct dev_rows {
	enum vl_dev_kind kind;
	unsigned nr; /* rows printed, the next disk's handle */
};

static int on_dev(void *arg, char **f, unsigned nr)
{
	struct dev_rows *rows = arg;
	struct vl_dev d;

	if (strcmp(f[0], "disk") && strcmp(f[0], "nic") &&
	    strcmp(f[0], "virtio"))
		return 0; /* a line a later vireod may add */
	if (vl_dev_parse(f, nr, &d) < 0) {
		fprintf(stderr, "vl: bad reply from vireod\n");
		return -1;
	}
	if (d.kind != rows->kind)
		return 0;
	if (d.kind == VL_DEV_DISK) {
		d.index = rows->nr;
		vl_block_row(stdout, &d);
	} else {
		vl_network_row(stdout, &d);
	}
	rows->nr++;
	return 0;
}

/* Dom0's devices are physical: it has no rows. */
static int is_dom0(const char *dom)
{
	unsigned id;

	return !strcmp(dom, VIREOD_DOM0_NAME) ||
	       (vireod_parse_domid(dom, &id) && id == 0);
}

/*
 * As xl: the header, then each domain's rows. A domain that does not exist
 * is reported as vireod words it and the others are still listed; the exit
 * status is then 1.
 */
static int list_devices(int argc, char **argv, const char *cmd,
			enum vl_dev_kind kind)
{
	int opt, rc = 0;

	VL_FOREACH_OPT(opt, "", cmd, 1) {
	}
	if (kind == VL_DEV_DISK)
		vl_block_header(stdout);
	else
		vl_network_header(stdout);
	for (int i = optind; i < argc; i++) {
		const char *req[2] = { "devices", argv[i] };
		struct dev_rows rows = { .kind = kind, .nr = 0 };

		if (is_dom0(argv[i]))
			continue;
		fflush(stdout); /* rows before a later error message */
		if (vl_request(req, 2, on_dev, NULL, &rows) < 0)
			rc = 1;
	}
	return rc;
}

int main_block_list(int argc, char **argv)
{
	return list_devices(argc, argv, "block-list", VL_DEV_DISK);
}

int main_network_list(int argc, char **argv)
{
	return list_devices(argc, argv, "network-list", VL_DEV_NIC);
}
