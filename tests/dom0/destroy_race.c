/*
 * destroy_race [ROUNDS]: Dom0's two vCPUs race control calls against a
 * destroy of the same domain. One thread pauses, unpauses and reads the
 * info of a paused 64 MiB domain without pause; the main thread destroys
 * it. Each call must return (success, or INVALID_PARAM once the domain is
 * dying or gone) and the destroy must finish: a control call that held a
 * reference while it waited for the lock the destroyer holds would hang
 * both (or, now, stop the hypervisor at its BUG_ON).
 */
#include <pthread.h>
#include <stdlib.h>

#include "dom0test.h"

static volatile uint32_t target;
static volatile int stop;
static unsigned long calls, refused;

static void *hammer(void *arg)
{
	struct vireo *w = vireo_open();

	(void)arg;
	while (w && !stop) {
		struct vireo_domain_info info;
		int rc = vireo_domain_pause(w, target);
		rc |= vireo_domain_unpause(w, target);
		rc |= vireo_domain_getinfo(w, target, &info);
		calls += 3;
		refused += rc != 0;
	}
	if (w)
		vireo_close(w);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 20;
	pthread_t t;
	uint32_t id;

	v = vireo_open();
	if (!v) {
		perror("vireo_open");
		return 1;
	}
	for (unsigned r = 0; r < rounds; r++) {
		int rc = vireo_domain_create(v, 1, 64 << 20, &id);
		EXPECT(!rc, "create: %s", vireo_strerror(rc));
		if (rc)
			break;
		rc = vireo_memory_populate(v, id, VIREO_DOMU_RAM_BASE, 64 << 20);
		EXPECT(!rc, "populate: %s", vireo_strerror(rc));
		target = id;
		stop = 0;
		pthread_create(&t, NULL, hammer, NULL);
		usleep(1000 * (r % 5));
		rc = vireo_domain_destroy(v, id);
		EXPECT(!rc, "destroy %u: %s", id, vireo_strerror(rc));
		stop = 1;
		pthread_join(t, NULL);
	}
	printf("destroy_race: %u rounds, %lu racing calls, %lu refused\n",
	       rounds, calls, refused);
	vireo_close(v);
	return report();
}
