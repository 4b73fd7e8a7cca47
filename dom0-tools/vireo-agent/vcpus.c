/*
 * vireo-agent: SET_VCPUS through Linux's CPU hotplug files (vcpus.h).
 * The plan is a pure function; the rest takes the sysfs directory as an
 * argument, so that tests/unit/test_agent_vcpus.c runs it over a fake one.
 */
#include "vcpus.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BIT(k) (1ULL << (k))

int agent_vcpus_plan(unsigned n, uint64_t present, uint64_t *up, uint64_t *down)
{
	uint64_t below; /* CPUs 0..n-1 */

	*up = *down = 0;
	if (n < 1 || n > AGENT_MAX_CPUS)
		return -1;
	below = n == AGENT_MAX_CPUS ? ~0ULL : BIT(n) - 1;
	*up = present & below & ~BIT(0);
	*down = present & ~below;
	return 0;
}

void agent_cpulist(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;
	unsigned k = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "none");
		return;
	}
	while (k < AGENT_MAX_CPUS && used < len) {
		unsigned end = k;
		int r;

		if (!(mask & BIT(k))) {
			k++;
			continue;
		}
		while (end + 1 < AGENT_MAX_CPUS && (mask & BIT(end + 1)))
			end++;
		if (end == k)
			r = snprintf(buf + used, len - used, "%s%u",
				     used ? "," : "", k);
		else
			r = snprintf(buf + used, len - used, "%s%u-%u",
				     used ? "," : "", k, end);
		used += r > 0 ? (size_t)r : 0;
		k = end + 1;
	}
}

static void online_path(const char *dir, unsigned k, char *path, size_t len)
{
	snprintf(path, len, "%s/cpu%u/online", dir, k);
}

uint64_t agent_vcpus_present(const char *dir)
{
	uint64_t present = 0;
	char path[256];

	for (unsigned k = 0; k < AGENT_MAX_CPUS; k++) {
		online_path(dir, k, path, sizeof(path));
		if (access(path, F_OK) == 0)
			present |= BIT(k);
	}
	return present;
}

/* "1" or "0" into dir/cpuK/online: 0, or errno. */
static int write_online(const char *dir, unsigned k, int on)
{
	char path[256];
	int fd, e = 0;

	online_path(dir, k, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		e = errno ? errno : EIO;
	if (close(fd) && !e)
		e = errno;
	return e;
}

/* Write to each CPU of mask (down: highest first); *failed gets who failed. */
static int write_all(const char *dir, uint64_t mask, int on, uint64_t *failed)
{
	int first = 0;

	for (unsigned i = 0; i < AGENT_MAX_CPUS; i++) {
		unsigned k = on ? i : AGENT_MAX_CPUS - 1 - i;
		int e;

		if (!(mask & BIT(k)))
			continue;
		e = write_online(dir, k, on);
		if (e) {
			*failed |= BIT(k);
			if (!first)
				first = e;
		}
	}
	return first;
}

int agent_vcpus_set(const char *dir, unsigned n, char *msg, size_t len)
{
	char up_s[200], down_s[200], failed_s[200];
	uint64_t up, down, failed = 0;
	int e, e_down;

	if (agent_vcpus_plan(n, agent_vcpus_present(dir), &up, &down)) {
		snprintf(msg, len, "vcpu-set %u: refused (1 to %d)", n,
			 AGENT_MAX_CPUS);
		return -1;
	}
	e = write_all(dir, up, 1, &failed);
	e_down = write_all(dir, down, 0, &failed);
	if (!e)
		e = e_down;
	agent_cpulist(up, up_s, sizeof(up_s));
	agent_cpulist(down, down_s, sizeof(down_s));
	if (!failed) {
		snprintf(msg, len, "vcpu-set %u: online %s, offline %s", n,
			 up_s, down_s);
		return 0;
	}
	agent_cpulist(failed, failed_s, sizeof(failed_s));
	snprintf(msg, len, "vcpu-set %u: online %s, offline %s, failed %s: %s",
		 n, up_s, down_s, failed_s, strerror(e ? e : EIO));
	return -1;
}
