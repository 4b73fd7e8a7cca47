/*
 * Host test of the virtio-net backend through the real virtio-mmio
 * transport and split queues. Instead of a tap, the device gets one end
 * of a SOCK_SEQPACKET socketpair (fd=N), which carries frames with their
 * 12-byte struct virtio_net_hdr_v1 as a tap would; the test plays the
 * host on the other end and a driver on the rings. Guest RAM is
 * malloc'ed to its exact size, so ASan sees any access past it.
 *
 * VIREO_TEST_TAP=1 also creates a real (unattached) tap, which needs
 * CAP_NET_ADMIN.
 */
#define _GNU_SOURCE
#include "test.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "../../backend-drivers/virtq.c"
#include "../../backend-drivers/virtio_mmio.c"
#include "../../backend-drivers/backends.c"
#include "../../backend-drivers/net.c"

/* backends.c lists every type; this program links only net. */
const struct virtio_backend virtio_blk_backend = { .type = "blk" };
const struct virtio_backend virtio_console_backend = { .type = "console" };
const struct virtio_backend virtio_rng_backend = { .type = "rng" };

/* ------------------------------------------------ a fake virtio driver */

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1024 * 1024)
#define QSIZE 16

struct drv_queue {
	uint64_t desc, avail, used;
	uint16_t avail_idx, used_seen, next_desc;
};

struct drv {
	struct guest_mem mem;
	struct virtio_mmio vm;
	struct drv_queue q[2];
	uint64_t heap;		/* bump allocator for buffers */
	unsigned irqs;		/* rising edges of the line */
};

struct buf {
	uint64_t gpa;
	uint32_t len;
	bool write;		/* device-writable */
};

static void drv_set_irq(void *opaque, bool level)
{
	struct drv *d = opaque;

	if (level)
		d->irqs++;
}

static void *gp(struct drv *d, uint64_t gpa)
{
	return d->mem.host + (gpa - RAM_BASE);
}

static uint64_t drv_alloc(struct drv *d, uint64_t len)
{
	uint64_t gpa = d->heap;

	d->heap = (d->heap + len + 15) & ~15ULL;
	if (d->heap > RAM_BASE + RAM_SIZE)
		abort();
	memset(gp(d, gpa), 0, len);
	return gpa;
}

static void reg_w(struct drv *d, uint32_t off, uint32_t v)
{
	virtio_mmio_write(&d->vm, off, 4, v);
}

static uint32_t reg_r(struct drv *d, uint32_t off)
{
	return virtio_mmio_read(&d->vm, off, 4);
}

