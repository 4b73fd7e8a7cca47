"""Moving a running vCPU between harts (sched_move, through the monitor's
`move` test hook): a DomU vCPU busy counting in its shell goes from hart to
hart and back ten times, and keeps counting; Dom0's vCPU 0, the one
running the shell the test types into, goes too. Each move is seen in the
monitor's `domains` (the vCPU's hart changed) and the guests still
answer. The domain is then destroyed, freeing what it had, as after any
run.

`move` and `domains` number CPUs alike (CPU 0 is the boot hart, as in
Xen, whichever hart OpenSBI's lottery chose). `domains` used to print hart
ids: in the boots that started on hart 1 a vCPU shown on "hart 1" sat on
CPU 0, a move to 0 had nothing to do, and the test took it for a lost
move."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output, token  # noqa: E402
from test_vl import free_pages  # noqa: E402

# Written aside and renamed over /tmp/c, so a read never finds it empty
# (as test_sched's counters).
COUNT = ("(i=0; while :; do i=$((i+1)); echo $i > /tmp/c.t; mv /tmp/c.t /tmp/c; "
         "done) >/dev/null 2>&1 &")


def hart_of(m, domid, vcpu):
    out = m.monitor("domains")
    block = re.search(r"(?m)^  %d \S+:.*\n((?:    .*\n?)*)" % domid, out)
    assert block, out
    mt = re.search(r"vcpu %d on hart (\d+)" % vcpu, block.group(1))
    assert mt, out
    return int(mt.group(1))


def move(m, domid, vcpu, hart):
    """Ask for the move and wait until the monitor shows it done."""
    assert "move: requested" in m.monitor("move %d %d %d" % (domid, vcpu, hart))
    # Poll for up to 30 s: on a loaded host the other hart's QEMU thread
    # may not run for a while. One request, never repeated: a lost kick
    # must fail the test.
    end = time.time() + 30
    while time.time() < end:
        if hart_of(m, domid, vcpu) == hart:
            return
        m.monitor("")  # a round trip: the harts get on with it
    print(m.monitor("runq"))
    raise AssertionError("vCPU %d.%d never reached hart %d" % (domid, vcpu, hart))


def counter(m):
    """The counter (none until its first rename: retry, 50 times at most)."""
    cmd = ('v=; n=0; while [ -z "$v" ] && [ $n -lt 50 ]; do '
           'v=$(cat /tmp/c 2>/dev/null); n=$((n+1)); done; echo "C-${v:-none}"')
    return int(domu_output(m, "mv", cmd, r"C-(\d+)")[0])


def main():
    with Machine(timeout=90, log=os.environ.get("VIREO_CONSOLE_LOG")) as m:
        boot = int(m.expect(r"booted on hart (\d+)", 60).group(1))
        m.wait_ready()
        m.monitor_enter()
        runq = m.monitor("runq")
        m.monitor_leave()
        print("booted on hart %d" % boot)
        # CPU 0 is the boot hart, where host interrupts (and so the
        # monitor) run; CPU 1 is the other.
        assert "hart 0 (id %d) this" % boot in runq, runq
        assert "hart 1 (id %d)" % (1 - boot) in runq, runq
        before = free_pages(m)
        m.sh("vl create demo.cfg name=mv", timeout=60)
        domid = int(m.sh("vl domid mv"))
        domu_output(m, "mv", COUNT + " " + token("bg")[0], r"(bg-\d+)")
        last = counter(m)
        m.monitor_enter()
        start = hart_of(m, domid, 0)
        assert "move: no such vCPU or hart" in m.monitor("move %d 0 7" % domid)
        assert "move: no such vCPU or hart" in m.monitor("move %d 3 0" % domid)
        for i in range(10):
            move(m, domid, 0, (start + 1 + i) % 2)
        m.monitor_leave()
        now = counter(m)
        assert now > last, (last, now)
        # Dom0's vCPU 0 runs the shell we type into: move it and back.
        m.monitor_enter()
        home = hart_of(m, 0, 0)
        move(m, 0, 0, 1 - home)
        m.monitor_leave()
        assert m.sh("echo $((6*7))") == "42"
        m.monitor_enter()
        move(m, 0, 0, home)
        m.monitor_leave()
        assert m.sh("echo $((6*8))") == "48"
        assert counter(m) > now
        m.sh("vl destroy mv", timeout=120)
        assert free_pages(m) == before
    print("ok")


if __name__ == "__main__":
    main()
