/*
 * A byte ring that keeps the last `cap` bytes written: each domain's console
 * output, replayed to a `vl console` that attaches later. Pure code.
 */
#include <stdlib.h>
#include <string.h>

#include "vireod.h"

int vd_ring_init(struct vd_ring *r, size_t cap)
{
	r->buf = malloc(cap);
	r->cap = r->buf ? cap : 0;
	r->total = 0;
	return r->buf ? 0 : -1;
}

void vd_ring_free(struct vd_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->total = 0;
}

void vd_ring_write(struct vd_ring *r, const char *data, size_t len)
{
	size_t at, first;

	if (!r->cap)
		return;
	r->total += len;
	if (len > r->cap) {
		/* Only the tail survives. */
		data += len - r->cap;
		len = r->cap;
	}
	at = (size_t)((r->total - len) % r->cap);
	first = r->cap - at < len ? r->cap - at : len;
	memcpy(r->buf + at, data, first);
	memcpy(r->buf, data + first, len - first);
}

unsigned vd_ring_pieces(const struct vd_ring *r, const char *p[2],
			size_t n[2])
{
	size_t held, start;

	if (!r->cap || !r->total)
		return 0;
	if (r->total <= r->cap) {
		p[0] = r->buf;
		n[0] = (size_t)r->total;
		return 1;
	}
	held = r->cap;
	start = (size_t)(r->total % r->cap);
	p[0] = r->buf + start;
	n[0] = held - start;
	if (!start)
		return 1;
	p[1] = r->buf;
	n[1] = start;
	return 2;
}
