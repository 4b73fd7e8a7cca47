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

#include "../../backend-drivers/virtq.c"
#include "../../backend-drivers/virtio_mmio.c"
#include "../../backend-drivers/backends.c"
#include "../../backend-drivers/net.c"

/* backends.c lists every type; this program links only net. */
const struct virtio_backend virtio_blk_backend = { .type = "blk" };
const struct virtio_backend virtio_console_backend = { .type = "console" };
const struct virtio_backend virtio_rng_backend = { .type = "rng" };

#include "virtio_driver.h"

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
