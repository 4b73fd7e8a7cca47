/*
 * Host test of the virtio-mmio transport against a fake device: the
 * identification registers, feature windows and FEATURES_OK refusal,
 * queue setup, notify dispatch, interrupt status/ack against the line,
 * reset, config space widths and bounds, bad register accesses, and a
 * broken queue stopping the device. Also backends.c, over stand-in
 * backends (the real ones live in blk.c, net.c, ...).
 */
#include <unistd.h>

#include "test.h"
#include "../../backend-drivers/virtq.c"
#include "../../backend-drivers/virtio_mmio.c"
#include "../../backend-drivers/backends.c"

const struct virtio_backend virtio_blk_backend = {.type = "blk"};
const struct virtio_backend virtio_net_backend = {.type = "net"};
const struct virtio_backend virtio_console_backend = {.type = "console"};
const struct virtio_backend virtio_rng_backend = {.type = "rng"};

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000u
#define GPA(off) (RAM_BASE + (off))
#define QOFF(q) (0x4000u * (q)) /* queue q's rings: desc, +0x1000, +0x2000 */
#define DATA_OFF 0xc000u

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_RESET VIRTIO_CONFIG_S_NEEDS_RESET
#define F_DEV BIT64(5) /* the fake device's one feature */
#define F_STD (BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_RING_F_EVENT_IDX))

static struct fake {
	unsigned notifies[VIRTIO_MMIO_MAX_QUEUES], starts, resets, destroys;
	bool serve;	  /* notify pops, completes and interrupts */
	bool fail_broken; /* ... and fails the device on a broken queue */
	bool silent;	  /* ... but never calls back into the transport */
	unsigned sets;
	size_t set_off, set_len;
	uint8_t set_buf[8];
} fk;

static struct {
	unsigned calls;
	bool level;
} line;

static struct virtio_mmio vm;
static struct guest_mem mem;
static uint8_t *ram;

static uint64_t fake_features(struct virtio_mmio *m)
{
	/* RING_PACKED is the transport's business: must not be offered */
	return F_DEV | BIT64(VIRTIO_F_RING_PACKED);
}

static void fake_get_config(struct virtio_mmio *m, void *buf)
{
	unsigned i;

	for (i = 0; i < 12; i++)
		((uint8_t *)buf)[i] = 0x10 + i;
}

static void fake_set_config(struct virtio_mmio *m, size_t off, const void *buf,
			    size_t len)
{
	fk.sets++;
	fk.set_off = off;
	fk.set_len = len;
	memcpy(fk.set_buf, buf, len);
}

static void fake_notify(struct virtio_mmio *m, unsigned q)
{
	int rc;

	fk.notifies[q]++;
	if (!fk.serve)
		return;
	while ((rc = virtq_pop(&m->vq[q], m->elem)) == VIRTQ_GOT)
		virtq_push(&m->vq[q], m->elem->head, 0);
	if (fk.silent)
		return;
	if (rc == VIRTQ_BROKEN && fk.fail_broken)
		virtio_mmio_fail(m, m->vq[q].error);
	virtio_mmio_notify_used(m, q);
}

static void fake_start(struct virtio_mmio *m)
{
	fk.starts++;
}
static void fake_reset(struct virtio_mmio *m)
{
	fk.resets++;
}
static void fake_destroy(struct virtio_mmio *m)
{
	fk.destroys++;
}

static const struct virtio_dev_ops fake_ops = {
    .name = "fake",
    .device_id = 4,
    .nr_queues = 2,
    .queue_max = 64,
    .features = fake_features,
    .config_size = 12,
    .get_config = fake_get_config,
    .set_config = fake_set_config,
    .notify = fake_notify,
    .start = fake_start,
    .reset = fake_reset,
    .destroy = fake_destroy,
};

static void set_line(void *opaque, bool level)
{
	CHECK(opaque == &line);
	CHECK(level != line.level); /* only level changes reach the line */
	line.calls++;
	line.level = level;
}

static void setup(void)
{
	virtio_mmio_destroy(&vm);
	free(ram);
	ram = calloc(1, RAM_SIZE);
	mem = (struct guest_mem){RAM_BASE, RAM_SIZE, ram, 0};
	memset(&fk, 0, sizeof(fk));
	memset(&line, 0, sizeof(line));
	CHECK_EQ(virtio_mmio_init(&vm, &fake_ops, &fk, &mem, set_line, &line),
		 0);
}

