/*
 * I/O benchmark kernels for tests/bench, the same binary in a DomU, in
 * Dom0 and in the bare-host boot, timed in the guest with CLOCK_MONOTONIC
 * so that the figures come from bytes and nanoseconds, not from a tool's
 * rounded text. Each prints one line:
 *
 *   IOB op=OP bytes=B ops=N ns=T
 *
 *   iobench read FILE BS COUNT       sequential O_DIRECT reads from offset 0
 *   iobench write FILE BS COUNT      sequential O_DIRECT writes, then fsync
 *                                    (inside the timed span)
 *   iobench randread FILE BS COUNT   O_DIRECT reads at random BS-aligned
 *                                    offsets of the file (a fixed seed, so
 *                                    every side reads the same blocks)
 *   iobench tcpsink PORT             accept one connection, read to EOF,
 *                                    print what came (run in the background)
 *   iobench tcpsend ADDR PORT BYTES  connect (retrying for 10 s while refused),
 *                                    send BYTES, half-close and wait for the
 *                                    sink to close: all delivered
 *
 * Exit status 1 with a message on stderr on any error or short transfer.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ALIGN 4096

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "iobench: %s: %s\n", what, strerror(errno));
	return 1;
}

static void result(const char *op, uint64_t bytes, uint64_t ops, uint64_t ns)
{
	printf("IOB op=%s bytes=%" PRIu64 " ops=%" PRIu64 " ns=%" PRIu64 "\n",
	       op, bytes, ops, ns);
}

/* Size of a block device or a regular file. */
static int64_t size_of(int fd)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, &bytes) < 0 ? -1 : (int64_t)bytes;
	return st.st_size;
}

/* xorshift64: the same block sequence on every side. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int blk(const char *op, const char *path, size_t bs, uint64_t count)
{
	int wr = !strcmp(op, "write"), rnd = !strcmp(op, "randread");
	int fd = open(path, (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	uint64_t seed = 0x9e3779b97f4a7c15u, blocks = 0, t0, i;
	void *buf;

	if (fd < 0)
		return fail(path);
	if (bs == 0 || bs % ALIGN || posix_memalign(&buf, ALIGN, bs))
		return fprintf(stderr, "iobench: bad block size\n"), 1;
	memset(buf, 0x5a, bs);
	if (rnd) {
		int64_t size = size_of(fd);

		if (size < (int64_t)bs)
			return fprintf(stderr, "iobench: %s too small\n", path), 1;
		blocks = (uint64_t)size / bs;
	}
	t0 = now_ns();
	for (i = 0; i < count; i++) {
		off_t off = (off_t)((rnd ? next_rand(&seed) % blocks : i) * bs);
		ssize_t n = wr ? pwrite(fd, buf, bs, off) : pread(fd, buf, bs, off);

		if (n != (ssize_t)bs)
			return n < 0 ? fail(op) :
			       (fprintf(stderr, "iobench: short %s\n", op), 1);
	}
	if (wr && fsync(fd) < 0)
		return fail("fsync");
	result(op, (uint64_t)bs * count, count, now_ns() - t0);
	free(buf);
	return close(fd) < 0 ? fail("close") : 0;
}

static int tcpsink(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;
	static char buf[1 << 16];
	uint64_t bytes = 0, t0;
	ssize_t n;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		return fail("listen");
	c = accept(s, NULL, NULL);
	if (c < 0)
		return fail("accept");
	t0 = now_ns();
	while ((n = read(c, buf, sizeof(buf))) > 0)
		bytes += (uint64_t)n;
	if (n < 0)
		return fail("read");
	result("tcpsink", bytes, 1, now_ns() - t0);
	close(c);
	close(s);
	return 0;
}

static int tcpsend(const char *addr, int port, uint64_t bytes)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	static char buf[1 << 16];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t left = bytes, t0;
	char b;

	if (s < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		return fprintf(stderr, "iobench: bad address %s\n", addr), 1;
	/* The sink, started in the background, may not listen yet. */
	for (int tries = 0; connect(s, (struct sockaddr *)&a, sizeof(a)); tries++) {
		if (errno != ECONNREFUSED || tries == 1000)
			return fail("connect");
		close(s);
		usleep(10000);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			return fail("socket");
	}
	t0 = now_ns();
	while (left) {
		ssize_t n = write(s, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0)
			return fail("write");
		left -= (uint64_t)n;
	}
	/* The sink closes once it has read everything: then it all arrived. */
	if (shutdown(s, SHUT_WR) || read(s, &b, 1) != 0)
		return fail("waiting for the sink to close");
	result("tcpsend", bytes, 1, now_ns() - t0);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && (!strcmp(op, "read") || !strcmp(op, "write") ||
			  !strcmp(op, "randread")))
		return blk(op, argv[2], strtoul(argv[3], NULL, 0),
			   strtoull(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(op, "tcpsink"))
		return tcpsink(atoi(argv[2]));
	if (argc == 5 && !strcmp(op, "tcpsend"))
		return tcpsend(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: iobench read|write|randread FILE BS COUNT\n"
			"       iobench tcpsink PORT\n"
			"       iobench tcpsend ADDR PORT BYTES\n");
	return 2;
}
