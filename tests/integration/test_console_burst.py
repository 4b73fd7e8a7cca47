"""Console output is not lost (issue 9): tests/guests/burst prints a few
thousand numbered lines in two bursts, each far more than the hypervisor's
console ring holds, then its totals, then powers off at once through SBI
SRST, with on_poweroff = "destroy".

Pass: `vl create -c` receives every line, in order, the last one too;
`vl console NAME` of the domain that has gone prints its tail, until a new
domain takes the name; vireod's log of it on Dom0's persistent disk
(/data/log/vireo/NAME.log) holds it all; a guest printing more than 1 MiB
has its log rotated once at 1 MiB, one old file kept (NAME.log.1). With
vireod stopped mid-burst the guest waits for room and loses nothing. Without
a persistent disk nothing is logged, vireod says so once, and the console
still works. Output is read in Dom0 by awk, never on the terminal.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, remove_disk, wait_until  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

LINES, PAD = 3000, 40
BIG_LINES, BIG_PAD = 9500, 100  # about 1.1 MB: one rotation
LOGDIR = "/data/log/vireo"
ROTATE_AT = 1024 * 1024

CFG = """name = "%s"
memory = 16
kernel = "/usr/lib/vireo-tests/burst.Image"
on_poweroff = "destroy"
extra = "lines=%d pad=%d"
"""

# Checks a burst's output: its lines must follow each other from the first
# one there (the whole output starts at 0; a tail anywhere), each with its
# check and padding. Prints what it found.
CHECK_AWK = r"""{ sub(/\r$/, "") }
/^L / {
	if (!started) { n = $2; first = $2; started = 1 }
	if ($2 != n || $3 != ($2 * 7919) % 65521 || length($4) != pad) bad++
	n++; next
}
/^BURST-DONE/ { done = $0; next }
{ other++ }
END { printf "CHECK first=%d next=%d bad=%d other=%d %s\n", first, n, bad, other, done }
"""
CHECK_RE = (r"CHECK first=(\d+) next=(\d+) bad=(\d+) other=(\d+) "
            r"(?:(BURST-DONE lines=\d+ bytes=\d+ sum=\d+) waits=(\d+))?")


def expected(lines, pad):
    """The guest's totals: bytes before its last line, the sum of checks."""
    nbytes = total = 0
    for n in range(lines):
        check = n * 7919 % 65521
        nbytes += 2 + len(str(n)) + 1 + len(str(check)) + 1 + pad + 2
        total += check
    return nbytes, total


def check(m, files, pad):
    """What check.awk found: (first line, next, bad, other, the totals
    line without its waits)."""
    out = m.sh("cat %s | awk -v pad=%d -f /tmp/check.awk" % (files, pad),
               timeout=60)
    res = re.search(CHECK_RE, out)
    assert res, "no CHECK line: " + out
    first, nxt, bad, other = (int(x) for x in res.groups()[:4])
    if res.group(6):
        check.waits = int(res.group(6))
    return first, nxt, bad, other, res.group(5) or ""


def size(m, path):
    return int(m.sh("wc -c < %s" % path))


def create_c(m, cfg, out):
    """`vl create -c`, its console to a file; returns the seconds taken."""
    start = time.monotonic()
    m.sh("vl create -c %s >%s 2>/tmp/vl.err </dev/null" % (cfg, out),
         timeout=600)
    took = time.monotonic() - start
    assert m.status == 0, "vl create -c failed: " + m.sh("cat /tmp/vl.err")
    return took


def burst_and_tail(m):
    nbytes, total = expected(LINES, PAD)
    done = "BURST-DONE lines=%d bytes=%d sum=%d" % (LINES, nbytes, total)
    write_file(m, "/tmp/burst.cfg", CFG % ("burst", LINES, PAD))
    took = create_c(m, "/tmp/burst.cfg", "/tmp/burst.out")
    print("burst: %d lines, %d bytes in %.1f s (%.0f kB/s) through "
          "vl create -c" % (LINES, nbytes, took, nbytes / took / 1000))
    got = check(m, "/tmp/burst.out", PAD)
    assert got == (0, LINES, 0, 0, done), ("vl create -c lost output", got)
    print("the guest found THR busy in %d polls of LSR" % check.waits)
    full = nbytes + len("%s waits=%d" % (done, check.waits)) + 2
    assert size(m, "/tmp/burst.out") == full
    assert "burst" not in m.sh("vl list"), "on_poweroff=destroy left it"

    # The domain has gone: its console prints what it wrote last.
    m.sh("vl console burst >/tmp/tail.out 2>&1 </dev/null", timeout=30)
    assert m.status == 0, "vl console of a gone domain: " + \
        m.sh("head -c 300 /tmp/tail.out")
    first, nxt, bad, other, last = check(m, "/tmp/tail.out", PAD)
    assert (nxt, bad, last) == (LINES, 0, done), ("tail", first, nxt, bad)
    assert first > 0 and other <= 1, ("tail", first, other)
    print("vl console of the gone domain: lines %d-%d" % (first, nxt - 1))

    # The log on the persistent disk has every byte.
    log = LOGDIR + "/burst.log"
    assert check(m, log, PAD) == (0, LINES, 0, 0, done), "the log lost output"
    assert size(m, log) == full

    # A new domain takes the name: `vl console burst` is now its output.
    write_file(m, "/tmp/burst2.cfg", CFG % ("burst", 10, PAD))
    create_c(m, "/tmp/burst2.cfg", "/tmp/burst2.out")
    m.sh("vl console burst >/tmp/tail2.out 2>&1 </dev/null", timeout=30)
    got = check(m, "/tmp/tail2.out", PAD)
    assert got[:4] == (0, 10, 0, 0), ("the new domain's console", got)


