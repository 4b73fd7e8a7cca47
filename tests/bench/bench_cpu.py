"""CPU-bound work in a DomU ÷ the same on the bare host: md5sum of 32 MiB
in tmpfs three times, timed in the guest (/proc/uptime), in a Linux DomU of 256 MiB
and 1 vCPU under Vireo (sharing its hart with an idle Dom0 vCPU) and in
the same kernel booted natively in the same QEMU with 256 MiB. Rounds
alternate (native, DomU, native, ...); the figure is the median of the
per-round ratios: cpu_vs_native (target <= 1.05)."""
import re

from common import alternate, args, record
from vireo_qemu import Machine, token

FILL = "dd if=/dev/urandom of=/tmp/f bs=1M count=32 2>/dev/null"
# Seconds md5sum takes, from /proc/uptime (centiseconds) around it.
TIMED = ("a=$(cut -d' ' -f1 /proc/uptime); "
         "for i in 1 2 3; do md5sum /tmp/f >/dev/null; done; "
         "b=$(cut -d' ' -f1 /proc/uptime); "
         "echo T-$(echo $a $b | awk '{printf \"%.2f\", $2 - $1}')")


def seconds(text):
    return float(re.search(r"T-(\d+\.\d+)", text).group(1))


def native_run():
    with Machine(native=True, mem="256M", net=False, append="quiet") as m:
        m.wait_ready()
        m.sh(FILL, timeout=120)
        return seconds(m.sh(TIMED, timeout=300))


class DomU:
    """One Vireo boot with its DomU, kept across rounds."""
    def __init__(self):
        self.m = Machine(timeout=120, net=False).__enter__()
        self.m.wait_ready()
        out = self.m.sh("vl create demo.cfg name=cpu memory=256", timeout=60)
        assert self.m.status == 0, out
        cmd, want = token("fill")
        self.m.domu("cpu", FILL + "; " + cmd, want, 120, 120)

    def run(self):
        cmd, want = token("cpu")
        got = self.m.domu("cpu", TIMED + "; " + cmd,
                          r"(T-\d+\.\d+)[\s\S]*" + want, 300)
        return seconds(got.group(1))

    def close(self):
        self.m.sh("vl destroy cpu", timeout=60)
        self.m.__exit__(None, None, None)


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 5
    d = DomU()
    try:
        native, domu = alternate(rounds, native_run, d.run)
    finally:
        d.close()
    print("native: %s s" % ", ".join("%.2f" % x for x in native))
    print("DomU:   %s s" % ", ".join("%.2f" % x for x in domu))
    record("cpu_vs_native", "x bare host",
           [g / n for g, n in zip(domu, native)], 1.05, "<=")


if __name__ == "__main__":
    main()
