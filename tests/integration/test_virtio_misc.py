"""virtio console and rng from xl.cfg's virtio= key: the DomU's
virtio-console port is a tty whose bytes reach a pty in Dom0 (linked at
/run/vireo/console-DOMID-0) and back, and its virtio-rng is the kernel's
current hwrng and gives bytes. vl block-list and network-list are empty
for it, and bad virtio= specs are refused before anything is created."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token, wait_until  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import domu, write_file  # noqa: E402

CFG = """name = "misc"
memory = 64
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0"
virtio = [ 'type=virtio,device3, transport=mmio',
           'type=virtio,device4, transport=mmio' ]
"""


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)
        write_file(m, "/tmp/misc.cfg", CFG)
        out = m.sh("vl create /tmp/misc.cfg 'virtio=[\"type=virtio,device9\"]'; echo rc=$?")
        assert "rc=1" in out and "not supported" in out, out
        assert free_pages(m) == before
        m.sh("vl create /tmp/misc.cfg", timeout=60)
        domid = m.sh("vl domid misc")
        link = "/run/vireo/console-%s-0" % domid
        assert m.sh("test -e %s && echo yes" % link) == "yes"
        # rng: the current hwrng, and it gives bytes.
        domu(m, "misc", "cat /sys/class/misc/hw_random/rng_current; dd if=/dev/hwrng "
             "bs=32 count=1 2>/dev/null | wc -c | sed s/^/RNG-/", r"virtio_rng[\s\S]*RNG-\s*32")
        # console: the virtio port is hvc1 (hvc0 is the SBI console).
        domu(m, "misc", "ls /sys/bus/virtio/devices/virtio0/virtio-ports", "vport0p0")
        tty = "hvc1"
        m.sh("(cat %s > /tmp/from-guest &)" % link)
        cmd, want = token("W")
        domu(m, "misc", "echo HELLO-FROM-DOMU > /dev/%s; (head -c 15 /dev/%s > "
             "/tmp/from-dom0 &); %s" % (tty, tty, cmd), want)
        assert "HELLO-FROM-DOMU" in m.sh(wait_until("grep -q HELLO /tmp/from-guest")
                                         + "; cat /tmp/from-guest")
        m.sh("echo HELLO-FROM-DOM0 > %s" % link)
        # (what the DomU read, with its dashes changed, so the echo of the
        # command cannot match)
        domu(m, "misc", wait_until("grep -q HELLO /tmp/from-dom0") +
             "; tr - _ < /tmp/from-dom0; echo", "HELLO_FROM_DOM0")
        assert m.sh("vl block-list misc | wc -l") == "1"  # the header only
        m.sh("vl destroy misc")
        assert m.sh("test -e %s || echo gone" % link) == "gone"
        assert free_pages(m) == before
    print("ok")


if __name__ == "__main__":
    main()
