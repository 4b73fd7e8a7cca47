/*
 * virtio-blk (virtio 1.2, section 5.2) over a raw image file or block
 * device in Dom0.
 *
 * Arguments ("key=value,..."):
 *   path=FILE	the image (required); opened O_RDWR, or O_RDONLY with ro=1
 *   ro=0|1	offer VIRTIO_BLK_F_RO and refuse every write
 *   serial=S	the VIRTIO_BLK_T_GET_ID string, at most 20 bytes
 *		(default "vireo-<domid>-<index>")
 *
 * Reads and writes go through a second, O_DIRECT descriptor of the same
 * file (as Xen's qdisk and QEMU's cache=none do): the guest has its own
 * page cache, and a second one in Dom0 would only cost memory, and would
 * make the guest's O_DIRECT writes look done before they reach the disk.
 * When vireo-dm maps the guest's RAM 1:1 (guest_mem.direct: ordinary
 * pages Dom0's kernel can pin), requests whose buffers are sector-aligned
 * go straight between the file and guest memory: zero copy, the disk's
 * DMA lands in the guest's frames. Otherwise guest memory is a PFN mapping
 * of Dom0's foreign window, which O_DIRECT cannot pin, and the data passes
 * through an aligned bounce buffer (the one copy buffered I/O would make
 * anyway). Files where O_DIRECT is refused (tmpfs) and requests larger
 * than the buffer use the ordinary descriptor; Linux keeps the two
 * coherent. The device counts its requests by path and logs the counts
 * when it goes (test_blk_zerocopy reads them).
 *
 * One request queue. A request is a chain laid out as
 *
 *   device-readable:  struct virtio_blk_outhdr (16 bytes) [+ data for OUT,
 *                     or discard/write-zeroes ranges]
 *   device-writable:  [data for IN / GET_ID] + 1 status byte (the LAST byte)
 *
 * The driver is free to split any of this across descriptors, so the
 * header is copied out with virtq_iov_to_buf() and the status byte is found
 * as the last writable byte, wherever it falls. Requests are served
 * synchronously from notify(): a raw file in Dom0's page cache is fast, and
 * the guest's vCPU does not wait on QueueNotify (the write is posted).
 *
 * Every request that has a status byte gets an answer: a malformed one is
 * VIRTIO_BLK_S_IOERR (or S_UNSUPP for an unknown type) and the queue goes
 * on. Only a chain without a writable byte, which cannot be answered at
 * all, stops the device (DEVICE_NEEDS_RESET).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "blk_aio.h"
#include "virtio_backend.h"

#define BLK_SECTOR_SHIFT 9
#define BLK_SECTOR_SIZE (1u << BLK_SECTOR_SHIFT)
#define BLK_HDR_SIZE sizeof(struct virtio_blk_outhdr)
/* An element holds VIRTQ_MAX_SEGS iovecs: two go to header and status. */
#define BLK_SEG_MAX (VIRTQ_MAX_SEGS - 2)
_Static_assert(BLK_SEG_MAX == BLK_AIO_SEGS, "blk_aio.h");
/* blk_execute(): the request is in flight, its status comes later. */
#define BLK_S_DEFERRED 0xff
/*
 * Discard and write-zeroes limits offered in config space: one range per
 * request (Linux then sends exactly one), each under 4 GiB so that its
 * byte count fits 32 bits. The alignment (8 sectors, 4 KiB) is
 * a hint for the guest's discard granularity: a hole can only be punched
 * in whole filesystem blocks, the rest is zeroed.
 */
#define BLK_MAX_RANGE_SECTORS (UINT32_MAX >> BLK_SECTOR_SHIFT)
#define BLK_MAX_RANGES 1
#define BLK_DISCARD_ALIGN 8
/* The O_DIRECT bounce buffer: one 1 MiB request and its odd pages. */
#define BLK_BOUNCE (2u << 20)
/* Zeroes written per pwrite() when fallocate() cannot zero a range. */
#define BLK_ZERO_CHUNK (64 * 1024)
/* Size of the config space we expose: up to write_zeroes_may_unmap. */
#define BLK_CONFIG_SIZE \
	offsetof(struct virtio_blk_config, max_secure_erase_sectors)

