"""SBI STA steal time (issue 9), seen by a Linux 6.12 DomU of one vCPU
running a CPU hog. Dom0 has one vCPU (dom0_max_vcpus=1), pinned to one
hart and the DomU to the other, so the DomU's hart is its own: there its
/proc/stat steal stays 0. Then a second DomU's hog is pinned to the same
hart (the credit scheduler would otherwise spread the hogs, and Dom0's
vCPU floats between harts unless pinned) and steal is 30-70 % of the
elapsed time. Which hart a vCPU sits on is read from the monitor, not
assumed."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output as run  # noqa: E402

HOG = "(while :; do :; done) & true"
# Steal and total ticks of /proc/stat's cpu line over 8 s (user through
# steal; guest time is already in user).
STEAL = ("a=$(head -1 /proc/stat); sleep 8; b=$(head -1 /proc/stat); "
         "echo $a $b | awk '{t=0; for (i = 13; i <= 20; i++) t += $i; "
         "for (i = 2; i <= 9; i++) t -= $i; "
         "printf \"STEAL-%d-OF-%d\\n\", $20 - $9, t}'")


def harts(m):
    """{domain id: hart of its vCPU 0}, from the monitor."""
    m.monitor_enter()
    out = m.monitor("domains")
    m.monitor_leave()
    return {int(d): int(h) for d, h in
            re.findall(r"(?m)^\s+(\d+) \S+:.*\n\s+vcpu 0 on hart (\d+)", out)}


def pin(m, dom, hart):
    """vCPU 0 of dom to hart alone (vl vcpu-pin, hard affinity), then
    wait until the monitor shows it there."""
    m.sh("vl vcpu-pin %s 0 %d" % (dom, hart))
    assert m.status == 0, "vcpu-pin %s 0 %d" % (dom, hart)
    domid = 0 if dom == "Domain-0" else int(m.sh("vl domid %s" % dom))
    for _ in range(50):
        if harts(m).get(domid) == hart:
            return
    raise AssertionError("%s vCPU 0 never reached hart %d: %s"
                         % (dom, hart, harts(m)))


def steal(m):
    s, t = (int(x) for x in run(m, "new", STEAL, r"STEAL-(\d+)-OF-(\d+)", 60))
    assert t > 500, "only %d ticks in 8 s" % t
    return s / t


def main():
    with Machine(timeout=120, hyp_append="dom0_max_vcpus=1") as m:
        m.wait_ready()
        out = m.sh("vl create demo.cfg name=new memory=96 "
                   "kernel=/usr/share/vireo/Image-6.12", timeout=60)
        assert m.status == 0, out
        run(m, "new", HOG, r"()", 240)
        where = harts(m)
        dom0_hart = where[0]
        mine = 1 - dom0_hart
        pin(m, "Domain-0", dom0_hart)
        pin(m, "new", mine)
        alone = steal(m)
        out = m.sh("vl create demo.cfg name=h2", timeout=60)
        assert m.status == 0, out
        rival = "h2"
        pin(m, rival, mine)
        assert harts(m)[int(m.sh("vl domid new"))] == mine
        run(m, rival, HOG, r"()")
        shared = steal(m)
        print("steal: alone %.1f %%, sharing its hart with %s's hog %.1f %%"
              % (alone * 100, rival, shared * 100))
        assert alone == 0, "steal %.1f %% with the hart to itself" % (alone * 100)
        assert 0.30 <= shared <= 0.70, "steal %.1f %% sharing a hart" % (shared * 100)
        for name in ("new", "h2"):
            m.sh("vl destroy %s" % name, timeout=60)
            assert m.status == 0
    print("ok")


if __name__ == "__main__":
    main()
