/*
 * Host test of the virtio-console and virtio-rng backends through the
 * real virtio-mmio transport and split queues. The console's pty is
 * driven from its slave side, as `vl console` would; the guest side is a
 * fake driver over a fake guest RAM malloc'ed to its exact size, so ASan
 * sees any access past it.
 */
#define _GNU_SOURCE
#include "test.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "../../backend-drivers/virtq.c"
#include "../../backend-drivers/virtio_mmio.c"
#include "../../backend-drivers/backends.c"
#include "../../backend-drivers/console.c"
#include "../../backend-drivers/rng.c"

/* backends.c lists every type; this program links console and rng. */
const struct virtio_backend virtio_blk_backend = { .type = "blk" };
const struct virtio_backend virtio_net_backend = { .type = "net" };

#include "virtio_driver.h"

/* --------------------------------------------------------- helpers */

static struct drv *open_dev(const struct virtio_backend *be, const char *args,
			    unsigned nq)
{
	struct virtio_backend_ctx ctx = { .domid = 2 };
	char err[256];
	void *priv = NULL;
	struct drv *d;

	if (be->create(&ctx, args, &priv, err, sizeof(err))) {
		fprintf(stderr, "create: %s\n", err);
		CHECK(0);
		abort();
	}
	d = drv_new(be, priv);
	drv_start(d, 0, nq);
	return d;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1;
}

/* Read exactly n bytes from the pty within a few seconds. */
static size_t read_all(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && readable(fd)) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

static struct console *cons_of(struct drv *d)
{
	return d->vm.priv;
}

static char link_path[64];

/* ------------------------------------------------------ console tests */

