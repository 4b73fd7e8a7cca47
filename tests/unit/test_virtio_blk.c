/*
 * Host test of the virtio-blk backend through the real virtio-mmio
 * transport and split queues: a fake driver sets the device up through
 * its registers, puts requests in rings inside a fake guest RAM (malloc'ed
 * to its exact size, so ASan sees any access past it), kicks QueueNotify
 * and checks the used ring, the status bytes and the image file.
 */
#define _GNU_SOURCE
#include "test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "../../backend-drivers/virtq.c"
#include "../../backend-drivers/virtio_mmio.c"
#include "../../backend-drivers/backends.c"
#include "../../backend-drivers/blk_aio.c"
#include "../../backend-drivers/blk.c"

/* backends.c lists every type; this program links only blk. */
const struct virtio_backend virtio_net_backend = { .type = "net" };
const struct virtio_backend virtio_console_backend = { .type = "console" };
const struct virtio_backend virtio_rng_backend = { .type = "rng" };

#include "virtio_driver.h"

/* ------------------------------------------------------ blk helpers */

#define SECTORS 64 /* the image: 32 KiB */

static char img_path[64];

static void make_image(size_t bytes)
{
	int fd;
	uint8_t *p = malloc(bytes);

	strcpy(img_path, "/tmp/vireo-test-blk-XXXXXX");
	fd = mkstemp(img_path);
	CHECK(fd >= 0);
	/* Sector s is filled with the byte 's'. */
	for (size_t i = 0; i < bytes; i++)
		p[i] = (uint8_t)(i / 512 + 1);
	CHECK_EQ(write(fd, p, bytes), bytes);
	close(fd);
	free(p);
}

static struct drv *blk_open_dev(const char *extra, uint32_t domid,
				unsigned index, uint64_t drop)
{
	struct virtio_backend_ctx ctx = { .domid = domid, .index = index };
	char args[256], err[256];
	void *priv = NULL;

	snprintf(args, sizeof(args), "path=%s%s", img_path, extra);
	if (virtio_blk_backend.create(&ctx, args, &priv, err, sizeof(err))) {
		fprintf(stderr, "create: %s\n", err);
		CHECK(0);
		return NULL;
	}
	struct drv *d = drv_new(&virtio_blk_backend, priv);
	drv_start(d, drop, 1);
	return d;
}

struct req {
	uint64_t hdr, data, status;
};

/*
 * A request as Linux lays it out: header, data (n_data descriptors of
 * equal size), status. Returns the buffers' guest addresses.
 */
static struct req blk_req(struct drv *d, uint32_t type, uint64_t sector,
			  uint32_t data_len, unsigned n_data, bool data_write)
{
	struct req r;
	struct virtio_blk_outhdr *h;
	struct buf b[8];
	unsigned n = 0;

	r.hdr = drv_alloc(d, 16);
	r.data = drv_alloc(d, data_len ? data_len : 1);
	r.status = drv_alloc(d, 1);
	h = gp(d, r.hdr);
	h->type = type;
	h->sector = sector;
	*(uint8_t *)gp(d, r.status) = 0xff;
	b[n++] = (struct buf){ r.hdr, 16, false };
	for (unsigned i = 0; i < n_data; i++)
		b[n++] = (struct buf){ r.data + i * (data_len / n_data),
				       data_len / n_data, data_write };
	b[n++] = (struct buf){ r.status, 1, true };
	drv_post(d, 0, b, n);
	return r;
}

static uint8_t status_of(struct drv *d, struct req r)
{
	return *(uint8_t *)gp(d, r.status);
}

