"""virtio-blk in a DomU against the bare host, side by side in one run.

Vireo side: a DomU of 128 MiB whose disk is a raw file in Dom0's /data
(ext4 on Dom0's passed-through virtio-blk disk), served by vireo-dm.
Bare host: the same kernel and initramfs booted natively in the same QEMU
with 128 MiB and a raw image of the same size as its own virtio-blk drive.
Both run tests/domu/iobench, timed in the guest: sequential O_DIRECT
writes in 1 MiB blocks ending with fsync, sequential O_DIRECT reads in
1 MiB blocks, and 4 KiB O_DIRECT reads at random offsets (the same seed,
so the same blocks). Rounds alternate native, DomU, native, DomU...; each
figure is the median of the per-round ratios with their min-max:
blk_write_vs_native, blk_read_vs_native, blk_randread_iops_vs_native.
Dom0 runs the same on the DomU's file in each round: the DomU / Dom0
figures (blk_*_vs_dom0) are the second view.

Then the hypervisor traps of 4 KiB O_DIRECT reads by cause and side, per
request (blk_traps_per_4k, 5 runs): the monitor's counters around a batch
the DomU starts after a delay, minus an idle period of the same length."""
import os
import tempfile
import time

import iob
from common import alternate, args, record
from vireo_qemu import Machine, fresh_disk, remove_disk
from virtio_common import create, domu

DISK = "disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/bench.img' ]"
MEM = "128M"  # the DomU's memory (virtio_common.DOMU_CFG), and the bare host's


def batch_traps(m, nreq, window):
    """Traps over a window in which the DomU reads nreq 4 KiB blocks, and
    whether the batch finished inside it (waiting for it either way)."""
    domu(m, "bench", "rm -f /tmp/t; (sleep 2; %s read /dev/vda 4096 %d "
         ">/dev/null 2>&1; echo done > /tmp/t) & echo BG-$((1+1))"
         % (iob.IOBENCH, nreq), "BG-2")
    busy = m.traps_over(window)
    finished = None
    for _ in range(60):
        got = domu(m, "bench", "cat /tmp/t 2>/dev/null; echo T-$((2+3))",
                   r"(done\s+)?T-5")
        if got.group(1):
            break
        finished = False
        m.sh("sleep 5")
    else:
        raise AssertionError("the 4 KiB batch never finished")
    return busy, finished is None


def traps_per_request(m, nreq, window):
    """The window must hold the whole batch (TCG speed varies with the
    host's load): if it did not, measure again with a longer one."""
    for _ in range(3):
        idle = m.traps_over(window)
        busy, inside = batch_traps(m, nreq, window)
        if inside:
            break
        print("  the batch outlasted a %d s window: again with %d s"
              % (window, window * 2))
        window *= 2
    else:
        raise AssertionError("the 4 KiB batch outlasted every window")
    per = {k: (busy[k] - idle.get(k, 0)) / float(nreq) for k in busy}
    return per


def raw_image(mib):
    """A raw image of mib MiB, every block written (not sparse, like the
    DomU's file once Dom0 has filled it)."""
    path = os.path.join(tempfile.mkdtemp(prefix="vireo-raw-"), "raw.img")
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(b"\0" * (1 << 20))
    return path


class Sides:
    """A bare-host boot and a Vireo boot with its DomU, both kept across
    rounds; each idles while the other measures."""

    def __init__(self, mib):
        self.mib = mib
        self.disk = fresh_disk(mib * 2 + 256)
        self.raw = raw_image(mib)
        self.native = Machine(native=True, mem=MEM, disk=self.raw, net=False,
                              append="quiet", timeout=120).__enter__()
        self.native.wait_ready()
        self.m = Machine(disk=self.disk, timeout=120, net=False).__enter__()
        self.m.wait_ready()
        self.m.sh("dd if=/dev/zero of=/data/bench.img bs=1M count=%d 2>/dev/null;"
                  " sync" % mib, timeout=600)
        create(self.m, "bench", DISK)

    def close(self):
        try:
            self.m.sh("vl destroy bench", timeout=60)
        finally:
            self.m.__exit__(None, None, None)
            self.native.__exit__(None, None, None)
            remove_disk(self.disk)
            remove_disk(self.raw)

    def run(self, where, op, bs, count):
        """One iobench op on one side: native, domu or dom0."""
        dev = "/data/bench.img" if where == "dom0" else "/dev/vda"
        cmd = "%s %s %d %d" % (op, dev, bs, count)
        if where == "native":
            return iob.shell(self.native, cmd)
        if where == "dom0":
            return iob.shell(self.m, cmd)
        return iob.domu(self.m, "bench", cmd)


OPS = [("write", 1 << 20, iob.mb_per_s, "MB/s"),
       ("read", 1 << 20, iob.mb_per_s, "MB/s"),
       ("randread", 4096, iob.iops, "IOPS")]
TARGETS = {"write": 0.80, "read": 0.80, "randread": 0.60}


def main():
    a = args(__doc__)
    mib = 16 if a.smoke else 128
    nrand = 200 if a.smoke else 2000
    rounds = 1 if a.smoke else 5
    s = Sides(mib)
    rates = {}
    try:
        for op, bs, rate, unit in OPS:
            count = nrand if op == "randread" else mib
            def side(where, op=op, bs=bs, count=count, rate=rate):
                return lambda: rate(s.run(where, op, bs, count))
            native, guest = [], []
            dom0 = []
            for _ in range(rounds):
                n, g = alternate(1, side("native"), side("domu"))
                native += n
                guest += g
                dom0.append(side("dom0")())
            rates[op] = (native, guest, dom0, unit)
        traps = [traps_per_request(s.m, 200 if a.smoke else 1000,
                                   8 if a.smoke else 15)
                 for _ in range(rounds)]
        per = traps[-1]
    finally:
        s.close()
    for op, (native, guest, dom0, unit) in rates.items():
        print("  %-8s native %s %s" % (op, " ".join("%.1f" % x for x in native), unit))
        print("  %-8s DomU   %s" % ("", " ".join("%.1f" % x for x in guest)))
        print("  %-8s Dom0   %s" % ("", " ".join("%.1f" % x for x in dom0)))
    print("  traps per 4 KiB read request, by cause and side:")
    for cause in sorted(per):
        if cause != "total" and per[cause] >= 0.05:
            print("    %-44s %.2f" % (cause, per[cause]))
    for op, (native, guest, dom0, unit) in rates.items():
        name = "blk_randread_iops" if op == "randread" else "blk_" + op
        record(name + "_vs_native", "x bare host",
               [g / n for g, n in zip(guest, native)], TARGETS[op], ">=")
        record(name + "_vs_dom0", "x Dom0",
               [g / d for g, d in zip(guest, dom0)], TARGETS[op], ">=")
    record("blk_traps_per_4k", "traps/request", [t["total"] for t in traps],
           4, "<=")


if __name__ == "__main__":
    main()