struct blk {
	int fd;
	int dfd; /* O_DIRECT, or -1 */
	void *bounce; /* BLK_BOUNCE bytes, page aligned, for dfd */
	bool ro;
	bool zero_copy; /* guest memory can be given to O_DIRECT as it is */
	uint64_t n_zero_copy, n_bounced, n_buffered; /* requests by path */
	struct blk_aio aio; /* zero-copy requests in flight */
	uint64_t capacity; /* in 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	char *path;
};

/* ------------------------------------------------------------ create */

/* Values live only during the callback: what we keep is copied. */
struct blk_args {
	struct blk *b;
	char *path;
	bool serial_set;
	char *err;
	size_t errlen;
};

static int blk_arg(void *opaque, const char *key, const char *value)
{
	struct blk_args *a = opaque;

	if (!strcmp(key, "path") && *value) {
		free(a->path);
		a->path = strdup(value);
		if (!a->path) {
			snprintf(a->err, a->errlen, "blk: out of memory");
			return -1;
		}
	} else if (!strcmp(key, "ro") && (!strcmp(value, "0") ||
					  !strcmp(value, "1"))) {
		a->b->ro = value[0] == '1';
	} else if (!strcmp(key, "serial")) {
		if (strlen(value) > VIRTIO_BLK_ID_BYTES) {
			snprintf(a->err, a->errlen,
				 "blk: serial longer than %d bytes",
				 VIRTIO_BLK_ID_BYTES);
			return -1;
		}
		strcpy(a->b->serial, value);
		a->serial_set = true;
	} else {
		snprintf(a->err, a->errlen, "blk: bad argument '%s=%s'", key,
			 value);
		return -1;
	}
	return 0;
}

/* The size of a regular file, or of a block device (st_size is 0 there). */
static int blk_size(int fd, uint64_t *bytes)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, bytes) < 0 ? -1 : 0;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	*bytes = st.st_size;
	return 0;
}