/* Kick, expect exactly one used entry, return its status byte. */
static uint8_t blk_run(struct drv *d, struct req r, uint32_t *len)
{
	uint32_t l;

	drv_kick(d, 0);
	CHECK(drv_used(d, 0, &l) >= 0);
	if (len)
		*len = l;
	return status_of(d, r);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ------------------------------------------------------------- tests */

/* A config space field, read as the driver does. */
#define CFG(d, field, size)                                                   \
	virtio_mmio_read(&(d)->vm, VIRTIO_MMIO_CONFIG +                       \
			 offsetof(struct virtio_blk_config, field), size)

static void test_config_and_features(void)
{
	struct drv *d;
	uint64_t f;

	make_image(SECTORS * 512 + 100); /* the tail is not exposed */
	d = blk_open_dev("", 1, 0, 0);
	f = dev_features(d);
	CHECK(f & (1ULL << VIRTIO_BLK_F_FLUSH));
	CHECK(f & (1ULL << VIRTIO_BLK_F_SEG_MAX));
	CHECK(f & (1ULL << VIRTIO_BLK_F_BLK_SIZE));
	CHECK(f & (1ULL << VIRTIO_BLK_F_DISCARD));
	CHECK(f & (1ULL << VIRTIO_BLK_F_WRITE_ZEROES));
	CHECK(!(f & (1ULL << VIRTIO_BLK_F_RO)));
	CHECK(f & (1ULL << VIRTIO_F_VERSION_1));
	CHECK_EQ(reg_r(d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	CHECK_EQ(CFG(d, capacity, 8), SECTORS);
	CHECK_EQ(CFG(d, blk_size, 4), 512);
	CHECK_EQ(CFG(d, seg_max, 4), 254);
	CHECK_EQ(CFG(d, max_discard_seg, 4), 1);
	CHECK_EQ(CFG(d, discard_sector_alignment, 4), 8);
	CHECK(CFG(d, max_discard_sectors, 4) > 0);
	CHECK(CFG(d, max_write_zeroes_sectors, 4) > 0);
	CHECK_EQ(CFG(d, max_write_zeroes_seg, 4), 1);
	CHECK_EQ(CFG(d, write_zeroes_may_unmap, 1), 1);
	drv_free(d);
	unlink(img_path);
}

static void test_read_write_round_trip(void)
{
	struct drv *d;
	struct req r;
	uint8_t *p, file[1024];
	uint32_t len;
	int fd;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);

	/* Read sectors 3-4 in two descriptors of 512 bytes. */
	r = blk_req(d, VIRTIO_BLK_T_IN, 3, 1024, 2, true);
	CHECK_EQ(blk_run(d, r, &len), VIRTIO_BLK_S_OK);
	CHECK_EQ(len, 1025);
	p = gp(d, r.data);
	CHECK(all_bytes(p, 512, 4) && all_bytes(p + 512, 512, 5));

	/* Write them back changed, in four descriptors. */
	r = blk_req(d, VIRTIO_BLK_T_OUT, 10, 1024, 4, false);
	memset(gp(d, r.data), 0xab, 1024);
	CHECK_EQ(blk_run(d, r, &len), VIRTIO_BLK_S_OK);
	CHECK_EQ(len, 1);
	fd = open(img_path, O_RDONLY);
	CHECK_EQ(pread(fd, file, 1024, 10 * 512), 1024);
	CHECK(all_bytes(file, 1024, 0xab));
	CHECK_EQ(pread(fd, file, 512, 12 * 512), 512);
	CHECK(all_bytes(file, 512, 13)); /* the next sector is untouched */
	close(fd);

	/* And read it through the device again. */
	r = blk_req(d, VIRTIO_BLK_T_IN, 10, 1024, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 1024, 0xab));

	/* The last sector is reachable. */
	r = blk_req(d, VIRTIO_BLK_T_IN, SECTORS - 1, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 512, SECTORS));
	CHECK(!drv_needs_reset(d));
	CHECK(d->irqs > 0);
	drv_free(d);
	unlink(img_path);
}

