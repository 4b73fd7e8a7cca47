"""Soak (make soak, not make test): VIREO_SOAK_CYCLES (default 1000)
create/destroy cycles through vl. One cycle in ten is a Linux DomU that
writes and reads back 4 MiB on its virtio disk; the others run the
fuzzer guest (2000 calls) to its verdict. Afterwards free_pages and
heap_used are exactly at their starting figures, vl list shows only
Domain-0 and no vireo-dm is left. Prints the figures and the wall time."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from vireo_qemu import Machine, fresh_disk, remove_disk, token  # noqa: E402
from test_vl import domains  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

CYCLES = int(os.environ.get("VIREO_SOAK_CYCLES", "1000"))

FUZZ_CFG = """memory = 16
vcpus = 2
kernel = "/usr/lib/vireo-tests/fuzz.Image"
extra = "seed=7 calls=2000"
"""
LINUX_CFG = """memory = 96
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0 quiet"
disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/soak.img' ]
"""
IO = ("dd if=/dev/urandom of=/tmp/x bs=4k count=1024 2>/dev/null; "
      "dd if=/tmp/x of=/dev/vda bs=4k oflag=direct 2>/dev/null; "
      "[ \"$(dd if=/dev/vda bs=4k count=1024 iflag=direct 2>/dev/null | md5sum)\" "
      "= \"$(md5sum < /tmp/x)\" ] && ")

# One fuzzer cycle, in Dom0's shell: create, wait for the verdict, destroy.
FUZZ_CYCLE = ("vl create -q /tmp/fuzz.cfg name=f$i >/dev/null || echo BAD-create-$i; "
              "n=0; until timeout 2 vl console f$i </dev/null 2>/dev/null | "
              "grep -q 'FUZZ-RESULT.* bad=0 faults=0'; do n=$((n+1)); "
              "[ $n -gt 60 ] && { echo BAD-verdict-$i; break; }; done; "
              "vl destroy f$i || echo BAD-destroy-$i")


def figures(m):
    return int(m.sh("vl info free_pages")), int(m.sh("vl info heap_used"))


def main():
    disk = fresh_disk(128)
    t0 = time.monotonic()
    try:
        with Machine(disk=disk, timeout=300) as m:
            m.wait_ready()
            m.sh("dmesg -n 1")
            m.sh("dd if=/dev/zero of=/data/soak.img bs=1M count=0 seek=16")
            write_file(m, "/tmp/fuzz.cfg", FUZZ_CFG)
            write_file(m, "/tmp/linux.cfg", LINUX_CFG)
            start = figures(m)
            done = 0
            while done < CYCLES:
                if done % 10 == 9:
                    name = "l%d" % done
                    m.sh("vl create -q /tmp/linux.cfg name=%s" % name, timeout=90)
                    assert m.status == 0, "create %s" % name
                    cmd, want = token("IO")
                    m.domu(name, IO + cmd, want, 180)
                    m.sh("vl destroy %s" % name, timeout=90)
                    assert m.status == 0, "destroy %s" % name
                    done += 1
                    continue
                n = min(9 - done % 10, CYCLES - done)
                out = m.sh("for i in $(seq %d %d); do %s; done"
                           % (done, done + n - 1, FUZZ_CYCLE), timeout=120 * n)
                bad = re.findall(r"BAD-\w+-\d+", out)
                assert not bad, bad
                done += n
                if done % 100 < 10:
                    print("%d cycles, %.0f s" % (done, time.monotonic() - t0),
                          flush=True)
            end = figures(m)
            left = m.sh("ps | grep -c '[v]ireo-dm'")
            assert set(domains(m)) == {"Domain-0"}, domains(m)
    finally:
        remove_disk(disk)
    print("soak: %d cycles in %.0f s; free_pages, heap_used before %s after %s; "
          "vireo-dm left: %s" % (CYCLES, time.monotonic() - t0, start, end, left))
    assert end == start, (start, end)
    assert left == "0", "%s vireo-dm processes left" % left
    print("ok")


if __name__ == "__main__":
    main()
