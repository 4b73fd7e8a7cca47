/*
 * A test device model in Dom0: serves DOMID's accesses to one page at BASE
 * (default 0x10001000) through an ioreq server of its own, its request
 * page at window page SLOT from the window's end (default 1: the last).
 * Reads answer 0xc0de0000 | offset; writes are counted. With "latch", the
 * page's 0x60 is also a status latch (read; 0x64 clears) holding
 * 0xc0de0060 on line 20, which the hypervisor serves without asking us.
 * Exits after N reads, destroying the server.
 * Usage: ioreq_echo DOMID N [BASE SLOT [latch]]
 * (prints "ioreq_echo: R reads W writes")
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

#define WINDOW_END (1UL << 30) /* the size of Dom0's window */
#define LATCH_LINE 20

static int64_t value;

/* A raw hypercall; buf (len bytes, in and out) is passed as argument 1 or 2. */
static int hc(int fd, uint32_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, void *buf, uint32_t len, uint32_t buf_arg)
{
	struct vireo_ioctl_hypercall h = {
	    .fid = fid,
	    .buf_arg = buf ? buf_arg : VIREO_BUF_NONE,
	    .buf = (uintptr_t)buf,
	    .buf_len = buf ? len : 0,
	    .flags = buf ? VIREO_BUF_IN | VIREO_BUF_OUT : 0,
	    .arg = {a0, a1, a2, a3}};

	if (ioctl(fd, VIREO_IOCTL_HYPERCALL, &h))
		return -100;
	value = h.ret_value;
	return (int)h.ret_error;
}

/* The server: created, given its page, and the latch if asked for. */
static int setup(int fd, unsigned domid, uint32_t port, uint64_t base,
		 uint64_t off, int latch, struct vireo_ioreq_server *srv,
		 struct vireo_ioreq_page **page)
{
	struct vireo_ioreq_latch l = {.read_addr = base + 0x60,
				      .clear_addr = base + 0x64,
				      .width = 4,
				      .line = LATCH_LINE};
	int rc;

	*srv = (struct vireo_ioreq_server){.page_off = off, .dom0_port = port};
	rc =
	    hc(fd, VIREO_HC_IOREQ_CREATE, domid, 0, 0, 0, srv, sizeof(*srv), 1);
	if (rc)
		return rc;
	*page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     (off_t)off);
	if (*page == MAP_FAILED)
		return -101;
	rc = hc(fd, VIREO_HC_IOREQ_MAP_RANGE, domid, srv->id, base, 4096, NULL,
		0, 0);
	if (rc || !latch)
		return rc;
	rc = hc(fd, VIREO_HC_IOREQ_LATCH, domid, srv->id, 0, 0, &l, sizeof(l),
		2);
	if (rc)
		return rc;
	(*page)->latch[value] = 0xc0de0060U;
	return hc(fd, VIREO_HC_IOREQ_COMPLETE, domid, srv->id, 0, 1UL << value,
		  NULL, 0, 0);
}

int main(int argc, char **argv)
{
	struct vireo_evtchn_ioctl io = {0};
	unsigned domid, n, reads = 0, writes = 0;
	struct vireo_ioreq_page *page = MAP_FAILED;
	struct vireo_ioreq_server srv;
	volatile struct vireo_ioreq *slots;
	uint64_t base = 0x10001000UL, slot = 1;
	int fd, efd, rc;

	if (argc != 3 && argc != 5 && argc != 6)
		return 2;
	domid = (unsigned)atoi(argv[1]);
	n = (unsigned)atoi(argv[2]);
	if (argc >= 5) {
		base = strtoull(argv[3], NULL, 0);
		slot = strtoull(argv[4], NULL, 0);
	}
	fd = open(VIREO_DEVICE, O_RDWR);
	efd = open(VIREO_EVTCHN_DEVICE, O_RDWR);
	/* The server's channel: our port, waiting for the DomU's end. */
	io.domid = domid;
	if (fd < 0 || efd < 0 || ioctl(efd, VIREO_EVTCHN_ALLOC_UNBOUND, &io)) {
		perror("ioreq_echo: setup");
		return 1;
	}
	rc = setup(fd, domid, io.port, base, WINDOW_END - slot * 4096,
		   argc == 6, &srv, &page);
	if (rc) {
		fprintf(stderr, "ioreq_echo: server set-up %d\n", rc);
		return 1;
	}
	slots = page->slot;
	printf("ioreq_echo: serving domain %u as server %u on port %u\n", domid,
	       srv.id, io.port);
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
			__atomic_store_n(&s->state, VIREO_IOREQ_RESP,
					 __ATOMIC_RELEASE);
			hc(fd, VIREO_HC_IOREQ_COMPLETE, domid, srv.id, 1UL << v,
			   0, NULL, 0, 0);
		}
		if (write(efd, &port, sizeof(port)) != sizeof(port))
			break;
	}
	munmap(page, 4096);
	hc(fd, VIREO_HC_IOREQ_DESTROY, domid, srv.id, 0, 0, NULL, 0, 0);
	printf("ioreq_echo: %u reads %u writes\n", reads, writes);
	return reads == n ? 0 : 1;
}
