"""The toolstack as a Dom0 administrator uses it: vl and vireod.

Three DomUs from /etc/vireo/demo.cfg, a command in each console, vl list
in xl's layout, pause/unpause, clean shutdown (-w) through the guest agent,
destroy, reboot (back under the same name), a guest poweroff ending only
that DomU, bad input creating nothing, and vl info free_pages back to the
figure before.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402


def domains(m):
    """vl list as {name: (id, mem, vcpus, state)}; checks the header."""
    out = m.sh("vl list")
    lines = out.splitlines()
    assert lines[0] == "Name                                        ID   Mem VCPUs\tState\tTime(s)", lines[0]
    doms = {}
    for line in lines[1:]:
        f = re.match(r"(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([-rbpscd]{6})\s+[\d.]+$", line)
        assert f, "bad vl list row %r" % line
        doms[f.group(1)] = (int(f.group(2)), int(f.group(3)), int(f.group(4)), f.group(5))
    return doms


def free_pages(m):
    return int(m.sh("vl info free_pages"))


def console_cmd(m, name, cmd, want, timeout=60):
    """Attach to a DomU console, run cmd, wait for want, detach."""
    m.domu(name, cmd, want, timeout, prompt_timeout=timeout)


def cpu_time(m, name):
    return float(re.search(r"([\d.]+)$", [l for l in m.sh("vl list %s" % name).splitlines()][-1]).group(1))


def cpu_grows(m, name, seconds=1.0, by=0.3):
    """Whether domain name's CPU time (in 0.1 s steps) grows by at least
    by seconds over seconds of wall time (a busy loop runs in it)."""
    t0 = cpu_time(m, name)
    time.sleep(seconds)
    return cpu_time(m, name) >= t0 + by


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)

        # Bad input: a clear error and nothing created.
        for override, msg in (("kernel=/no/such/Image", "No such file"),
                              ("memory=100000", "exceeds the free pool"),
                              ("vcpus=0", "vcpus"),
                              ("memory=0", "memory")):
            out = m.sh("vl create demo.cfg name=bad %s" % override, timeout=60)
            assert m.status != 0 and msg in out, (override, out)
        assert set(domains(m)) == {"Domain-0"}
        assert free_pages(m) == before

        for i in (1, 2, 3):
            out = m.sh("vl create demo.cfg name=g%d memory=128" % i, timeout=60)
            assert m.status == 0, out
        out = m.sh("vl create demo.cfg name=g1", timeout=60)
        assert m.status != 0 and "already exists" in out, out

        doms = domains(m)
        assert set(doms) == {"Domain-0", "g1", "g2", "g3"}, doms
        assert doms["Domain-0"][0] == 0
        for g in ("g1", "g2", "g3"):
            assert doms[g][1] == 128 and doms[g][2] == 1, doms[g]
        for i, g in enumerate(("g1", "g2", "g3")):
            console_cmd(m, g, "echo result-$((%d*7))" % (i + 1), "result-%d" % ((i + 1) * 7))

        # Pause, with g2 busy: its CPU time grows while it runs, stops
        # while paused (the others run on), and grows again once unpaused.
        cmd, want = token("busy")
        console_cmd(m, "g2", "(while :; do :; done) & echo $! > /tmp/busy; " + cmd, want)
        assert cpu_grows(m, "g2"), "busy g2 did not run"
        m.sh("vl pause g2")
        assert domains(m)["g2"][3][2] == "p"
        t0 = cpu_time(m, "g2")
        time.sleep(1)
        assert cpu_time(m, "g2") == t0, "paused g2 ran"
        console_cmd(m, "g3", *token("still"))
        m.sh("vl unpause g2")
        assert cpu_grows(m, "g2"), "unpaused g2 did not run"
        cmd, want = token("resumed")
        console_cmd(m, "g2", "kill $(cat /tmp/busy); " + cmd, want)

        # Clean shutdown through the guest agent, then destroy.
        out = m.sh("vl shutdown -w g1", timeout=60)
        assert m.status == 0, out
        assert "g1" not in domains(m)
        m.sh("vl destroy g2")
        assert m.status == 0
        assert "g2" not in domains(m)

        # Reboot: the same name comes back with a new id.
        old = domains(m)["g3"][0]
        out = m.sh("vl reboot -w g3", timeout=60)
        assert m.status == 0, out
        for _ in range(50):
            doms = domains(m)
            if "g3" in doms and doms["g3"][0] != old:
                break
            time.sleep(0.2)
        assert "g3" in doms and doms["g3"][0] != old, doms
        console_cmd(m, "g3", *token("rebooted"), timeout=90)

        # The guest's own poweroff ends only that domain.
        out = m.sh("vl create demo.cfg name=g4", timeout=60)
        assert m.status == 0, out
        m.child.sendline("vl console g4")
        m.console_sync(60)
        m.child.sendline("poweroff")
        m.expect("dom0# ", 60)   # vl console ends with the domain
        for _ in range(50):
            if "g4" not in domains(m):
                break
            time.sleep(0.2)
        assert "g4" not in domains(m)
        assert "g3" in domains(m)

        m.sh("vl destroy g3")
        assert set(domains(m)) == {"Domain-0"}
        assert free_pages(m) == before, "free_pages %d != %d" % (free_pages(m), before)
        assert m.poweroff() == 0
    print("ok")


if __name__ == "__main__":
    main()