static uint32_t rd(uint32_t off)
{
	return virtio_mmio_read(&vm, off, 4);
}

static void wr(uint32_t off, uint32_t v)
{
	virtio_mmio_write(&vm, off, 4, v);
}

static void features(uint64_t f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, f >> 32);
}

/* The driver's steps up to FEATURES_OK (section 3.1.1). */
static void negotiate(uint64_t f)
{
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	features(f);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
}

static void queue_setup(unsigned q, uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, GPA(QOFF(q)));
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, GPA(QOFF(q)) >> 32);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, GPA(QOFF(q) + 0x1000));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, GPA(QOFF(q) + 0x2000));
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void bring_up(void)
{
	negotiate(F_STD | F_DEV);
	queue_setup(0, 8);
	queue_setup(1, 64);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
}

/* The guest driver makes one request available on queue q, head h. */
static void guest_post(unsigned q, uint16_t h)
{
	struct vring_desc *d = (struct vring_desc *)(ram + QOFF(q));
	struct vring_avail *a = (struct vring_avail *)(ram + QOFF(q) + 0x1000);

	d[0] = (struct vring_desc){GPA(DATA_OFF), 64, VRING_DESC_F_WRITE, 0};
	a->ring[a->idx % vm.vq[q].num] = h;
	a->idx++;
}

/* stderr into a file while a test provokes failures; then count lines. */
static FILE *cap;
static int saved_fd;

static void capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved_fd = dup(2);
	dup2(fileno(cap), 2);
}

static unsigned captured(const char *want)
{
	char line_buf[256];
	unsigned n = 0;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(cap);
	while (fgets(line_buf, sizeof(line_buf), cap)) {
		n++;
		if (want && !strstr(line_buf, want)) {
			fprintf(stderr, "unexpected log: %s", line_buf);
			n += 100;
		}
	}
	fclose(cap);
	return n;
}

static void test_init_and_ids(void)
{
	struct virtio_dev_ops bad = fake_ops;
	struct virtio_mmio other;

	setup();
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 4);
	CHECK_EQ(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff); /* no regions */
	CHECK_EQ(rd(0x0f0), 0);				   /* unknown */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);			   /* read-only */
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK(vm.elem != NULL);

	bad.nr_queues = 0;
	CHECK_EQ(virtio_mmio_init(&other, &bad, NULL, &mem, NULL, NULL), -1);
	bad.nr_queues = 1;
	bad.queue_max = 48;
	CHECK_EQ(virtio_mmio_init(&other, &bad, NULL, &mem, NULL, NULL), -1);
	bad.queue_max = 512;
	CHECK_EQ(virtio_mmio_init(&other, &bad, NULL, &mem, NULL, NULL), -1);
	bad.queue_max = 8;
	bad.config_size = 0x1000;
	CHECK_EQ(virtio_mmio_init(&other, &bad, NULL, &mem, NULL, NULL), -1);
	virtio_mmio_destroy(&other); /* harmless after a failed init */

	virtio_mmio_destroy(&vm);
	CHECK_EQ(fk.destroys, 1);
	virtio_mmio_destroy(&vm);
	CHECK_EQ(fk.destroys, 1);
}

static void test_feature_windows(void)
{
	setup();
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES),
		 (uint32_t)(F_DEV | BIT64(VIRTIO_RING_F_INDIRECT_DESC) |
			    BIT64(VIRTIO_RING_F_EVENT_IDX)));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1, no PACKED */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);

	features(0x123456789abcdef0ULL);
	CHECK_EQ(vm.driver_features, 0x123456789abcdef0ULL);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff); /* no such window */
	CHECK_EQ(vm.driver_features, 0x123456789abcdef0ULL);
	CHECK_EQ(rd(VIRTIO_MMIO_DRIVER_FEATURES), 0); /* write-only */
}

