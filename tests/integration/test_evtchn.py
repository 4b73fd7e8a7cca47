"""Event channels between domains, through vireo.ko in both of them:
- a kernel module in a DomU echoes every event a kernel module in Dom0
  sends, 10,000 round trips, both over vireo.ko's in-kernel API;
- Dom0 userspace pings that same DomU port through /dev/vireo_evtchn;
- DomU userspace echoes through the DomU's /dev/vireo_evtchn, pinged from
  Dom0 userspace;
then destroying the DomU leaves nothing behind."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402
from test_vl import free_pages  # noqa: E402

MOD = "/lib/modules-vireo-tests/evtchn_pp.ko"
USER = "/usr/lib/vireo-tests/evtchn_user"
# The DomU initramfs with evtchn_user appended as a second archive (Linux
# unpacks every archive it finds in the initrd).
RAMDISK = "/tmp/domu-evtchn.cpio.gz"


def domu_run(m, name, cmd, pattern, timeout=30):
    """Run cmd at DomU name's shell; return the match of pattern in its
    output, back at Dom0's prompt."""
    return m.domu(name, cmd, pattern, timeout)


def start_client(m, name="peer", ramdisk=None):
    """A DomU running the echoing client module; returns (domid, its port).
    The client needs vireo.ko, which the DomU's /init has loaded."""
    m.sh("dmesg -n 1")
    extra = " ramdisk=%s" % ramdisk if ramdisk else ""
    m.sh("vl create demo.cfg name=%s%s" % (name, extra), timeout=60)
    assert m.status == 0, "vl create failed"
    domid = m.sh("vl domid %s" % name)
    port = domu_run(m, name, "dmesg -n 1; ls /dev/vireo_evtchn && "
                    "insmod %s role=client; dmesg | grep 'client port'" % MOD,
                    r"evtchn_pp: client port (\d+)").group(1)
    return domid, port


def make_ramdisk(m):
    m.sh("rm -rf /tmp/ovl && mkdir -p /tmp/ovl/usr/lib/vireo-tests && "
         "cp %s /tmp/ovl/usr/lib/vireo-tests/ && "
         "(cd /tmp/ovl && find . | cpio -o -H newc 2>/dev/null | gzip) "
         ">/tmp/ovl.cpio.gz && "
         "cat /usr/share/vireo/domu-initramfs.cpio.gz /tmp/ovl.cpio.gz >%s"
         % (USER, RAMDISK))
    assert m.status == 0, "cannot build %s" % RAMDISK


def domu_user_echo(m, domid, n):
    """evtchn_user -e in the DomU, pinged n times by evtchn_user in Dom0."""
    port = domu_run(
        m, "peer",
        "%s -e 0 %d >/tmp/echo.log 2>&1 & "
        "for i in 1 2 3 4 5 6 7 8 9 10; do grep -q port /tmp/echo.log && "
        "break; sleep 0.5; done; cat /tmp/echo.log" % (USER, n),
        r"evtchn_user: port (\d+)").group(1)
    out = m.sh("%s %s %s %d" % (USER, domid, port, n), timeout=120)
    assert "evtchn_user: %d round trips" % n in out, out
    domu_run(m, "peer", "wait; cat /tmp/echo.log",
             r"evtchn_user: %d echoes" % n)


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)
        make_ramdisk(m)
        domid, port = start_client(m, ramdisk=RAMDISK)
        # In the DomU vireo.ko gives event channels only: no /dev/vireo.
        domu_run(m, "peer", 'echo "devs: $(ls /dev | grep vireo)"',
                 r"devs: vireo_evtchn\r*\n")
        out = m.sh("insmod %s role=server domid=%s port=%s iters=10000; "
                   "dmesg | grep 'evtchn_pp:'" % (MOD, domid, port), timeout=120)
        print(out)
        assert re.search(r"evtchn_pp: 10000 round trips", out), out
        # Userspace, through /dev/vireo_evtchn, to the same DomU port
        # (which went back to unbound when the module closed its end).
        t0 = m.traps()
        out = m.sh("%s %s %s 1000" % (USER, domid, port), timeout=120)
        assert "evtchn_user: 1000 round trips" in out, out
        # Writing a port back unmasks it in the shared page; the hypercall
        # is made only if an event came while it was masked (Xen's 2-level
        # unmask), which a ping-pong almost never sees.
        t1 = m.traps()
        key = "hypercall evtchn_unmask"
        unmasks = t1.get(key, 0) - t0.get(key, 0)
        sends = t1["hypercall evtchn_send"] - t0["hypercall evtchn_send"]
        print("1000 userspace round trips: %d sends, %d unmask hypercalls"
              % (sends, unmasks))
        assert sends >= 1000, (t0, t1)
        assert unmasks < 100, "an unmask hypercall per event: %d" % unmasks
        assert t1["Dom0 VS ecall (SBI)"] > t0["Dom0 VS ecall (SBI)"]
        out = m.sh("%s %s %s 10" % (USER, domid, port))
        assert "evtchn_user: 10 round trips" in out, out
        # Userspace at both ends: the DomU's /dev/vireo_evtchn.
        domu_user_echo(m, domid, 1000)
        print("DomU userspace: 1000 echoes")
        # Destroying the peer with its ports open cleans up both ends.
        out = m.sh("vl destroy peer")
        assert m.status == 0, out
        m.sh("rm -rf /tmp/ovl /tmp/ovl.cpio.gz %s" % RAMDISK)
        assert free_pages(m) == before
        # ...and Dom0's table is usable again afterwards (port reuse): a
        # new peer's channel carries events, and it goes as cleanly.
        domid, port = start_client(m, name="peer2")
        out = m.sh("%s %s %s 10" % (USER, domid, port))
        assert m.status == 0 and "evtchn_user: 10 round trips" in out, out
        out = m.sh("vl destroy peer2")
        assert m.status == 0, out
        assert free_pages(m) == before
        assert m.poweroff() == 0
    print("ok")


if __name__ == "__main__":
    main()
