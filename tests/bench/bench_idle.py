"""Hypervisor traps, by cause, while Dom0 sits idle at its shell for 10 s,
read from the trap counters through the monitor."""
import time

from common import args, report
from vireo_qemu import Machine


def main():
    a = args(__doc__)
    seconds = 2 if a.smoke else 10
    with Machine() as m:
        m.wait_ready()
        time.sleep(2)  # let boot-time work (DHCP, timers) settle
        # Both readings in one monitor session: Dom0 gets no input between.
        m.monitor_enter()
        before = m.parse_traps(m.monitor("traps"))
        time.sleep(seconds)
        after = m.parse_traps(m.monitor("traps"))
        m.monitor_leave()
    total = 0
    for cause in sorted(after):
        if cause == "total":
            continue
        d = after[cause] - before.get(cause, 0)
        if d:
            print("  %-34s %d" % (cause, d))
    total = after["total"] - before["total"]
    report("idle", total * 10.0 / seconds, "traps per 10 s", 100, "<=")


if __name__ == "__main__":
    main()
