"""virtio-blk under load in two DomUs at once: every request completes and
every checksum is right.

DomU s1 writes a 16 MiB random pattern over its whole 128 MiB disk and
reads each copy back (O_DIRECT, 1 MiB requests), then reads 2000 4 KiB
blocks, ROUNDS times over. Meanwhile DomU s2 writes and reads back 1 MiB
of random data in 4 KiB O_DIRECT requests, again and again. Both run in
the background inside their DomU; the test polls their result files. A
run that stops making progress for STALL seconds is a stall (issue 8's
lost interrupt): the monitor's `domains`, `irqs` and `traps` are printed
(Machine.diagnose), so the
log shows where the notification stopped, and the test fails.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, linux_cfg, remove_disk, token  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

ROUNDS = int(os.environ.get("VIREO_STRESS_ROUNDS", "2"))
STALL = 90  # seconds without a new line of progress


# Each line it prints is progress; the last says how many checks failed
# (as 1000 + n, a number only the shell's arithmetic produces).
S1 = ("dd if=/dev/urandom of=/tmp/p bs=1M count=16 2>/dev/null; "
      "P=$(sha256sum </tmp/p | cut -c1-16); f=0; "
      "for r in $(seq %d); do "
      "for i in 0 1 2 3 4 5 6 7; do dd if=/tmp/p of=/dev/vda bs=1M "
      "seek=$((i*16)) oflag=direct 2>/dev/null || f=$((f+1)); done; echo w$r; "
      "for i in 0 1 2 3 4 5 6 7; do [ \"$(dd if=/dev/vda bs=1M skip=$((i*16)) "
      "count=16 iflag=direct 2>/dev/null | sha256sum | cut -c1-16)\" = \"$P\" ] "
      "|| f=$((f+1)); done; echo r$r; "
      "dd if=/dev/vda of=/dev/null bs=4k count=2000 iflag=direct 2>/dev/null "
      "|| f=$((f+1)); echo s$r; done; echo DONE-$((f+1000))")
S2 = ("dd if=/dev/urandom of=/tmp/q bs=4k count=256 2>/dev/null; "
      "Q=$(sha256sum </tmp/q | cut -c1-16); f=0; n=0; "
      "while [ ! -e /tmp/stop ]; do n=$((n+1)); "
      "dd if=/tmp/q of=/dev/vda bs=4k oflag=direct 2>/dev/null || f=$((f+1)); "
      "[ \"$(dd if=/dev/vda bs=4k count=256 iflag=direct 2>/dev/null | "
      "sha256sum | cut -c1-16)\" = \"$Q\" ] || f=$((f+1)); echo n$n; done; "
      "echo DONE-$((f+1000))")


def start(m, name, script):
    cmd, want = token("BG")
    m.domu(name, "(%s) > /tmp/out 2>&1 & %s" % (script, cmd), want, 60)


def progress(m, name):
    """The DomU's result file, read through a fresh token."""
    cmd, want = token("P")
    match = m.domu(name, "echo X$(tail -c 200 /tmp/out | tr '\\n' ' ')X; " + cmd,
                   r"X([^X\r\n]*)X\s+" + want, 60)
    return match.group(1)


def wait_done(m, name):
    """Poll until name prints DONE; fail if it stops making progress."""
    seen, since = None, time.monotonic()
    while True:
        text = progress(m, name)  # Machine.domu diagnoses a timeout
        done = re.search(r"DONE-(\d+)", text)
        if done:
            return int(done.group(1)) - 1000
        if text != seen:
            seen, since = text, time.monotonic()
        elif time.monotonic() - since > STALL:
            m.diagnose()
            raise AssertionError("%s made no progress for %d s (last: %s)"
                                 % (name, STALL, text))
        time.sleep(3)


def main():
    disk = fresh_disk(512)
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            m.sh("dmesg -n 1")
            for name, mib in (("s1", 128), ("s2", 8)):
                m.sh("dd if=/dev/zero of=/data/%s.img bs=1M count=0 seek=%d"
                     % (name, mib))
                write_file(m, "/tmp/%s.cfg" % name, linux_cfg(name, 128, name))
                m.sh("vl create /tmp/%s.cfg" % name, timeout=90)
                assert m.status == 0, "vl create %s failed" % name
            start(m, "s2", S2)
            start(m, "s1", S1 % ROUNDS)
            t0 = time.monotonic()
            fails1 = wait_done(m, "s1")
            took = time.monotonic() - t0
            cmd, want = token("S")
            m.domu("s2", "touch /tmp/stop; " + cmd, want, 60)
            fails2 = wait_done(m, "s2")
            n2 = progress(m, "s2")
            print("s1: %d rounds in %.0f s, %d failed checks; s2: %d failed "
                  "checks (%s)" % (ROUNDS, took, fails1, fails2, n2.strip()))
            assert fails1 == 0, "s1: %d checks failed" % fails1
            assert fails2 == 0, "s2: %d checks failed" % fails2
            for name in ("s1", "s2"):
                m.sh("vl destroy %s" % name, timeout=60)
                assert m.status == 0
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
