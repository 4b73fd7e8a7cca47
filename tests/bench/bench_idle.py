"""Hypervisor traps per second, by cause and side, on an idle system: Dom0
at its shell (idle_dom0_traps_per_s), then with a Linux DomU idle at its
shell beside it (idle_domu_traps_per_s, the DomU's side only). Each is a
window of the monitor's counters (both readings in one monitor session, so
Dom0 gets no input between them), 5 windows per figure."""
import time

from common import args, record
from vireo_qemu import Machine, domu_output


def window(m, seconds):
    return {k: v / seconds for k, v in m.traps_over(seconds).items()}


def side_total(rates, side):
    return sum(v for k, v in rates.items() if k.startswith(side + " "))


def show(rates, side):
    for k in sorted(rates):
        if k.startswith(side + " ") and rates[k] >= 0.05:
            print("  %-40s %8.1f/s" % (k, rates[k]))


def main():
    a = args(__doc__)
    seconds = 2 if a.smoke else 10
    rounds = 1 if a.smoke else 5
    with Machine(net=False) as m:
        m.wait_ready()
        time.sleep(2)  # let boot-time work settle
        dom0 = [window(m, seconds) for _ in range(rounds)]
        out = m.sh("vl create demo.cfg name=idle", timeout=60)
        assert m.status == 0, out
        domu_output(m, "idle", "dmesg -n 1", "()", 120)
        time.sleep(2)
        domu = [window(m, seconds) for _ in range(rounds)]
        m.sh("vl destroy idle", timeout=60)
    print("Dom0 alone, idle:")
    show(dom0[-1], "Dom0")
    print("an idle DomU beside it (the DomU's traps):")
    show(domu[-1], "DomU")
    record("idle_dom0_traps_per_s", "traps/s", [side_total(r, "Dom0") for r in dom0],
           10, "<=")
    record("idle_domu_traps_per_s", "traps/s", [side_total(r, "DomU") for r in domu],
           10, "<=")


if __name__ == "__main__":
    main()
