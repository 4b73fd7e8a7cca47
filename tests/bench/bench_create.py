"""`vl create` to the DomU's init, end to end through vl and vireod, ÷ a
bare QEMU boot of the same kernel and DomU initramfs to its init, side by
side in one run: create_vs_native_boot.

Both are wall-clock times seen from the host on the console, to the same
end marker ("Vireo DomU ready"), with quiet consoles: the bare boot from
QEMU's start (1 hart, 128 MiB, like the DomU), the DomU from typing
`vl create -c` at Dom0's shell (vl parses the xl.cfg, vireod builds the
domain and starts vireo-dm, vl attaches the console and unpauses). 9
alternating pairs; the figure is the median of the per-pair ratios."""
import os
import time

from common import alternate, args, record
from vireo_qemu import OUT, Machine
from virtio_common import DOMU_CFG, write_file

DOMU_READY = "Vireo DomU ready"


def bare_boot():
    with Machine(native=True, smp=1, mem="128M", net=False, append="quiet",
                 initrd=os.path.join(OUT, "domu-initramfs.cpio.gz")) as m:
        m.expect(DOMU_READY)
        return time.monotonic() - m.start_time


def vl_create(m):
    m.child.sendline("vl create -c /tmp/c.cfg")
    t0 = time.monotonic()
    m.expect(DOMU_READY, 120)
    t = time.monotonic() - t0
    m.console_detach()
    m.sh("vl destroy c", timeout=60)
    assert m.status == 0
    return t


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 9
    with Machine(timeout=120, net=False) as m:
        m.wait_ready()
        write_file(m, "/tmp/c.cfg", DOMU_CFG % ("c", ""))
        # The first create also pays for Dom0's first touch of vl, the
        # kernel file and vireo-dm: report it, time the rest.
        print("first vl create (cold): %.3f s" % vl_create(m))
        bare, vireo = alternate(rounds, bare_boot, lambda: vl_create(m))
    print("bare QEMU boots:  %s" % ", ".join("%.3f" % x for x in bare))
    print("vl create->init:  %s" % ", ".join("%.3f" % x for x in vireo))
    record("create_vs_native_boot", "x bare boot",
           [v / b for v, b in zip(vireo, bare)], 1.30, "<=")


if __name__ == "__main__":
    main()
