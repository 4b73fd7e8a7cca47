/*
 * destroy_io DOMID FILE OFFSET: destroy domain DOMID one hypercall step at
 * a time, and read the counter another DomU keeps writing at OFFSET of its
 * disk image FILE (a decimal number in a 4 KiB block, after each of its
 * virtio-blk requests) once the domain is dying and again once it is gone.
 *
 * Pass: the destroy took several steps (memory is freed a bounded chunk
 * per call, so no call holds the hypervisor for long) and the other
 * DomU's I/O completed meanwhile (the counter moved).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "dom0test.h"

static long counter(const char *file, long off)
{
	char buf[64] = {0};
	int fd = open(file, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = pread(fd, buf, sizeof(buf) - 1, off);
	close(fd);
	return r > 0 ? strtol(buf, NULL, 10) : -1;
}

int main(int argc, char **argv)
{
	uint32_t domid;
	long off, c0 = -1, c1;
	unsigned steps = 0;
	int more, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: destroy_io DOMID FILE OFFSET\n");
		return 2;
	}
	domid = (uint32_t)strtoul(argv[1], NULL, 0);
	off = strtol(argv[3], NULL, 0);
	v = vireo_open();
	if (!v) {
		perror("vireo_open");
		return 1;
	}
	do {
		rc = vireo_domain_destroy_step(v, domid, &more);
		steps++;
		if (steps == 1)
			c0 = counter(argv[2], off);
	} while (!rc && more);
	c1 = counter(argv[2], off);
	printf("destroy: %u steps, rc %d; the other DomU's counter %ld -> %ld\n",
	       steps, rc, c0, c1);
	EXPECT(rc == 0, "destroy failed: %s", vireo_strerror(rc));
	EXPECT(steps >= 2, "one step: the whole destroy in one call");
	EXPECT(c0 >= 0 && c1 > c0, "no I/O completed while it was dying");
	vireo_close(v);
	return report();
}
