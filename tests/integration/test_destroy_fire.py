"""Destroy under fire (issue 8): vl destroy always works and frees every
page, whatever the domain is doing.

- A 512 MiB domain is destroyed one hypercall step at a time
  (tests/dom0/destroy_io) while another DomU does virtio-blk I/O: the
  destroy takes several steps and the other DomU's requests complete
  while the big one is dying.
- The fuzzer guest, its 4 vCPUs spinning on hypercalls, is destroyed
  mid-run.
- A DomU is destroyed in the middle of its virtio-blk I/O.
- A DomU is destroyed while its device model is being killed (SIGKILL).
- Dom0's two vCPUs race pause/unpause/getinfo against destroys of the
  same domain (tests/dom0/destroy_race): every call returns.
Afterwards no vireo-dm is left, vl list shows only Domain-0, Dom0
answers, and the free pages are exactly what they were.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, linux_cfg, remove_disk, token  # noqa: E402
from test_vl import domains, free_pages  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

FUZZ_CFG = """name = "fuzz"
memory = 16
vcpus = 4
kernel = "/usr/lib/vireo-tests/fuzz.Image"
extra = "seed=3 calls=100000000"
"""
COUNTER_BLOCK = 1000  # 4 KiB block of the disk the I/O loop writes its count to
# Read a block, then write the count of completed loops into COUNTER_BLOCK.
IO_LOOP = ("i=0; while :; do i=$((i+1)); dd if=/dev/vda of=/dev/null bs=4k "
           "count=1 skip=$((i%%500)) iflag=direct 2>/dev/null; echo $i | dd "
           "of=/dev/vda bs=4k seek=%d conv=sync oflag=direct 2>/dev/null; "
           "done" % COUNTER_BLOCK)


def disk_domu(m, name):
    m.sh("dd if=/dev/zero of=/data/%s.img bs=1M count=0 seek=8" % name)
    write_file(m, "/tmp/%s.cfg" % name, linux_cfg(name, disk=name))
    m.sh("vl create /tmp/%s.cfg" % name, timeout=90)
    assert m.status == 0, "vl create %s failed" % name
    cmd, want = token("IO")
    m.domu(name, "(%s) >/dev/null 2>&1 & sleep 2; %s" % (IO_LOOP, cmd), want, 90)


def destroy(m, name):
    m.sh("vl destroy %s" % name, timeout=120)
    assert m.status == 0, "vl destroy %s failed" % name
    assert name not in domains(m), name


def main():
    disk = fresh_disk(256)
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            m.sh("dmesg -n 1")
            before = free_pages(m)

            # 0. Control calls racing a destroy on the other vCPU.
            out = m.sh("/usr/lib/vireo-tests/destroy_race 20", timeout=300)
            print(out)
            assert m.status == 0 and "PASS" in out, out

            # 1. A 512 MiB domain dies step by step beside another's I/O.
            disk_domu(m, "io")
            m.sh("vl create -p demo.cfg name=big memory=512", timeout=120)
            assert m.status == 0, "vl create big failed"
            big = m.sh("vl domid big")
            out = m.sh("/usr/lib/vireo-tests/destroy_io %s /data/io.img %d"
                       % (big, COUNTER_BLOCK * 4096), timeout=120)
            print(out)
            assert m.status == 0 and "PASS" in out, out
            m.sh("sleep 1")
            assert "big" not in domains(m), "vl list still shows big"

            # 2. The fuzzer, all vCPUs in hypercalls, destroyed mid-run.
            write_file(m, "/tmp/fuzz.cfg", FUZZ_CFG)
            m.sh("vl create /tmp/fuzz.cfg", timeout=60)
            assert m.status == 0
            # Its console floods with what its calls print: read it off
            # the terminal, through grep.
            for _ in range(30):
                if m.sh("timeout 2 vl console fuzz </dev/null 2>/dev/null | "
                        "grep -c 'FUZZ-START harts=4'") != "0":
                    break
            else:
                raise AssertionError("the fuzzer did not start")
            m.sh("sleep 2")
            destroy(m, "fuzz")

            # 3. Mid-I/O.
            destroy(m, "io")

            # 4. While its device model is being killed.
            disk_domu(m, "killed")
            m.sh("pkill -9 -f 'vireo-dm.*killed' & vl destroy killed; wait",
                 timeout=120)
            m.sh("sleep 1")
            assert "killed" not in domains(m)

            left = m.sh("ps | grep -c '[v]ireo-dm'")
            assert left == "0", "%s vireo-dm left" % left
            assert set(domains(m)) == {"Domain-0"}, domains(m)
            assert m.sh("echo $((6*7))") == "42"
            after = free_pages(m)
            assert after == before, "free pages %d before, %d after" % (before, after)
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
