"""Zero-copy virtio-blk (issue 10, part 2): vireo-dm maps a DomU's RAM 1:1
(FOREIGN_MAP_DIRECT: frames Dom0's kernel has struct pages for) and reads
and writes its disk with O_DIRECT straight into guest memory.

- A DomU reads its disk (a file of random bytes in Dom0's /data): the
  checksum it computes is the file's, also with 8 readers at once, each
  over its own part of the disk; vireo-dm's counts, logged when the DomU
  is destroyed, show every read and write went zero copy, none through
  the bounce buffer, and that several were in flight at once (Linux AIO).
  Its memory comes back afterwards.
- tests/dom0/direct_dma: a DomU destroyed while the disk is still DMAing
  into its RAM is quarantined; the next DomU's pages stay untouched; the
  memory returns once the mapping is let go."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output, fresh_disk, remove_disk  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

CFG = """name = "zc"
memory = 128
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0 quiet"
disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/zc.img' ]
"""


def main():
    disk = fresh_disk(512)
    try:
        with Machine(disk=disk, timeout=120, net=False) as m:
            m.wait_ready()
            before = free_pages(m)
            m.sh("dd if=/dev/urandom of=/data/zc.img bs=1M count=16 2>/dev/null;"
                 " sync")
            want = m.sh("md5sum < /data/zc.img").split()[0]
            write_file(m, "/tmp/zc.cfg", CFG)
            out = m.sh("vl create /tmp/zc.cfg", timeout=90)
            assert m.status == 0, out
            got = domu_output(m, "zc", "md5sum < /dev/vda; dd if=/dev/vda "
                              "of=/dev/null bs=1M iflag=direct 2>/dev/null; "
                              "dd if=/dev/zero of=/dev/vda bs=64k count=16 "
                              "oflag=direct 2>/dev/null",
                              r"([0-9a-f]{32})", 300)[0]
            print("file %s, DomU read %s" % (want, got))
            assert got == want, (got, want)
            parts = [m.sh("dd if=/data/zc.img bs=64k skip=%d count=32 "
                          "2>/dev/null | md5sum" % (i * 32)).split()[0]
                     for i in range(8)]
            got = domu_output(
                m, "zc", "for i in 0 1 2 3 4 5 6 7; do (dd if=/dev/vda bs=64k "
                "skip=$((i*32)) count=32 iflag=direct 2>/dev/null | md5sum | "
                "sed \"s/^/P$i /\" > /tmp/m$i) & done; wait; cat /tmp/m*",
                r"(?s)P0 ([0-9a-f]{32}).*P1 ([0-9a-f]{32}).*P2 ([0-9a-f]{32})"
                r".*P3 ([0-9a-f]{32}).*P4 ([0-9a-f]{32}).*P5 ([0-9a-f]{32})"
                r".*P6 ([0-9a-f]{32}).*P7 ([0-9a-f]{32})", 300)
            assert list(got) == parts, (got, parts)
            m.sh("vl destroy zc", timeout=60)
            log = m.sh("cat /var/log/vireo-dm.*.log")
            mt = re.search(r"blk /data/zc.img: (\d+) zero-copy requests, "
                           r"(\d+) through the bounce buffer, (\d+) buffered; "
                           r"at most (\d+) in flight", log)
            assert mt, log
            print(mt.group(0))
            assert int(mt.group(1)) > 0 and mt.group(2) == "0" \
                and mt.group(3) == "0", log
            assert int(mt.group(4)) > 1, "one request at a time: " + log
            assert free_pages(m) == before

            # A DomU destroyed with a disk read DMAing into its RAM.
            m.sh("dd if=/dev/zero bs=1M count=128 2>/dev/null | tr '\\000' "
                 "'\\245' > /data/fill.img; sync", timeout=300)
            assert m.sh("od -An -tx1 -N4 /data/fill.img").split() == ["a5"] * 4
            out = m.sh("/usr/lib/vireo-tests/direct_dma /data/fill.img",
                       timeout=300)
            print(out)
            assert m.status == 0 and "PASS: 0 failures" in out, out
            assert free_pages(m) == before
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
