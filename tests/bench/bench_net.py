"""DomU -> Dom0 TCP throughput over virtio-net (tap on vbr0) against Dom0's
own loopback TCP, in the same run: busybox dd writes zeros into nc, and
the figure is the MB/s dd reports once nc has sent everything."""
from common import args, report
from vireo_qemu import Machine
from virtio_common import create, dd_rate, domu

VIF = "vif = [ 'mac=00:16:3e:00:00:42, bridge=vbr0' ]"


def main():
    a = args(__doc__)
    count = 160 if a.smoke else 1600  # 64 KiB blocks: 10 / 100 MiB
    with Machine(timeout=120) as m:
        m.wait_ready()
        m.sh("(nc -l -p 6000 < /dev/null > /dev/null &); sleep 0.3")
        lo = dd_rate(m.sh("dd if=/dev/zero bs=64k count=%d 2>/tmp/dd.err | "
                          "nc 127.0.0.1 6000; tail -1 /tmp/dd.err" % count, timeout=600))
        create(m, "nbench", VIF)
        domu(m, "nbench", "ip addr add 10.77.0.42/24 dev eth0 && ip link set eth0 up "
             "&& echo UP-$((6*7))", "UP-42")
        m.sh("(nc -l -p 6001 < /dev/null > /dev/null &); sleep 0.3")
        match = domu(m, "nbench", "dd if=/dev/zero bs=64k count=%d 2>/tmp/dd.err | "
                     "nc 10.77.0.1 6001; tail -1 /tmp/dd.err; echo NC-$((4+5))" % count,
                     r"(copied[^\r\n]*B/s)[\s\S]*?NC-9", timeout=900)
        guest = dd_rate(match.group(1))
        m.sh("vl destroy nbench")
    print("  DomU->Dom0 %.1f MB/s, Dom0 loopback %.1f MB/s" % (guest, lo))
    report("tcp", guest / lo, "DomU/loopback", 0.40, ">=")


if __name__ == "__main__":
    main()
