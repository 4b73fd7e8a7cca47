"""A 2-vCPU DomU floods one of its vCPUs with IPIs; Dom0 keeps its share.

The DomU's vCPU 1 sits on hart 0 beside Dom0's vCPU 0 and spins; its
vCPU 0, on hart 1, signals the spinner without end, and each signal is an
SBI IPI at the spinning vCPU 1 (Linux's kick_process). A kick of a vCPU
that is runnable already used to end the running vCPU's slice, so Dom0's
busy loop on hart 0 got almost nothing. Only a real wake-up may now
preempt: Dom0's vCPU 0 keeps at least 45 % of hart 0 by the hypervisor's
CPU-time accounting (vl list -l; Dom0's vCPU 1 is idle meanwhile).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402

SECONDS = 10
SPIN = "sh -c 'while :; do :; done'"


def sample(m):
    """(Dom0 uptime in s, Dom0 CPU time in s, DomU CPU time in s)."""
    out = m.sh("cat /proc/uptime; vl list -l")
    up, doms = out.split("\n", 1)
    times = {d["name"]: float(d["cpu_time"]) for d in json.loads(doms)}
    return float(up.split()[0]), times["Domain-0"], times["spam"]


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        m.sh("dmesg -n 1")
        m.sh("vl create demo.cfg name=spam vcpus=2", timeout=60)
        assert m.status == 0, "vl create failed"
        cmd, want = token("spam")
        # DomU CPU 1 (vCPU 1, hart 0) spins; CPU 0 (vCPU 0, hart 1) sends
        # it signals without end, and Linux interrupts the CPU a signalled
        # task runs on (kick_process) with an SBI IPI.
        # The sender starts once the spinner has its trap: a USR1 before
        # it would kill the spinner (seen in a clean-clone run).
        m.domu("spam", "rm -f /tmp/armed; taskset -c 1 sh -c 'trap : USR1; "
               "touch /tmp/armed; while :; do :; done' & p=$!; "
               "while [ ! -e /tmp/armed ]; do sleep 0.1; done; "
               "taskset -c 0 sh -c \"while kill -USR1 $p; do "
               ":; done\" & sleep 1; %s" % cmd, want)
        # Dom0's vCPU 0 shares hart 0 with the DomU's spinning vCPU 1.
        m.sh("taskset -c 0 %s & echo $! >/tmp/spin.pid" % SPIN)
        time.sleep(2)
        up0, dom0_0, domu_0 = sample(m)
        time.sleep(SECONDS)
        up1, dom0_1, domu_1 = sample(m)
        wall = up1 - up0
        dom0 = (dom0_1 - dom0_0) / wall
        domu = (domu_1 - domu_0) / wall
        print("over %.1f s: Dom0 %.0f %%, DomU %.0f %% of a hart"
              % (wall, dom0 * 100, domu * 100))
        # The DomU really ran: its writer has hart 1 nearly to itself.
        assert domu >= 0.8, "the DomU did not run (%.2f)" % domu
        assert dom0 >= 0.45, "Dom0 kept %.0f %% of its hart" % (dom0 * 100)
        m.sh("kill $(cat /tmp/spin.pid)")
        m.sh("vl destroy spam", timeout=60)
        assert m.status == 0, "vl destroy failed"
        assert m.sh("echo $((6*7))") == "42"
    print("ok")


if __name__ == "__main__":
    main()