static void test_features_ok(void)
{
	setup();
	negotiate(F_STD | BIT64(7)); /* bit 7 was never offered */
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);

	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(F_DEV); /* no VERSION_1: a legacy driver */
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);

	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(F_STD | F_DEV | BIT64(VIRTIO_RING_F_INDIRECT_DESC));
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	features(0); /* too late: the set is final */
	CHECK_EQ(vm.driver_features,
		 F_STD | F_DEV | BIT64(VIRTIO_RING_F_INDIRECT_DESC));
	CHECK_EQ(line.calls, 0);

	/* DRIVER_OK without FEATURES_OK: the device asks for a reset. */
	wr(VIRTIO_MMIO_STATUS, 0);
	capture();
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	CHECK_EQ(captured("vireo-dm: fake: DRIVER_OK without FEATURES_OK"), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_RESET);
	CHECK_EQ(fk.starts, 0);
	CHECK(!virtio_mmio_queue_live(&vm, 0));
}

static void test_queue_setup(void)
{
	setup();
	negotiate(F_STD);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2); /* past the device's queues */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(vm.vq[2].num, 0);

	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x12345678);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x9abcdef0);
	CHECK_EQ(vm.vq[1].desc_gpa, 0x123456789abcdef0ULL);
	queue_setup(1, 16);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK(vm.vq[1].ready && vm.vq[1].event_idx && !vm.vq[1].indirect);
	CHECK_EQ(vm.vq[1].num, 16);
	CHECK_EQ(vm.vq[1].desc_gpa, GPA(QOFF(1)));
	CHECK_EQ(vm.vq[1].used_gpa, GPA(QOFF(1) + 0x2000));
	/* A ready queue's layout is fixed. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 32);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, 0);
	CHECK_EQ(vm.vq[1].num, 16);
	CHECK_EQ(vm.vq[1].used_gpa, GPA(QOFF(1) + 0x2000));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* Before DRIVER_OK the driver may take a queue back. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(!vm.vq[1].ready);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);

	capture();
	wr(VIRTIO_MMIO_QUEUE_NUM, 3); /* not a power of 2 */
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 128); /* over QueueNumMax */
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 0);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	/* Rings outside RAM: QueueReady fails the device. */
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(F_STD);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(captured("vireo-dm: fake: "), 4);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(vm.error && strstr(vm.error, "descriptor table"));
}