/* Open the image and size it. */
static int blk_open(struct blk *b, const char *path, char *err, size_t errlen)
{
	uint64_t bytes;

	b->fd = open(path, (b->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "blk: cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (blk_size(b->fd, &bytes) < 0) {
		snprintf(err, errlen, "blk: cannot size %s: %s", path,
			 strerror(errno));
		close(b->fd);
		return -1;
	}
	/* A partial last sector is not exposed: the guest sees whole ones. */
	b->capacity = bytes >> BLK_SECTOR_SHIFT;
	b->dfd = open(path, (b->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
	if (b->dfd >= 0 && posix_memalign(&b->bounce, 4096, BLK_BOUNCE)) {
		close(b->dfd);
		b->dfd = -1;
	}
	return 0;
}

static int blk_create(const struct virtio_backend_ctx *ctx, const char *args,
		      void **priv, char *err, size_t errlen)
{
	struct blk *b = calloc(1, sizeof(*b));
	struct blk_args a = { .b = b, .err = err, .errlen = errlen };
	int r;

	if (!b) {
		snprintf(err, errlen, "blk: out of memory");
		return -1;
	}
	if (errlen)
		err[0] = '\0';
	r = virtio_backend_args(args ? args : "", blk_arg, &a);
	if (r) {
		if (errlen && !err[0])
			snprintf(err, errlen, "blk: malformed arguments '%s'",
				 args ? args : "");
		goto fail;
	}
	if (!a.path) {
		snprintf(err, errlen, "blk: path= is required");
		goto fail;
	}
	if (!a.serial_set)
		snprintf(b->serial, sizeof(b->serial), "vireo-%u-%u",
			 ctx->domid, ctx->index);
	if (blk_open(b, a.path, err, errlen) < 0)
		goto fail;
	blk_aio_init(&b->aio);
	b->path = a.path;
	*priv = b;
	return 0;
fail:
	free(a.path);
	free(b);
	return -1;
}

static void blk_destroy(struct virtio_mmio *vm)
{
	struct blk *b = vm->priv;

	if (!b)
		return;
	blk_aio_fini(&b->aio);
	fprintf(stderr, "vireo-dm: blk %s: %llu zero-copy requests, %llu "
		"through the bounce buffer, %llu buffered; at most %u in "
		"flight\n", b->path,
		(unsigned long long)b->n_zero_copy,
		(unsigned long long)b->n_bounced,
		(unsigned long long)b->n_buffered, b->aio.max_inflight);
	close(b->fd);
	if (b->dfd >= 0)
		close(b->dfd);
	free(b->bounce);
	free(b->path);
	free(b);
	vm->priv = NULL;
}

/* ------------------------------------------------- features and config */

static uint64_t blk_features(struct virtio_mmio *vm)
{
	struct blk *b = vm->priv;
	uint64_t f = 1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_SEG_MAX |
		     1ULL << VIRTIO_BLK_F_BLK_SIZE;

	if (b->ro)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	else
		f |= 1ULL << VIRTIO_BLK_F_DISCARD |
		     1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

static void blk_get_config(struct virtio_mmio *vm, void *buf)
{
	struct blk *b = vm->priv;
	struct virtio_blk_config c;

	/* Little-endian fields: the host order on riscv64 and x86-64. */
	memset(&c, 0, sizeof(c));
	c.capacity = b->capacity;
	c.seg_max = BLK_SEG_MAX;
	c.blk_size = BLK_SECTOR_SIZE;
	if (!b->ro) {
		c.max_discard_sectors = BLK_MAX_RANGE_SECTORS;
		c.max_discard_seg = BLK_MAX_RANGES;
		c.discard_sector_alignment = BLK_DISCARD_ALIGN;
		c.max_write_zeroes_sectors = BLK_MAX_RANGE_SECTORS;
		c.max_write_zeroes_seg = BLK_MAX_RANGES;
		/* A write-zeroes with UNMAP punches a hole. */
		c.write_zeroes_may_unmap = 1;
	}
	memcpy(buf, &c, BLK_CONFIG_SIZE);
}

/* ------------------------------------------------------------ requests */

/* One request, its parts located in the element's iovecs. */
struct blk_req {
	struct virtio_blk_outhdr hdr;
	struct iovec *data;	/* the data iovecs (trimmed copies) */
	unsigned n_data;
	uint64_t data_len;	/* bytes in data */
	uint8_t *status;	/* the last device-writable byte */
	uint16_t head;		/* the chain, and its used length, for a */
	uint32_t used_len;	/* completion that comes later (AIO) */
	bool batch;		/* others are queued or in flight beside it */
};

/*
 * Skip the first skip bytes of iov[0..*n) in place: afterwards iov points
 * at the first iovec with bytes left (*n shrinks accordingly).
 */
static struct iovec *blk_iov_skip(struct iovec *iov, unsigned *n, size_t skip)
{
	while (*n && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n) {
		iov->iov_base = (uint8_t *)iov->iov_base + skip;
		iov->iov_len -= skip;
	}
	return iov;
}

/*
 * Split the element: the writable part minus its last byte (the status)
 * is the IN data, the readable part after the 16-byte header the OUT data.
 * Returns -1 if there is no writable byte at all. (virtq.c refuses
 * zero-length descriptors; skipping empty iovecs keeps this correct even
 * without that rule.)
 */
static int blk_locate(struct virtq_elem *e, struct blk_req *req)
{
	struct iovec *in = e->iov + e->n_out;
	unsigned n_in = e->n_in;

	while (n_in && in[n_in - 1].iov_len == 0)
		n_in--;
	if (!n_in)
		return -1;
	req->status = (uint8_t *)in[n_in - 1].iov_base +
		      in[n_in - 1].iov_len - 1;
	/* Trim the status byte off the IN data (the element is scratch). */
	if (--in[n_in - 1].iov_len == 0)
		n_in--;
	memset(&req->hdr, 0, sizeof(req->hdr));
	virtq_iov_to_buf(e->iov, e->n_out, 0, &req->hdr, BLK_HDR_SIZE);
	if (req->hdr.type == VIRTIO_BLK_T_IN ||
	    req->hdr.type == VIRTIO_BLK_T_GET_ID) {
		req->data = in;
		req->n_data = n_in;
		req->data_len = e->in_len - 1;
	} else if (e->out_len >= BLK_HDR_SIZE) {
		req->n_data = e->n_out;
		req->data = blk_iov_skip(e->iov, &req->n_data, BLK_HDR_SIZE);
		req->data_len = e->out_len - BLK_HDR_SIZE;
	} else {
		req->data = NULL; /* short header: answered with IOERR */
		req->n_data = 0;
		req->data_len = 0;
	}
	return 0;
}

/* Is [sector, sector + nsect) inside the disk? (No overflow possible.) */
static bool blk_in_range(const struct blk *b, uint64_t sector, uint64_t nsect)
{
	return sector <= b->capacity && nsect <= b->capacity - sector;
}

/*
 * preadv/pwritev the whole of iov[0..n) at off, resuming after short
 * transfers and EINTR. The iovecs are consumed. Returns 0 or -1 (errno
 * set; EIO for an unexpected end of file).
 */
static int blk_rw(int fd, bool write, struct iovec *iov, unsigned n, off_t off)
{
	ssize_t r;

	iov = blk_iov_skip(iov, &n, 0);
	for (; n; iov = blk_iov_skip(iov, &n, r)) {
		unsigned cnt = n < IOV_MAX ? n : IOV_MAX;

		r = write ? pwritev(fd, iov, cnt, off) :
			    preadv(fd, iov, cnt, off);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r < 0)
			return -1;
		if (r == 0) {
			/* The file shrank under us: retrying cannot help. */
			errno = EIO;
			return -1;
		}
		off += r;
	}
	return 0;
}

/* Every buffer sector-aligned in address and length (O_DIRECT's rule). */
static bool blk_iov_aligned(const struct iovec *iov, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) &
		    (BLK_SECTOR_SIZE - 1))
			return false;
	return true;
}

/*
 * O_DIRECT straight into guest memory (through AIO when a slot is free),
 * or through the bounce buffer. Returns 0, 2 (in flight: its completion
 * writes the status), -1 with errno, or 1 when the request cannot go this
 * way (the caller falls back).
 */
static int blk_direct(struct blk *b, bool write, const struct blk_req *req,
		      off_t off)
{
	size_t len = req->data_len;
	ssize_t r;

	if (b->dfd >= 0 && b->zero_copy && req->n_data <= BLK_SEG_MAX &&
	    blk_iov_aligned(req->data, req->n_data)) {
		struct iovec iov[BLK_SEG_MAX];
		/*
		 * AIO only when the driver keeps several requests going: for
		 * one at a time, the submit, eventfd wake-up and reap cost
		 * more than they overlap (4 KiB random reads lost a fifth).
		 */
		int q = req->batch ?
				blk_aio_submit(&b->aio, b->dfd, write, req->data,
					       req->n_data, off, len, req->head,
					       req->used_len, req->status) :
				1;

		if (q == 0) {
			b->n_zero_copy++;
			return 2; /* in flight */
		}
		if (q < 0)
			return -1;
		/* blk_rw() consumes its iovecs: the element's stay intact
		 * for the bounce path if the file system refuses these. */
		memcpy(iov, req->data, req->n_data * sizeof(iov[0]));
		if (blk_rw(b->dfd, write, iov, req->n_data, off) == 0) {
			b->n_zero_copy++;
			return 0;
		}
		if (errno != EINVAL)
			return -1;
	}
	if (b->dfd < 0 || len > BLK_BOUNCE)
		return 1;
	if (write)
		virtq_iov_to_buf(req->data, req->n_data, 0, b->bounce, len);
	do
		r = write ? pwrite(b->dfd, b->bounce, len, off)
			  : pread(b->dfd, b->bounce, len, off);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EINVAL)
		return 1; /* the file system's alignment is larger than ours */
	if (r >= 0 && (size_t)r != len) {
		errno = EIO; /* the file shrank under us */
		return -1;
	}
	if (r < 0)
		return -1;
	if (!write)
		virtq_buf_to_iov(req->data, req->n_data, 0, b->bounce, len);
	b->n_bounced++;
	return 0;
}

