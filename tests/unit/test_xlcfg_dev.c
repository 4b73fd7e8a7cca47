/*
 * The device spec parsers of xl.cfg (dom0-tools/libvireo/xlcfg_dev.c and
 * xlcfg_vif.c) called directly, as `vl block-attach` or vireod would: the
 * spec forms, the blanks and commas, each error (with *out left zeroed),
 * warnings and a warn callback that fails, allocation failures, and the MAC
 * helpers. Whole configs, with locations, are tests/unit/xlcfg/dev_*.cfg.
 */
#define TEST_NO_PRINTK
#include "test.h"

/* Fail the allocation that brings the countdown to zero; -1: never. */
static long alloc_countdown = -1;

static void *test_malloc(size_t n)
{
	return alloc_countdown >= 0 && alloc_countdown-- == 0 ? NULL
							      : malloc(n);
}

static void *test_realloc(void *p, size_t n)
{
	return alloc_countdown >= 0 && alloc_countdown-- == 0 ? NULL
							      : realloc(p, n);
}

#define malloc(n) test_malloc(n)
#define realloc(p, n) test_realloc(p, n)
#include "../../dom0-tools/libvireo/xlcfg_lex.c"
#include "../../dom0-tools/libvireo/xlcfg_value.c"
#include "../../dom0-tools/libvireo/xlcfg.c"
#include "../../dom0-tools/libvireo/xlcfg_parse.c"
#include "../../dom0-tools/libvireo/xlcfg_dev.c"
#include "../../dom0-tools/libvireo/xlcfg_vif.c"
#include "../../dom0-tools/libvireo/xlcfg_devlist.c"
#include "../../dom0-tools/libvireo/xlcfg_sched.c"
#include "../../dom0-tools/libvireo/cpumap.c"
#undef malloc
#undef realloc

#define STR_IS(got, want) CHECK(!strcmp((got), (want)))

/* What the parsers said: the error and the warnings, one a line. */
struct said {
	char err[256];
	char warns[1024];
	int fail_warn; /* the warn callback returns -1 */
};

static int collect(void *ctx, const char *msg)
{
	struct said *s = ctx;

	if (s->fail_warn)
		return -1;
	strncat(s->warns, msg, sizeof(s->warns) - strlen(s->warns) - 2);
	strcat(s->warns, "\n");
	return 0;
}

static struct xlcfg_dev_diag diag_for(struct said *s)
{
	struct xlcfg_dev_diag d = {s->err, sizeof(s->err), collect, s};

