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
from vireo_qemu import Machine  # noqa: E402
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

        # Output made while nobody is attached is replayed on attach.
        m.sh("vl create demo.cfg name=quiet1", timeout=60)
        time.sleep(3)
        m.child.sendline("vl console quiet1")
        m.expect("Vireo DomU ready", 30)
        m.console_detach()

        # create -c attaches at once.
        m.child.sendline("vl create -c demo.cfg name=attached")
        m.expect("domu# ", 60)
        m.child.sendline("echo attached-$((2+3))")
        m.expect("attached-5")
        m.console_detach()

        # A kernel panic with on_crash=preserve: the domain stays, crashed.
        m.sh("vl create demo.cfg name=crashy on_crash=\"preserve\"", timeout=60)
        m.child.sendline("vl console crashy")
        m.child.sendline("")
        m.expect("domu# ", 60)
        m.child.sendline("echo c > /proc/sysrq-trigger")
        m.expect("Kernel panic", 60)
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
        m.sh("kill $(cat /run/vireod.pid); sleep 0.5; vireod")
        doms = domains(m)
        assert {"calm", "attached", "crashy"} <= set(doms), doms
        m.child.sendline("vl console calm")
        m.child.sendline("echo after-restart")
        m.expect("after-restart", 30)
        m.console_detach()

        # Without its agent a guest cannot be shut down cleanly: a clear
        # error after the timeout, as xl gives for guests without PV drivers.
        m.child.sendline("vl console attached")
        m.child.sendline("killall vireo-agent; echo agent-gone")
        m.expect("agent-gone", 30)
        m.console_detach()
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
