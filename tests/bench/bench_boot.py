"""Boot time to Dom0's /init under Vireo divided by the same Linux and
initramfs booted natively, side by side in one run, with quiet consoles."""
import statistics

from common import args, report
from vireo_qemu import Machine


def boot_time(native):
    with Machine(native=native, append="quiet", net=False) as m:
        t = m.wait_ready()
        return t


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 5
    native, vireo = [], []
    for _ in range(rounds):
        native.append(boot_time(True))
        vireo.append(boot_time(False))
    n, v = statistics.median(native), statistics.median(vireo)
    print("native boots: %s" % ", ".join("%.3f" % x for x in native))
    print("vireo boots:  %s" % ", ".join("%.3f" % x for x in vireo))
    report("boot", v / n, "x native", 1.5, "<=")


if __name__ == "__main__":
    main()
