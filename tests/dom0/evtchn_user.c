/*
 * Event-channel ping-pong from Dom0 userspace through /dev/vireo_evtchn
 * (what backends use): bind to a DomU's unbound port, then N times notify,
 * wait for the echo with read(), and unmask it by writing it back.
 * Usage: evtchn_user DOMID PORT N. Prints "evtchn_user: N round trips".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vireo_ioctl.h"

int main(int argc, char **argv)
{
	struct vireo_evtchn_ioctl io = {0};
	unsigned n, done = 0;
	uint32_t got;
	int fd;

	if (argc != 4)
		return 2;
	io.domid = (unsigned)atoi(argv[1]);
	io.remote_port = (unsigned)atoi(argv[2]);
	n = (unsigned)atoi(argv[3]);
	fd = open(VIREO_EVTCHN_DEVICE, O_RDWR);
	if (fd < 0 || ioctl(fd, VIREO_EVTCHN_BIND_INTERDOMAIN, &io)) {
		perror("evtchn_user: bind");
		return 1;
	}
	for (; done < n; done++) {
		if (ioctl(fd, VIREO_EVTCHN_NOTIFY, &io) ||
		    read(fd, &got, sizeof(got)) != sizeof(got) || got != io.port ||
		    write(fd, &got, sizeof(got)) != sizeof(got)) {
			perror("evtchn_user");
			break;
		}
	}
	printf("evtchn_user: %u round trips\n", done);
	close(fd); /* unbinds: the DomU's port waits for us again */
	return done == n ? 0 : 1;
}