static void test_console_link_and_config(void)
{
	char args[128], target[64], err[256];
	struct stat st;
	struct drv *d;
	ssize_t n;

	snprintf(link_path, sizeof(link_path), "/tmp/vireo-test-cons-%d",
		 getpid());
	/* A stale symlink from an earlier run is replaced. */
	unlink(link_path);
	CHECK_EQ(symlink("/nonexistent/pts/99", link_path), 0);
	snprintf(args, sizeof(args), "link=%s", link_path);
	d = open_dev(&virtio_console_backend, args, 2);
	n = readlink(link_path, target, sizeof(target) - 1);
	CHECK(n > 0);
	target[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(target, cons_of(d)->slave_path));
	CHECK(!strncmp(target, "/dev/pts/", 9));

	CHECK_EQ(reg_r(d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	CHECK(dev_features(d) & (1ULL << VIRTIO_CONSOLE_F_SIZE));
	CHECK(!(dev_features(d) & (1ULL << VIRTIO_CONSOLE_F_MULTIPORT)));
	CHECK_EQ(virtio_mmio_read(&d->vm, VIRTIO_MMIO_CONFIG, 2), 80);
	CHECK_EQ(virtio_mmio_read(&d->vm, VIRTIO_MMIO_CONFIG + 2, 2), 25);
	drv_free(d);
	/* destroy removed the link. */
	CHECK(lstat(link_path, &st) < 0 && errno == ENOENT);

	/* Something other than a symlink at PATH is not replaced. */
	int fd = open(link_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	struct virtio_backend_ctx ctx = { 0 };
	void *priv = NULL;
	CHECK(virtio_console_backend.create(&ctx, args, &priv, err,
					    sizeof(err)));
	CHECK(strstr(err, link_path));
	CHECK(lstat(link_path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(link_path);
	CHECK(virtio_console_backend.create(&ctx, "speed=9600", &priv, err,
					    sizeof(err)));
	CHECK(strstr(err, "speed"));
}

static void test_console_tx(void)
{
	struct drv *d = open_dev(&virtio_console_backend, "", 2);
	int slave = open(cons_of(d)->slave_path, O_RDWR | O_NOCTTY);
	uint64_t a = drv_alloc(d, 8), big = drv_alloc(d, 256 * 1024);
	uint8_t got[16];
	struct buf b[2];
	uint32_t len;
	int head;

	CHECK(slave >= 0);
	/* "hi\n" in two descriptors: raw mode, so no "\r" is added. */
	memcpy(gp(d, a), "hi\nthere", 8);
	b[0] = (struct buf){ a, 3, false };
	b[1] = (struct buf){ a + 3, 5, false };
	head = drv_post(d, 1, b, 2);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	CHECK_EQ(len, 0);
	CHECK_EQ(read_all(slave, got, 8), 8);
	CHECK(!memcmp(got, "hi\nthere", 8));

	/* Nobody reads: the pty fills, the rest is dropped, no stall. */
	memset(gp(d, big), 'x', 256 * 1024);
	b[0] = (struct buf){ big, 256 * 1024, false };
	head = drv_post(d, 1, b, 1);
	drv_kick(d, 1);
	CHECK_EQ(drv_used(d, 1, &len), head);
	CHECK(cons_of(d)->tx_dropped > 0);
	CHECK(cons_of(d)->tx_dropped < 256 * 1024);
	CHECK(!drv_needs_reset(d));
	close(slave);
	drv_free(d);
}

static void test_console_rx(void)
{
	struct drv *d = open_dev(&virtio_console_backend, "", 2);
	int slave = open(cons_of(d)->slave_path, O_RDWR | O_NOCTTY);
	uint64_t b1 = drv_alloc(d, 2), b2 = drv_alloc(d, 2);
	uint64_t b3 = drv_alloc(d, 64);
	uint32_t len;
	int h1, h2, h3;

	/* No buffers yet: the pty is not polled. */
	CHECK_EQ(virtio_console_backend.input_fd(&d->vm), -1);
	h1 = rx_post(d, b1, 2);
	h2 = rx_post(d, b2, 2);
	drv_kick(d, 0);
	CHECK_EQ(virtio_console_backend.input_fd(&d->vm), cons_of(d)->master);

	/* A stream: four bytes over two 2-byte buffers. */
	CHECK_EQ(write(slave, "ab\ncd", 4), 4);
	CHECK(readable(cons_of(d)->master));
	virtio_console_backend.input(&d->vm);
	CHECK_EQ(drv_used(d, 0, &len), h1);
	CHECK_EQ(len, 2);
	CHECK(!memcmp(gp(d, b1), "ab", 2));
	CHECK_EQ(drv_used(d, 0, &len), h2);
	CHECK_EQ(len, 2);
	CHECK(!memcmp(gp(d, b2), "\nc", 2)); /* raw: "\n" unchanged */
	CHECK_EQ(virtio_console_backend.input_fd(&d->vm), -1);

	/* Bytes typed while the guest has no buffer wait for one. */
	CHECK_EQ(write(slave, "xyz", 3), 3);
	CHECK(readable(cons_of(d)->master));
	CHECK_EQ(drv_used(d, 0, &len), -1);
	h3 = rx_post(d, b3, 64);
	drv_kick(d, 0);
	CHECK_EQ(drv_used(d, 0, &len), h3);
	CHECK_EQ(len, 3);
	CHECK(!memcmp(gp(d, b3), "xyz", 3));
	CHECK(!drv_needs_reset(d));
	close(slave);
	drv_free(d);
}

/* ---------------------------------------------------------- rng tests */

static bool not_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return true;
	return false;
}

static void test_rng(void)
{
	struct drv *d = open_dev(&virtio_rng_backend, NULL, 1);
	uint64_t a = drv_alloc(d, 16), b = drv_alloc(d, 100);
	uint64_t big = drv_alloc(d, 100 * 1024);
	struct buf bb[2];
	uint32_t len;
	int h1, h2, h3;

	CHECK_EQ(reg_r(d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	h1 = rx_post(d, a, 16);
	bb[0] = (struct buf){ b, 40, true };
	bb[1] = (struct buf){ b + 40, 60, true };
	h2 = drv_post(d, 0, bb, 2);
	h3 = rx_post(d, big, 100 * 1024);
	drv_kick(d, 0);
	CHECK_EQ(drv_used(d, 0, &len), h1);
	CHECK_EQ(len, 16);
	CHECK(not_all_zero(gp(d, a), 16));
	CHECK_EQ(drv_used(d, 0, &len), h2);
	CHECK_EQ(len, 100);
	CHECK(not_all_zero(gp(d, b), 16));
	CHECK(not_all_zero(gp(d, b + 84), 16));
	CHECK_EQ(drv_used(d, 0, &len), h3);
	CHECK_EQ(len, 64 * 1024); /* capped per request */
	CHECK(not_all_zero((uint8_t *)gp(d, big) + 64 * 1024 - 16, 16));
	/* Only the bytes reported were written. */
	CHECK(!not_all_zero((uint8_t *)gp(d, big) + 64 * 1024, 36 * 1024));
	CHECK(!drv_needs_reset(d));
	drv_free(d);
}

static void test_rng_args(void)
{
	struct virtio_backend_ctx ctx = { 0 };
	char err[256];
	void *priv = NULL;

	CHECK(virtio_rng_backend.create(&ctx, "rate=1", &priv, err,
					sizeof(err)));
	CHECK(strstr(err, "rate=1"));
	CHECK(!virtio_rng_backend.create(&ctx, "", &priv, err, sizeof(err)));
	free(priv);
	CHECK(virtio_backend_find("rng") == &virtio_rng_backend);
	CHECK(virtio_backend_find("console") == &virtio_console_backend);
}

int main(void)
{
	RUN(test_console_link_and_config);
	RUN(test_console_tx);
	RUN(test_console_rx);
	RUN(test_rng);
	RUN(test_rng_args);
	TEST_DONE();
}
