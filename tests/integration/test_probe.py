"""Isolation probes (tests/guests/probe): a DomU loads and stores at
guest-physical addresses it does not own: past its RAM, 4 GiB and above,
the holes between its devices and in its vPLIC, the host's own devices
(a store to the host's sifive_test would power QEMU off) and host RAM
where the hypervisor and Dom0 sit. Each access must reach its own RAM or
fault in the guest, with no hang; Dom0's and another DomU's memory keep
their checksums; the free pages are the same afterwards."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

PROBE_CFG = """name = "probe"
memory = 16
kernel = "/usr/lib/vireo-tests/probe.Image"
"""
# 8 MiB of random bytes in tmpfs, and their checksum.
FILL = "dd if=/dev/urandom of=/tmp/mem bs=1M count=8 2>/dev/null"
SUM = "echo SUM-$(md5sum < /tmp/mem | cut -c1-32)-$((1+1))"


def peer_sum(m):
    return m.domu("peer", SUM, r"SUM-([0-9a-f]{32})-2").group(1)


def dom0_sum(m):
    return re.search(r"SUM-([0-9a-f]{32})-2", m.sh(SUM)).group(1)


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        before = free_pages(m)
        m.sh(FILL)
        m.sh("vl create demo.cfg name=peer", timeout=60)
        assert m.status == 0, "vl create peer failed"
        cmd, want = token("F")
        m.domu("peer", FILL + "; " + cmd, want)
        sums = (dom0_sum(m), peer_sum(m))
        write_file(m, "/tmp/probe.cfg", PROBE_CFG)
        m.sh("vl create /tmp/probe.cfg", timeout=60)
        assert m.status == 0, "vl create probe failed"
        m.child.sendline("vl console probe")
        res = m.expect(r"PROBE-RESULT probes=(\d+) wrong=(\d+)", 120)
        probes, wrong = int(res.group(1)), int(res.group(2))
        table = m.child.before  # the table came just before
        m.console_detach()
        lines = re.findall(r"PROBE [0-9a-f]+ [^\r\n]*", table)
        print("\n".join(lines))
        assert probes >= 40 and len(lines) >= probes, (probes, len(lines))
        assert wrong == 0, "%d probes reached what is not the DomU's" % wrong
        assert "GUEST-TRAP" not in table, "the probe guest took a stray trap"
        assert (dom0_sum(m), peer_sum(m)) == sums, "another domain's memory changed"
        for name in ("probe", "peer"):
            m.sh("vl destroy %s" % name, timeout=60)
            assert m.status == 0, "vl destroy %s failed" % name
        assert free_pages(m) == before
    print("ok")


if __name__ == "__main__":
    main()