def stall(m):
    """vireod stopped for 3 s mid-burst: the ring fills, the guest waits
    (THR busy) instead of losing output, and goes on when vireod does."""
    lines = 1000
    write_file(m, "/tmp/stall.cfg", CFG % ("stall", lines, PAD))
    m.sh("(vl create -c /tmp/stall.cfg >/tmp/stall.out 2>/dev/null </dev/null &); "
         "sleep 1; kill -STOP $(cat /run/vireod.pid); sleep 3; "
         "kill -CONT $(cat /run/vireod.pid)")
    m.sh(wait_until("! vl list | grep -q stall", 120), timeout=150)
    got = check(m, "/tmp/stall.out", PAD)
    assert got[:4] == (0, lines, 0, 0) and got[4], ("stalled burst", got)
    print("vireod stopped 3 s: the guest waited %d polls, lost nothing"
          % check.waits)
    assert check.waits > 0, "the guest never waited: the stall did not bite"


def end_while_stopped(m):
    """The guest prints its last 8 kB and powers off while vireod is
    stopped: on waking, vireod sees it ended, and must read the ring
    before destroying it."""
    lines = 150
    write_file(m, "/tmp/end.cfg", CFG % ("end", lines, PAD))
    m.sh("(vl create -c /tmp/end.cfg >/tmp/end.out 2>/dev/null </dev/null &); "
         + wait_until("grep -q '^L 0 ' /tmp/end.out", 30) +
         "; kill -STOP $(cat /run/vireod.pid); sleep 4; "
         "kill -CONT $(cat /run/vireod.pid)", timeout=60)
    m.sh(wait_until("! vl list | grep -q end", 60), timeout=90)
    got = check(m, "/tmp/end.out", PAD)
    assert got[:4] == (0, lines, 0, 0) and got[4], ("ended unread", got)


def rotation(m):
    nbytes, total = expected(BIG_LINES, BIG_PAD)
    done = "BURST-DONE lines=%d bytes=%d sum=%d" % (BIG_LINES, nbytes, total)
    log = LOGDIR + "/burstbig.log"
    # What older runs left: the current log goes on, the old one goes.
    m.sh("echo STALE-CURRENT > %s; echo STALE-OLD > %s.1" % (log, log))
    write_file(m, "/tmp/big.cfg", CFG % ("burstbig", BIG_LINES, BIG_PAD))
    took = create_c(m, "/tmp/big.cfg", "/dev/null")
    print("big burst: %d bytes in %.1f s" % (nbytes, took))
    files = m.sh("cd %s && echo *" % LOGDIR).split()
    assert sorted(f for f in files if f.startswith("burstbig")) == \
        ["burstbig.log", "burstbig.log.1"], files
    assert size(m, log + ".1") == ROTATE_AT
    assert m.sh("head -n 1 %s.1" % log) == "STALE-CURRENT"
    m.sh("grep -q STALE-OLD %s %s.1" % (log, log))
    assert m.status != 0, "the older log was kept"
    got = check(m, "%s.1 %s" % (log, log), BIG_PAD)
    assert got == (0, BIG_LINES, 0, 1, done), ("rotated logs", got)
    full = nbytes + len("%s waits=%d" % (done, check.waits)) + 2
    assert size(m, log) == len("STALE-CURRENT\n") + full - ROTATE_AT


def no_disk():
    """Dom0 without its persistent disk: no log, one message, no harm."""
    with Machine(timeout=120) as m:
        m.wait_ready()
        write_file(m, "/tmp/check.awk", CHECK_AWK)
        write_file(m, "/tmp/burst.cfg", CFG % ("burst", 300, PAD))
        for _ in range(2):
            create_c(m, "/tmp/burst.cfg", "/tmp/burst.out")
            got = check(m, "/tmp/burst.out", PAD)
            assert got[:4] == (0, 300, 0, 0), got
        said = m.sh("grep -c 'no persistent disk' /var/log/vireod.log")
        assert said == "1", "vireod said it %s times" % said
        m.sh("ls /data/log")
        assert m.status != 0, "logs were written to the initramfs"


def main():
    disk = fresh_disk(64)
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            write_file(m, "/tmp/check.awk", CHECK_AWK)
            m.sh("rm -rf %s" % LOGDIR)
            burst_and_tail(m)
            stall(m)
            end_while_stopped(m)
            rotation(m)
            m.sh("grep -i 'console log' /var/log/vireod.log")
            assert m.status != 0, "vireod could not write a log"
    finally:
        remove_disk(disk)
    no_disk()
    print("ok")


if __name__ == "__main__":
    main()
