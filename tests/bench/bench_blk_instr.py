"""The hypervisor's own instructions per 4 KiB virtio-blk read, counted
exactly under -icount shift=0 on 1 hart (tests/bench/icount.py; -icount
hangs Linux with 2 harts): a DomU of 128 MiB whose disk is a raw file in
Dom0's /data, served by vireo-dm (as in bench_blk), runs tests/domu/iobench
randread (4 KiB O_DIRECT reads at random offsets, a fixed seed). Each
figure is the difference between a long and a short batch in one boot,
divided by the difference in requests, so that typing, `vl console` and
iobench's start-up drop out; 5 pairs:

- blk_instr_per_4k: hypervisor instructions per request, both domains
  (Dom0, vireo-dm and the DomU share the hart). The timer ticks that fall
  inside the batch are part of it. No target: a figure to compare
  kernels by; the last pair's instructions by function are printed.
- blk_traps_per_4k_icount: the monitor's trap counters over the same
  batches, per request. On 1 hart, so not the same figure as bench_blk's
  blk_traps_per_4k (2 harts, as deployed)."""
import os

import iob
from common import args, record
from icount import HypCounter, top_functions
from vireo_qemu import OUT, fresh_disk, remove_disk
from virtio_common import create

LOGDIR = os.path.join(OUT, "bench-blk-instr")
DISK = "disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/bench.img' ]"


def batch(m, n):
    """n 4 KiB random O_DIRECT reads on the DomU's console."""
    r = iob.domu(m, "bench", "randread /dev/vda 4096 %d" % n, timeout=1800)
    assert r["ops"] == n, r


def per(runs, key, n1, n2):
    """(long - short) / (n2 - n1) for one counter of a pair of runs."""
    return (runs[n2].get(key, 0) - runs[n1].get(key, 0)) / float(n2 - n1)


def measure(h, n1, n2, pairs):
    m = h.m
    batch(m, n1)  # warm-up: the DomU has only just booted
    instr, traps, last = [], [], None
    for _ in range(pairs):
        insns, trap = {}, {}
        for n in (n1, n2):
            before = m.traps()
            insns[n] = h.count(lambda n=n: batch(m, n))
            after = m.traps()
            trap[n] = {c: after[c] - before.get(c, 0) for c in after}
        instr.append(per(insns, "total", n1, n2))
        traps.append(per(trap, "total", n1, n2))
        last = (insns, trap)
    insns, trap = last
    print("1 hart, -icount, %d - %d 4 KiB random reads: per request" % (n2, n1))
    print("  %-34s %10.1f" % ("hypervisor instructions", instr[-1]))
    print("  %-34s %10.2f" % ("traps", traps[-1]))
    print("traps per request by cause and side")
    for cause in sorted(trap[n2]):
        v = per(trap, cause, n1, n2)
        if cause != "total" and abs(v) >= 0.05:
            print("  %-44s %6.2f" % (cause, v))
    print("hypervisor instructions per request by function")
    print("\n".join(top_functions(insns[n1], insns[n2], n2 - n1, 12)))
    return instr, traps


def main():
    a = args(__doc__)
    pairs = 1 if a.smoke else 5
    n1, n2 = (50, 200) if a.smoke else (500, 2000)
    mib = 16 if a.smoke else 64
    disk = fresh_disk(mib * 2 + 256)
    try:
        with HypCounter(LOGDIR, disk=disk) as h:
            out = h.m.sh("dd if=/dev/zero of=/data/bench.img bs=1M count=%d "
                         "2>/dev/null; sync" % mib, timeout=600)
            assert h.m.status == 0, out
            create(h.m, "bench", DISK)
            instr, traps = measure(h, n1, n2, pairs)
            h.m.sh("vl destroy bench", timeout=300)
    finally:
        remove_disk(disk)
    record("blk_instr_per_4k", "hyp instr/4 KiB read", instr, None, None)
    record("blk_traps_per_4k_icount", "traps/request", traps, None, None)


if __name__ == "__main__":
    main()
