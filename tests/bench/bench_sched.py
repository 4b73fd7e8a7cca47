"""The credit scheduler seen from the toolstack, on 2 harts (the default
Machine), in one boot. Each DomU is demo.cfg (1 vCPU, 64 MiB) running a
shell busy loop; Dom0 only sleeps between two readings of every domain's
CPU time (`vl list -l`, nanoseconds), so each figure is a ratio of CPU
times taken side by side over the same window, per window, several
windows: the median with its min-max.

- sched_weight_ratio: DomUs of weight 256 and 512 pinned to hart 1
  (Dom0's vCPUs pinned to hart 0): the 512 one's CPU time ÷ the 256
  one's. Target 2.0 +- 0.1.
- sched_cap: one DomU with cap=50 alone on hart 1 (Dom0 on hart 0): its
  CPU time ÷ the wall-clock window, which is Dom0's /proc/uptime around
  the same two readings (one shell command: the hypervisor's and Dom0's
  clocks are the same timebase). Each reading of `vl list -l` takes a
  while (0.2-1.5 s under TCG on a loaded host), so the window runs from
  midpoint to midpoint, and is longer (20 s). Target 0.50 +- 0.03.
- sched_io_latency_under_hog: a DomU of 128 MiB pinned to hart 1 reads
  4 KiB blocks at random offsets from its virtio-blk disk (a raw file in
  Dom0's /data, served by vireo-dm), O_DIRECT, timed in the guest
  (tests/domu/iobench randread, as bench_blk); another DomU burns CPU
  pinned to hart 1. Dom0 runs on hart 0 alone, its second vCPU offline
  meanwhile (two Dom0 vCPUs on one hart wait for each other, which would
  be most of the latency measured). Mean latency per read with the hog
  running ÷ with the hog paused, the two alternating, one ratio per
  round. Target <= 1.5. Under TCG the running hog also keeps a host core
  busy that the paused one leaves to the other hart's thread (Dom0's).
- sched_equal_share_spread: three DomUs of equal weight, nothing pinned
  (Dom0 neither): the largest CPU-time delta ÷ the smallest. Target
  <= 1.10.

The hypervisor instructions per context switch are bench_sched_instr's
(-icount needs 1 hart)."""
import re

import iob
from common import alternate, args, record
from vireo_qemu import (Machine, domu_output, fresh_disk, remove_disk, token,
                        wait_until)
from virtio_common import create

UPTIME = "echo UP-$(cut -d' ' -f1 /proc/uptime)"
# One reading: Dom0's clock, every domain's CPU time, Dom0's clock again.
READING = "%s; vl list -l; %s" % (UPTIME, UPTIME)
BUSY = "(while :; do :; done) >/dev/null 2>&1 &"
DISK = "disk = [ 'format=raw, vdev=xvda, access=rw, target=/data/sched.img' ]"
DISK_MIB = 16


def parse_reading(text):
    """(Dom0 uptime before, after, {name: CPU seconds}) of one READING."""
    up = [float(x) for x in re.findall(r"UP-(\d+\.\d+)", text)]
    cpu = {n: float(t) for n, t in re.findall(
        r'"name": "([^"]*)",[^}]*?"cpu_time": (\d+\.\d+)', text)}
    assert len(up) == 2 and cpu, "not a reading: %r" % text[-600:]
    return up[0], up[1], cpu


def window(m, seconds):
    """Every domain's CPU seconds over a window of Dom0 idling in `sleep`,
    both readings in one shell command: ({name: delta}, wall seconds
    between the readings' midpoints, +- how much it may be off)."""
    out = m.sh("%s; sleep %s; %s" % (READING, seconds, READING),
               timeout=seconds + 180)
    assert m.status == 0, out
    split = [u.start() for u in re.finditer("UP-", out)][2]
    a0, a1, before = parse_reading(out[:split])
    b0, b1, after = parse_reading(out[split:])
    wall = (b0 + b1) / 2 - (a0 + a1) / 2
    delta = {n: after[n] - before[n] for n in after if n in before}
    return delta, wall, ((a1 - a0) + (b1 - b0)) / 2


def vcpu_harts(m, name):
    """{vcpu: hart} from `vl vcpu-list name`."""
    out = m.sh("vl vcpu-list %s" % name)
    assert m.status == 0, out
    return {int(v): h for v, h in re.findall(
        r"(?m)^%s\s+\d+\s+(\d+)\s+(\S+)\s" % re.escape(name), out)}


def pin(m, name, hard):
    """Pin every vCPU of name to hart list hard ("all" frees them), then
    poll until each sits on an allowed hart."""
    out = m.sh("vl vcpu-pin %s all %s" % (name, hard))
    assert m.status == 0, out
    if hard == "all":
        return
    for _ in range(100):
        if all(h == hard for h in vcpu_harts(m, name).values()):
            return
    raise AssertionError("%s never moved to hart %s: %s"
                         % (name, hard, vcpu_harts(m, name)))


def hog(m, name, opts=""):
    """A demo.cfg DomU with opts (xl.cfg key=value overrides), running a
    busy loop once its shell answers."""
    out = m.sh("vl create demo.cfg name=%s %s" % (name, opts), timeout=90)
    assert m.status == 0, out
    cmd, want = token("busy")
    domu_output(m, name, "%s %s" % (BUSY, cmd), "(%s)" % want)


def destroy(m, *names):
    for n in names:
        out = m.sh("vl destroy %s" % n, timeout=90)
        assert m.status == 0, out


