/*
 * The device types vireo-dm can serve, one file each under
 * backend-drivers/ (blk.c, net.c, console.c, rng.c). vireo-dm is given
 * one "SLOT:TYPE:ARGS" argument per device (see backend-drivers/dm/); it
 * finds TYPE here, calls create() with ARGS and wires the result to a
 * virtio-mmio transport.
 *
 * ARGS is a comma-separated "key=value" list whose keys each type
 * documents at its top; an unknown key or bad value is an error (create
 * returns -1 with a message in err and leaves nothing open).
 */
#ifndef VIREO_VIRTIO_BACKEND_H
#define VIREO_VIRTIO_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"

struct virtio_backend_ctx {
	uint32_t domid;
	unsigned slot;	/* virtio-mmio slot number (0..) */
	unsigned index; /* n-th device of this type in the domain (0..) */
};

struct virtio_backend {
	const char *type;
	const struct virtio_dev_ops *ops;
	int (*create)(const struct virtio_backend_ctx *ctx, const char *args,
		      void **priv, char *err, size_t errlen);
	/*
	 * A file descriptor the main loop should watch for input (tap, pty),
	 * or -1; when it is readable, the loop calls input(). May be NULL.
	 */
	int (*input_fd)(struct virtio_mmio *vm);
	void (*input)(struct virtio_mmio *vm);
};

extern const struct virtio_backend virtio_blk_backend;
extern const struct virtio_backend virtio_net_backend;
extern const struct virtio_backend virtio_console_backend;
extern const struct virtio_backend virtio_rng_backend;

/* "blk" -> &virtio_blk_backend, NULL if unknown (backend-drivers/backends.c). */
const struct virtio_backend *virtio_backend_find(const char *type);

/*
 * The "key=value,key=value" argument splitter every backend uses:
 * calls fn(opaque, key, value) for each pair (value "" for a bare key);
 * stops and returns fn's non-zero result, or -1 for an empty key.
 */
int virtio_backend_args(const char *args,
			int (*fn)(void *opaque, const char *key,
				  const char *value),
			void *opaque);

#endif