/* Header split over two descriptors; data and status in one buffer. */
static void test_split_header_and_shared_status(void)
{
	struct drv *d;
	uint64_t hdr, data;
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = 7 };
	struct buf b[3];
	uint32_t len;
	uint8_t *p;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);
	hdr = drv_alloc(d, 16);
	data = drv_alloc(d, 513);
	memcpy(gp(d, hdr), &h, 16);
	b[0] = (struct buf){ hdr, 5, false };
	b[1] = (struct buf){ hdr + 5, 11, false };
	b[2] = (struct buf){ data, 513, true };
	drv_post(d, 0, b, 3);
	drv_kick(d, 0);
	CHECK(drv_used(d, 0, &len) >= 0);
	CHECK_EQ(len, 513);
	p = gp(d, data);
	CHECK(all_bytes(p, 512, 8));
	CHECK_EQ(p[512], VIRTIO_BLK_S_OK);
	drv_free(d);
	unlink(img_path);
}

static void test_flush_and_get_id(void)
{
	struct drv *d;
	struct req r;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 7, 2, 0);
	r = blk_req(d, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);

	r = blk_req(d, VIRTIO_BLK_T_GET_ID, 0, 20, 1, true);
	memset(gp(d, r.data), 'x', 20);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(!memcmp(gp(d, r.data), "vireo-7-2\0\0\0\0\0\0\0\0\0\0\0", 20));

	/* Too small a buffer for the 20 bytes. */
	r = blk_req(d, VIRTIO_BLK_T_GET_ID, 0, 10, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	drv_free(d);

	/* A serial of exactly 20 bytes has no terminator. */
	d = blk_open_dev(",serial=ABCDEFGHIJKLMNOPQRST", 7, 2, 0);
	r = blk_req(d, VIRTIO_BLK_T_GET_ID, 0, 20, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(!memcmp(gp(d, r.data), "ABCDEFGHIJKLMNOPQRST", 20));
	drv_free(d);
	unlink(img_path);
}

static void test_read_only(void)
{
	struct drv *d;
	struct req r;
	uint8_t file[512];
	uint64_t f;
	int fd;

	make_image(SECTORS * 512);
	d = blk_open_dev(",ro=1", 1, 0, 0);
	f = dev_features(d);
	CHECK(f & (1ULL << VIRTIO_BLK_F_RO));
	CHECK(!(f & (1ULL << VIRTIO_BLK_F_DISCARD)));
	CHECK(!(f & (1ULL << VIRTIO_BLK_F_WRITE_ZEROES)));

	r = blk_req(d, VIRTIO_BLK_T_OUT, 0, 512, 1, false);
	memset(gp(d, r.data), 0xee, 512);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	fd = open(img_path, O_RDONLY);
	CHECK_EQ(pread(fd, file, 512, 0), 512);
	CHECK(all_bytes(file, 512, 1));
	close(fd);

	r = blk_req(d, VIRTIO_BLK_T_DISCARD, 0, 16, 1, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);

	r = blk_req(d, VIRTIO_BLK_T_IN, 0, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 512, 1));
	CHECK(!drv_needs_reset(d));
	drv_free(d);
	unlink(img_path);
}

static struct req range_req(struct drv *d, uint32_t type, uint64_t sector,
			    uint32_t num, uint32_t flags)
{
	struct req r = blk_req(d, type, 0, 16, 1, false);
	struct virtio_blk_discard_write_zeroes *w = gp(d, r.data);

	w->sector = sector;
	w->num_sectors = num;
	w->flags = flags;
	return r;
}

