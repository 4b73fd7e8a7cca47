"""Dom0's boot to its /init under Vireo ÷ the same Linux and initramfs
booted natively in the same QEMU with the same memory (512 MiB, Dom0's
dom0_mem), side by side: 9 alternating pairs (wall-clock ratios), quiet
consoles, the same end marker ("Vireo Dom0 ready") on both sides. The
figure is the median of the 9 per-pair ratios: dom0_boot_vs_native."""
from common import alternate, args, record
from vireo_qemu import Machine

DOM0_MEM = "512M"  # Vireo's default dom0_mem


def boot_time(native):
    with Machine(native=native, append="quiet", net=False,
                 mem=DOM0_MEM if native else None) as m:
        return m.wait_ready()


def main():
    a = args(__doc__)
    rounds = 1 if a.smoke else 9
    native, vireo = alternate(rounds, lambda: boot_time(True),
                              lambda: boot_time(False))
    print("native boots: %s" % ", ".join("%.3f" % x for x in native))
    print("vireo boots:  %s" % ", ".join("%.3f" % x for x in vireo))
    record("dom0_boot_vs_native", "x bare boot",
           [v / n for v, n in zip(vireo, native)], 1.10, "<=")


if __name__ == "__main__":
    main()