static void test_notify_dispatch(void)
{
	setup();
	negotiate(F_STD | F_DEV);
	queue_setup(0, 8);
	queue_setup(1, 64);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* before DRIVER_OK: not live */
	CHECK_EQ(fk.notifies[0], 0);
	CHECK(!virtio_mmio_queue_live(&vm, 0));
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	CHECK_EQ(fk.starts, 1);
	/* DRIVER_OK kicks every live queue once, for early buffers. */
	CHECK_EQ(fk.notifies[0], 1);
	CHECK_EQ(fk.notifies[1], 1);
	CHECK(virtio_mmio_queue_live(&vm, 1));
	CHECK(!virtio_mmio_queue_live(&vm, 2));
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(fk.notifies[1], 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	CHECK_EQ(fk.notifies[0] + fk.notifies[1], 3);
	CHECK_EQ(fk.notifies[2], 0);
	/* DRIVER_OK again does not restart the device. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	CHECK_EQ(fk.starts, 1);
	/* A live queue is not taken away under the device. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(vm.vq[0].ready);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(line.calls, 0);
}

static void test_interrupts(void)
{
	setup();
	bring_up();
	fk.serve = true;
	guest_post(0, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	CHECK(line.level && line.calls == 1);
	/* Nothing new used: no interrupt. */
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);

	virtio_mmio_config_changed(&vm);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
		 VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	CHECK_EQ(line.calls, 1); /* already high */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK(line.level && line.calls == 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!line.level && line.calls == 2);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	CHECK_EQ(line.calls, 2);

	/* EVENT_IDX: the driver asks for no interrupt until entry 5. */
	*(uint16_t *)(ram + QOFF(0) + 0x1000 + 4 + 2 * 8) = 5;
	guest_post(0, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	virtio_mmio_notify_used(&vm, 7); /* no such queue: ignored */
	CHECK_EQ(line.calls, 2);
}

static void test_reset(void)
{
	setup();
	bring_up();
	virtio_mmio_config_changed(&vm);
	capture();
	virtio_mmio_fail(&vm, "test failure");
	CHECK_EQ(captured("vireo-dm: fake: test failure"), 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK(line.level);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(fk.resets, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!line.level && line.calls == 2);
	CHECK(!vm.vq[0].ready && !vm.vq[1].ready && vm.vq[1].num == 0);
	CHECK(vm.vq[1].mem == &mem);
	CHECK_EQ(vm.driver_features, 0);
	CHECK_EQ(vm.queue_sel, 0);
	CHECK(vm.error == NULL);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* And it comes back. */
	bring_up();
	CHECK_EQ(fk.starts, 2);
	CHECK(virtio_mmio_queue_live(&vm, 0));
}

static void test_config_space(void)
{
	setup();
	CHECK_EQ(virtio_mmio_read(&vm, 0x100, 1), 0x10);
	CHECK_EQ(virtio_mmio_read(&vm, 0x102, 2), 0x1312);
	CHECK_EQ(virtio_mmio_read(&vm, 0x104, 4), 0x17161514);
	CHECK_EQ(virtio_mmio_read(&vm, 0x100, 8), 0x1716151413121110ULL);
	CHECK_EQ(virtio_mmio_read(&vm, 0x103, 4), 0x16151413); /* unaligned */
	CHECK_EQ(virtio_mmio_read(&vm, 0x108, 4), 0x1b1a1918);
	CHECK_EQ(virtio_mmio_read(&vm, 0x10b, 1), 0x1b);
	/* Past config_size: reads 0, and is not a driver error. */
	CHECK_EQ(virtio_mmio_read(&vm, 0x10a, 4), 0);
	CHECK_EQ(virtio_mmio_read(&vm, 0x108, 8), 0);
	CHECK_EQ(virtio_mmio_read(&vm, 0x10c, 1), 0);
	CHECK_EQ(virtio_mmio_read(&vm, 0xffc, 4), 0);
	CHECK_EQ(virtio_mmio_read(&vm, 0xff8, 8), 0);

	virtio_mmio_write(&vm, 0x104, 2, 0xabcd);
	CHECK_EQ(fk.sets, 1);
	CHECK_EQ(fk.set_off, 4);
	CHECK_EQ(fk.set_len, 2);
	CHECK(fk.set_buf[0] == 0xcd && fk.set_buf[1] == 0xab);
	virtio_mmio_write(&vm, 0x100, 8, 0x0807060504030201ULL);
	CHECK(fk.set_len == 8 && fk.set_buf[7] == 8);
	virtio_mmio_write(&vm, 0x10b, 2, 0);
	virtio_mmio_write(&vm, 0x200, 4, 0);
	CHECK_EQ(fk.sets, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);

	capture();
	CHECK_EQ(virtio_mmio_read(&vm, 0x100, 3), 0);
	CHECK_EQ(captured("vireo-dm: fake: access of a size"), 1);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
}

static void test_bad_register_access(void)
{
	setup();
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	capture();
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	/* Later bad accesses are dropped too, but logged only once. */
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_VERSION, 2), 0);
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_VERSION, 1), 0);
	virtio_mmio_write(&vm, VIRTIO_MMIO_QUEUE_SEL, 2, 0);
	virtio_mmio_write(&vm, VIRTIO_MMIO_QUEUE_SEL + 1, 4, 0);
	virtio_mmio_write(&vm, VIRTIO_MMIO_QUEUE_DESC_LOW, 8, 0x1234);
	virtio_mmio_write(&vm, VIRTIO_MMIO_CONFIG_GENERATION, 8, 0);
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_SIZE, 4), 0);
	CHECK_EQ(virtio_mmio_read(&vm, UINT64_MAX - 1, 4), 0);
	virtio_mmio_write(&vm, VIRTIO_MMIO_SIZE - 2, 4, 0);
	CHECK_EQ(captured("vireo-dm: fake: register access not 32-bit"), 1);
	CHECK_EQ(vm.queue_sel, 1);
	CHECK_EQ(vm.vq[1].desc_gpa, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), S_RESET);
	/* NEEDS_RESET comes with a configuration interrupt. */
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK(line.level);
	CHECK(vm.error && strstr(vm.error, "32-bit"));

	/* A misaligned 32-bit access alone is enough. */
	setup();
	capture();
	CHECK_EQ(virtio_mmio_read(&vm, VIRTIO_MMIO_STATUS + 1, 4), 0);
	CHECK_EQ(captured("not 32-bit and aligned"), 1);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
}

