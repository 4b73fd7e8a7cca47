/*
 * A test device model in Dom0: serves DOMID's accesses to 0x10001000-
 * 0x10001fff through an ioreq server. Reads answer 0xc0de0000 | offset;
 * writes are counted. Exits after N reads, destroying the server.
 * Usage: ioreq_echo DOMID N   (prints "ioreq_echo: R reads W writes")
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vireo_abi.h"
#include "vireo_ioctl.h"

#define WINDOW_OFF ((1UL << 30) - 4096) /* the last page of Dom0's window */
#define BASE 0x10001000UL

static int hc(int fd, uint32_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, uint64_t a4)
{
	struct vireo_ioctl_hypercall h = {.fid = fid, .buf_arg = VIREO_BUF_NONE,
					  .arg = {a0, a1, a2, a3, a4}};

	if (ioctl(fd, VIREO_IOCTL_HYPERCALL, &h))
		return -100;
	return (int)h.ret_error;
}

int main(int argc, char **argv)
{
	struct vireo_evtchn_ioctl io = {0};
	unsigned domid, n, reads = 0, writes = 0;
	struct vireo_ioreq_page *page;
	volatile struct vireo_ioreq *slots;
	int fd, efd, rc;

	if (argc != 3)
		return 2;
	domid = (unsigned)atoi(argv[1]);
	n = (unsigned)atoi(argv[2]);
	fd = open(VIREO_DEVICE, O_RDWR);
	efd = open(VIREO_EVTCHN_DEVICE, O_RDWR);
	/* The server's channel: our port, waiting for the DomU's end. */
	io.domid = domid;
	if (fd < 0 || efd < 0 || ioctl(efd, VIREO_EVTCHN_ALLOC_UNBOUND, &io)) {
		perror("ioreq_echo: setup");
		return 1;
	}
	rc = hc(fd, VIREO_HC_IOREQ_SERVER_CREATE, domid, WINDOW_OFF, BASE, 4096,
		io.port);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, WINDOW_OFF);
	slots = page->slot;
	if (rc || page == MAP_FAILED) {
		fprintf(stderr, "ioreq_echo: server create %d\n", rc);
		return 1;
	}
	printf("ioreq_echo: serving domain %u\n", domid);
	fflush(stdout);
	while (reads < n) {
		uint32_t port;
		if (read(efd, &port, sizeof(port)) != sizeof(port))
			break;
		for (unsigned v = 0; v < VIREO_MAX_VCPUS; v++) {
			volatile struct vireo_ioreq *s = &slots[v];
			if (s->state != VIREO_IOREQ_READY)
				continue;
			if (s->dir == VIREO_IOREQ_READ) {
				s->data = 0xc0de0000U | (s->addr & 0xfff);
				reads++;
			} else {
				writes++;
			}
			__atomic_store_n(&s->state, VIREO_IOREQ_RESP, __ATOMIC_RELEASE);
			hc(fd, VIREO_HC_IOREQ_COMPLETE, domid, v, 0, 0, 0);
		}
		if (write(efd, &port, sizeof(port)) != sizeof(port))
			break;
	}
	munmap(page, 4096);
	hc(fd, VIREO_HC_IOREQ_SERVER_DESTROY, domid, 0, 0, 0, 0);
	printf("ioreq_echo: %u reads %u writes\n", reads, writes);
	return reads == n ? 0 : 1;
}
