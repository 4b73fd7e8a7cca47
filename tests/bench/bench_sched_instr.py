"""The hypervisor's instructions per vCPU context switch, counted exactly
under -icount shift=0 on 1 hart (tests/bench/icount.py; -icount hangs
Linux with 2 harts): two demo.cfg DomUs (1 vCPU, 64 MiB) each running a
shell busy loop share the hart with an idle Dom0, so the credit scheduler
switches between them at every slice (30 ms, with its 10 ms tick in
between). Dom0 sleeps for a long and for a short time (virtual time: 1 ns
per instruction); the figure is the difference in hypervisor instructions
between the two, divided by the difference in context switches, so that
typing the command drops out; 5 pairs:

- sched_switch_instr: hypervisor instructions per context switch,
  everything the hypervisor does while the hart is shared (the ticks
  between switches, the guests' own traps) included. Dom0, idle at its
  shell, still wakes tens of times a second (console_read hypercalls),
  two switches each: most switches are those, not the slices'. No
  target: a figure to compare kernels by. The hypervisor exposes no
  switch counter: a switch is a call of vcpu_arch_load() (sched.c's
  switch_to() loads another vCPU's state), counted as the runs of that
  function's first block in the same execution log. The last pair's
  instructions per switch by function, and traps per switch by cause,
  are printed."""
import os

from common import args, record
from icount import HypCounter, top_functions
from vireo_qemu import OUT, domu_output, token

LOGDIR = os.path.join(OUT, "bench-sched-instr")
LOAD = "vcpu_arch_load"  # one call per context switch (sched.c switch_to)
PUT = "vcpu_arch_put"    # the vCPU switched from (a cross-check)
BUSY = "(while :; do :; done) >/dev/null 2>&1 &"


def hogs(m, names):
    for name in names:
        out = m.sh("vl create demo.cfg name=%s" % name, timeout=600)
        assert m.status == 0, out
        cmd, want = token("busy")
        domu_output(m, name, "%s %s" % (BUSY, cmd), "(%s)" % want, 600)


def measure(h, s1, s2, pairs):
    """Per switch over pairs of Dom0 sleeps of s1 and s2 seconds."""
    m = h.m
    load, put = (h.execlog.sym.address(f) for f in (LOAD, PUT))
    figures, last = [], None
    for _ in range(pairs):
        insns, switches, traps = {}, {}, {}
        for s in (s1, s2):
            before = m.traps()
            insns[s] = h.count(lambda s=s: m.sh("sleep %s" % s, timeout=1800))
            switches[s] = h.execlog.entries[load]
            puts = h.execlog.entries[put]
            after = m.traps()
            traps[s] = {c: after[c] - before.get(c, 0) for c in after}
        n = switches[s2] - switches[s1]
        assert n > 0, switches
        figures.append((insns[s2]["total"] - insns[s1]["total"]) / float(n))
        last = (insns, traps, switches, n)
    insns, traps, switches, n = last
    print("1 hart, -icount, Dom0 sleeping %s s - %s s: %d - %d switches "
          "(%s calls in the %s s window: %d)"
          % (s2, s1, switches[s2], switches[s1], PUT, s2, puts))
    print("  %-34s %10.1f" % ("hypervisor instructions per switch",
                              figures[-1]))
    print("traps per switch by cause and side")
    for cause in sorted(traps[s2]):
        v = (traps[s2][cause] - traps[s1].get(cause, 0)) / float(n)
        if cause != "total" and abs(v) >= 0.05:
            print("  %-44s %6.2f" % (cause, v))
    print("hypervisor instructions per switch by function")
    print("\n".join(top_functions(insns[s1], insns[s2], n, 12)))
    return figures


def main():
    a = args(__doc__)
    pairs = 1 if a.smoke else 5
    s1, s2 = (0.2, 0.6) if a.smoke else (0.5, 2.5)
    with HypCounter(LOGDIR) as h:
        hogs(h.m, ("sw1", "sw2"))
        figures = measure(h, s1, s2, pairs)
        for name in ("sw1", "sw2"):
            h.m.sh("vl destroy %s" % name, timeout=600)
    record("sched_switch_instr", "hyp instr/switch", figures, None, None)


if __name__ == "__main__":
    main()
