/*
 * The table of device types vireo-dm serves, and the "key=value,..."
 * splitter their create() functions share (see virtio_backend.h).
 */
#include <stdlib.h>
#include <string.h>

#include "virtio_backend.h"

static const struct virtio_backend *const backends[] = {
    &virtio_blk_backend,
    &virtio_net_backend,
    &virtio_console_backend,
    &virtio_rng_backend,
};

const struct virtio_backend *virtio_backend_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->type, type))
			return backends[i];
	return NULL;
}

/*
 * Split a private copy in place: each item ends at ',' and its key at
 * the first '=', so a value may itself contain '=' (a path, say) but not
 * ','. An empty item ("a=1,,b=2", a trailing comma) has an empty key.
 */
int virtio_backend_args(const char *args,
			int (*fn)(void *opaque, const char *key,
				  const char *value),
			void *opaque)
{
	char *copy, *item, *next, *eq;
	int rc = 0;

	if (!args || !*args)
		return 0;
	copy = strdup(args);
	if (!copy)
		return -1;
	for (item = copy; item; item = next) {
		const char *value = "";

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(item, '=');
		if (eq) {
			*eq = '\0';
			value = eq + 1;
		}
		if (!*item) {
			rc = -1;
			break;
		}
		rc = fn(opaque, item, value);
		if (rc)
			break;
	}
	free(copy);
	return rc;
}
