"""TCP from a DomU to Dom0 over virtio-net (a tap on Dom0's bridge vbr0)
against the bare host's own loopback TCP, side by side in one run. A DomU
cannot reach the bare host, so the headline is DomU -> Dom0 over vbr0 ÷
the native boot's loopback (the same kernel and initramfs booted natively
in the same QEMU, 2 harts, 128 MiB like the DomU): net_tcp_vs_native_loopback.
Dom0's own loopback is the second view (net_tcp_vs_dom0_loopback).

tests/domu/iobench sends the bytes and times them in the sender, up to the
sink's close once it has read everything. Rounds alternate native, DomU;
the figures are medians of per-round ratios with their min-max."""
import iob
from common import alternate, args, record
from vireo_qemu import Machine
from virtio_common import create, domu

VIF = "vif = [ 'mac=00:16:3e:00:00:42, bridge=vbr0' ]"
PORT = [7000]


def send(m, host, guest, nbytes):
    """A sink in m's shell (Dom0 or the bare host), the sender in DomU
    guest (or, with guest None, in the same shell); MB/s."""
    PORT[0] += 1
    m.sh("(%s tcpsink %d >/tmp/sink.log 2>&1 &)" % (iob.IOBENCH, PORT[0]))
    cmd = "tcpsend %s %d %d" % (host, PORT[0], nbytes)
    r = iob.domu(m, guest, cmd) if guest else iob.shell(m, cmd)
    sink = iob.parse(m.sh("cat /tmp/sink.log"))
    assert sink["bytes"] == nbytes, sink
    return iob.mb_per_s(r)


def main():
    a = args(__doc__)
    nbytes = (16 if a.smoke else 128) << 20
    rounds = 1 if a.smoke else 5
    native = Machine(native=True, mem="128M", net=False, append="quiet",
                     timeout=120).__enter__()
    m = None
    try:
        native.wait_ready()
        m = Machine(timeout=120).__enter__()
        m.wait_ready()
        create(m, "nbench", VIF)
        domu(m, "nbench", "ip addr add 10.77.0.42/24 dev eth0 && "
             "ip link set eth0 up && echo UP-$((6*7))", "UP-42")
        lo, guest = alternate(
            rounds, lambda: send(native, "127.0.0.1", None, nbytes),
            lambda: send(m, "10.77.0.1", "nbench", nbytes))
        dom0_lo = [send(m, "127.0.0.1", None, nbytes) for _ in range(rounds)]
        m.sh("vl destroy nbench")
    finally:
        if m:
            m.__exit__(None, None, None)
        native.__exit__(None, None, None)
    print("  native loopback %s MB/s" % " ".join("%.1f" % x for x in lo))
    print("  DomU -> Dom0    %s MB/s" % " ".join("%.1f" % x for x in guest))
    print("  Dom0 loopback   %s MB/s" % " ".join("%.1f" % x for x in dom0_lo))
    record("net_tcp_vs_native_loopback", "x bare loopback",
           [g / n for g, n in zip(guest, lo)], 0.60, ">=")
    record("net_tcp_vs_dom0_loopback", "x Dom0 loopback",
           [g / d for g, d in zip(guest, dom0_lo)], 0.60, ">=")


if __name__ == "__main__":
    main()
