"""SBI BASE get_mvendorid/marchid/mimpid give the host's values, as under
KVM (issue 9): Linux reads them at boot and shows them in /proc/cpuinfo,
and keys its errata on them. The same kernel booted natively in the same
QEMU, Dom0 and a DomU must show the same three numbers (on QEMU 7.2:
marchid = mimpid = 0x70216). xl.cfg keys of ours override them per DomU,
each on its own: a DomU given mvendorid and marchid (the latter above
2^63, as SiFive's, so written as a string) shows those two and the host's
mimpid."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402

IDS = "grep -m3 -E '^(mvendorid|marchid|mimpid)' /proc/cpuinfo | tr -s '\\t ' ' '"


def ids(text):
    got = dict(re.findall(r"(mvendorid|marchid|mimpid) : (0x[0-9a-f]+)", text))
    assert len(got) == 3, text
    return got


def main():
    with Machine(native=True, timeout=90) as m:
        m.wait_ready()  # the same initramfs: its banner and prompt
        native = ids(m.sh(IDS))
    with Machine(timeout=120) as m:
        m.wait_ready()
        dom0 = ids(m.sh(IDS))
        m.sh("vl create demo.cfg name=ids", timeout=60)
        assert m.status == 0
        cmd, want = token("I")
        domu = ids(m.domu("ids", IDS + "; " + cmd, r"(?s)(mvendorid.*?)" + want, 60)
                   .group(1).replace("\r", ""))
        m.sh("vl destroy ids", timeout=60)
        out = m.sh("vl create demo.cfg name=own mvendorid=0x489 "
                   "'marchid=\"0x8000000000000007\"'", timeout=60)
        assert m.status == 0, out
        cmd, want = token("O")
        own = ids(m.domu("own", IDS + "; " + cmd, r"(?s)(mvendorid.*?)" + want, 60)
                  .group(1).replace("\r", ""))
        m.sh("vl destroy own", timeout=60)
        out = m.sh("vl create demo.cfg name=bad mvendorid=0x100000000")
        assert m.status != 0 and "mvendorid is 32 bits" in out, out
    print("native %s\nDom0   %s\nDomU   %s\nown    %s" % (native, dom0, domu, own))
    assert own == {"mvendorid": "0x489", "marchid": "0x8000000000000007",
                   "mimpid": native["mimpid"]}, own
    assert native["marchid"] != "0x0", "the native boot reports no marchid"
    assert dom0 == native, (dom0, native)
    assert domu == native, (domu, native)
    print("ok")


if __name__ == "__main__":
    main()