	memset(s->err, 'x', sizeof(s->err) - 1);
	s->err[sizeof(s->err) - 1] = '\0';
	s->warns[0] = '\0';
	return d;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* ---------------------------------------------------------------- disk */

/* Parse spec; on success compare with vdev, readonly and target. */
static void disk_ok(const char *spec, const char *vdev, int ro,
		    const char *target)
{
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_disk disk;

	CHECK_EQ(xlcfg_disk_parse(spec, &disk, &d), 0);
	if (!disk.target) {
		fprintf(stderr, "'%s': %s\n", spec, s.err);
		return;
	}
	STR_IS(s.err, "");
	STR_IS(disk.vdev, vdev);
	STR_IS(disk.target, target);
	CHECK_EQ(disk.readonly, ro);
	xlcfg_disk_release(&disk);
	CHECK(all_zero(&disk, sizeof(disk)));
}

static void disk_bad(const char *spec, const char *err)
{
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_disk disk;

	memset(&disk, 0xa5, sizeof(disk));
	CHECK_EQ(xlcfg_disk_parse(spec, &disk, &d), -1);
	if (strcmp(s.err, err))
		fprintf(stderr, "'%s':\n  want: %s\n  got:  %s\n", spec, err,
			s.err);
	STR_IS(s.err, err);
	CHECK(all_zero(&disk, sizeof(disk)));
}

static void test_disk_forms(void)
{
	/* The equivalent forms of xl-disk-configuration(5). */
	disk_ok("/dev/vg/guest-volume,,hda", "hda", 0, "/dev/vg/guest-volume");
	disk_ok("/dev/vg/guest-volume,raw,hda,rw", "hda", 0,
		"/dev/vg/guest-volume");
	disk_ok("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
		"hda", 0, "/dev/vg/guest-volume");
	disk_ok("raw:/dev/vg/guest-volume,hda,w", "hda", 0,
		"/dev/vg/guest-volume");
	/* Legacy prefixes, stacked; old "vdev:disk". */
	disk_ok("file:/data/g.img,xvda,w", "xvda", 0, "/data/g.img");
	disk_ok("phy:/dev/vdb,xvdb,r", "xvdb", 1, "/dev/vdb");
	disk_ok("tap:tapdisk:aio:/i.img,sda:disk,ro", "sda", 1, "/i.img");
	disk_ok("ioemu:/i.img,vdzzz,rw", "vdzzz", 0, "/i.img");
	/* Relative targets are under /dev, as in xl; a colon in a path. */
	disk_ok("vg/lv,,xvdc", "xvdc", 0, "/dev/vg/lv");
	disk_ok("vg:lv,,xvdc", "xvdc", 0, "/dev/vg:lv");
	/* Keys in any order, target= last and taking the rest. */
	disk_ok("access=ro,vdev=xvdd,target=/a, b ,c.img  ", "xvdd", 1,
		"/a, b ,c.img  ");
	disk_ok(",,xvde,,target=/late.img", "xvde", 0, "/late.img");
	disk_ok("  /sp.img ,  raw  , xvdf , r ", "xvdf", 1, "/sp.img");
	disk_ok("/t.img,,xvdg,", "xvdg", 0, "/t.img");
	disk_ok("/t.img,,xvdg,w,", "xvdg", 0, "/t.img");
	disk_ok("vdev = xvdh , target = /eq.img", "xvdh", 0, "/eq.img");
	/* Accepted and ignored, or meaning what Vireo does anyway. */
	disk_ok("/f.img,,xvdi,devtype=disk,backendtype=standalone,"
		"specification=virtio,transport=mmio,backend=Domain-0,"
		"grant_usage=0,no-discard,untrusted,no-colo",
		"xvdi", 0, "/f.img");
}

static void test_disk_errors(void)
{
	disk_bad("", "no target (the disk's image file)");
	disk_bad(",,xvda", "no target (the disk's image file)");
	disk_bad("target=", "no target (the disk's image file)");
	disk_bad("/a.img", "no vdev (e.g. vdev=xvda)");
	disk_bad("/a.img,raw,,rw", "no vdev (e.g. vdev=xvda)");
	disk_bad("/a.img,,xvd", "invalid vdev 'xvd' (xvdX, hdX, sdX or vdX, "
				"X from a to zzz)");
	disk_bad("/a.img,,xvdaaaa", "invalid vdev 'xvdaaaa' (xvdX, hdX, sdX "
				    "or vdX, X from a to zzz)");
	disk_bad("/a.img,,XVDA", "invalid vdev 'XVDA' (xvdX, hdX, sdX or "
				 "vdX, X from a to zzz)");
	disk_bad("/a.img,,d0p1", "invalid vdev 'd0p1' (xvdX, hdX, sdX or "
				 "vdX, X from a to zzz)");
	disk_bad("/a.img,vhd,xvda",
		 "format 'vhd' is not supported: Vireo disks are raw files");
	disk_bad("/a.img,,xvda,rw,x", "too many positional parameters ('x')");
	disk_bad("file:/a.img,xvda,w,x", "too many positional parameters "
					 "('x')");
	disk_bad("/a.img,,xvda,target=/b.img", "target given twice");
	disk_bad("vdev=xvda,vdev=xvdb,target=/a", "vdev given twice");
	disk_bad("/a.img,,xvda,devtype=disk,devtype=disk",
		 "devtype given twice");
	disk_bad("/a.img,,hdc:cdrom", "CD-ROM drives are not supported");
	disk_bad("/a.img,,xvda,colo", "colo is not supported");
	disk_bad("iscsi:iqn.2001-04.com.example:disk,xvda,w",
		 "'iscsi:' (a block script) is not supported: Vireo runs no "
		 "scripts");
	disk_bad("raw:qcow2:/a.img,xvda,w", "format given twice");
	disk_bad("/a.img,,xvda,grant_usage=yes",
		 "invalid grant_usage 'yes' (0 or 1)");
	disk_bad("/a.img,,xvda,backendtype=blktap",
		 "unknown backendtype 'blktap'");
	disk_bad("/a.img,,xvda,colo-host=h", "unknown key 'colo-host'");
}

/* specification=xen: a warning, and a warn callback that fails. */
static void test_disk_warnings(void)
{
	const char *spec = "/a.img,,xvda,specification=xen";
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_disk disk;

	CHECK_EQ(xlcfg_disk_parse(spec, &disk, &d), 0);
	STR_IS(s.warns, "specification=xen served as virtio (Vireo has no "
			"PV block devices)\n");
	xlcfg_disk_release(&disk);
	s.fail_warn = 1;
	CHECK_EQ(xlcfg_disk_parse(spec, &disk, &d), -1);
	STR_IS(s.err, "out of memory");
	CHECK(all_zero(&disk, sizeof(disk)));
	/* No warn callback, no room for the error: both are dropped. */
	d.warn = NULL;
	CHECK_EQ(xlcfg_disk_parse(spec, &disk, &d), 0);
	xlcfg_disk_release(&disk);
	d.err = NULL;
	d.errlen = 0;
	CHECK_EQ(xlcfg_disk_parse("/a.img", &disk, &d), -1);
	/* A short buffer: the error is cut. */
	d.err = s.err;
	d.errlen = 8;
	CHECK_EQ(xlcfg_disk_parse("/a.img", &disk, &d), -1);
	STR_IS(s.err, "no vdev");
}

/* ----------------------------------------------------------------- vif */

static void vif_ok(const char *spec, const char *mac, const char *bridge,
		   const char *vifname, const char *warns)
{
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_vif v;
	char buf[XLCFG_MAC_STRLEN];

	CHECK_EQ(xlcfg_vif_parse(spec, &v, &d), 0);
	STR_IS(s.err, "");
	CHECK_EQ(v.mac_set, mac != NULL);
	if (mac) {
		CHECK_EQ(xlcfg_format_mac(v.mac, buf, sizeof(buf)), 0);
		STR_IS(buf, mac);
	} else {
		CHECK(all_zero(v.mac, sizeof(v.mac)));
	}
	STR_IS(v.bridge, bridge);
	STR_IS(v.vifname, vifname);
	if (strcmp(s.warns, warns))
		fprintf(stderr, "'%s':\n  want: %s\n  got:  %s\n", spec, warns,
			s.warns);
	STR_IS(s.warns, warns);
}

static void vif_bad(const char *spec, const char *err)
{
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_vif v;

	memset(&v, 0xa5, sizeof(v));
	CHECK_EQ(xlcfg_vif_parse(spec, &v, &d), -1);
	if (strcmp(s.err, err))
		fprintf(stderr, "'%s':\n  want: %s\n  got:  %s\n", spec, err,
			s.err);
	STR_IS(s.err, err);
	CHECK(all_zero(&v, sizeof(v)));
}

static void test_vif(void)
{
	vif_ok("", NULL, "vbr0", "", "");
	vif_ok(" , ,", NULL, "vbr0", "", "");
	vif_ok("mac=00:16:3E:74:3d:76,bridge=xenbr0", "00:16:3e:74:3d:76",
	       "xenbr0", "", "");
	vif_ok("  mac = 02:00:00:00:00:01 ,  vifname=abcdefghijklmno ",
	       "02:00:00:00:00:01", "vbr0", "abcdefghijklmno", "");
	vif_ok("type=virtio,model=virtio,backend=0,trusted,untrusted", NULL,
	       "vbr0", "", "");
	vif_ok("model=rtl8139,script=vif-bridge,netdev=eth1", NULL, "vbr0",
	       "",
	       "model=rtl8139 ignored: every vif is virtio-net\n"
	       "script=vif-bridge ignored: vireod adds the tap to the bridge "
	       "itself\n"
	       "netdev=eth1 ignored: only hotplug scripts read it, and Vireo "
	       "runs none\n");
	vif_ok("bridge=br-lan.10", NULL, "br-lan.10", "", "");
}

static void test_vif_errors(void)
{
	static const char ifname_err[] = "is not an interface name (1 to 15 "
					 "characters, no '/', ':' or blanks)";
	char want[256];

	vif_bad("mac=00:16:3e:00:00", "invalid mac '00:16:3e:00:00' (six hex "
				      "bytes, e.g. 00:16:3e:01:02:03)");
	vif_bad("mac=00-16-3e-00-00-01", "invalid mac '00-16-3e-00-00-01' "
					 "(six hex bytes, e.g. "
					 "00:16:3e:01:02:03)");
	vif_bad("mac=33:33:00:00:00:01", "mac 33:33:00:00:00:01 is a "
					 "multicast address (the first byte "
					 "must be even)");
	vif_bad("mac=", "invalid mac '' (six hex bytes, e.g. "
			"00:16:3e:01:02:03)");
	snprintf(want, sizeof(want), "bridge 'abcdefghijklmnop' %s",
		 ifname_err);
	vif_bad("bridge=abcdefghijklmnop", want);
	snprintf(want, sizeof(want), "bridge '' %s", ifname_err);
	vif_bad("bridge=", want);
	snprintf(want, sizeof(want), "vifname '..' %s", ifname_err);
	vif_bad("vifname=..", want);
	snprintf(want, sizeof(want), "vifname 'a:b' %s", ifname_err);
	vif_bad("vifname=a:b", want);
	snprintf(want, sizeof(want), "vifname 'a b' %s", ifname_err);
	vif_bad("vifname=a b", want);
	snprintf(want, sizeof(want), "vifname 't\xc3\xa4p' %s", ifname_err);
	vif_bad("vifname=t\xc3\xa4p", want);
	vif_bad("mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02",
		"mac given twice");
	vif_bad("script=/etc/xen/scripts/vif-nat",
		"script '/etc/xen/scripts/vif-nat' is not supported: vireod "
		"only bridges, it runs no hotplug scripts");
	vif_bad("backend=netdom", "backend 'netdom' is not supported: "
				  "Domain-0 serves every device");
	vif_bad("accel=x", "unknown key 'accel'");
}

/* -------------------------------------------------------------- virtio */

static void test_virtio(void)
{
	static const struct {
		const char *spec;
		unsigned id;
		const char *err;
	} cases[] = {
	    {"type=virtio,device3", 3, NULL},
	    {" transport = mmio , type=virtio,device4 ", 4, NULL},
	    {"type=virtio,device4,backend=Domain-0,grant_usage=0", 4, NULL},
	    {"type=virtio,device1a", 0,
	     "virtio device 1a not supported (3 = console, 4 = rng)"},
	    {"type=virtio,device04", 0,
	     "invalid virtio device ID '04' (lower-case hex)"},
	    {"type=virtio,deviceA", 0,
	     "invalid virtio device ID 'A' (lower-case hex)"},
	    {"type=virtio,device123456789", 0,
	     "invalid virtio device ID '123456789' (lower-case hex)"},
	    {"type=virtio", 0,
	     "type must be virtio,deviceN (3 = console, 4 = rng)"},
	    {"type=virtio,device3,type=virtio,device4", 0,
	     "type given twice"},
	    {"type=virtio,device3,grant_usage=1", 0,
	     "grant_usage=1 is not supported: Domain-0 maps guest memory "
	     "directly"},
	    {"type=virtio,device3,backend=1", 0,
	     "backend '1' is not supported: Domain-0 serves every device"},
	    {"type=virtio,device3,mmio", 0, "expected key=value, not 'mmio'"},
	    {"", 0,
	     "no type (type=virtio,device3 for a console, "
	     "type=virtio,device4 for an rng)"},
	};
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_virtio v;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0xa5, sizeof(v));
		CHECK_EQ(xlcfg_virtio_parse(cases[i].spec, &v, &d),
			 cases[i].err ? -1 : 0);
		CHECK_EQ(v.device_id, cases[i].id);
		STR_IS(s.err, cases[i].err ? cases[i].err : "");
		if (cases[i].err && strcmp(s.err, cases[i].err))
			fprintf(stderr, "'%s': %s\n", cases[i].spec, s.err);
	}
	STR_IS(xlcfg_virtio_name(3), "console");
	STR_IS(xlcfg_virtio_name(4), "rng");
	CHECK(xlcfg_virtio_name(0) == NULL && xlcfg_virtio_name(1) == NULL);
}

