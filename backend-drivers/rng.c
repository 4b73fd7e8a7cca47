/*
 * virtio-rng, the entropy device (virtio 1.2, section 5.4): one request
 * queue whose chains are device-writable buffers for the guest to fill
 * with random bytes, here from Dom0's getrandom(). No arguments.
 *
 * Each request is served up to RNG_MAX_REQ bytes: the driver asks again
 * for more (the used length says how many bytes it got), and a guest
 * posting a huge buffer cannot make one notify run for long.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "virtio_backend.h"

#define RNG_MAX_REQ (64 * 1024)

struct rng {
	unsigned long failures;
};

static int rng_create(const struct virtio_backend_ctx *ctx, const char *args,
		      void **priv, char *err, size_t errlen)
{
	struct rng *r;

	(void)ctx;
	if (args && *args) {
		snprintf(err, errlen, "rng: takes no arguments (got '%s')",
			 args);
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "rng: out of memory");
		return -1;
	}
	*priv = r;
	return 0;
}

static void rng_destroy(struct virtio_mmio *vm)
{
	free(vm->priv);
	vm->priv = NULL;
}

/*
 * Fill up to RNG_MAX_REQ bytes of the chain's writable part. getrandom()
 * may return less than asked (a signal, large requests) and only fails
 * before the kernel's pool is ready (not on a running Dom0) or on a bad
 * address (not possible: the iovecs are checked guest RAM). On failure,
 * the bytes so far are what the guest gets; it asks again.
 */
static uint32_t rng_fill(struct rng *r, const struct virtq_elem *e)
{
	const struct iovec *iov = e->iov + e->n_out;
	size_t done = 0, off = 0, want;
	unsigned i = 0;
	ssize_t got;

	while (i < e->n_in && done < RNG_MAX_REQ) {
		want = iov[i].iov_len - off;
		if (want > RNG_MAX_REQ - done)
			want = RNG_MAX_REQ - done;
		got = getrandom((uint8_t *)iov[i].iov_base + off, want, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->failures++;
			break;
		}
		done += got;
		off += got;
		if (off == iov[i].iov_len) {
			i++;
			off = 0;
		}
	}
	return done;
}

static int rng_request(struct virtio_mmio *vm, struct virtq_elem *e,
		       uint32_t *len)
{
	*len = rng_fill(vm->priv, e);
	return 0;
}

static void rng_notify(struct virtio_mmio *vm, unsigned q)
{
	if (q == 0)
		virtio_mmio_serve(vm, 0, rng_request);
}

static const struct virtio_dev_ops rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_max = 64,
	.notify = rng_notify,
	.destroy = rng_destroy,
};

const struct virtio_backend virtio_rng_backend = {
	.type = "rng",
	.ops = &rng_ops,
	.create = rng_create,
};
