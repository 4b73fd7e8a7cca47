"""Event-channel ping-pong between kernel modules in Dom0 and a DomU
(tests/guests/evtchn_pp over vireo.ko), two runs:

1. traps, as deployed (2 harts): hypervisor traps per notification (two
   notifications per round trip), by cause, from the monitor's counters.
   Target: 3, the send and the receiver's claim and complete.
2. instructions, under -icount shift=0 on 1 hart (-icount hangs Linux with
   2): hypervisor instructions per notification, counted exactly from
   QEMU's execution log restricted to the hypervisor's text (-dfilter;
   logging switched on from the QEMU monitor around the ping-pong only),
   next to every instruction the hart retired (instret, read by the Dom0
   module) and that run's traps.

Each figure is the difference between a long and a short run of the same
command, so boot, typing and insmod costs drop out."""
import os
import re
import sys

from common import args, record
from icount import HypCounter, top_functions
from vireo_qemu import OUT, Machine

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from test_evtchn import MOD, start_client  # noqa: E402

LOGDIR = os.path.join(OUT, "bench-evtchn")

# Targets. The instruction budget is 3 traps at the null SBI call's
# 120 instructions (bench_sbi_null) plus as much again for the event-
# channel work itself (port lookup, vPLIC state, picking the vCPU).
TRAPS_PER_NOTIFICATION = 3
HYP_INSNS_PER_NOTIFICATION = 720


def server(m, domid, port, n, quiet=False):
    """One ping-pong of n round trips from Dom0. quiet: print nothing on
    the console (while QEMU logs), the caller reads dmesg afterwards."""
    cmd = "insmod %s role=server domid=%s port=%s iters=%d" % (MOD, domid,
                                                               port, n)
    if quiet:
        m.sh(cmd + " 2>/dev/null", timeout=300)
        return None
    out = m.sh(cmd + "; dmesg -c | grep 'round trips'", timeout=300)
    return parse_server(out, n)


def parse_server(out, n):
    mt = re.search(r"evtchn_pp: %d round trips in \d+ us, instret (\d+)" % n,
                   out)
    assert mt, out
    return int(mt.group(1))


def per(runs, key, n1, n2):
    """(long - short) / (n2 - n1) for one counter of a pair of runs."""
    return (runs[n2].get(key, 0) - runs[n1].get(key, 0)) / (n2 - n1)


def trap_delta(before, after):
    return {c: after[c] - before.get(c, 0) for c in after}


def print_causes(runs, n1, n2, scale, unit):
    for cause in sorted(runs[n2]):
        v = per(runs, cause, n1, n2) / scale
        if cause != "total" and v >= 0.05:
            print("  %-34s %6.2f %s" % (cause, v, unit))


# ------------------------------------------------------------ traps


def trap_run(iters, rounds):
    """Traps per notification of rounds (1, iters) pairs in one boot."""
    n1 = 1
    figures = []
    with Machine(timeout=120) as m:
        m.wait_ready()
        domid, port = start_client(m)
        for _ in range(rounds):
            runs = {}
            for n in (n1, iters):
                before = m.traps()
                server(m, domid, port, n)
                runs[n] = trap_delta(before, m.traps())
            figures.append(per(runs, "total", n1, iters) / 2)
    print("2 harts, %d round trips: traps per notification by cause and side"
          % iters)
    print_causes(runs, n1, iters, 2, "")
    return figures


# ----------------------------------------------------- instructions


def icount_run(n1, n2, pairs):
    """pairs (short, long) runs in one boot; hypervisor instructions per
    notification of each pair, and the last pair's detail printed."""
    figures = []
    with HypCounter(LOGDIR) as h:
        m = h.m
        domid, port = start_client(m)
        for _ in range(pairs):
            insns, traps, instret = {}, {}, {}
            for n in (n1, n2):
                before = m.traps()
                insns[n] = h.count(lambda: server(m, domid, port, n, quiet=True))
                traps[n] = trap_delta(before, m.traps())
                instret[n] = {"total": parse_server(
                    m.sh("dmesg -c | grep 'round trips'"), n)}
            figures.append(per(insns, "total", n1, n2) / 2)
    print("1 hart, -icount, %d-%d round trips: per round trip" % (n1, n2))
    print("  %-34s %8.1f" % ("traps", per(traps, "total", n1, n2)))
    print("  %-34s %8.1f" % ("hypervisor instructions", 2 * figures[-1]))
    print("  %-34s %8.1f" % ("instructions, all modes (instret)",
                             per(instret, "total", n1, n2)))
    print("traps per round trip by cause and side")
    print_causes(traps, n1, n2, 1, "")
    print("hypervisor instructions per round trip by function")
    print("\n".join(top_functions(insns[n1], insns[n2], n2 - n1, 12)))
    return figures


def main():
    a = args(__doc__)
    iters = 1000 if a.smoke else 10000
    n1, n2 = (10, 50) if a.smoke else (100, 400)
    rounds = 1 if a.smoke else 5
    traps = trap_run(iters, rounds)
    hyp = icount_run(n1, n2, rounds)
    record("evtchn_traps_per_notify", "traps/notification", traps,
           TRAPS_PER_NOTIFICATION, "<=")
    record("evtchn_instr_per_notify", "hyp instr/notification", hyp,
           HYP_INSNS_PER_NOTIFICATION, "<=")


if __name__ == "__main__":
    main()
