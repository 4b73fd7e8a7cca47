"""A Dom0 kernel module makes invalid SBI calls and gets SBI's error codes."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402


def main():
    with Machine() as m:
        m.wait_ready()
        m.sh("dmesg -n 1")
        for attempt in range(2):  # twice: nothing is left broken
            m.sh("insmod /lib/modules-vireo-tests/sbi_probe.ko")
            out = m.sh("dmesg | grep sbi_probe: ; dmesg -c >/dev/null")
            print(out)
            cases = re.findall(r"sbi_probe: (\S+) err=(-?\d+) expect=(-?\d+) (PASS|FAIL)", out)
            assert len(cases) >= 10, "only %d cases ran" % len(cases)
            bad = [c for c in cases if c[3] != "PASS"]
            assert not bad, "wrong SBI errors: %s" % bad
            assert re.search(r"sbi_probe: done \d+ passed 0 failed", out), out
            assert "impl_id=0x5652" in out or "22098" in out or "5652" in out, \
                "not Vireo's implementation id"
        assert m.sh("echo $((6*7))") == "42"
        assert m.sh("nproc") == "2"
    print("ok")


if __name__ == "__main__":
    main()
