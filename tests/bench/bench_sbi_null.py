"""Instructions per null SBI call (BASE get_spec_version) from a Dom0 kernel
module, under -icount shift=0: Dom0 under Vireo, and the same kernel native
where OpenSBI answers."""
import re

from common import args, report
from vireo_qemu import Machine


def per_call(native, iters):
    with Machine(native=native, smp=1, icount=True, net=False,
                 timeout=300) as m:
        m.wait_ready()
        m.sh("dmesg -n 1")
        m.sh("insmod /lib/modules-vireo-tests/sbi_null.ko iters=%d" % iters)
        out = m.sh("dmesg | grep 'sbi_null: iters'")
        return float(re.search(r"per_call=([\d.]+)", out).group(1))


def main():
    a = args(__doc__)
    iters = 1000 if a.smoke else 100000
    native = per_call(True, iters)
    vireo = per_call(False, iters)
    print("native (OpenSBI): %.1f instructions per call" % native)
    print("Dom0 under Vireo: %.1f instructions per call" % vireo)
    report("sbi_null", vireo, "instructions/call", 120, "<=")


if __name__ == "__main__":
    main()
