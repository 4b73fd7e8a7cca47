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
import bisect
import collections
import os
import re
import subprocess
import sys

from common import args, report
from vireo_qemu import OUT, PROMPT, Machine

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from test_evtchn import MOD, start_client  # noqa: E402

CROSS = "riscv64-linux-gnu-"
ELF = os.path.join(OUT, "vireo.elf")
LOGDIR = os.path.join(OUT, "bench-evtchn")
CTRL_T = "\x14"  # build/qemu.sh: -echr 0x14, Ctrl-T c is QEMU's monitor

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


def trap_run(iters):
    n1 = 1
    runs = {}
    with Machine(timeout=120) as m:
        m.wait_ready()
        domid, port = start_client(m)
        for n in (n1, iters):
            before = m.traps()
            server(m, domid, port, n)
            runs[n] = trap_delta(before, m.traps())
    print("2 harts, %d round trips: traps per notification by cause" % iters)
    print_causes(runs, n1, iters, 2, "")
    return per(runs, "total", n1, iters) / 2


# ----------------------------------------------------- instructions


def text_range():
    """The hypervisor's .text: (start, size)."""
    out = subprocess.run([CROSS + "readelf", "-SW", ELF], check=True,
                         capture_output=True, text=True).stdout
    mt = re.search(r"\] \.text\s+PROGBITS\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)",
                   out)
    return int(mt.group(1), 16), int(mt.group(2), 16)


class Symbols:
    """Function of an address, from the hypervisor ELF."""

    def __init__(self):
        out = subprocess.run([CROSS + "nm", "-n", ELF], check=True,
                             capture_output=True, text=True).stdout
        self.addr, self.name = [], []
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "Tt":
                self.addr.append(int(f[0], 16))
                self.name.append(f[2])

    def __call__(self, pc):
        i = bisect.bisect_right(self.addr, pc) - 1
        return self.name[i] if i >= 0 else "?"


class ExecLog:
    """Instructions executed per function, from QEMU's in_asm + exec log.

    in_asm prints each translated block ("IN:", then one line per
    instruction), exec one "Trace" line per block executed; with nochain
    every execution is logged. A block's instruction count is keyed by its
    pc, and kept across logs: a block translated while an earlier log was
    being written is not printed again. Under -icount a block cut short
    for I/O carries its length in the low cflags bits, so the longest
    translation at a pc is its full length."""

    TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/"
                       r"([0-9a-f]+)\]")

    def __init__(self, symbols):
        self.size = {}
        self.sym = symbols

    def count(self, path):
        by_pc = collections.Counter()
        block, n = None, 0
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("0x"):
                    if block is None:
                        block = int(line.split(":", 1)[0], 16)
                    n += 1
                    continue
                if block is not None:
                    self.size[block] = max(n, self.size.get(block, 0))
                    block, n = None, 0
                mt = self.TRACE.match(line)
                if mt:
                    by_pc[(int(mt.group(1), 16), int(mt.group(2), 16))] += 1
        counts = collections.Counter()
        for (pc, cflags), times in by_pc.items():
            size = self.size.get(pc)
            assert size, "no translation logged for 0x%x" % pc
            if cflags & 0x1ff:
                size = min(size, cflags & 0x1ff)
            counts[self.sym(pc)] += size * times
        counts["total"] = sum(counts.values())
        return counts


def qemu_monitor(m, cmd):
    m.child.send(CTRL_T + "c")
    m.expect(r"\(qemu\) ")
    m.child.sendline(cmd)
    m.expect(r"\(qemu\) ")
    m.child.send(CTRL_T + "c")
    m.child.sendline("")
    m.expect(PROMPT)


def icount_run(n1, n2):
    start, size = text_range()
    execlog = ExecLog(Symbols())
    os.makedirs(LOGDIR, exist_ok=True)
    logs = {n: os.path.join(LOGDIR, "exec-%d.log" % n) for n in (n1, n2)}
    insns, traps, instret = {}, {}, {}
    m = Machine(smp=1, icount=True, net=False, timeout=300)
    m.args += ["--", "-dfilter", "0x%x+0x%x" % (start, size),
               "-D", os.path.join(LOGDIR, "boot.log")]
    with m:
        m.wait_ready()
        domid, port = start_client(m)
        for n in (n1, n2):
            before = m.traps()
            qemu_monitor(m, "logfile %s" % logs[n])
            qemu_monitor(m, "log in_asm,exec,nochain")
            server(m, domid, port, n, quiet=True)
            qemu_monitor(m, "log none")
            traps[n] = trap_delta(before, m.traps())
            instret[n] = {"total": parse_server(
                m.sh("dmesg -c | grep 'round trips'"), n)}
        qemu_monitor(m, "logfile %s" % os.path.join(LOGDIR, "end.log"))
    for n in (n1, n2):
        insns[n] = execlog.count(logs[n])
    for name in list(logs.values()) + ["boot.log", "end.log"]:
        os.remove(os.path.join(LOGDIR, name))
    hyp = per(insns, "total", n1, n2)
    total = per(instret, "total", n1, n2)
    print("1 hart, -icount, %d-%d round trips: per round trip" % (n1, n2))
    print("  %-34s %8.1f" % ("traps", per(traps, "total", n1, n2)))
    print("  %-34s %8.1f" % ("hypervisor instructions", hyp))
    print("  %-34s %8.1f" % ("instructions, all modes (instret)", total))
    print("traps per round trip by cause")
    print_causes(traps, n1, n2, 1, "")
    print("hypervisor instructions per round trip by function")
    top = sorted(((per(insns, f, n1, n2), f) for f in insns[n2]
                  if f != "total"), reverse=True)
    for v, f in top[:12]:
        if v >= 1:
            print("  %-34s %8.1f" % (f, v))
    return hyp / 2, per(traps, "total", n1, n2) / 2


def main():
    a = args(__doc__)
    iters = 1000 if a.smoke else 10000
    n1, n2 = (10, 50) if a.smoke else (100, 400)
    traps = trap_run(iters)
    hyp, traps_1 = icount_run(n1, n2)
    print("1 hart: %.2f traps per notification" % traps_1)
    report("evtchn", traps, "traps/notification", TRAPS_PER_NOTIFICATION,
           "<=")
    report("evtchn_ins", hyp, "hyp insns/notification",
           HYP_INSNS_PER_NOTIFICATION, "<=")


if __name__ == "__main__":
    main()
