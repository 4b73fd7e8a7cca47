"""Cpupools, the null scheduler and vcpu-set (issue 12), through vl as an
xl user types it: hart 1 leaves Pool-0 for a null pool "rt"; a DomU
created there (pool="rt") gets hart 1 to itself, and while it burns CPU
the hart makes no context switch; a second DomU, a two-vCPU one, and a
migrate into the full pool are refused with an error and nothing made;
the DomU migrates back to Pool-0, the pool is destroyed and hart 1 goes
home. Then a DomU with maxvcpus=2 boots with one vCPU online and
`vl vcpu-set` brings the second online in the guest and takes it away;
`vl list` counts the online vCPUs, as xl list does."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output, token  # noqa: E402

HOG = "(while :; do :; done) >/dev/null 2>&1 &"


def ok(m, cmd, timeout=60):
    out = m.sh(cmd, timeout=timeout)
    assert m.status == 0, "%s: %s" % (cmd, out)
    return out


def refused(m, cmd, timeout=60):
    out = m.sh(cmd, timeout=timeout)
    assert m.status != 0, "%s accepted: %s" % (cmd, out)
    return out


def pools(m):
    """{name: (cpus, sched, domains)} from `vl cpupool-list`."""
    rows = {}
    for line in ok(m, "vl cpupool-list").splitlines()[1:]:
        r = re.match(r"^(\S+)\s+(\d+)\s+(\S+)\s+y\s+(\d+)\s*$", line.strip("\r"))
        assert r, line
        rows[r.group(1)] = (int(r.group(2)), r.group(3), int(r.group(4)))
    return rows


def hart_of(m, name, vcpu=0):
    for line in ok(m, "vl vcpu-list %s" % name).splitlines()[1:]:
        f = line.split()
        if f[0] == name and int(f[2]) == vcpu:
            return f[3]
    raise AssertionError("no vCPU %d of %s" % (vcpu, name))


def hart1_switches(m):
    m.monitor_enter()
    out = m.monitor("traps")
    m.monitor_leave()
    r = re.search(r"hart 1 switches\s+(\d+)", out)
    assert r, out
    return int(r.group(1))


def null_pool(m):
    assert pools(m) == {"Pool-0": (2, "credit", 1)}, pools(m)
    ok(m, "vl cpupool-cpu-remove Pool-0 1")
    ok(m, "printf 'name = \"rt\"\\nsched = \"null\"\\ncpus = \"1\"\\n' > /tmp/rt.cfg")
    ok(m, "vl cpupool-create /tmp/rt.cfg")
    assert pools(m) == {"Pool-0": (1, "credit", 1), "rt": (1, "null", 0)}, pools(m)
    ok(m, "vl create demo.cfg name=c1 'pool=\"rt\"'")
    assert hart_of(m, "c1") == "1"
    domu_output(m, "c1", HOG + " " + token("hog")[0], r"(hog-\d+)")
    before = hart1_switches(m)
    ok(m, "sleep 2")
    assert hart1_switches(m) == before, "a null-pool hart switched vCPUs"
    # Full: nothing more goes in, and nothing is left behind.
    n = len(ok(m, "vl list").splitlines())
    out = refused(m, "vl create demo.cfg name=c2 'pool=\"rt\"'")
    assert "null" in out or "free" in out or "full" in out, out
    refused(m, "vl create demo.cfg name=c3 vcpus=2 'pool=\"rt\"'")
    assert len(ok(m, "vl list").splitlines()) == n
    ok(m, "vl create demo.cfg name=c4")
    refused(m, "vl cpupool-migrate c4 rt")
    refused(m, "vl cpupool-cpu-remove rt 1")  # its DomU needs it
    refused(m, "vl cpupool-destroy Pool-0")
    # Back out: c1 to Pool-0, c4 can then move in.
    ok(m, "vl cpupool-migrate c1 Pool-0")
    end = time.time() + 30
    while time.time() < end and hart_of(m, "c1") != "0":
        pass
    assert hart_of(m, "c1") == "0"
    ok(m, "vl cpupool-migrate c4 rt")
    assert pools(m)["rt"] == (1, "null", 1), pools(m)
    for name in ("c1", "c4"):
        ok(m, "vl destroy %s" % name)
    ok(m, "vl cpupool-destroy rt")
    ok(m, "vl cpupool-cpu-add Pool-0 1")
    assert pools(m) == {"Pool-0": (2, "credit", 1)}, pools(m)


def nproc(m, name):
    return int(domu_output(m, name, "echo N-$(nproc)", r"N-(\d+)")[0])


def listed_vcpus(m, name):
    """vl list's VCPUs column: the online ones, as xl list's."""
    r = re.search(r"(?m)^%s\s+\d+\s+\d+\s+(\d+)\s" % name, ok(m, "vl list"))
    assert r, name
    return int(r.group(1))


def vcpu_set(m):
    ok(m, "vl create demo.cfg name=hp vcpus=1 maxvcpus=2")
    assert nproc(m, "hp") == 1
    assert listed_vcpus(m, "hp") == 1
    states = ok(m, "vl vcpu-list hp")
    assert re.search(r"(?m)^hp\s+\d+\s+1\s+-\s+--p", states), states
    refused(m, "vl vcpu-set hp 3")
    for want in (2, 1, 2):
        ok(m, "vl vcpu-set hp %d" % want)
        end = time.time() + 60
        while time.time() < end and nproc(m, "hp") != want:
            pass
        assert nproc(m, "hp") == want, "vcpu-set %d: nproc %d" % (want, nproc(m, "hp"))
        # The guest stops an offlined hart (SBI HSM) just after.
        while time.time() < end and listed_vcpus(m, "hp") != want:
            pass
        assert listed_vcpus(m, "hp") == want, ok(m, "vl list")
    ok(m, "vl destroy hp")


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        null_pool(m)
        vcpu_set(m)
    print("ok")


if __name__ == "__main__":
    main()
