/*
 * Multi-threaded mmap/mprotect/munmap stress, run inside an SMP DomU
 * (test_smp_domu): every change of a mapping that other threads may have
 * cached in their TLBs makes Linux send remote fences (SBI RFENCE) to the
 * other vCPUs. Each thread owns a slot of a shared table: it maps a fresh
 * region, fills it with its generation number, publishes it, and later
 * write-protects and unmaps it; the others read every published region
 * and check the generation they find. A smoke test: QEMU 7.2 flushes its
 * TLB on every mode change, so a missing fence cannot show here (see
 * tests/unit/test_rfence.c for the bookkeeping).
 *
 *   mm_stress THREADS ITERATIONS  ->  "MM-STRESS ok ..." or "MM-STRESS FAIL"
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MAX_THREADS 16
#define REGION (16 * 4096)

struct slot {
	_Atomic(unsigned long *) region;
	atomic_ulong gen;
	pthread_mutex_t lock; /* held while the region may be unmapped */
};

static struct slot slots[MAX_THREADS];
static int nthreads, iterations;
static atomic_ulong bad, checks;

static void check_others(int self)
{
	for (int i = 0; i < nthreads; i++) {
		if (i == self)
			continue;
		pthread_mutex_lock(&slots[i].lock);
		unsigned long *r = atomic_load(&slots[i].region);
		if (r) {
			unsigned long g = atomic_load(&slots[i].gen);
			for (size_t k = 0; k < REGION / sizeof(*r); k += 512)
				if (r[k] != g)
					atomic_fetch_add(&bad, 1);
			atomic_fetch_add(&checks, 1);
		}
		pthread_mutex_unlock(&slots[i].lock);
	}
}

static void *worker(void *arg)
{
	int self = (int)(long)arg;
	struct slot *s = &slots[self];

	for (int it = 1; it <= iterations; it++) {
		unsigned long *r = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED) {
			atomic_fetch_add(&bad, 1);
			return NULL;
		}
		for (size_t k = 0; k < REGION / sizeof(*r); k++)
			r[k] = (unsigned long)it;
		/* Read-only while others look: changes every PTE. */
		if (mprotect(r, REGION, PROT_READ))
			atomic_fetch_add(&bad, 1);
		pthread_mutex_lock(&s->lock);
		atomic_store(&s->gen, (unsigned long)it);
		atomic_store(&s->region, r);
		pthread_mutex_unlock(&s->lock);
		check_others(self);
		pthread_mutex_lock(&s->lock);
		atomic_store(&s->region, NULL);
		munmap(r, REGION);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[MAX_THREADS];

	nthreads = argc > 1 ? atoi(argv[1]) : 4;
	iterations = argc > 2 ? atoi(argv[2]) : 200;
	if (nthreads < 1 || nthreads > MAX_THREADS || iterations < 1) {
		fprintf(stderr, "usage: mm_stress THREADS(1-%d) ITERATIONS\n",
			MAX_THREADS);
		return 2;
	}
	for (int i = 0; i < nthreads; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("MM-STRESS %s threads=%d iterations=%d checks=%lu bad=%lu\n",
	       atomic_load(&bad) ? "FAIL" : "ok", nthreads, iterations,
	       atomic_load(&checks), atomic_load(&bad));
	return atomic_load(&bad) ? 1 : 0;
}