static void test_discard_and_write_zeroes(void)
{
	struct drv *d;
	struct req r;
	struct stat before, after;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);
	stat(img_path, &before);

	/* 16 KiB at sector 16: whole 4 KiB blocks become a hole. */
	r = range_req(d, VIRTIO_BLK_T_DISCARD, 16, 32, 0);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	stat(img_path, &after);
	CHECK(after.st_blocks < before.st_blocks);
	CHECK_EQ(after.st_size, before.st_size);
	r = blk_req(d, VIRTIO_BLK_T_IN, 15, 34 * 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 512, 16));
	CHECK(all_bytes((uint8_t *)gp(d, r.data) + 512, 32 * 512, 0));
	CHECK(all_bytes((uint8_t *)gp(d, r.data) + 33 * 512, 512, 49));

	/* Write zeroes, unaligned, with and without UNMAP. */
	r = range_req(d, VIRTIO_BLK_T_WRITE_ZEROES, 1, 3, 0);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	r = range_req(d, VIRTIO_BLK_T_WRITE_ZEROES, 5, 2,
		      VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	r = blk_req(d, VIRTIO_BLK_T_IN, 0, 8 * 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	{
		uint8_t *p = gp(d, r.data);

		CHECK(all_bytes(p, 512, 1));
		CHECK(all_bytes(p + 512, 3 * 512, 0));
		CHECK(all_bytes(p + 4 * 512, 512, 5));
		CHECK(all_bytes(p + 5 * 512, 2 * 512, 0));
		CHECK(all_bytes(p + 7 * 512, 512, 8));
	}

	/* Ranges are checked: past the end, overflow, flags, counts. */
	r = range_req(d, VIRTIO_BLK_T_DISCARD, SECTORS - 1, 2, 0);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = range_req(d, VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 2, 0);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = range_req(d, VIRTIO_BLK_T_DISCARD, 0, 1,
		      VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);
	r = range_req(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, 1, 0x80);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);
	r = blk_req(d, VIRTIO_BLK_T_DISCARD, 0, 32, 1, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR); /* 2 ranges */
	r = blk_req(d, VIRTIO_BLK_T_DISCARD, 0, 0, 0, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR); /* none */
	CHECK(!drv_needs_reset(d));
	drv_free(d);

	/* A driver that did not take the feature cannot use it. */
	d = blk_open_dev("", 1, 0, 1ULL << VIRTIO_BLK_F_DISCARD);
	r = range_req(d, VIRTIO_BLK_T_DISCARD, 0, 8, 0);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);
	drv_free(d);
	unlink(img_path);
}

