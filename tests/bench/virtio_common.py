"""What the virtio benchmarks share: a DomU config written into Dom0 and a
way to run a command on its console and read the output."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from test_virtio_blk import domu, write_file  # noqa: E402,F401

DOMU_CFG = """name = "%s"
memory = 128
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0 quiet"
%s
"""


def create(m, name, devices):
    write_file(m, "/tmp/%s.cfg" % name, DOMU_CFG % (name, devices))
    m.sh("vl create /tmp/%s.cfg" % name, timeout=90)
    domu(m, name, "echo UP-$((40+2))", "UP-42", 120)


def dd_rate(text):
    """MB/s from busybox dd's summary line ("..., 1.2 seconds, 52.0MB/s")."""
    m = re.search(r"copied, ([\d.]+) seconds, ([\d.]+)([KMG])B/s", text)
    if not m:
        raise AssertionError("no dd summary in %r" % text[-300:])
    scale = {"K": 1.0 / 1024, "M": 1.0, "G": 1024.0}[m.group(3)]
    return float(m.group(2)) * scale
