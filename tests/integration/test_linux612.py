"""A Linux 6.12 DomU (Debian's linux-source-6.12, build/linux612.sh) beside
a 6.1 one (issue 9): it boots on Vireo with the 6.1 DomU's initramfs, its
virtio-blk, virtio-net and virtio-console drivers and the 8250 console
work unchanged, it finds SBI 2.0 and the SUSP extension, and `echo mem
> /sys/power/state` suspends it through SBI SUSP: `vl list` shows it shut
down (---s--), `vl trigger new s3resume` brings it back, and its shell,
disk and network work again. The 6.1 DomU keeps answering throughout."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import (Machine, domu_output, fresh_disk, remove_disk,  # noqa: E402
                        wait_until)
from test_virtio_blk import write_file  # noqa: E402
from test_vl import domains  # noqa: E402

CFG = """name = "new"
memory = 128
vcpus = 2
kernel = "/usr/share/vireo/Image-6.12"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0"
disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/new.img' ]
vif = [ 'bridge=vbr0' ]
virtio = [ 'type=virtio,device3, transport=mmio' ]
"""
# 512 KiB of random bytes to the disk and back, through the page cache's
# drop so the read reaches the device.
BLK = ("dd if=/dev/urandom of=/tmp/p bs=1k count=512 2>/dev/null; "
       "dd if=/tmp/p of=/dev/vda bs=1k conv=fsync 2>/dev/null; "
       "echo 3 > /proc/sys/vm/drop_caches; "
       "echo BLK-$(md5sum < /tmp/p | cut -c1-8)-"
       "$(dd if=/dev/vda bs=1k count=512 2>/dev/null | md5sum | cut -c1-8)")


def run(m, name, cmd, pattern, timeout=120):
    """The first group of pattern in cmd's output on name's console."""
    return domu_output(m, name, cmd, pattern, timeout)[0]


def blk_ok(m):
    a, b = run(m, "new", BLK, r"BLK-([0-9a-f]{8}-[0-9a-f]{8})").split("-")
    assert a == b, "the disk gave back other bytes: %s %s" % (a, b)


def net_ok(m):
    got = run(m, "new", "ping -c 2 -W 5 10.77.0.1 | grep -c 'bytes from'",
              r"\n(\d+)\s*$")
    assert got == "2", "ping from the 6.12 DomU: %s replies" % got


def main():
    disk = fresh_disk(256)
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            m.sh("dd if=/dev/zero of=/data/new.img bs=1M count=0 seek=16")
            write_file(m, "/tmp/new.cfg", CFG)
            out = m.sh("vl create /tmp/new.cfg", timeout=60)
            assert m.status == 0, out
            out = m.sh("vl create demo.cfg name=old", timeout=60)
            assert m.status == 0, out
            assert run(m, "new", "echo K-$(uname -r)", r"K-(\d+\.\d+)", 240) == "6.12"
            assert run(m, "old", "echo K-$(uname -r)", r"K-(\d+\.\d+)") == "6.1"
            dmesg = run(m, "new", "dmesg | grep -a -m1 'SBI specification'",
                        r"(SBI specification v\d+\.\d+)")
            assert dmesg == "SBI specification v2.0", dmesg
            # /sys/power/state lists mem even without SUSP: ask the log.
            assert run(m, "new", "dmesg | grep -a -c 'SBI SUSP extension detected'",
                       r"\n(\d+)\s*$") == "1", "no SBI SUSP in the 6.12 DomU"
            assert run(m, "new", "echo HVC-$(ls /dev/hvc0)", r"HVC-(/dev/\S+)") == "/dev/hvc0"
            run(m, "new", "ip addr add 10.77.0.60/24 dev eth0; ip link set eth0 up",
                r"()")
            blk_ok(m)
            net_ok(m)
            # Suspend to RAM from inside; the shell's write returns on resume.
            run(m, "new", "(sleep 1; echo mem > /sys/power/state) & true", r"()")
            m.sh(wait_until("vl list new | grep -q ' ---s-- '", 60), timeout=90)
            assert domains(m)["new"][3] == "---s--", domains(m)
            assert run(m, "old", "echo OLD-$((6*7))", r"OLD-(\d+)") == "42"
            out = m.sh("vl trigger new s3resume")
            assert m.status == 0, out
            assert run(m, "new", "echo BACK-$((6*7))", r"BACK-(\d+)", 120) == "42"
            out = run(m, "new", "dmesg | grep -a -c 'PM: suspend exit'", r"\n(\d+)\s*$")
            assert out == "1", "no 'PM: suspend exit' in the 6.12 DomU's log"
            blk_ok(m)
            net_ok(m)
            for name in ("new", "old"):
                m.sh("vl destroy %s" % name, timeout=60)
                assert m.status == 0
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
