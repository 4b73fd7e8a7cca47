"""Drive a QEMU running Vireo + Dom0 (or native Linux) over its serial console.

Every test uses Machine as a context manager: QEMU is killed on the way out,
whatever happened, so a failed test never leaves a QEMU behind.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pexpect

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "out")
PROMPT = "dom0# "
READY = "Vireo Dom0 ready"
CTRL_A = "\x01"


class Machine:
    def __init__(self, native=False, smp=2, disk=None, net=True, icount=False,
                 append="", timeout=60, log=None, initrd=None, mem=None):
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
        if mem:
            args += ["--mem", mem]
        self.args = args
        self.timeout = timeout
        self.log = log
        self.child = None
        self.start_time = None

    def __enter__(self):
        self.start_time = time.monotonic()
        self.child = pexpect.spawn(self.args[0], self.args[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=self.timeout)
        if self.log:
            self.child.logfile_read = open(self.log, "a")
        return self

    def __exit__(self, *exc):
        if self.child and self.child.isalive():
            self.child.terminate(force=True)
        return False

    def expect(self, pattern, timeout=None):
        self.child.expect(pattern, timeout=timeout or self.timeout)
        return self.child.match

    def wait_ready(self, timeout=None):
        """Wait for Dom0's init banner and the first shell prompt."""
        self.expect(READY, timeout)
        ready = time.monotonic() - self.start_time
        self.expect(PROMPT, timeout)
        return ready

    def sh(self, cmd, timeout=None):
        """Run a shell command in Dom0 and return its output (without echo)."""
        marker = "__done_%d__" % int(time.monotonic() * 1000)
        self.child.sendline("%s; echo %s $?" % (cmd, marker))
        self.expect(r"%s (\d+)\r*\n" % marker, timeout)
        out = self.child.before
        self.status = int(self.child.match.group(1))
        self.expect(PROMPT, timeout)
        # Drop everything up to the echoed command line (a stray prompt
        # from earlier input may come first).
        lines = out.replace("\r", "").split("\n")
        for i, line in enumerate(lines):
            if "echo " + marker in line:
                lines = lines[i + 1:]
                break
        return "\n".join(lines).strip("\n")

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

    def domu(self, name, cmd, want, timeout=120, prompt_timeout=60):
        """On DomU name's console (`vl console`), run cmd and wait for the
        pattern want in its output; detach and return the match. The
        console replays old output first: want should match only what cmd
        prints (e.g. an arithmetic result, not the command's own echo)."""
        self.child.sendline("vl console %s" % name)
        self.child.sendline("")
        self.expect("domu# ", prompt_timeout)
        self.child.sendline(cmd)
        match = self.expect(want, timeout)
        self.console_detach()
        return match

    def traps(self):
        """Trap counters by cause, read through the monitor."""
        self.monitor_enter()
        text = self.monitor("traps")
        self.monitor_leave()
        return self.parse_traps(text)

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
