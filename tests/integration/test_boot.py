"""Dom0 boots to a shell with 2 vCPUs, and both vCPUs run work."""
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402


def cpu_ticks(m):
    """user+system ticks of cpu0 and cpu1 from /proc/stat."""
    ticks = {}
    for line in m.sh("grep '^cpu[0-9]' /proc/stat").splitlines():
        f = line.split()
        ticks[f[0]] = int(f[1]) + int(f[3])
    return ticks


def main():
    with Machine() as m:
        m.wait_ready()
        assert m.sh("nproc") == "2", "nproc is not 2"
        before = cpu_ticks(m)
        # One busy loop pinned to each vCPU for about 2 s of guest time.
        m.sh("for c in 0 1; do taskset -c $c sh -c "
             "'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' & done; wait",
             timeout=120)
        after = cpu_ticks(m)
        for cpu in ("cpu0", "cpu1"):
            gained = after[cpu] - before[cpu]
            print("%s ran %d ticks" % (cpu, gained))
            assert gained >= 10, "%s did no work" % cpu
        assert "ttyS0" in m.sh("cat /proc/interrupts"), "no vUART interrupt"
    print("ok")


if __name__ == "__main__":
    main()