def windows(m, n, seconds, what):
    """n windows; what(delta, wall, err) gives one figure, printed."""
    figures = []
    for _ in range(n):
        delta, wall, err = window(m, seconds)
        figures.append(what(delta, wall, err))
    return figures


def weight_ratio(m, n, seconds):
    hog(m, "w256", "cpu_weight=256 'cpus=\"1\"'")
    hog(m, "w512", "cpu_weight=512 'cpus=\"1\"'")

    def what(d, wall, err):
        r = d["w512"] / d["w256"]
        print("  window %.2f s: w512 %.3f s, w256 %.3f s, Dom0 %.3f s: %.3f"
              % (wall, d["w512"], d["w256"], d["Domain-0"], r))
        return r
    ratios = windows(m, n, seconds, what)
    destroy(m, "w256", "w512")
    return ratios


def cap(m, n, seconds):
    hog(m, "cap50", "cap=50 'cpus=\"1\"'")

    def what(d, wall, err):
        r = d["cap50"] / wall
        print("  window %.2f s (+- %.2f): cap50 %.3f s: %.3f"
              % (wall, err, d["cap50"], r))
        return r
    shares = windows(m, n, seconds, what)
    destroy(m, "cap50")
    return shares


def equal_share(m, n, seconds):
    names = ("eq1", "eq2", "eq3")
    for name in names:
        hog(m, name)

    def what(d, wall, err):
        times = [d[x] for x in names]
        r = max(times) / min(times)
        print("  window %.2f s: %s, Dom0 %.3f s: %.3f" % (
            wall, ", ".join("%s %.3f s" % (x, d[x]) for x in names),
            d["Domain-0"], r))
        return r
    spreads = windows(m, n, seconds, what)
    destroy(m, *names)
    return spreads


def paused(m, name, want):
    """Pause or unpause name, and poll `vl list -l` until it shows it."""
    m.sh("vl %s %s" % ("pause" if want else "unpause", name))
    assert m.status == 0
    state = '"state": "..%s' % ("p" if want else "-")
    out = m.sh("%s; vl list -l %s" % (
        wait_until("vl list -l %s | grep -q '%s'" % (name, state)), name))
    assert re.search(state, out), out


def dom0_cpu1(m, online):
    """Take Dom0's second vCPU offline (SBI HSM stop: Dom0 then runs, and
    serves the disk, on hart 0 alone) or back online; poll until the
    hypervisor shows it."""
    out = m.sh("echo %d > /sys/devices/system/cpu/cpu1/online" % online)
    assert m.status == 0, out
    for _ in range(100):
        if ("-" if online else "p") == dom0_state(m)[1]:
            return
    raise AssertionError("Dom0's vCPU 1 never went %s"
                         % ("online" if online else "offline"))


def dom0_state(m):
    """{vcpu: last State letter} of Dom0 from `vl vcpu-list`."""
    out = m.sh("vl vcpu-list Domain-0")
    return {int(v): st[-1] for v, st in re.findall(
        r"(?m)^Domain-0\s+0\s+(\d+)\s+\S+\s+(\S+)\s", out)}


def io_latency(m, rounds, nreq):
    """Mean latency per 4 KiB read with a hog on the reader's hart and
    without it, alternating; the ratios."""
    out = m.sh("dd if=/dev/zero of=/data/sched.img bs=1M count=%d 2>/dev/null;"
               " sync" % DISK_MIB, timeout=300)
    assert m.status == 0, out
    dom0_cpu1(m, False)
    create(m, "reader", DISK + '\ncpus = "1"')
    hog(m, "hog", "'cpus=\"1\"'")
    paused(m, "hog", True)
    batch = "randread /dev/vda 4096 %d" % nreq
    iob.domu(m, "reader", batch)  # warm-up: the reader has only just booted

    def latency(hogging):
        def run():
            paused(m, "hog", not hogging)
            r = iob.domu(m, "reader", batch)
            return r["ns"] / 1e3 / r["ops"]
        return run
    busy, idle = alternate(rounds, latency(True), latency(False))
    print("  us per read, hog running: %s" % " ".join("%.0f" % x for x in busy))
    print("  us per read, hog paused:  %s" % " ".join("%.0f" % x for x in idle))
    destroy(m, "hog", "reader")
    dom0_cpu1(m, True)
    return [b / i for b, i in zip(busy, idle)]


def main():
    a = args(__doc__)
    n, seconds = (1, 2) if a.smoke else (7, 10)
    n_cap = 1 if a.smoke else 5
    rounds, nreq = (1, 100) if a.smoke else (7, 600)
    disk = fresh_disk(DISK_MIB * 2 + 128)
    try:
        with Machine(disk=disk, net=False, timeout=120) as m:
            m.wait_ready()
            pin(m, "Domain-0", "0")
            print("weight 512 vs 256 on hart 1:")
            weights = weight_ratio(m, n, seconds)
            print("cap 50 alone on hart 1:")
            caps = cap(m, n_cap, 2 * seconds)
            print("4 KiB reads on hart 1, a hog there or paused:")
            io = io_latency(m, rounds, nreq)
            pin(m, "Domain-0", "all")
            print("three equal DomUs on two harts:")
            spread = equal_share(m, n, seconds)
    finally:
        remove_disk(disk)
    record("sched_weight_ratio", "x (w512 / w256)", weights, 2.0, "+-", 0.1)
    record("sched_cap", "x wall clock", caps, 0.50, "+-", 0.03)
    record("sched_io_latency_under_hog", "x hart idle", io, 1.5, "<=")
    record("sched_equal_share_spread", "max/min CPU time", spread, 1.10, "<=")


if __name__ == "__main__":
    main()
