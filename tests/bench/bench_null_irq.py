"""The partitioned mode's interrupt path, counted exactly: the hypervisor
instructions a null-pool hart executes from the interrupt that carries a
virtio completion to its guest's handler (null_pool_irq_latency_instr).

CPU 1 leaves Pool-0 for a null pool "rt"; a Linux DomU there (its WFI
waits in hardware: the null scheduler is vwfi=native) reads its
virtio-blk disk, served by vireo-dm in Dom0 on CPU 0, with 4 KiB
O_DIRECT random reads (tests/domu/iobench). Each completion reaches CPU 1
as a kick (an IPI): the hart traps, re-evaluates its lines and enters the
guest with its external interrupt pending, so the guest's next
instruction is its handler. QEMU's execution log (tests/bench/icount.py),
restricted to the hypervisor's .text, gives CPU 1's trap episodes (QEMU's
CPU index is the hart id, read from the monitor's runq): from
trap_entry to the next. Episodes that handled a guest MMIO access or an
SBI call are the request side; the others are interrupts. The figure is
the median over the interrupt episodes of each batch, and the median of
those over the batches; the instructions are exact without -icount (which
hangs Linux with 2 harts), being counted from the log, not timed. The
guest's own instructions until its handler: none, as it sat in WFI or was
interrupted where it ran. null_pool_traps_per_4k: CPU 1's traps per read,
the difference between a long and a short batch over the difference in
reads, so the typing and iobench's start-up drop out."""
import os
import re
import statistics

import iob
from common import args, record
from icount import HypCounter
from vireo_qemu import OUT, fresh_disk, remove_disk
from virtio_common import create

LOGDIR = os.path.join(OUT, "bench-null-irq")
DEVICES = ("pool = \"rt\"\n"
           "disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/rt.img' ]")
REQUEST_SIDE = {"mmio_guest_page_fault", "sbi_ecall", "vcpu_ecall_fast"}


def ok(m, cmd, timeout=60):
    out = m.sh(cmd, timeout=timeout)
    assert m.status == 0, "%s: %s" % (cmd, out)


def hart_id(m, cpu):
    """The hart id of CPU cpu (QEMU's CPU index in its log), from runq:
    CPU 0 is the hart OpenSBI booted on, which is not always hart 0."""
    m.monitor_enter()
    out = m.monitor("runq")
    m.monitor_leave()
    return int(re.search(r"hart %d \(id (\d+)\)" % cpu, out).group(1))


def batch(h, hart, n):
    """Null-pool hart's trap episodes over n reads: (interrupts, all)."""
    eps = h.episodes(
        lambda: iob.domu(h.m, "rt1", "randread /dev/vda 4096 %d" % n), hart)
    irq = [i for i, f in eps if "vcpu_trap_slow" in f and not f & REQUEST_SIDE]
    assert len(irq) >= n, (len(irq), len(eps))
    return irq, eps


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 5
    n1, n2 = (20, 60) if a.smoke else (100, 400)
    disk = fresh_disk(256)
    runs, per_read = [], []
    try:
        with HypCounter(LOGDIR, smp=2, icount=False, disk=disk) as h:
            m = h.m
            ok(m, "dd if=/dev/zero of=/data/rt.img bs=1M count=16 2>/dev/null;"
               " sync", 300)
            ok(m, "vl cpupool-cpu-remove Pool-0 1")
            ok(m, "printf 'name=\"rt\"\\nsched=\"null\"\\ncpus=\"1\"\\n' "
               "> /tmp/rt.cfg")
            ok(m, "vl cpupool-create /tmp/rt.cfg")
            create(m, "rt1", DEVICES)
            iob.domu(m, "rt1", "randread /dev/vda 4096 %d" % n1)  # warm-up
            hart = hart_id(m, 1)
            for _ in range(rounds):
                _, short = batch(h, hart, n1)
                irq, eps = batch(h, hart, n2)
                runs.append(statistics.median(irq))
                # The difference drops the typing and iobench's start-up.
                per_read.append((len(eps) - len(short)) / float(n2 - n1))
                print("  CPU 1 (hart %d): %d trap episodes, %d interrupts; interrupt "
                      "path median %d, min %d, max %d instructions; %.2f "
                      "traps per read" % (hart, len(eps), len(irq), runs[-1],
                                          min(irq), max(irq), per_read[-1]))
            m.sh("vl destroy rt1", timeout=120)
    finally:
        remove_disk(disk)
    record("null_pool_irq_latency_instr", "hyp instr, kick to handler", runs,
           None, None)
    record("null_pool_traps_per_4k", "traps/4 KiB read (null hart)", per_read,
           None, None)


if __name__ == "__main__":
    main()
