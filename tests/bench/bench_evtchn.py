"""Event-channel ping-pong between kernel modules in Dom0 and a DomU:
hypervisor traps per notification (two per round trip), by cause, from
the trap counters (target: 3 per notification, the send and the
receiver's claim and complete)."""
import os
import re
import sys

from common import args, report
from vireo_qemu import Machine

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from test_evtchn import MOD, start_client  # noqa: E402


def main():
    a = args(__doc__)
    iters = 1000 if a.smoke else 10000
    with Machine(timeout=120) as m:
        m.wait_ready()
        domid, port = start_client(m)
        # Same command with 1 iteration first: subtract the fixed costs.
        runs = {}
        for n in (1, iters):
            before = m.traps()
            out = m.sh("insmod %s role=server domid=%s port=%s iters=%d; "
                       "dmesg -c | grep 'round trips'" % (MOD, domid, port, n),
                       timeout=300)
            assert re.search(r"%d round trips" % n, out), out
            runs[n] = (before, m.traps())
    diff = {}
    for cause in runs[iters][1]:
        d_many = runs[iters][1][cause] - runs[iters][0].get(cause, 0)
        d_one = runs[1][1].get(cause, 0) - runs[1][0].get(cause, 0)
        diff[cause] = (d_many - d_one) / (iters - 1)
    for cause, per in sorted(diff.items()):
        if cause != "total" and per >= 0.05:
            print("  %-34s %.2f per round trip" % (cause, per))
    report("evtchn", diff["total"] / 2, "traps/notification", 3, "<=")


if __name__ == "__main__":
    main()
