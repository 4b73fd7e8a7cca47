"""virtio-blk in a DomU against Dom0 on the same storage, in one run.

The DomU's disk is a raw file on Dom0's passed-through QEMU disk (/data,
ext4). Sequential O_DIRECT reads and writes in 1 MiB blocks: the DomU on
/dev/vda, then Dom0 on the same file, each figure the MB/s busybox dd
reports; the benchmark prints DomU / Dom0. Dom0's page cache is dropped
before each read. Writes end with conv=fsync on both sides (the DomU's
flush reaches the file through vireo-dm's fdatasync).

Then the hypervisor traps of 4 KiB O_DIRECT reads, by cause, per request:
read from the trap counters in one monitor session around a batch the
DomU starts after a delay, minus an idle period of the same length."""
import time

from common import args, report
from vireo_qemu import Machine, fresh_disk, remove_disk
from virtio_common import create, dd_rate, domu

DISK = "disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/bench.img' ]"


RUNS = [0]


def domu_dd(m, cmd, timeout=600):
    # The console replays old output: tag this run's line with a number
    # that only the shell's arithmetic produces.
    RUNS[0] += 1
    match = domu(m, "bench", "%s 2>&1 | tail -1 | sed \"s/^/R$((%d+1000))-/\"" %
                 (cmd, RUNS[0]), r"R%d-([^\r\n]*copied[^\r\n]*B/s)" % (RUNS[0] + 1000), timeout)
    return dd_rate(match.group(1))


def dom0_dd(m, cmd, timeout=600):
    return dd_rate(m.sh("%s 2>&1 | tail -1" % cmd, timeout=timeout))


def traps_window(m, seconds):
    m.monitor_enter()
    before = m.parse_traps(m.monitor("traps"))
    time.sleep(seconds)
    after = m.parse_traps(m.monitor("traps"))
    m.monitor_leave()
    return {k: after[k] - before.get(k, 0) for k in after}


def batch_traps(m, nreq, window):
    """Traps over a window in which the DomU reads nreq 4 KiB blocks, and
    whether the batch finished inside it (waiting for it either way)."""
    domu(m, "bench", "rm -f /tmp/t; (sleep 2; dd if=/dev/vda of=/dev/null bs=4k "
         "count=%d iflag=direct 2>/dev/null; echo done > /tmp/t) & echo BG-$((1+1))"
         % nreq, "BG-2")
    busy = traps_window(m, window)
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
        idle = traps_window(m, window)
        busy, inside = batch_traps(m, nreq, window)
        if inside:
            break
        print("  the batch outlasted a %d s window: again with %d s"
              % (window, window * 2))
        window *= 2
    else:
        raise AssertionError("the 4 KiB batch outlasted every window")
    per = {}
    for cause in busy:
        if cause == "total":
            continue
        d = (busy[cause] - idle.get(cause, 0)) / float(nreq)
        if d > 0.05:
            per[cause] = d
    return (busy["total"] - idle["total"]) / float(nreq), per


def main():
    a = args(__doc__)
    mib = 16 if a.smoke else 128
    nreq = 200 if a.smoke else 2000
    disk = fresh_disk(512)
    try:
        with Machine(disk=disk, timeout=120) as m:
            m.wait_ready()
            m.sh("dd if=/dev/zero of=/data/bench.img bs=1M count=%d 2>/dev/null; sync" % mib,
                 timeout=600)
            create(m, "bench", DISK)
            w_domu = domu_dd(m, "dd if=/dev/zero of=/dev/vda bs=1M count=%d "
                             "oflag=direct conv=fsync" % mib)
            m.sh("sync; echo 3 > /proc/sys/vm/drop_caches")
            r_domu = domu_dd(m, "dd if=/dev/vda of=/dev/null bs=1M count=%d "
                             "iflag=direct" % mib)
            total, per = traps_per_request(m, nreq, 8 if a.smoke else 30)
            m.sh("vl destroy bench")
            w_dom0 = dom0_dd(m, "dd if=/dev/zero of=/data/bench.img bs=1M count=%d "
                             "oflag=direct conv=fsync,notrunc" % mib)
            m.sh("sync; echo 3 > /proc/sys/vm/drop_caches")
            r_dom0 = dom0_dd(m, "dd if=/data/bench.img of=/dev/null bs=1M count=%d "
                             "iflag=direct" % mib)
    finally:
        remove_disk(disk)
    print("  read:  DomU %.1f MB/s, Dom0 %.1f MB/s" % (r_domu, r_dom0))
    print("  write: DomU %.1f MB/s, Dom0 %.1f MB/s" % (w_domu, w_dom0))
    print("  traps per 4 KiB read request, by cause:")
    for cause in sorted(per):
        print("    %-34s %.2f" % (cause, per[cause]))
    report("blk-read", r_domu / r_dom0, "DomU/Dom0", 0.55, ">=")
    report("blk-write", w_domu / w_dom0, "DomU/Dom0", 0.55, ">=")
    report("blk-traps", total, "traps per request", 20, "<=")


if __name__ == "__main__":
    main()
