/*
 * Event-channel ping-pong from userspace through /dev/vireo_evtchn (what
 * backends use), in Dom0 or in a DomU: both ends are this program.
 *
 *   evtchn_user DOMID PORT N   ping: bind to DOMID's unbound PORT, then N
 *                              times notify, wait for the echo with read()
 *                              and unmask it by writing it back. Prints
 *                              "evtchn_user: N round trips".
 *   evtchn_user -e DOMID N     echo: allocate a port for DOMID, print
 *                              "evtchn_user: port P", then send back each
 *                              of N events. Prints "evtchn_user: N echoes".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vireo_ioctl.h"

/* Wait for one event on io->port and unmask it. */
static int wait_event(int fd, const struct vireo_evtchn_ioctl *io)
{
	uint32_t got;

	if (read(fd, &got, sizeof(got)) != sizeof(got) || got != io->port)
		return -1;
	return write(fd, &got, sizeof(got)) == sizeof(got) ? 0 : -1;
}

static unsigned ping(int fd, struct vireo_evtchn_ioctl *io, unsigned n)
{
	unsigned done;

	if (ioctl(fd, VIREO_EVTCHN_BIND_INTERDOMAIN, io)) {
		perror("evtchn_user: bind");
		return 0;
	}
	for (done = 0; done < n; done++) {
		if (ioctl(fd, VIREO_EVTCHN_NOTIFY, io) || wait_event(fd, io)) {
			perror("evtchn_user");
			break;
		}
	}
	printf("evtchn_user: %u round trips\n", done);
	return done;
}

static unsigned echo(int fd, struct vireo_evtchn_ioctl *io, unsigned n)
{
	unsigned done;

	if (ioctl(fd, VIREO_EVTCHN_ALLOC_UNBOUND, io)) {
		perror("evtchn_user: alloc_unbound");
		return 0;
	}
	printf("evtchn_user: port %u\n", io->port);
	fflush(stdout);
	for (done = 0; done < n; done++) {
		if (wait_event(fd, io) || ioctl(fd, VIREO_EVTCHN_NOTIFY, io)) {
			perror("evtchn_user");
			break;
		}
	}
	printf("evtchn_user: %u echoes\n", done);
	return done;
}

int main(int argc, char **argv)
{
	struct vireo_evtchn_ioctl io = {0};
	int is_echo = argc == 4 && !strcmp(argv[1], "-e");
	unsigned n, done;
	int fd;

	if (argc != 4) {
		fprintf(stderr,
			"usage: evtchn_user DOMID PORT N | -e DOMID N\n");
		return 2;
	}
	io.domid = (unsigned)atoi(argv[is_echo ? 2 : 1]);
	io.remote_port = is_echo ? 0 : (unsigned)atoi(argv[2]);
	n = (unsigned)atoi(argv[3]);
	fd = open(VIREO_EVTCHN_DEVICE, O_RDWR);
	if (fd < 0) {
		perror("evtchn_user: " VIREO_EVTCHN_DEVICE);
		return 1;
	}
	done = is_echo ? echo(fd, &io, n) : ping(fd, &io, n);
	close(fd); /* unbinds: a peer's port goes back to waiting for us */
	return done == n ? 0 : 1;
}
