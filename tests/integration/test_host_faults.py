"""Faults on the host side (issue 8):

- vireod is SIGKILLed while two DomUs with disks run; a new vireod loses
  neither: both are listed and answer on their consoles.
- Three vl create run at once from background shells: all three succeed
  with distinct IDs, boot, and are destroyed.
- Dom0 powers off while the two DomUs write files on their disks, their
  device models running: QEMU ends with status 0, and afterwards
  e2fsck -fn finds Dom0's data disk and both DomU disk images (pulled out
  of it with debugfs on the host) clean, and each was unmounted cleanly
  (dumpe2fs: state clean, no journal to recover): Dom0 shuts its DomUs
  down first, as xendomains does.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, linux_cfg, remove_disk, token  # noqa: E402
from test_vl import domains  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

# A file system on the DomU's disk and a writer that never stops.
WRITER = ("mkfs.ext2 -q /dev/vda && mount /dev/vda /mnt && "
          "(i=0; while :; do i=$((i+1)); dd if=/dev/urandom of=/mnt/f$((i%8)) "
          "bs=4k count=16 2>/dev/null; sync; done) >/dev/null 2>&1 & ")
E2FSCK = "/sbin/e2fsck"
DEBUGFS = "/sbin/debugfs"
DUMPE2FS = "/sbin/dumpe2fs"


def writer_domu(m, name):
    m.sh("dd if=/dev/zero of=/data/%s.img bs=1M count=0 seek=16" % name)
    write_file(m, "/tmp/%s.cfg" % name, linux_cfg(name, disk=name))
    m.sh("vl create /tmp/%s.cfg" % name, timeout=90)
    assert m.status == 0, "vl create %s failed" % name
    cmd, want = token("W")
    m.domu(name, WRITER + "sleep 1; " + cmd, want, 90)


def fsck(path):
    """0 when e2fsck -fn finds nothing and the file system was unmounted
    cleanly: state "clean" and no journal left to recover (a file system
    still mounted at power-off passes e2fsck -n, but not this)."""
    r = subprocess.run([E2FSCK, "-fn", path], capture_output=True, text=True)
    h = subprocess.run([DUMPE2FS, "-h", path], capture_output=True, text=True)
    state = re.search(r"Filesystem state:\s+(.*)", h.stdout)
    state = state.group(1).strip() if state else "?"
    recover = "needs_recovery" in h.stdout
    print("%s: e2fsck -fn %d, state %s%s" % (os.path.basename(path), r.returncode,
                                             state, ", needs recovery" if recover else ""))
    return r.returncode or state != "clean" or recover


def main():
    disk = fresh_disk(256)
    out = tempfile.mkdtemp(prefix="vireo-fsck-")
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            m.sh("dmesg -n 1")
            writer_domu(m, "d1")
            writer_domu(m, "d2")

            # SIGKILL vireod: a restart loses no domain.
            m.sh("pid=$(cat /run/vireod.pid); kill -9 $pid; "
                 "while kill -0 $pid 2>/dev/null; do sleep 0.1; done; vireod")
            assert m.status == 0, "vireod did not start again"
            assert {"d1", "d2"} <= set(domains(m)), domains(m)
            for name in ("d1", "d2"):
                m.domu(name, *token("alive"), timeout=60)

            # Three vl create at once.
            m.sh("for i in 1 2 3; do (vl create demo.cfg name=cc$i >/tmp/cc$i.log "
                 "2>&1; echo rc=$? >>/tmp/cc$i.log) & done; wait", timeout=180)
            logs = m.sh("cat /tmp/cc1.log /tmp/cc2.log /tmp/cc3.log")
            assert logs.count("rc=0") == 3, logs
            doms = domains(m)
            ids = {doms[n][0] for n in ("cc1", "cc2", "cc3")}
            assert len(ids) == 3, doms
            for i in (1, 2, 3):
                m.domu("cc%d" % i, *token("cc"), timeout=90)
                m.sh("vl destroy cc%d" % i, timeout=60)
                assert m.status == 0

            # Power off under load.
            rc = m.poweroff(timeout=300)
            assert rc == 0, "QEMU exit status %r after poweroff" % rc

        assert fsck(disk) == 0, "Dom0's data disk is not clean"
        for name in ("d1", "d2"):
            img = os.path.join(out, name + ".img")
            subprocess.run([DEBUGFS, "-R", "dump /%s.img %s" % (name, img), disk],
                           check=True, capture_output=True)
            assert os.path.getsize(img) == 16 << 20, name
            assert fsck(img) == 0, "%s's disk is not clean" % name
    finally:
        remove_disk(disk)
        subprocess.run(["rm", "-rf", out])
    print("ok")


if __name__ == "__main__":
    main()
