"""Event channels between domains: a kernel module in a DomU echoes every
event a kernel module in Dom0 sends, through Vireo's event-channel
hypercalls and upcall interrupts only, for 10,000 round trips; then Dom0
userspace does the same through /dev/vireo_evtchn."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402
from test_vl import free_pages  # noqa: E402

MOD = "/lib/modules-vireo-tests/evtchn_pp.ko"


def start_client(m, name="peer"):
    """A DomU running the echoing client; returns (domid, its port)."""
    m.sh("dmesg -n 1")
    m.sh("vl create demo.cfg name=%s" % name, timeout=60)
    domid = m.sh("vl domid %s" % name)
    m.child.sendline("vl console %s" % name)
    m.child.sendline("")
    m.expect("domu# ", 60)
    m.child.sendline("dmesg -n 1; insmod %s role=client; dmesg | grep 'client port'" % MOD)
    port = m.expect(r"evtchn_pp: client port (\d+)", 30).group(1)
    m.console_detach()
    return domid, port


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)
        domid, port = start_client(m)
        out = m.sh("insmod %s role=server domid=%s port=%s iters=10000; "
                   "dmesg | grep 'evtchn_pp:'" % (MOD, domid, port), timeout=120)
        print(out)
        assert re.search(r"evtchn_pp: 10000 round trips", out), out
        # Userspace, through /dev/vireo_evtchn, to the same DomU port
        # (which went back to unbound when the module closed its end).
        out = m.sh("/usr/lib/vireo-tests/evtchn_user %s %s 1000" % (domid, port),
                   timeout=120)
        assert "evtchn_user: 1000 round trips" in out, out
        out = m.sh("/usr/lib/vireo-tests/evtchn_user %s %s 10" % (domid, port))
        assert "evtchn_user: 10 round trips" in out, out
        # Destroying the peer with its port bound cleans up both ends.
        m.sh("vl destroy peer")
        assert m.status == 0
        assert free_pages(m) == before
        # ...and Dom0's table is usable again afterwards (port reuse).
        m.sh("vl create demo.cfg name=peer2", timeout=60)
        m.sh("vl destroy peer2")
        assert free_pages(m) == before
        assert m.poweroff() == 0
    print("ok")


if __name__ == "__main__":
    main()
