"""Drive a QEMU running Vireo + Dom0 (or native Linux) over its serial console.

Every test uses Machine as a context manager: QEMU is killed on the way out,
whatever happened, so a failed test never leaves a QEMU behind. Everything
the console showed is kept in out/test-logs/console-TEST.log and scanned on
the way out: an Oops, BUG:, segfault, kernel panic or hypervisor panic fails
the test unless the test declared it (Machine.allow_faults).

A wait on console output must match only what the shell's evaluation
prints, never the terminal's echo of the typed command: token() gives such
a command and the text to wait for.
"""
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pexpect

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "out")
PROMPT = "dom0# "
READY = "Vireo Dom0 ready"
CTRL_A = "\x01"

# What a console must never show unless the test expects it, by name.
FAULTS = {
    "Oops": r"\bOops\b",
    "BUG:": r"\bBUG: ",
    "segfault": r"\bsegfault\b|Segmentation fault|unhandled signal 11 ",
    "Kernel panic": r"Kernel panic - not syncing",
    "hypervisor panic": r"\(vireo\) PANIC: ",   # kernel/core/printk.c panic()
}

# Token numbers: distinct within a run, so a console's replay of an earlier
# token never satisfies a later wait.
_serial = itertools.count(random.randrange(100, 1000) * 1000)


def token(name):
    """A shell command printing a fresh token, and that token: `echo
    NAME-$((N+1))` prints NAME-<N+1>, which its echo does not contain."""
    n = next(_serial)
    return "echo %s-$((%d+1))" % (name, n), "%s-%d" % (name, n + 1)


def domu_output(m, name, cmd, pattern, timeout=120):
    """Run cmd on DomU name's console (waiting as long for its shell) and
    return the groups of pattern in what it printed up to an evaluated
    end token; fail if pattern is not there."""
    end, want = token(name + "-end")
    out = m.domu(name, cmd + "; " + end, r"(?s)(.*?)" + want, timeout,
                 prompt_timeout=timeout).group(1)
    res = re.search(pattern, out)
    assert res, "%s: no %r in %r" % (name, pattern, out)
    return res.groups()


def wait_until(cond, seconds=10):
    """A shell loop (Dom0's or a DomU's) that polls cond every 0.1 s until
    it holds or seconds have passed; the check after it says which."""
    return ("n=0; until %s; do n=$((n+1)); [ $n -ge %d ] && break; "
            "sleep 0.1; done" % (cond, seconds * 10))


_logs_opened = set()


def _console_log_path():
    script = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "python"
    return os.path.join(OUT, "test-logs", "console-%s.log" % script)


class _Console:
    """What the console showed: copied to a file and kept for the scan."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.file = open(path, "a" if path in _logs_opened else "w")
        _logs_opened.add(path)
        self.path = path
        self.chunks = []
        self.size = 0

    def write(self, text):
        self.file.write(text)
        self.chunks.append(text)
        self.size += len(text)

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()

    def tail(self, lines=12):
        """The console's last lines, without carriage returns."""
        text, i = "", len(self.chunks)
        while i > 0 and len(text) < 4096:
            i -= 1
            text = self.chunks[i] + text
        text = text.replace("\r", "")
        return "\n".join(text.splitlines()[-lines:])

    def faults(self, allowed):
        """Lines showing a fault not allowed at their position."""
        text = "".join(self.chunks)
        found = []
        for name, pattern in FAULTS.items():
            for m in re.finditer(pattern, text):
                if m.start() >= allowed.get(name, len(text) + 1):
                    continue
                start = text.rfind("\n", 0, m.start()) + 1
                end = text.find("\n", m.start())
                found.append(text[start:end if end >= 0 else None].strip())
        return found


