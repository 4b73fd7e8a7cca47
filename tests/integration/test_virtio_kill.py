"""Killing a DomU's vireo-dm in the middle of its disk I/O: the DomU's
reads fail with I/O errors (vireod starts a replacement model that answers
every request with an error) instead of hanging; Dom0 and another DomU go
on working; vl block-list shows the disk closed; destroying the DomU
stops the replacement and frees every page."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, remove_disk, token, wait_until  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import domu, write_file  # noqa: E402

CFG = """name = "%s"
memory = 64
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0"
disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/%s.img' ]
"""


def main():
    disk = fresh_disk(128)
    try:
        with Machine(disk=disk, timeout=90) as m:
            m.wait_ready()
            before = free_pages(m)
            for name in ("victim", "other"):
                m.sh("dd if=/dev/urandom of=/data/%s.img bs=1M count=8 2>/dev/null" % name)
                write_file(m, "/tmp/%s.cfg" % name, CFG % (name, name))
                m.sh("vl create /tmp/%s.cfg" % name, timeout=60)
                domu(m, name, None, None, 90)
            domid = m.sh("vl domid victim")
            # The CPU ticks of victim's vireo-dm.
            m.sh("dm_ticks() { set -- $(cat /proc/$(cat /run/vireo/dm-%s.pid)/stat); "
                 "echo $((${14} + ${15})); }" % domid)
            idle = int(m.sh("dm_ticks"))
            # 1 MiB reads in a loop until one fails; LOOPS counts the whole ones.
            cmd, want = token("BG")
            domu(m, "victim", "(i=0; while dd if=/dev/vda of=/dev/null bs=64k count=16 "
                 "iflag=direct 2>/dev/null; do i=$((i+1)); done; echo LOOPS-$i "
                 "> /tmp/dd.log) & " + cmd, want)
            # Kill it mid-I/O: once it has spent 0.1 s serving the reads.
            m.sh(wait_until("[ $(dm_ticks) -ge %d ]" % (idle + 10), 30))
            assert int(m.sh("dm_ticks")) >= idle + 10, "victim's reads do not run"
            m.sh("kill -9 $(cat /run/vireo/dm-%s.pid)" % domid)
            closed = r"xvda[[:space:]]+0[[:space:]]+[0-9]+[[:space:]]+6[[:space:]]"
            out = m.sh(wait_until("vl block-list victim | grep -qE '%s'" % closed)
                       + "; vl block-list victim")
            assert re.search(r"xvda\s+0\s+\d+\s+6\s", out), out
            log = m.sh(wait_until("grep -q recovered /var/log/vireo-dm.%s.log" % domid)
                       + "; cat /var/log/vireo-dm.%s.log" % domid)
            assert "recovered" in log, log
            # The loop ended on a failed read after at least one whole one,
            # and a read now fails at once.
            match = domu(m, "victim", wait_until("[ -s /tmp/dd.log ]") + "; cat /tmp/dd.log; "
                         "dd if=/dev/vda of=/dev/null bs=4k count=1 iflag=direct; echo RC-$?",
                         r"LOOPS-(\d+)[\s\S]*RC-(\d)")
            assert int(match.group(1)) >= 1 and match.group(2) == "1", match.group(0)
            # Everything else is fine.
            domu(m, "other", "dd if=/dev/vda of=/dev/null bs=64k iflag=direct "
                 "2>/dev/null; echo OTHER-$?", "OTHER-0")
            assert m.sh("echo $((6*7))") == "42"
            m.sh("vl destroy victim")
            m.sh("vl destroy other")
            assert m.sh("pidof vireo-dm; echo n=$?") == "n=1"
            assert m.sh("ls /run/vireo/") == ""
            assert free_pages(m) == before
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
