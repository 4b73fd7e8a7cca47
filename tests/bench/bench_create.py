"""`vl create` to the DomU's init (its library call, timed inside Dom0),
divided by a bare QEMU boot of the same kernel and DomU initramfs to its
init, in the same run, with quiet consoles."""
import os
import re
import statistics

from common import args, report
from vireo_qemu import OUT, Machine

DOMU_READY = "Vireo DomU ready"


def bare_boot():
    with Machine(native=True, smp=1, mem="128M", net=False, append="quiet",
                 initrd=os.path.join(OUT, "domu-initramfs.cpio.gz")) as m:
        m.expect(DOMU_READY)
        import time
        return time.monotonic() - m.start_time


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 5
    bare, vireo = [], []
    with Machine(timeout=120) as m:
        m.wait_ready()
        # The first build also pays for Dom0's first touch of the tool, the
        # kernel file and the foreign-mapping tables: report it, time the rest.
        first = m.sh("/usr/lib/vireo-tests/time_create", timeout=180)
        print("first create (cold): %s" % re.search(r"create_to_init=\S+ build=\S+", first).group(0))
        for _ in range(rounds):
            bare.append(bare_boot())
            out = m.sh("/usr/lib/vireo-tests/time_create", timeout=180)
            vireo.append(float(re.search(r"create_to_init=([\d.]+)", out).group(1)))
            print(re.search(r"create_to_init=\S+ build=\S+", out).group(0))
    b, v = statistics.median(bare), statistics.median(vireo)
    print("bare QEMU boots:  %s" % ", ".join("%.3f" % x for x in bare))
    print("vl create->init:  %s" % ", ".join("%.3f" % x for x in vireo))
    report("create", v / b, "x bare boot", 1.5, "<=")


if __name__ == "__main__":
    main()
