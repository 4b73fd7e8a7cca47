"""ioreq forwarding: a DomU module's loads and stores in 0x10001000-0x10001fff
are decoded by the hypervisor, posted to a device model in Dom0
(tests/dom0/ioreq_echo) and completed by it; reads return what the model
answers. Then the model goes away: the DomU's next access is a bus error
(an access fault, an oops in the module) instead of a hang, and the DomU
and Dom0 keep working.

A domain has several servers, each with its own range, page and channel:
two models serve two pages of the same DomU at once, and each sees only
its own page's accesses. The second declares a status latch at 0x60
(cleared through 0x64): the hypervisor answers those without asking it,
so it counts one read and one write fewer than the guest made."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token, wait_until  # noqa: E402
from test_vl import free_pages  # noqa: E402

PROBE = "/lib/modules-vireo-tests/ioreq_probe.ko"


def in_console(m, name, cmd, want, timeout=60):
    return m.domu(name, cmd, want, timeout, prompt_timeout=timeout)


def echo(m, domid, log, args):
    m.sh("(/usr/lib/vireo-tests/ioreq_echo %s %s > %s 2>&1 &)" % (domid, args, log))
    out = m.sh(wait_until("grep -q serving %s" % log) + "; cat %s" % log)
    assert "ioreq_echo: serving domain %s" % domid in out, out


def probe(m, base, n):
    match = in_console(m, "io", "insmod %s n=%d base=%s; echo P-$(dmesg | "
                       "grep ioreq_probe: | tail -1)" % (PROBE, n, base),
                       r"P-.*ioreq_probe: (\d+) ok (\d+) bad")
    assert match.group(1) == str(n) and match.group(2) == "0", match.group(0)


def two_servers(m, domid):
    echo(m, domid, "/tmp/a.log", "100 0x10001000 1")
    echo(m, domid, "/tmp/b.log", "199 0x10003000 2 latch")
    probe(m, "0x10003000", 200)
    out = m.sh(wait_until("grep -q reads /tmp/b.log") + "; cat /tmp/b.log")
    assert "ioreq_echo: 199 reads 199 writes" in out, out
    assert "reads" not in m.sh("cat /tmp/a.log")  # A saw none of them
    probe(m, "0x10001000", 100)
    out = m.sh(wait_until("grep -q reads /tmp/a.log") + "; cat /tmp/a.log")
    assert "ioreq_echo: 100 reads 100 writes" in out, out


def main():
    with Machine(timeout=90, log=os.environ.get("VIREO_CONSOLE_LOG")) as m:
        m.wait_ready()
        before = free_pages(m)
        m.sh("vl create demo.cfg name=io", timeout=60)
        domid = m.sh("vl domid io")
        m.sh("(/usr/lib/vireo-tests/ioreq_echo %s 1000 > /tmp/echo.log 2>&1 &)" % domid)
        log = m.sh(wait_until("grep -q serving /tmp/echo.log") + "; cat /tmp/echo.log")
        assert "ioreq_echo: serving domain %s" % domid in log, log
        match = in_console(m, "io", "dmesg -n 1; insmod %s n=1000; "
                           "echo FIRST-$(dmesg | grep ioreq_probe: | tail -1)" % PROBE,
                           r"FIRST-.*ioreq_probe: (\d+) ok (\d+) bad")
        assert match.group(1) == "1000" and match.group(2) == "0", match.group(0)
        log = m.sh(wait_until("grep -q reads /tmp/echo.log") + "; cat /tmp/echo.log")
        assert "ioreq_echo: 1000 reads 1000 writes" in log, log
        # Gone, its event channel closed with its file, before the next two.
        m.sh(wait_until("! pidof ioreq_echo"))
        two_servers(m, domid)
        # No device model any more: the range is no device, and the access
        # faults in the guest (a bus error: an oops in the module, which the
        # DomU survives); nothing hangs.
        m.allow_faults("Oops", "segfault")  # the oops kills insmod
        in_console(m, "io", "insmod %s n=3" % PROBE, r"access fault")
        in_console(m, "io", *token("still"))
        m.sh("vl destroy io")
        assert free_pages(m) == before
        assert m.sh("echo $((6*7))") == "42"
    print("ok")


if __name__ == "__main__":
    main()