class Machine:
    def __init__(self, native=False, smp=2, disk=None, net=True, icount=False,
                 append="", timeout=60, log=None, initrd=None, mem=None,
                 hyp_append=""):
        args = [os.path.join(TOP, "build", "qemu.sh"), "--smp", str(smp)]
        if native:
            args.append("--native")
        if disk:
            args += ["--disk", disk]
        if not net:
            args.append("--no-net")
        if icount:
            args.append("--icount")
        if append:
            args += ["--append", append]
        if initrd:
            args += ["--initrd", initrd]
        if hyp_append:
            args += ["--hyp-append", hyp_append]
        if mem:
            args += ["--mem", mem]
        self.args = args
        self.timeout = timeout
        self.log = log or _console_log_path()
        self.console = None
        self.allowed = {}
        self.child = None
        self.start_time = None

    def __enter__(self):
        self.start_time = time.monotonic()
        self.console = _Console(self.log)
        self.child = pexpect.spawn(self.args[0], self.args[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=self.timeout)
        self.child.logfile_read = self.console
        return self

    def __exit__(self, exc_type, *exc):
        try:
            if self.child and self.child.isalive():
                # Read what is still on its way (a late Oops) before the kill.
                try:
                    self.child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.5)
                except (OSError, ValueError):
                    pass
                self.child.terminate(force=True)
        finally:
            self.console.close()
        faults = self.console.faults(self.allowed)
        if faults:
            msg = "console shows a fault (see %s):\n  %s" % (
                self.log, "\n  ".join(faults))
            if exc_type is None:
                raise AssertionError(msg)
            print(msg, file=sys.stderr)
        return False

    def allow_faults(self, *names):
        """From here on, the console may show these FAULTS (a test that
        crashes a guest on purpose; the console's replay shows it again)."""
        for name in names:
            assert name in FAULTS, name
            self.allowed.setdefault(name, self.console.size)

    def expect(self, pattern, timeout=None):
        """Wait for pattern. A timeout or QEMU's exit raises the same
        pexpect exception, but with a message short enough for the test
        runner's tail: what was awaited, for how long, and the console's
        last lines (pexpect's own message is a dump of its state)."""
        timeout = timeout or self.timeout
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            what = "QEMU exited" if isinstance(e, pexpect.EOF) else \
                "nothing after %g s" % timeout
            raise type(e)("%s, waiting for %r; the console's last lines:\n%s"
                          % (what, pattern, self.console.tail())) from None
        return self.child.match

    def wait_ready(self, timeout=None):
        """Wait for Dom0's init banner and the first shell prompt; if they
        do not come, print the hypervisor's view (Machine.diagnose)."""
        try:
            self.expect(READY, timeout)
            ready = time.monotonic() - self.start_time
            self.expect(PROMPT, timeout)
        except pexpect.TIMEOUT:
            self.diagnose()
            raise
        return ready

    def sh(self, cmd, timeout=None):
        """Run a shell command in Dom0 and return its output (without echo)."""
        marker = "__done_%d__" % int(time.monotonic() * 1000)
        self.child.sendline("%s; echo %s $?" % (cmd, marker))
        self.expect(r"%s (\d+)\r*\n" % marker, timeout)
        out = self.child.before
        self.status = int(self.child.match.group(1))
        self.expect(PROMPT, timeout)
        # Drop everything up to the end of the echoed command (a stray
        # prompt from earlier input may come first); the console breaks
        # a long echo into lines of 80 characters.
        out = out.replace("\r", "")
        echo = "\n?".join(re.escape(c) for c in "echo %s $?" % marker)
        end = [e.end() for e in re.finditer(echo, out)]
        if end:
            out = out[end[-1]:].split("\n", 1)[-1]
        return out.strip("\n")

    def monitor(self, cmd, timeout=None):
        """Run one hypervisor monitor command; input stays with the monitor."""
        self.child.sendline(cmd)
        self.expect(r"vireo> ", timeout)
        return self.child.before.replace("\r", "")

    def monitor_enter(self):
        self.child.send(CTRL_A * 3)
        self.expect(r"vireo> ")

    def monitor_leave(self):
        self.child.send(CTRL_A * 3)
        self.expect(r"Serial input to Dom0")
        self.child.sendline("")
        self.expect(PROMPT)

    def console_detach(self):
        """Leave `vl console` (Ctrl-]) and wait for Dom0's prompt."""
        self.child.send("\x1d")
        self.child.sendline("")
        self.expect(PROMPT)

    def console_sync(self, timeout=60):
        """Once attached to a DomU's console, type a token() until its
        shell answers: that answer follows the console's replay of old
        output, and a line the 8250's init (or vl's switch to raw mode)
        threw away is typed again."""
        deadline = time.monotonic() + timeout
        wait = 1
        while True:
            cmd, want = token("sync")
            self.child.sendline(cmd)
            left = deadline - time.monotonic()
            try:
                self.expect(want, max(min(wait, left), 0.1))
                return
            except pexpect.TIMEOUT:
                if time.monotonic() >= deadline:
                    raise
            wait = min(wait * 2, 8)

    def domu(self, name, cmd, want, timeout=120, prompt_timeout=60):
        """On DomU name's console (`vl console`), wait until its shell
        answers (console_sync), run cmd and wait for the pattern want in
        its output; detach and return the match. want must match only
        what cmd's evaluation prints (e.g. a token()), not cmd's echo. With
        cmd None, only wait for the shell."""
        self.child.sendline("vl console %s" % name)
        try:
            self.console_sync(prompt_timeout)
            match = None
            if cmd is not None:
                self.child.sendline(cmd)
                match = self.expect(want, timeout)
        except pexpect.TIMEOUT:
            self.diagnose()
            raise
        self.console_detach()
        return match

    def diagnose(self):
        """After a guest stopped answering: print what the hypervisor
        monitor says of every domain's vCPUs, interrupts and I/O (the
        state a lost notification leaves), then give input back."""
        print("--- monitor, after a timeout:", file=sys.stderr)
        try:
            self.child.send("\x1d")  # out of a vl console, if in one
            self.child.send(CTRL_A * 3)
            self.expect(r"vireo> ", 10)
            for cmd in ("domains", "runq", "irqs", "traps", "runq"):
                print(self.monitor(cmd, 10), file=sys.stderr)
            self.child.send(CTRL_A * 3)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError) as e:
            print("monitor unreachable: %r" % e, file=sys.stderr)

    def traps(self):
        """Trap counters by cause, read through the monitor."""
        self.monitor_enter()
        text = self.monitor("traps")
        self.monitor_leave()
        return self.parse_traps(text)

    def traps_over(self, seconds):
        """Trap counters' growth over seconds, both readings in one monitor
        session (Dom0 gets no input between them)."""
        self.monitor_enter()
        before = self.parse_traps(self.monitor("traps"))
        time.sleep(seconds)
        after = self.parse_traps(self.monitor("traps"))
        self.monitor_leave()
        return {k: after[k] - before.get(k, 0) for k in after}

    @staticmethod
    def parse_traps(text):
        counts = {}
        for m in re.finditer(r"^  (.+?)\s+(\d+)$", text, re.M):
            counts[m.group(1).strip()] = int(m.group(2))
        return counts

    def poweroff(self, timeout=None):
        """Power Dom0 off and return QEMU's exit status."""
        self.child.sendline("poweroff")
        self.expect(pexpect.EOF, timeout)
        self.child.close()
        return self.child.exitstatus


