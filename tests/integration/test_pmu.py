"""SBI PMU (issue 9): under -icount, a Linux 6.12 DomU (PERF_EVENTS, the
SBI PMU driver) counts a known loop's instructions with perf_event_open
(tests/domu/perf_count) within 1 %: the counter is the vCPU's own, read
through Vireo (the guest's instret reads trap), not the host's: a CPU
hog in Dom0 shares the one hart during the count, so the host's counter
would show about twice the loop. Linux finds 8 firmware and 2 hardware
counters."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output  # noqa: E402

N = 20000000  # 40 M instructions


def run(m, cmd, pattern, timeout=300):
    return domu_output(m, "pmu", cmd, pattern, timeout)


def main():
    # -icount hangs Linux on 2 harts (tests/bench/bench_evtchn.py): 1 hart,
    # which Dom0 and the DomU share.
    with Machine(icount=True, smp=1, timeout=300) as m:
        m.wait_ready()
        out = m.sh("vl create demo.cfg name=pmu memory=96 "
                   "kernel=/usr/share/vireo/Image-6.12", timeout=120)
        assert m.status == 0, out
        fw, hw = run(m, "dmesg | grep -a 'firmware and'",
                     r"(\d+) firmware and (\d+) hardware counters", 600)
        assert (int(fw), int(hw)) == (8, 2), (fw, hw)
        m.sh("(while :; do :; done) & echo $! > /tmp/hog")
        ins, cyc, exp = (int(x) for x in run(
            m, "/usr/lib/vireo-tests/perf_count %d" % N,
            r"PERF instructions=(\d+) cycles=(\d+) expected=(\d+)"))
        m.sh("kill $(cat /tmp/hog)")
        err = abs(ins - exp) / exp
        print("perf in a DomU under -icount: %d instructions for %d "
              "(%.3f %% off), %d cycles" % (ins, exp, err * 100, cyc))
        assert err < 0.01, "instructions %.2f %% off" % (err * 100)
        assert cyc >= ins * 0.99, "cycles %d below instructions" % cyc
        m.sh("vl destroy pmu", timeout=120)
        assert m.status == 0
    print("ok")


if __name__ == "__main__":
    main()
