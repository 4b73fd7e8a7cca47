"""Split-driver virtio-net: two DomUs, each with a vif on Dom0's bridge vbr0
(tap devices vireo-dm creates), and Dom0 at 10.77.0.1 ping each other and
move 10 MiB over TCP (busybox nc) with matching checksums, both ways
between a DomU and Dom0 and between the two DomUs. vl network-list shows
the vif, and a vif without mac= keeps its random 00:16:3e MAC across a
vireod restart; destroying the domains removes the taps."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token, wait_until  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import domu, write_file  # noqa: E402

CFG = """name = "net%d"
memory = 96
kernel = "/usr/share/vireo/Image"
ramdisk = "/usr/share/vireo/domu-initramfs.cpio.gz"
extra = "console=ttyS0"
vif = [ '%s' ]
"""
VIFS = {1: "mac=00:16:3e:00:00:01, bridge=vbr0", 2: "bridge=vbr0"}  # 2: random MAC


def listening(port):
    """Shell: wait until a TCP socket listens on port."""
    return wait_until("netstat -ltn | grep -q ':%d '" % port)


def nc_done():
    """Shell: wait until the listening nc has gone (it got the whole file)."""
    return wait_until("! pidof nc >/dev/null", 30)


def make_cfg(m, n):
    write_file(m, "/tmp/net%d.cfg" % n, CFG % (n, VIFS[n]))


def main():
    with Machine(timeout=90) as m:
        m.wait_ready()
        before = free_pages(m)
        assert "10.77.0.1" in m.sh("ip addr show vbr0")
        for n in (1, 2):
            make_cfg(m, n)
            m.sh("vl create /tmp/net%d.cfg" % n, timeout=60)
            cmd, up = token("UP")
            domu(m, "net%d" % n, "ip addr add 10.77.0.1%d/24 dev eth0 && "
                 "ip link set eth0 up && %s" % (n, cmd), up)
        out = m.sh("vl network-list net1")
        assert re.search(r"00:16:3e:00:00:01\s+\d+\s+4\s+0\s+vbr0\s+vif\d+\.0", out), out
        assert "vif" in m.sh("brctl show vbr0")
        # A random MAC is Xen's OUI, and survives a vireod restart.
        mac2 = re.search(r"(00:16:3e(:[0-9a-f]{2}){3})", m.sh("vl network-list net2")).group(1)
        m.sh("pid=$(cat /run/vireod.pid); kill $pid; "
             + wait_until("! kill -0 $pid 2>/dev/null") + "; vireod")
        assert mac2 in m.sh("vl network-list net2")
        # Dom0 <-> DomU and DomU <-> DomU.
        assert m.sh("ping -c 2 -W 5 10.77.0.11 >/dev/null; echo P-$?") == "P-0"
        domu(m, "net1", "ping -c 2 -W 5 10.77.0.12 >/dev/null; echo P-$?", "P-0")
        domu(m, "net2", "ping -c 2 -W 5 10.77.0.1 >/dev/null; echo P-$?", "P-0")
        # 10 MiB DomU -> Dom0 over TCP.
        m.sh("dd if=/dev/urandom of=/tmp/blob bs=1M count=10 2>/dev/null")
        want = m.sh("sha256sum /tmp/blob | cut -c1-64")
        m.sh("(nc -l -p 5001 < /dev/null > /tmp/got &) ; " + listening(5001))
        domu(m, "net1", "dd if=/dev/urandom of=/tmp/blob bs=1M count=10 2>/dev/null; "
             "echo S-$(sha256sum /tmp/blob | cut -c1-64); nc 10.77.0.1 5001 < /tmp/blob; "
             "echo SENT-$?", r"SENT-0", timeout=300)
        # The digest alone: a kernel message ("hrtimer: interrupt took")
        # can land on Dom0's console between the command and its output.
        got = re.findall(r"(?m)^[0-9a-f]{64}$",
                         m.sh(nc_done() + "; sha256sum /tmp/got | cut -c1-64"))
        got = got[-1] if got else None
        sent = domu(m, "net1", "echo S-$(sha256sum /tmp/blob | cut -c1-64)",
                    r"S-([0-9a-f]{64})").group(1)
        assert got == sent, (got, sent)
        # 10 MiB Dom0 -> DomU 2, then DomU 2 -> DomU 1.
        cmd, ready = token("L")
        domu(m, "net2", "(nc -l -p 5002 < /dev/null > /tmp/in &); %s; %s"
             % (listening(5002), cmd), ready)
        assert m.sh("nc 10.77.0.12 5002 < /tmp/blob; echo $?", timeout=300) == "0"
        match = domu(m, "net2", nc_done() + "; echo R-$(sha256sum /tmp/in | cut -c1-64)",
                     r"R-([0-9a-f]{64})")
        assert match.group(1) == want, (match.group(1), want)
        cmd, ready = token("L")
        domu(m, "net1", "(nc -l -p 5003 < /dev/null > /tmp/in &); %s; %s"
             % (listening(5003), cmd), ready)
        domu(m, "net2", "nc 10.77.0.11 5003 < /tmp/in; echo SENT-$?", r"SENT-0", timeout=300)
        match = domu(m, "net1", nc_done() + "; echo R-$(sha256sum /tmp/in | cut -c1-64)",
                     r"R-([0-9a-f]{64})")
        assert match.group(1) == want, (match.group(1), want)
        m.sh("vl destroy net1; vl destroy net2")
        assert "vif" not in m.sh("ip link")
        assert m.sh("pidof vireo-dm; echo n=$?") == "n=1"
        assert free_pages(m) == before
    print("ok")


if __name__ == "__main__":
    main()