def linux_cfg(name, memory=96, disk=None):
    """xl.cfg of a Linux DomU (Dom0's own kernel and the DomU initramfs),
    with, if disk is given, /data/DISK.img as its xvda."""
    cfg = ('name = "%s"\nmemory = %d\nkernel = "/usr/share/vireo/Image"\n'
           'ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"\n'
           'extra = "console=ttyS0 quiet"\n' % (name, memory))
    if disk:
        cfg += ("disk = [ 'format=raw, vdev=xvda, access=rw, "
                "target=/data/%s.img' ]\n" % disk)
    return cfg


def run_dom0_program(name, timeout=300):
    """Boot Vireo, run tests/dom0/NAME inside Dom0, check it passed and that
    Dom0 is unharmed and powers off cleanly."""
    with Machine(timeout=60) as m:
        m.wait_ready()
        out = m.sh("/usr/lib/vireo-tests/%s" % name, timeout=timeout)
        print(out)
        assert m.status == 0, "%s failed" % name
        assert "PASS: 0 failures" in out
        assert m.sh("echo $((6*7))") == "42"
        assert m.poweroff() == 0
    print("ok")


def fresh_disk(size_mb=64):
    """A new ext4 image in a temporary directory (the caller removes it)."""
    d = tempfile.mkdtemp(prefix="vireo-disk-")
    path = os.path.join(d, "disk.img")
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    subprocess.run(["/sbin/mkfs.ext4", "-F", "-q", path], check=True)
    return path


def remove_disk(path):
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