static void test_bad_requests(void)
{
	struct drv *d;
	struct req r;
	struct buf b[2];
	uint64_t hdr, st;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);

	/* Past the end, straddling it, and a sector that would overflow. */
	r = blk_req(d, VIRTIO_BLK_T_IN, SECTORS, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = blk_req(d, VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, 1, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = blk_req(d, VIRTIO_BLK_T_IN, UINT64_MAX - 1, 1024, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = blk_req(d, VIRTIO_BLK_T_IN, 1ULL << 60, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);

	/* Data not a whole number of sectors. */
	r = blk_req(d, VIRTIO_BLK_T_IN, 0, 100, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = blk_req(d, VIRTIO_BLK_T_OUT, 0, 700, 1, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);

	/* IN with the data in the device-readable part. */
	r = blk_req(d, VIRTIO_BLK_T_IN, 0, 512, 1, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);

	/* Unknown and legacy types. */
	r = blk_req(d, 99, 0, 0, 0, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);
	r = blk_req(d, 2 /* SCSI_CMD */, 0, 0, 0, false);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_UNSUPP);

	/* A header of 8 bytes. */
	hdr = drv_alloc(d, 8);
	st = drv_alloc(d, 1);
	b[0] = (struct buf){ hdr, 8, false };
	b[1] = (struct buf){ st, 1, true };
	drv_post(d, 0, b, 2);
	drv_kick(d, 0);
	{
		uint32_t len;

		CHECK(drv_used(d, 0, &len) >= 0);
	}
	CHECK_EQ(*(uint8_t *)gp(d, st), VIRTIO_BLK_S_IOERR);
	CHECK(!drv_needs_reset(d));

	/* Several requests in one kick are all answered. */
	struct req many[5];
	for (int i = 0; i < 5; i++)
		many[i] = blk_req(d, VIRTIO_BLK_T_IN, i, 512, 1, true);
	drv_kick(d, 0);
	for (int i = 0; i < 5; i++) {
		uint32_t len;

		CHECK(drv_used(d, 0, &len) >= 0);
		CHECK_EQ(status_of(d, many[i]), VIRTIO_BLK_S_OK);
		CHECK(all_bytes(gp(d, many[i].data), 512, i + 1));
	}

	/* No writable byte for the status: only a reset helps. */
	hdr = drv_alloc(d, 16);
	((struct virtio_blk_outhdr *)gp(d, hdr))->type = VIRTIO_BLK_T_FLUSH;
	b[0] = (struct buf){ hdr, 16, false };
	drv_post(d, 0, b, 1);
	drv_kick(d, 0);
	CHECK(drv_needs_reset(d));
	CHECK(reg_r(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	drv_free(d);
	unlink(img_path);
}

/* The image shrinks under the device: an I/O error, and the queue goes on. */
static void test_io_error(void)
{
	struct drv *d;
	struct req r;

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);
	CHECK_EQ(truncate(img_path, 4 * 512), 0);
	r = blk_req(d, VIRTIO_BLK_T_IN, 3, 1024, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_IOERR);
	r = blk_req(d, VIRTIO_BLK_T_IN, 3, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 512, 4));
	CHECK(!drv_needs_reset(d));
	drv_free(d);
	unlink(img_path);
}

/* A driver reset and a second setup: the device works again. */
static void test_reset_and_reuse(void)
{
	struct drv *d;
	struct req r;
	struct buf b = { 0 };

	make_image(SECTORS * 512);
	d = blk_open_dev("", 1, 0, 0);
	/* Break the queue: a descriptor outside guest RAM. */
	b.gpa = RAM_BASE + RAM_SIZE;
	b.len = 16;
	drv_post(d, 0, &b, 1);
	drv_kick(d, 0);
	CHECK(drv_needs_reset(d));
	memset(d->q, 0, sizeof(d->q));
	d->heap = RAM_BASE;
	drv_start(d, 0, 1);
	CHECK(!drv_needs_reset(d));
	r = blk_req(d, VIRTIO_BLK_T_IN, 2, 512, 1, true);
	CHECK_EQ(blk_run(d, r, NULL), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(gp(d, r.data), 512, 3));
	drv_free(d);
	unlink(img_path);
}

static int try_create(const char *args, char *err, size_t len)
{
	struct virtio_backend_ctx ctx = { 0 };
	void *priv = NULL;
	int r = virtio_blk_backend.create(&ctx, args, &priv, err, len);

	if (!r) {
		/* Not expected to succeed; clean up anyway. */
		struct virtio_mmio vm = { .priv = priv };
		blk_destroy(&vm);
	}
	return r;
}

static void test_create_errors(void)
{
	char err[256], args[128];

	CHECK(try_create("path=/nonexistent/vireo.img", err, sizeof(err)));
	CHECK(!strcmp(err, "blk: cannot open /nonexistent/vireo.img: "
		      "No such file or directory"));
	CHECK(try_create("", err, sizeof(err)));
	CHECK(strstr(err, "path"));
	CHECK(try_create(NULL, err, sizeof(err)));
	make_image(4096);
	snprintf(args, sizeof(args), "path=%s,ro=2", img_path);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "ro=2"));
	snprintf(args, sizeof(args), "path=%s,cache=none", img_path);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "cache"));
	snprintf(args, sizeof(args), "path=%s,serial=123456789012345678901",
		 img_path);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "serial"));
	CHECK(try_create("path=/dev/null", err, sizeof(err)));
	CHECK(virtio_backend_find("blk") == &virtio_blk_backend);
	unlink(img_path);
}

int main(void)
{
	RUN(test_config_and_features);
	RUN(test_read_write_round_trip);
	RUN(test_split_header_and_shared_status);
	RUN(test_flush_and_get_id);
	RUN(test_read_only);
	RUN(test_discard_and_write_zeroes);
	RUN(test_bad_requests);
	RUN(test_io_error);
	RUN(test_reset_and_reuse);
	RUN(test_create_errors);
	TEST_DONE();
}