/* ----------------------------------------------------- MACs, allocation */

static void test_mac(void)
{
	static const uint8_t m[6] = {0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c};
	uint8_t got[6], r[4][6];
	char buf[XLCFG_MAC_STRLEN];
	int differ = 0, i;

	CHECK_EQ(xlcfg_format_mac(m, buf, sizeof(buf)), 0);
	STR_IS(buf, "00:16:3e:0a:0b:0c");
	CHECK_EQ(xlcfg_format_mac(m, buf, sizeof(buf) - 1), -1);
	STR_IS(buf, "");
	CHECK_EQ(xlcfg_format_mac(m, NULL, 0), -1);
	CHECK_EQ(xlcfg_parse_mac("00:16:3E:0A:0b:0C", got), 0);
	CHECK(!memcmp(got, m, 6));
	memcpy(got, m, 6);
	CHECK_EQ(xlcfg_parse_mac("00:16:3e:0a:0b:0c ", got), -1);
	CHECK_EQ(xlcfg_parse_mac("00:16:3e:0a:0b", got), -1);
	CHECK_EQ(xlcfg_parse_mac("00:16:3e:0a:0b:0g", got), -1);
	CHECK_EQ(xlcfg_parse_mac("0:16:3e:0a:0b:0c", got), -1);
	CHECK_EQ(xlcfg_parse_mac("", got), -1);
	CHECK(!memcmp(got, m, 6)); /* untouched on failure */
	for (i = 0; i < 4; i++) {
		xlcfg_vif_random_mac(r[i]);
		CHECK(r[i][0] == 0x00 && r[i][1] == 0x16 && r[i][2] == 0x3e);
		differ |= i && memcmp(r[i], r[0], 6);
	}
	CHECK(differ); /* 4 equal draws of 24 bits: 2^-72 */
}

