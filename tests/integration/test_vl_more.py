"""More of vl and vireod: the dry run (-N) against a golden file, console
output kept while nobody is attached, create -c, on_crash=preserve after a
DomU kernel panic, rename/domid/domname/uptime/dmesg, and a vireod restart
that loses no running domain, and vl shutdown of a guest without its
agent (a clear error after the timeout)."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token, wait_until  # noqa: E402
from test_vl import domains, free_pages  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "demo-N.json")


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)

        out = m.sh("vl -N create demo.cfg name=dry memory=96 vcpus=2")
        body = out[out.index("{"):]
        with open(GOLDEN) as f:
            assert body.strip() == f.read().strip(), body
        assert set(domains(m)) == {"Domain-0"}, "-N created a domain"

        # Output made while nobody is attached is replayed on attach: once
        # a look at the console without a terminal shows the banner (which
        # the DomU prints once), an attach shows it again.
        m.sh("vl create demo.cfg name=quiet1", timeout=60)
        m.sh(wait_until("timeout 1 vl console quiet1 </dev/null | grep -q 'DomU ready'", 60))
        m.child.sendline("vl console quiet1")
        m.expect("Vireo DomU ready", 30)
        m.console_sync()
        m.console_detach()

        # create -c attaches at once.
        m.child.sendline("vl create -c demo.cfg name=attached")
        m.console_sync(60)
        m.console_detach()

        # A kernel panic with on_crash=preserve: the domain stays, crashed.
        m.sh("vl create demo.cfg name=crashy on_crash=\"preserve\"", timeout=60)
        m.child.sendline("vl console crashy")
        m.console_sync(60)
        m.allow_faults("Kernel panic")
        m.child.sendline("echo c > /proc/sysrq-trigger")
        # The guest's panic, and the hypervisor's line on its pvpanic report
        # (which comes straight to the serial port: either may come first,
        # and the second must not land in a later command's output).
        seen = set()
        while len(seen) < 2:
            seen.add(m.child.expect([r"Kernel panic",
                                     r"\(vireo\) domain \d+ \(\S+\) reported a panic"], 60))
        m.console_detach()  # a preserved domain keeps its console
        for _ in range(50):
            state = domains(m).get("crashy", (0, 0, 0, ""))[3]
            if state == "----c-":
                break
            time.sleep(0.2)
        assert state == "----c-", state

        # Names and ids.
        m.sh("vl rename quiet1 calm")
        calm = m.sh("vl domid calm")
        assert m.status == 0 and calm.isdigit()
        assert m.sh("vl domname %s" % calm) == "calm"
        assert "calm" in m.sh("vl uptime")
        assert "domain %s created" % calm in m.sh("vl dmesg")
        m.sh("vl domid nosuch")
        assert m.status != 0

        # vireod restarts without losing a running domain.
        m.sh("pid=$(cat /run/vireod.pid); kill $pid; "
             + wait_until("! kill -0 $pid 2>/dev/null") + "; vireod")
        doms = domains(m)
        assert {"calm", "attached", "crashy"} <= set(doms), doms
        m.domu("calm", *token("after"), timeout=30)

        # Without its agent a guest cannot be shut down cleanly: a clear
        # error after the timeout, as xl gives for guests without PV drivers.
        cmd, want = token("gone")
        m.domu("attached", "killall vireo-agent && " + cmd, want, timeout=30)
        out = m.sh("vl shutdown -w attached", timeout=60)
        assert m.status != 0 and "no guest agent" in out, out
        assert "attached" in domains(m)

        for name in ("calm", "attached", "crashy"):
            m.sh("vl destroy %s" % name)
            assert m.status == 0
        assert set(domains(m)) == {"Domain-0"}
        assert free_pages(m) == before
    print("ok")


if __name__ == "__main__":
    main()
