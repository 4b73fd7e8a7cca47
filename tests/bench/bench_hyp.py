"""The hypervisor's own instructions, counted exactly under -icount
shift=0 on 1 hart (tests/bench/icount.py), each the difference between a
long and a short run of the same command so that typing and start-up drop
out, over 5 pairs:

- hyp_share_cpu_bound: the hypervisor's share of every instruction the
  hart retires while a 1-vCPU Linux DomU runs md5sum over 2 MiB in tmpfs
  (beside an idle Dom0 on the same hart). The hart's total is the DomU's
  own clock across the loop (1 ns per instruction under shift=0, and the
  hart never idles). Target <= 1 %.
- create_destroy_instr: hypervisor instructions per `vl create -p` and
  `vl destroy` of a 64 MiB DomU (building it, never running it)."""
import os
import re

from common import args, record
from icount import HypCounter, top_functions
from vireo_qemu import OUT, domu_output

LOGDIR = os.path.join(OUT, "bench-hyp")
FILL = "dd if=/dev/urandom of=/tmp/f bs=1M count=2 2>/dev/null"
TIMED = ("a=$(cut -d' ' -f1 /proc/uptime); i=0; while [ $i -lt %d ]; do "
         "md5sum /tmp/f >/dev/null; i=$((i+1)); done; "
         "b=$(cut -d' ' -f1 /proc/uptime); "
         "echo LOOP-$(echo $a $b | awk '{printf \"%%.2f\", $2 - $1}')")


def cpu_share(h, n1, n2, pairs):
    m = h.m
    out = m.sh("vl create demo.cfg name=cpu memory=96", timeout=300)
    assert m.status == 0, out
    domu_output(m, "cpu", FILL, "()", 600)
    shares, last = [], None
    for _ in range(pairs):
        hyp, secs = {}, {}
        for n in (n1, n2):
            got = []
            hyp[n] = h.count(lambda: got.append(domu_output(
                m, "cpu", TIMED % n, r"LOOP-(\d+\.\d+)", 900)))
            secs[n] = float(got[0][0])
        total = (secs[n2] - secs[n1]) * 1e9  # instructions, all modes
        shares.append(100.0 * (hyp[n2]["total"] - hyp[n1]["total"]) / total)
        last = (hyp, total)
    m.sh("vl destroy cpu", timeout=300)
    hyp, total = last
    print("CPU-bound DomU, md5sum x %d - x %d: %.0f instructions, %d of "
          "them the hypervisor's" % (n2, n1, total,
                                     hyp[n2]["total"] - hyp[n1]["total"]))
    print("\n".join(top_functions(hyp[n1], hyp[n2], 1, 8)))
    return shares


def create_destroy(h, k1, k2, pairs):
    m = h.m
    m.sh("cp /etc/vireo/demo.cfg /tmp/cd.cfg")
    cycle = "vl create -q -p /tmp/cd.cfg name=cd && vl destroy cd"
    figures, last = [], None

    def work(k):
        out = m.sh("; ".join([cycle] * k), timeout=600)
        assert m.status == 0, out
    for _ in range(pairs):
        c = {k: h.count(lambda k=k: work(k)) for k in (k1, k2)}
        figures.append((c[k2]["total"] - c[k1]["total"]) / (k2 - k1))
        last = c
    print("hypervisor instructions per create/destroy cycle by function")
    print("\n".join(top_functions(last[k1], last[k2], k2 - k1, 10)))
    return figures


def main():
    a = args(__doc__)
    pairs = 1 if a.smoke else 5
    n1, n2 = (2, 6) if a.smoke else (5, 45)
    with HypCounter(LOGDIR) as h:
        shares = cpu_share(h, n1, n2, pairs)
        cycles = create_destroy(h, 1, 2 if a.smoke else 3, pairs)
    record("hyp_share_cpu_bound", "% of instructions", shares, 1.0, "<=")
    record("create_destroy_instr", "hyp instr/cycle", cycles, 12e6, "<=")


if __name__ == "__main__":
    main()