/* Every allocation of each parser, failed in turn: "out of memory". */
static void test_alloc_failures(void)
{
	static const char disk[] = "tap:aio:/a.img,xvda:disk,r";
	struct said s = {0};
	struct xlcfg_dev_diag d = diag_for(&s);
	struct xlcfg_disk dk;
	struct xlcfg_vif v;
	struct xlcfg_virtio vt;
	long n;
	int rc;

	for (n = 0; n < 100; n++) {
		alloc_countdown = n;
		rc = xlcfg_disk_parse(disk, &dk, &d);
		alloc_countdown = -1;
		if (!rc)
			break;
		STR_IS(s.err, "out of memory");
		CHECK(all_zero(&dk, sizeof(dk)));
	}
	CHECK_EQ(n, 2); /* the copy, the target */
	xlcfg_disk_release(&dk);
	alloc_countdown = 0;
	CHECK_EQ(xlcfg_vif_parse("bridge=br1", &v, &d), -1);
	STR_IS(s.err, "out of memory");
	alloc_countdown = 0;
	CHECK_EQ(xlcfg_virtio_parse("type=virtio,device3", &vt, &d), -1);
	STR_IS(s.err, "out of memory");
	alloc_countdown = -1;
}

int main(void)
{
	RUN(test_disk_forms);
	RUN(test_disk_errors);
	RUN(test_disk_warnings);
	RUN(test_vif);
	RUN(test_vif_errors);
	RUN(test_virtio);
	RUN(test_mac);
	RUN(test_alloc_failures);
	TEST_DONE();
}
