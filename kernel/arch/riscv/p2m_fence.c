/*
 * G-stage TLB fences across harts. A hart caches guest translations tagged
 * by VMID and hfence.gvma drops only its own, so freeing a page that some
 * G-stage mapped, or reusing a VMID, first fences every online hart: the
 * others by an IPI the caller waits for (they run hfence.gvma in their
 * IPI handler), this hart directly.
 */
#include <arch/csr.h>

#include "p2m.h"
#include "pcpu.h"

void p2m_flush_all_harts(void)
{
	struct pcpu *self = this_pcpu();

	for (unsigned i = 0; i < nr_pcpus; i++)
		if (&pcpus[i] != self && pcpus[i].online)
			pcpu_ipi_wait(&pcpus[i], IPI_GVMA_FLUSH);
	hfence_gvma_all();
}
