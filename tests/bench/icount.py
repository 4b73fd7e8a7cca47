"""Counting the hypervisor's own instructions under -icount shift=0:
QEMU's execution log restricted to the hypervisor's .text (-dfilter),
switched on and off from the QEMU monitor around the work measured, and
summed per function (ExecLog). With shift=0 every instruction advances the
virtual clock by 1 ns, so a guest's clock also counts every instruction
the hart retires, in every mode, while it is not idle."""
import bisect
import collections
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import OUT, PROMPT, Machine  # noqa: E402

CROSS = "riscv64-linux-gnu-"
ELF = os.path.join(OUT, "vireo.elf")
CTRL_T = "\x14"  # build/qemu.sh: -echr 0x14, Ctrl-T c is QEMU's monitor


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

    def address(self, name):
        return self.addr[self.name.index(name)]

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
    translation at a pc is its full length. entries: how many times each
    block ran in the last log, by its first pc (for a function's entry
    block, how many times it was called)."""

    TRACE = re.compile(r"^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/"
                       r"([0-9a-f]+)\]")

    def __init__(self, symbols):
        self.size = {}
        self.sym = symbols
        self.entries = collections.Counter()  # the last log's, by block pc

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
                    by_pc[(int(mt.group(2), 16), int(mt.group(3), 16))] += 1
        counts = collections.Counter()
        self.entries = collections.Counter()
        for (pc, cflags), times in by_pc.items():
            self.entries[pc] += times
            counts[self.sym(pc)] += self.block_size(pc, cflags) * times
        counts["total"] = sum(counts.values())
        return counts

    def block_size(self, pc, cflags):
        """Instructions of one execution of the block at pc."""
        size = self.size.get(pc)
        assert size, "no translation logged for 0x%x" % pc
        if cflags & 0x1ff:
            size = min(size, cflags & 0x1ff)
        return size

    def episodes(self, path, cpu, entry):
        """The hart cpu's trap episodes in the log, in order: from one
        execution of the block at entry (trap_entry) to the next, each as
        (instructions, functions run). The first and last are cut by the
        log's ends and dropped. Block sizes come from every hart's
        translations (a block any hart translated serves all)."""
        self.count(path)  # learns the size of every block in this log
        out, n, funcs = [], None, set()
        with open(path, errors="replace") as f:
            for line in f:
                mt = self.TRACE.match(line)
                if not mt or int(mt.group(1)) != cpu:
                    continue
                pc, cflags = int(mt.group(2), 16), int(mt.group(3), 16)
                if pc == entry:
                    if n is not None:
                        out.append((n, frozenset(funcs)))
                    n, funcs = 0, set()
                if n is None:
                    continue
                n += self.block_size(pc, cflags)
                funcs.add(self.sym(pc))
        return out[1:]


def qemu_monitor(m, cmd):
    m.child.send(CTRL_T + "c")
    m.expect(r"\(qemu\) ")
    m.child.sendline(cmd)
    m.expect(r"\(qemu\) ")
    m.child.send(CTRL_T + "c")
    m.child.sendline("")
    m.expect(PROMPT)


class HypCounter:
    """A Vireo machine whose hypervisor instructions can be counted around
    some work: by default on 1 hart under -icount (it hangs Linux with 2);
    the exact count needs only the execution log, so smp=2 without icount
    counts as well, per hart (episodes)."""

    def __init__(self, logdir, smp=1, icount=True, **kw):
        start, size = text_range()
        self.symbols = Symbols()
        self.execlog = ExecLog(self.symbols)
        self.logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        self.n = 0
        self.m = Machine(smp=smp, icount=icount, net=False, timeout=600, **kw)
        self.m.args += ["--", "-dfilter", "0x%x+0x%x" % (start, size),
                        "-D", os.path.join(logdir, "boot.log")]

    def __enter__(self):
        self.m.__enter__()
        self.m.wait_ready()
        return self

    def __exit__(self, *exc):
        try:
            return self.m.__exit__(*exc)
        finally:
            for name in os.listdir(self.logdir):
                os.remove(os.path.join(self.logdir, name))

    def logged(self, work):
        """Run work() with the execution log on; the log's path."""
        self.n += 1
        log = os.path.join(self.logdir, "exec-%d.log" % self.n)
        qemu_monitor(self.m, "logfile %s" % log)
        qemu_monitor(self.m, "log in_asm,exec,nochain")
        work()
        qemu_monitor(self.m, "log none")
        qemu_monitor(self.m, "logfile %s" % os.path.join(self.logdir, "end.log"))
        return log

    def count(self, work):
        """Run work() with the log on; its hypervisor instructions by
        function (and "total")."""
        log = self.logged(work)
        counts = self.execlog.count(log)
        os.remove(log)
        return counts

    def episodes(self, work, cpu):
        """Run work() with the log on; hart cpu's trap episodes
        (ExecLog.episodes)."""
        log = self.logged(work)
        eps = self.execlog.episodes(log, cpu, self.symbols.address("trap_entry"))
        os.remove(log)
        return eps


def top_functions(a, b, scale, n=10):
    """Lines of the functions with the most instructions in (b - a) / scale."""
    diffs = sorted(((b[f] - a.get(f, 0)) / scale, f) for f in b if f != "total")
    return ["  %-34s %10.1f" % (f, v) for v, f in reversed(diffs[-n:]) if v >= 1]