static void test_broken_queue(void)
{
	setup();
	bring_up();
	fk.serve = true;
	fk.fail_broken = true;
	guest_post(0, 99); /* head >= num */
	capture();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(captured("vireo-dm: fake: avail ring entry out of range"), 1);
	CHECK_EQ(fk.notifies[0], 2);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_DOK);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK(line.level);
	CHECK(!virtio_mmio_queue_live(&vm, 0));
	CHECK(!virtio_mmio_queue_live(&vm, 1)); /* the whole device stops */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(fk.notifies[0], 2);
	CHECK_EQ(fk.notifies[1], 1);
	/* The driver rewriting Status does not clear NEEDS_RESET. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	CHECK_EQ(fk.starts, 1);

	/* A device that ignores VIRTQ_BROKEN: notify_used notices. */
	setup();
	bring_up();
	fk.serve = true;
	guest_post(1, 64);
	capture();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(captured("vireo-dm: fake: avail ring entry out of range"), 1);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	CHECK_EQ(fk.notifies[1], 2);

	/* One that does not even call notify_used: the next kick notices. */
	setup();
	bring_up();
	fk.serve = fk.silent = true;
	guest_post(1, 64);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & S_RESET, 0);
	capture();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(captured("vireo-dm: fake: avail ring entry out of range"), 1);
	CHECK(rd(VIRTIO_MMIO_STATUS) & S_RESET);
	CHECK_EQ(fk.notifies[1], 2); /* the second kick was not dispatched */
	fk.silent = false;

	/* Reset brings the device back with working queues. */
	wr(VIRTIO_MMIO_STATUS, 0);
	memset(ram, 0, RAM_SIZE);
	bring_up();
	guest_post(1, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(fk.notifies[1], 4);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(*(uint16_t *)(ram + QOFF(1) + 0x2000 + 2), 1); /* used->idx */
}

static char arg_log[128];

static int arg_cb(void *opaque, const char *key, const char *value)
{
	size_t n = strlen(arg_log);

	snprintf(arg_log + n, sizeof(arg_log) - n, "%s=%s;", key, value);
	return strcmp(key, "stop") ? 0 : 7;
}

static int args(const char *s)
{
	arg_log[0] = '\0';
	return virtio_backend_args(s, arg_cb, NULL);
}

static void test_backends(void)
{
	CHECK(virtio_backend_find("blk") == &virtio_blk_backend);
	CHECK(virtio_backend_find("net") == &virtio_net_backend);
	CHECK(virtio_backend_find("console") == &virtio_console_backend);
	CHECK(virtio_backend_find("rng") == &virtio_rng_backend);
	CHECK(virtio_backend_find("gpu") == NULL);
	CHECK(virtio_backend_find("") == NULL);

	CHECK_EQ(args("path=/a=b,ro,mac=52:54:00:00:00:01"), 0);
	CHECK(!strcmp(arg_log, "path=/a=b;ro=;mac=52:54:00:00:00:01;"));
	CHECK_EQ(args(""), 0);
	CHECK_EQ(args(NULL), 0);
	CHECK(!strcmp(arg_log, ""));
	CHECK_EQ(args("a=1,,b=2"), -1);
	CHECK(!strcmp(arg_log, "a=1;"));
	CHECK_EQ(args("a=1,"), -1);
	CHECK_EQ(args("=x"), -1);
	CHECK(!strcmp(arg_log, ""));
	CHECK_EQ(args("a,stop=1,b"), 7);
	CHECK(!strcmp(arg_log, "a=;stop=1;"));
}

int main(void)
{
	RUN(test_init_and_ids);
	RUN(test_feature_windows);
	RUN(test_features_ok);
	RUN(test_queue_setup);
	RUN(test_notify_dispatch);
	RUN(test_interrupts);
	RUN(test_reset);
	RUN(test_config_space);
	RUN(test_bad_register_access);
	RUN(test_broken_queue);
	RUN(test_backends);
	virtio_mmio_destroy(&vm);
	free(ram);
	TEST_DONE();
}
