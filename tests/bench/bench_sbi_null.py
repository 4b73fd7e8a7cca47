"""Instructions per null SBI call (BASE get_spec_version, from the
sbi_null kernel module with interrupts off), under -icount shift=0 on 1
hart, in one run each: the same kernel natively, where OpenSBI answers;
Dom0 under Vireo; and a Linux DomU under Vireo (null_sbi_instr_dom0,
null_sbi_instr_domu; the native figure is printed beside them).

Native and Dom0 read instret, which counts every mode. A DomU's instret
reads return its own instructions only (Vireo's PMU), so its figure is
the module's clock: under -icount shift=0 each instruction the hart
retires, in any mode, is 1 ns, and the hart never idles in the loop.
The median of 5 loads of the module per side."""
import re

from common import args, record
from vireo_qemu import Machine, domu_output

MOD = "/lib/modules-vireo-tests/sbi_null.ko"
PER_CALL = r"sbi_null: iters=\d+ instret=\d+ per_call=([\d.]+)"
NS_PER_CALL = r"sbi_null: iters=\d+ ns=\d+ ns_per_call=([\d.]+)"


def shell_runs(m, iters, rounds):
    """(instret per call, ns per call) of rounds loads in m's shell."""
    runs = []
    m.sh("dmesg -n 1")
    for _ in range(rounds):
        out = m.sh("insmod %s iters=%d; dmesg -c | grep 'sbi_null: iters'"
                   % (MOD, iters))
        runs.append((float(re.search(PER_CALL, out).group(1)),
                     float(re.search(NS_PER_CALL, out).group(1))))
    return runs


def domu_runs(m, iters, rounds):
    out = m.sh("vl create demo.cfg name=sbinull memory=96", timeout=120)
    assert m.status == 0, out
    domu_output(m, "sbinull", "dmesg -n 1", "()", 300)
    runs = []
    for _ in range(rounds):
        ins, ns = domu_output(
            m, "sbinull", "insmod %s iters=%d; dmesg -c | grep 'sbi_null: iters'"
            % (MOD, iters), PER_CALL + r"\s+" + NS_PER_CALL, 300)
        runs.append((float(ins), float(ns)))
    m.sh("vl destroy sbinull", timeout=120)
    return runs


def main():
    a = args(__doc__)
    iters = 1000 if a.smoke else 100000
    rounds = 1 if a.smoke else 5
    with Machine(native=True, smp=1, icount=True, net=False, timeout=600) as m:
        m.wait_ready()
        native = shell_runs(m, iters, rounds)
    with Machine(smp=1, icount=True, net=False, timeout=600) as m:
        m.wait_ready()
        dom0 = shell_runs(m, iters, rounds)
        domu = domu_runs(m, iters, rounds)
    for name, runs in (("native (OpenSBI)", native), ("Dom0", dom0),
                       ("DomU", domu)):
        print("  %-17s instret/call %s; clock ns/call %s" % (
            name, " ".join("%.1f" % r[0] for r in runs),
            " ".join("%.1f" % r[1] for r in runs)))
    record("null_sbi_instr_dom0", "instr/call", [r[0] for r in dom0], 120, "<=")
    record("null_sbi_instr_domu", "instr/call", [r[1] for r in domu], 120, "<=")


if __name__ == "__main__":
    main()
