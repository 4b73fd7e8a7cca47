/* vireo-dm: see dm.h for the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"
#include "vireod_proto.h"

static int usage(void)
{
	fprintf(stderr, "usage: vireo-dm [--ready-fd N] DOMID SLOT:TYPE[:ARGS]...\n"
			"       vireo-dm [--ready-fd N] --recover DOMID\n"
			"  TYPE: blk, net, console, rng\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct dm dm = {.evtchn_fd = -1, .state_fd = -1};
	int ready_fd = -1, i = 1, recover = 0, rc;
	unsigned domid;

	if (argc > 2 && !strcmp(argv[1], "--ready-fd")) {
		ready_fd = atoi(argv[2]);
		i = 3;
	}
	if (i < argc && !strcmp(argv[i], "--recover")) {
		recover = 1;
		i++;
	}
	if (argc - i < (recover ? 1 : 2) || (recover && argc - i != 1) ||
	    !vireod_parse_domid(argv[i], &domid) || !domid)
		return usage();
	dm.domid = domid;
	for (i++; i < argc; i++)
		if (dm_parse_device(&dm, argv[i]))
			return 1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (recover ? dm_recover(&dm) : dm_attach(&dm)) {
		dm_detach(&dm);
		return 1;
	}
	fprintf(stderr, "vireo-dm: domain %u: %u device(s) %s\n", domid,
		dm.nr_devices, recover ? "recovered: every request fails"
				       : "ready");
	if (ready_fd >= 0) {
		if (write(ready_fd, "ready\n", 6) != 6)
			perror("vireo-dm: ready-fd");
		close(ready_fd);
	}
	rc = dm_loop(&dm);
	dm_detach(&dm);
	return rc ? 1 : 0;
}
