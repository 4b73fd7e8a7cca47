"""Split-driver virtio-blk: a DomU formats, mounts and writes a file with a
known checksum on its disk (a raw image in Dom0's /data served by
vireo-dm), syncs, is destroyed and created again, and reads the same
checksum. A read-only disk refuses writes. vl block-list shows both disks;
destroying the domain stops its vireo-dm and frees every page."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, remove_disk  # noqa: E402
from test_vl import free_pages  # noqa: E402

CFG = """name = "blk"
memory = 96
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0"
disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/blk.img',
         '/data/ro.img,raw,xvdb,ro' ]
"""


def write_file(m, path, text):
    m.sh("rm -f %s" % path)
    for line in text.splitlines():
        m.sh("echo %s >> %s" % (shell_quote(line), path))


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def domu(m, name, cmd, want, timeout=120):
    """Run cmd on DomU name's console (waiting as long for its shell);
    return the match of want."""
    return m.domu(name, cmd, want, timeout, prompt_timeout=timeout)


def boot(m):
    m.sh("vl create /tmp/blk.cfg", timeout=60)
    domu(m, "blk", None, None, 90)


def main():
    disk = fresh_disk(256)
    try:
        with Machine(disk=disk, timeout=90) as m:
            m.wait_ready()
            before = free_pages(m)
            m.sh("dd if=/dev/zero of=/data/blk.img bs=1M count=0 seek=64")
            m.sh("dd if=/dev/zero of=/data/ro.img bs=1M count=4")
            write_file(m, "/tmp/blk.cfg", CFG)
            boot(m)
            out = m.sh("vl block-list blk")
            assert re.search(r"xvda\s+0\s+\d+\s+4\s+0\s+rw\s+/data/blk.img", out), out
            assert re.search(r"xvdb\s+0\s+\d+\s+4\s+1\s+ro\s+/data/ro.img", out), out
            match = domu(m, "blk", "mkfs.ext2 -q /dev/vda && mount /dev/vda /mnt && "
                         "dd if=/dev/urandom of=/mnt/f bs=1k count=1024 2>/dev/null && "
                         "sync && echo SUM-$(sha256sum /mnt/f | cut -c1-64) && umount /mnt",
                         r"SUM-([0-9a-f]{64})")
            written = match.group(1)
            # The read-only disk is there, 4 MiB and read-only to the
            # guest, reads, refuses a write, and its image stays unchanged.
            ro_sum = m.sh("sha256sum /data/ro.img")
            match = domu(m, "blk", "echo DEV-$(cat /sys/block/vdb/size)-$(cat /sys/block/vdb/ro); "
                         "dd if=/dev/vdb of=/dev/null bs=4k count=1 iflag=direct; echo RD-$?; "
                         "dd if=/dev/urandom of=/dev/vdb bs=4k count=1 oflag=direct; echo WR-$?",
                         r"DEV-(\d*)-(\d*)\r*\n[\s\S]*RD-(\d+)[\s\S]*WR-(\d+)")
            assert match.groups() == ("8192", "1", "0", "1"), match.group(0)
            assert m.sh("sha256sum /data/ro.img") == ro_sum, "the read-only image changed"
            m.sh("vl destroy blk")
            assert m.sh("pidof vireo-dm; echo n=$?") == "n=1"
            boot(m)
            match = domu(m, "blk", "mount /dev/vda /mnt && echo SUM-$(sha256sum /mnt/f "
                         "| cut -c1-64)", r"SUM-([0-9a-f]{64})")
            assert match.group(1) == written, (match.group(1), written)
            m.sh("vl destroy blk")
            assert m.sh("pidof vireo-dm; echo n=$?") == "n=1"
            assert free_pages(m) == before
            assert m.sh("echo $((6*7))") == "42"
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