static uint64_t dev_features(struct drv *d)
{
	reg_w(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = reg_r(d, VIRTIO_MMIO_DEVICE_FEATURES);
	reg_w(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | reg_r(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void drv_queue_setup(struct drv *d, unsigned i)
{
	struct drv_queue *q = &d->q[i];

	q->desc = drv_alloc(d, QSIZE * sizeof(struct vring_desc));
	q->avail = drv_alloc(d, 4 + 2 * QSIZE + 2);
	q->used = drv_alloc(d, 4 + 8 * QSIZE + 2);
	reg_w(d, VIRTIO_MMIO_QUEUE_SEL, i);
	reg_w(d, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	reg_w(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc);
	reg_w(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, q->desc >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)q->avail);
	reg_w(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, q->avail >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)q->used);
	reg_w(d, VIRTIO_MMIO_QUEUE_USED_HIGH, q->used >> 32);
	reg_w(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/*
 * The driver's side of initialisation (virtio 1.2, 3.1.1), taking the
 * device's features minus drop_features.
 */
static void drv_start(struct drv *d, uint64_t drop_features, unsigned nq)
{
	uint64_t f = dev_features(d) & ~drop_features;

	reg_w(d, VIRTIO_MMIO_STATUS, 0);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	reg_w(d, VIRTIO_MMIO_STATUS,
	      VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_w(d, VIRTIO_MMIO_DRIVER_FEATURES, f >> 32);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	CHECK(reg_r(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned i = 0; i < nq; i++)
		drv_queue_setup(d, i);
	reg_w(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
	      VIRTIO_CONFIG_S_DRIVER_OK);
}

static struct drv *drv_new(const struct virtio_backend *be, void *priv)
{
	struct drv *d = calloc(1, sizeof(*d));

	d->mem.gpa_base = RAM_BASE;
	d->mem.size = RAM_SIZE;
	d->mem.host = malloc(RAM_SIZE);
	d->heap = RAM_BASE;
	CHECK_EQ(virtio_mmio_init(&d->vm, be->ops, priv, &d->mem, drv_set_irq,
				  d), 0);
	return d;
}

static void drv_free(struct drv *d)
{
	virtio_mmio_destroy(&d->vm);
	free(d->mem.host);
	free(d);
}

/* Make a chain of n buffers available on queue qi (no kick): its head. */
static uint16_t drv_post(struct drv *d, unsigned qi, const struct buf *b,
			 unsigned n)
{
	struct drv_queue *q = &d->q[qi];
	struct vring_desc *desc = gp(d, q->desc);
	struct vring_avail *avail = gp(d, q->avail);
	uint16_t head = q->next_desc % QSIZE;

	for (unsigned i = 0; i < n; i++) {
		uint16_t k = (head + i) % QSIZE;

		desc[k].addr = b[i].gpa;
		desc[k].len = b[i].len;
		desc[k].flags = (b[i].write ? VRING_DESC_F_WRITE : 0) |
				(i + 1 < n ? VRING_DESC_F_NEXT : 0);
		desc[k].next = (k + 1) % QSIZE;
	}
	q->next_desc += n;
	avail->ring[q->avail_idx % QSIZE] = head;
	__atomic_store_n(&avail->idx, ++q->avail_idx, __ATOMIC_RELEASE);
	return head;
}

static void drv_kick(struct drv *d, unsigned qi)
{
	reg_w(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

/* The next used entry of queue qi: its head, or -1 if none. */
static int drv_used(struct drv *d, unsigned qi, uint32_t *len)
{
	struct drv_queue *q = &d->q[qi];
	struct vring_used *used = gp(d, q->used);
	struct vring_used_elem *e;

	if (__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE) == q->used_seen)
		return -1;
	e = &used->ring[q->used_seen++ % QSIZE];
	*len = e->len;
	return e->id;
}

static bool drv_needs_reset(struct drv *d)
{
	return reg_r(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* ------------------------------------------------------ net helpers */

#define HDR 12
#define MRG (1ULL << VIRTIO_NET_F_MRG_RXBUF)

static int peer = -1; /* the host's end of the socketpair */

static struct net *priv_of(struct drv *d)
{
	return d->vm.priv;
}

/* A device on a fresh socketpair, features minus drop, started. */
static struct drv *net_open_dev(uint64_t drop)
{
	struct virtio_backend_ctx ctx = { .domid = 3 };
	char args[128], err[256];
	void *priv = NULL;
	int sv[2];
	struct drv *d;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	/* Room for a few 64 KiB frames in flight. */
	int sz = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	snprintf(args, sizeof(args), "mac=52:54:00:12:34:56,fd=%d", sv[0]);
	if (virtio_net_backend.create(&ctx, args, &priv, err, sizeof(err))) {
		fprintf(stderr, "create: %s\n", err);
		CHECK(0);
		abort();
	}
	peer = sv[1];
	d = drv_new(&virtio_net_backend, priv);
	drv_start(d, drop, 2);
	return d;
}

static void net_close_dev(struct drv *d)
{
	drv_free(d);
	close(peer);
	peer = -1;
}

/* The host sends a frame: header (num_buffers garbage) + len bytes. */
static void host_send(size_t len, uint8_t seed)
{
	size_t n = HDR + len;
	uint8_t *p = malloc(n);

	memset(p, 0, HDR);
	p[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	p[10] = 0x77; /* num_buffers: the device must overwrite it */
	p[11] = 0x77;
	for (size_t i = 0; i < len; i++)
		p[HDR + i] = (uint8_t)(seed + i);
	CHECK_EQ(send(peer, p, n, 0), n);
	free(p);
}

/* Does buf hold the frame host_send(len, seed) made? */
static bool is_frame(const uint8_t *p, size_t len, uint8_t seed)
{
	if (p[0] != VIRTIO_NET_HDR_F_DATA_VALID)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[HDR + i] != (uint8_t)(seed + i))
			return false;
	return true;
}

static uint16_t rx_post(struct drv *d, uint64_t gpa, uint32_t len)
{
	struct buf b = { gpa, len, true };

	return drv_post(d, 0, &b, 1);
}

/* What the main loop does when the fd is readable. */
static void main_loop_input(struct drv *d)
{
	int fd = virtio_net_backend.input_fd(&d->vm);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	CHECK(fd >= 0);
	CHECK_EQ(poll(&p, 1, 1000), 1);
	virtio_net_backend.input(&d->vm);
}

static uint16_t num_buffers(struct drv *d, uint64_t gpa)
{
	uint8_t *p = gp(d, gpa);

	return p[10] | p[11] << 8;
}

/* ------------------------------------------------------------- tests */

static void test_config_and_features(void)
{
	struct drv *d = net_open_dev(0);
	uint64_t f = dev_features(d);
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	CHECK_EQ(reg_r(d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	for (unsigned b = 0; b < 64; b++) {
		bool want = b == VIRTIO_NET_F_MAC || b == VIRTIO_NET_F_STATUS ||
			    b == VIRTIO_NET_F_MRG_RXBUF ||
			    b == VIRTIO_NET_F_CSUM ||
			    b == VIRTIO_NET_F_GUEST_CSUM ||
			    (b >= VIRTIO_NET_F_GUEST_TSO4 &&
			     b <= VIRTIO_NET_F_GUEST_ECN) ||
			    (b >= VIRTIO_NET_F_HOST_TSO4 &&
			     b <= VIRTIO_NET_F_HOST_ECN) ||
			    b == VIRTIO_F_VERSION_1 ||
			    b == VIRTIO_RING_F_INDIRECT_DESC ||
			    b == VIRTIO_RING_F_EVENT_IDX;
		CHECK_EQ(!!(f & (1ULL << b)), want);
	}
	for (int i = 0; i < 6; i++)
		CHECK_EQ(virtio_mmio_read(&d->vm, VIRTIO_MMIO_CONFIG + i, 1),
			 mac[i]);
	CHECK_EQ(virtio_mmio_read(&d->vm, VIRTIO_MMIO_CONFIG + 6, 2),
		 VIRTIO_NET_S_LINK_UP);
	/* No queue 2: no control queue. */
	reg_w(d, VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(reg_r(d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK(priv_of(d)->mrg_rxbuf);
	net_close_dev(d);
}

static void test_tx(void)
{
	struct drv *d = net_open_dev(0);
	uint64_t hdr = drv_alloc(d, HDR), frame = drv_alloc(d, 70000);
	uint8_t *f = gp(d, frame), got[200];
	struct buf b[3];
	uint32_t len;
	int head;

	/* Header and frame in three descriptors, plus an offload flag. */
	((uint8_t *)gp(d, hdr))[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	for (int i = 0; i < 60; i++)
		f[i] = (uint8_t)(0x40 + i);
	b[0] = (struct buf){ hdr, HDR, false };
	b[1] = (struct buf){ frame, 20, false };
	b[2] = (struct buf){ frame + 20, 40, false };
	head = drv_post(d, 1, b, 3);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	CHECK_EQ(len, 0);
	CHECK_EQ(recv(peer, got, sizeof(got), MSG_DONTWAIT), HDR + 60);
	CHECK(!memcmp(got, gp(d, hdr), HDR));
	CHECK(!memcmp(got + HDR, f, 60));
	CHECK(d->irqs > 0);

	/* Too big (65550 + 12 + 1) and too short: dropped, not fatal. */
	b[1] = (struct buf){ frame, 65551, false };
	head = drv_post(d, 1, b, 2);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	b[0] = (struct buf){ hdr, HDR - 4, false };
	head = drv_post(d, 1, b, 1);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	CHECK(recv(peer, got, sizeof(got), MSG_DONTWAIT) < 0);
	CHECK_EQ(priv_of(d)->tx_dropped, 2);

	/* The largest frame goes through whole. */
	uint8_t *big = malloc(HDR + 65550);
	b[0] = (struct buf){ hdr, HDR, false };
	b[1] = (struct buf){ frame, 65550, false };
	head = drv_post(d, 1, b, 2);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	CHECK_EQ(recv(peer, big, HDR + 65550, MSG_DONTWAIT), HDR + 65550);
	free(big);
	CHECK(!drv_needs_reset(d));
	net_close_dev(d);
}

/* Without MRG_RXBUF: one frame per chain, num_buffers 1. */
static void test_rx_simple(void)
{
	struct drv *d = net_open_dev(MRG);
	uint64_t b1 = drv_alloc(d, 1526), b2 = drv_alloc(d, 1526);
	uint32_t len;
	int head;

	CHECK(!priv_of(d)->mrg_rxbuf);
	/* No buffers: the main loop must not poll the socket. */
	CHECK_EQ(virtio_net_backend.input_fd(&d->vm), -1);
	head = rx_post(d, b1, 1526);
	drv_kick(d, 0);
	CHECK(virtio_net_backend.input_fd(&d->vm) >= 0);

	host_send(100, 1);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), head);
	CHECK_EQ(len, HDR + 100);
	CHECK(is_frame(gp(d, b1), 100, 1));
	CHECK_EQ(num_buffers(d, b1), 1);
	CHECK_EQ(virtio_net_backend.input_fd(&d->vm), -1);

	/* A frame while the guest has no buffer waits for one. */
	host_send(200, 2);
	CHECK_EQ(virtio_net_backend.input_fd(&d->vm), -1);
	CHECK_EQ(drv_used(d, 0, &len), -1);
	head = rx_post(d, b2, 1526);
	drv_kick(d, 0);
	CHECK_EQ(drv_used(d, 0, &len), head);
	CHECK_EQ(len, HDR + 200);
	CHECK(is_frame(gp(d, b2), 200, 2));
	CHECK_EQ(num_buffers(d, b2), 1);
	CHECK(!drv_needs_reset(d));
	net_close_dev(d);
}

/* Without MRG_RXBUF a frame too big for the chain is dropped; the chain
 * is kept for the next frame. */
static void test_rx_too_big_for_chain(void)
{
	struct drv *d = net_open_dev(MRG);
	uint64_t b1 = drv_alloc(d, 200);
	uint32_t len;
	int head;

	head = rx_post(d, b1, 200);
	drv_kick(d, 0);
	host_send(500, 3);
	host_send(50, 4);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), head);
	CHECK_EQ(len, HDR + 50);
	CHECK(is_frame(gp(d, b1), 50, 4));
	CHECK_EQ(priv_of(d)->rx_dropped, 1);
	CHECK_EQ(drv_used(d, 0, &len), -1);
	net_close_dev(d);
}

/* MRG_RXBUF: a frame over several small chains, num_buffers right. */
static void test_rx_mergeable(void)
{
	struct drv *d = net_open_dev(0);
	uint64_t b[8];
	uint8_t all[1024];
	int heads[8];
	uint32_t len;

	for (int i = 0; i < 8; i++)
		b[i] = drv_alloc(d, 256);
	for (int i = 0; i < 5; i++)
		heads[i] = rx_post(d, b[i], 256);
	drv_kick(d, 0);

	/* 12 + 900 bytes: 256 + 256 + 256 + 144. */
	host_send(900, 5);
	main_loop_input(d);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(drv_used(d, 0, &len), heads[i]);
		CHECK_EQ(len, i < 3 ? 256 : 144);
		memcpy(all + i * 256, gp(d, b[i]), i < 3 ? 256 : 144);
	}
	CHECK_EQ(drv_used(d, 0, &len), -1);
	CHECK_EQ(num_buffers(d, b[0]), 4);
	CHECK(is_frame(all, 900, 5));

	/* 12 + 600 needs three chains; one is left. The frame waits. */
	host_send(600, 6);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), -1);
	CHECK_EQ(priv_of(d)->n_held, 1);
	CHECK_EQ(virtio_net_backend.input_fd(&d->vm), -1);
	/* The device asked for a kick: avail_event is the next entry. */
	CHECK_EQ(*(uint16_t *)gp(d, d->q[0].used + 4 + 8 * QSIZE), 5);
	heads[5] = rx_post(d, b[5], 256);
	heads[6] = rx_post(d, b[6], 256);
	drv_kick(d, 0);
	for (int i = 4; i < 7; i++) {
		CHECK_EQ(drv_used(d, 0, &len), heads[i]);
		CHECK_EQ(len, i < 6 ? 256 : 612 - 512);
		memcpy(all + (i - 4) * 256, gp(d, b[i]), len);
	}
	CHECK_EQ(num_buffers(d, b[4]), 3);
	CHECK(is_frame(all, 600, 6));

	/* A small frame in mergeable mode: one chain, num_buffers 1. */
	heads[7] = rx_post(d, b[7], 256);
	drv_kick(d, 0);
	host_send(40, 7);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), heads[7]);
	CHECK_EQ(len, HDR + 40);
	CHECK_EQ(num_buffers(d, b[7]), 1);
	CHECK(is_frame(gp(d, b[7]), 40, 7));
	CHECK(!drv_needs_reset(d));
	net_close_dev(d);
}

/* Runts and giants from the host are dropped; the next frame is fine. */
static void test_rx_drops(void)
{
	struct drv *d = net_open_dev(0);
	uint64_t b1 = drv_alloc(d, 2048);
	uint8_t *giant = calloc(1, HDR + 65551);
	uint32_t len;
	int head;

	head = rx_post(d, b1, 2048);
	drv_kick(d, 0);
	CHECK_EQ(send(peer, giant, HDR + 65551, 0), HDR + 65551);
	CHECK_EQ(send(peer, giant, 5, 0), 5);
	host_send(64, 8);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), head);
	CHECK_EQ(len, HDR + 64);
	CHECK(is_frame(gp(d, b1), 64, 8));
	CHECK_EQ(priv_of(d)->rx_dropped, 2);
	free(giant);

	/* The host goes away: the fd is no longer polled. */
	rx_post(d, b1, 2048);
	drv_kick(d, 0);
	close(peer);
	peer = -1;
	main_loop_input(d);
	CHECK(priv_of(d)->rx_dead);
	CHECK_EQ(virtio_net_backend.input_fd(&d->vm), -1);
	CHECK(!drv_needs_reset(d));
	drv_free(d);
}

/* A driver reset with a frame half delivered, then a working restart. */
static void test_rx_reset_while_pending(void)
{
	struct drv *d = net_open_dev(0);
	uint64_t b1 = drv_alloc(d, 256), b2;
	uint32_t len;
	int head;

	rx_post(d, b1, 256);
	drv_kick(d, 0);
	host_send(600, 9);
	main_loop_input(d);
	CHECK_EQ(priv_of(d)->n_held, 1);

	memset(d->q, 0, sizeof(d->q));
	d->heap = RAM_BASE;
	drv_start(d, 0, 2);
	CHECK_EQ(priv_of(d)->n_held, 0);
	CHECK_EQ(priv_of(d)->pkt_len, 0);
	b2 = drv_alloc(d, 2048);
	head = rx_post(d, b2, 2048);
	drv_kick(d, 0);
	host_send(70, 10);
	main_loop_input(d);
	CHECK_EQ(drv_used(d, 0, &len), head);
	CHECK_EQ(len, HDR + 70);
	CHECK_EQ(num_buffers(d, b2), 1);
	CHECK(is_frame(gp(d, b2), 70, 10));
	net_close_dev(d);
}

static int try_create(const char *args, char *err, size_t len)
{
	struct virtio_backend_ctx ctx = { .domid = 1 };
	void *priv = NULL;
	int r = virtio_net_backend.create(&ctx, args, &priv, err, len);

	if (!r) {
		struct virtio_mmio vm = { .priv = priv };
		net_destroy(&vm);
	}
	return r;
}

static void test_create_errors(void)
{
	char err[256], args[128];
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	snprintf(args, sizeof(args), "fd=%d", sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "mac"));
	snprintf(args, sizeof(args), "mac=52:54:00:12:34,fd=%d", sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "mac"));
	snprintf(args, sizeof(args), "mac=52:54:00:12:34:5g,fd=%d", sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	snprintf(args, sizeof(args), "mac=01:00:5e:00:00:01,fd=%d", sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "unicast"));
	CHECK(try_create("mac=52:54:00:12:34:56,fd=999", err, sizeof(err)));
	CHECK(strstr(err, "fd"));
	snprintf(args, sizeof(args), "mac=52:54:00:12:34:56,fd=%d,bridge=br0",
		 sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	snprintf(args, sizeof(args), "mac=52:54:00:12:34:56,fd=%d,speed=10",
		 sv[0]);
	CHECK(try_create(args, err, sizeof(err)));
	CHECK(strstr(err, "speed"));
	CHECK(try_create("mac=52:54:00:12:34:56,ifname=abcdefghijklmnopq", err,
			 sizeof(err)));
	CHECK(strstr(err, "name"));
	/* The failed creates left the caller's fd open. */
	CHECK(fcntl(sv[0], F_GETFD) >= 0);
	close(sv[0]);
	close(sv[1]);
}

/* A real tap (needs CAP_NET_ADMIN): only with VIREO_TEST_TAP=1. */
static void test_tap(void)
{
	struct virtio_backend_ctx ctx = { .domid = 1 };
	char args[128], err[256];
	void *priv = NULL;
	struct drv *d;

	if (!getenv("VIREO_TEST_TAP"))
		return;
	snprintf(args, sizeof(args), "mac=52:54:00:12:34:56,ifname=vtest%d",
		 getpid() % 100000);
	if (virtio_net_backend.create(&ctx, args, &priv, err, sizeof(err))) {
		fprintf(stderr, "tap: %s\n", err);
		CHECK(0);
		return;
	}
	CHECK(((struct net *)priv)->tap);
	d = drv_new(&virtio_net_backend, priv);
	drv_start(d, 0, 2); /* TUNSETOFFLOAD with every offload */
	drv_start(d, (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
		     (1ULL << VIRTIO_NET_F_GUEST_ECN), 2);
	CHECK(!drv_needs_reset(d));
	drv_free(d);
}

int main(void)
{
	RUN(test_config_and_features);
	RUN(test_tx);
	RUN(test_rx_simple);
	RUN(test_rx_too_big_for_chain);
	RUN(test_rx_mergeable);
	RUN(test_rx_drops);
	RUN(test_rx_reset_while_pending);
	RUN(test_create_errors);
	RUN(test_tap);
	TEST_DONE();
}
