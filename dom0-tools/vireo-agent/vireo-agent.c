/*
 * vireo-agent: the DomU side of `vl shutdown`, `vl reboot` and `vl
 * vcpu-set` (CPU hotplug through sysfs: vcpus.c). The
 * hypervisor's control device (abi/vireo_abi.h) is bound to Linux's stock
 * uio_pdrv_genirq driver (uio_pdrv_genirq.of_id=vireo,domu-control on the
 * command line), so no guest kernel change is needed: the agent maps the
 * device's registers through /dev/uioN, sleeps in read() until the
 * control interrupt, acknowledges the command and asks init to power off or
 * reboot, as busybox's poweroff/reboot do (SIGUSR2 / SIGTERM to PID 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpus.h"
#include "vireo_abi.h"

static int find_uio(char *path, size_t len)
{
	char name[64];

	for (int i = 0; i < 8; i++) {
		char sys[64];
		FILE *f;
		snprintf(sys, sizeof(sys), "/sys/class/uio/uio%d/name", i);
		f = fopen(sys, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && strstr(name, "vireo-control")) {
			fclose(f);
			snprintf(path, len, "/dev/uio%d", i);
			return 0;
		}
		fclose(f);
	}
	return -1;
}

static int act(uint32_t cmd)
{
	char msg[512];
	int rc;

	switch (VIREO_CONTROL_CODE(cmd)) {
	case VIREO_CONTROL_POWEROFF:
		fprintf(stderr, "vireo-agent: power off requested\n");
		return kill(1, SIGUSR2);
	case VIREO_CONTROL_REBOOT:
		fprintf(stderr, "vireo-agent: reboot requested\n");
		return kill(1, SIGTERM);
	case VIREO_CONTROL_SET_VCPUS:
		rc = agent_vcpus_set(AGENT_CPU_DIR, VIREO_CONTROL_ARG(cmd), msg,
				     sizeof(msg));
		fprintf(stderr, "vireo-agent: %s\n", msg);
		return rc;
	default:
		return 0;
	}
}

int main(void)
{
	volatile uint32_t *regs;
	char dev[32];
	uint32_t count, on = 1;
	int fd;

	for (int tries = 0; find_uio(dev, sizeof(dev)); tries++) {
		if (tries == 50) {
			fprintf(stderr, "vireo-agent: no vireo-control UIO device\n");
			return 1;
		}
		usleep(100000);
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	regs = mmap(NULL, VIREO_DOMU_CONTROL_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (regs == MAP_FAILED || regs[VIREO_CONTROL_REG_MAGIC / 4] != VIREO_CONTROL_MAGIC) {
		fprintf(stderr, "vireo-agent: %s is not a Vireo control device\n", dev);
		return 1;
	}
	for (;;) {
		uint32_t cmd;
		/* uio_pdrv_genirq masks the line on each interrupt: unmask. */
		if (write(fd, &on, sizeof(on)) != sizeof(on) ||
		    read(fd, &count, sizeof(count)) != sizeof(count)) {
			if (errno == EINTR)
				continue;
			perror("vireo-agent");
			return 1;
		}
		cmd = regs[VIREO_CONTROL_REG_COMMAND / 4];
		regs[VIREO_CONTROL_REG_COMMAND / 4] = 0; /* acknowledge */
		act(cmd);
	}
}