/* IN and OUT: whole sectors, all inside the disk, no writes when ro. */
static uint8_t blk_do_rw(struct blk *b, struct blk_req *req, bool write)
{
	off_t off;
	int r;

	if (req->data_len % BLK_SECTOR_SIZE ||
	    !blk_in_range(b, req->hdr.sector,
			  req->data_len >> BLK_SECTOR_SHIFT))
		return VIRTIO_BLK_S_IOERR;
	if (write && b->ro)
		return VIRTIO_BLK_S_IOERR;
	off = (off_t)(req->hdr.sector << BLK_SECTOR_SHIFT);
	r = blk_direct(b, write, req, off);
	if (r == 2)
		return BLK_S_DEFERRED;
	if (r == 1) {
		b->n_buffered++;
		r = blk_rw(b->fd, write, req->data, req->n_data, off);
	}
	if (r < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static int blk_fallocate(int fd, int mode, off_t off, off_t len)
{
	int r;

	do
		r = fallocate(fd, mode, off, len);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Zero [off, off + len) by writing zeroes: the last resort. */
static int blk_write_zeroes_slow(int fd, off_t off, uint64_t len)
{
	static const uint8_t zeroes[BLK_ZERO_CHUNK];

	while (len) {
		size_t n = len < sizeof(zeroes) ? len : sizeof(zeroes);
		struct iovec iov = { (void *)zeroes, n };

		if (blk_rw(fd, true, &iov, 1, off) < 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Apply one discard or write-zeroes range. A discard may drop the data
 * (a hole then reads as zeroes); a write-zeroes must leave zeroes, with a
 * hole allowed only when the driver set UNMAP. Filesystems without
 * ZERO_RANGE or PUNCH_HOLE (EOPNOTSUPP) fall back: discard is only a hint
 * and may do nothing, write-zeroes writes the zeroes.
 */
static int blk_range(struct blk *b, bool discard, bool unmap, off_t off,
		     uint64_t len)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	if (discard) {
		if (!blk_fallocate(b->fd, punch, off, len) ||
		    errno == EOPNOTSUPP)
			return 0;
		return -1;
	}
	if (unmap && !blk_fallocate(b->fd, punch, off, len))
		return 0;
	if (!blk_fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			   off, len))
		return 0;
	if (errno != EOPNOTSUPP && errno != EINVAL)
		return -1;
	return blk_write_zeroes_slow(b->fd, off, len);
}

/*
 * DISCARD and WRITE_ZEROES: the data is an array of 16-byte ranges. The
 * spec asks for S_UNSUPP on unknown flags and on UNMAP in a discard, and
 * IOERR for more ranges or sectors than config space allows.
 */
static uint8_t blk_do_ranges(struct virtio_mmio *vm, struct blk *b,
			     struct blk_req *req, bool discard)
{
	unsigned feature = discard ? VIRTIO_BLK_F_DISCARD :
				     VIRTIO_BLK_F_WRITE_ZEROES;
	struct virtio_blk_discard_write_zeroes r[BLK_MAX_RANGES];
	uint32_t bad_flags = ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	unsigned i, n = req->data_len / sizeof(r[0]);

	if (discard)
		bad_flags = ~0u; /* UNMAP too: a discard always may unmap */
	if (b->ro || !(vm->driver_features & (1ULL << feature)))
		return VIRTIO_BLK_S_UNSUPP;
	if (req->data_len % sizeof(r[0]) || n == 0 || n > BLK_MAX_RANGES)
		return VIRTIO_BLK_S_IOERR;
	virtq_iov_to_buf(req->data, req->n_data, 0, r, req->data_len);
	for (i = 0; i < n; i++) {
		if (r[i].flags & bad_flags)
			return VIRTIO_BLK_S_UNSUPP;
		if (r[i].num_sectors > BLK_MAX_RANGE_SECTORS ||
		    !blk_in_range(b, r[i].sector, r[i].num_sectors))
			return VIRTIO_BLK_S_IOERR;
	}
	for (i = 0; i < n; i++) {
		bool unmap = r[i].flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
		uint64_t len = (uint64_t)r[i].num_sectors << BLK_SECTOR_SHIFT;

		if (blk_range(b, discard, unmap,
			      r[i].sector << BLK_SECTOR_SHIFT, len) < 0)
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static void blk_aio_done(void *ctx, uint16_t head, uint32_t len)
{
	struct virtio_mmio *vm = ctx;

	virtq_push(&vm->vq[0], head, len);
}

/* A flush covers the writes completed before it: finish those in flight. */
static uint8_t blk_do_flush(struct virtio_mmio *vm, struct blk *b)
{
	int r;

	blk_aio_reap(&b->aio, true, blk_aio_done, vm);
	do
		r = fdatasync(b->fd);
	while (r < 0 && errno == EINTR);
	return r < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* GET_ID: the serial, NUL-padded to 20 bytes (not terminated if 20 long). */
static uint8_t blk_do_get_id(struct blk *b, struct blk_req *req)
{
	char id[VIRTIO_BLK_ID_BYTES] = { 0 };

	if (req->data_len < sizeof(id))
		return VIRTIO_BLK_S_IOERR;
	memcpy(id, b->serial, strlen(b->serial));
	virtq_buf_to_iov(req->data, req->n_data, 0, id, sizeof(id));
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_execute(struct virtio_mmio *vm, struct blk_req *req)
{
	struct blk *b = vm->priv;

	b->zero_copy = vm->mem->direct;
	switch (req->hdr.type) {
	case VIRTIO_BLK_T_IN:
		return blk_do_rw(b, req, false);
	case VIRTIO_BLK_T_OUT:
		return blk_do_rw(b, req, true);
	case VIRTIO_BLK_T_FLUSH:
		return blk_do_flush(vm, b);
	case VIRTIO_BLK_T_GET_ID:
		return blk_do_get_id(b, req);
	case VIRTIO_BLK_T_DISCARD:
		return blk_do_ranges(vm, b, req, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk_do_ranges(vm, b, req, false);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/*
 * Serve one element and write its status. Returns 0 with the used length
 * in *len, 1 if it is in flight (AIO: its completion writes the status and
 * pushes it), or -1 if the element cannot be answered (the device is then
 * failed).
 *
 * The used length is the whole writable part: the status is its last
 * byte, and a driver learns the outcome from the status alone.
 */
static int blk_request(struct virtio_mmio *vm, struct virtq_elem *e,
		       uint32_t *len)
{
	struct blk_req req;

	*len = e->in_len > UINT32_MAX ? UINT32_MAX : e->in_len;
	if (blk_locate(e, &req) < 0) {
		virtio_mmio_fail(vm, "request without a status byte");
		return -1;
	}
	if (e->out_len < BLK_HDR_SIZE)
		*req.status = VIRTIO_BLK_S_IOERR;
	else if ((req.hdr.type == VIRTIO_BLK_T_IN ||
		  req.hdr.type == VIRTIO_BLK_T_GET_ID) &&
		 e->out_len != BLK_HDR_SIZE)
		*req.status = VIRTIO_BLK_S_IOERR; /* data in the wrong part */
	else {
		uint8_t st;

		req.head = e->head;
		req.used_len = *len;
		req.batch = ((struct blk *)vm->priv)->aio.inflight ||
			    virtq_has_work(&vm->vq[0]);
		st = blk_execute(vm, &req);
		if (st == BLK_S_DEFERRED)
			return 1; /* blk_input() pushes it when it completes */
		*req.status = st;
	}
	return 0;
}

/* The driver kicked the request queue: serve everything available. */
static void blk_notify(struct virtio_mmio *vm, unsigned q)
{
	if (q == 0)
		virtio_mmio_serve(vm, 0, blk_request);
}

/* AIO completions (the main loop saw the eventfd): push them, one kick. */
static int blk_input_fd(struct virtio_mmio *vm)
{
	struct blk *b = vm->priv;

	return b ? b->aio.efd : -1;
}

static void blk_input(struct virtio_mmio *vm)
{
	struct blk *b = vm->priv;

	if (blk_aio_reap(&b->aio, false, blk_aio_done, vm))
		virtio_mmio_notify_used(vm, 0);
}

/* A driver reset drops what is in flight: wait for it, push nothing. */
static void blk_reset(struct virtio_mmio *vm)
{
	struct blk *b = vm->priv;

	if (b)
		blk_aio_reap(&b->aio, true, NULL, NULL);
}

static const struct virtio_dev_ops blk_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.queue_max = VIRTQ_MAX_SIZE,
	.features = blk_features,
	.config_size = BLK_CONFIG_SIZE,
	.get_config = blk_get_config,
	.notify = blk_notify,
	.reset = blk_reset,
	.destroy = blk_destroy,
};

const struct virtio_backend virtio_blk_backend = {
	.type = "blk",
	.ops = &blk_ops,
	.create = blk_create,
	.input_fd = blk_input_fd,
	.input = blk_input,
};
