"""Dom0's libvireo against the hypervisor: bad input changes nothing, a Linux
DomU boots and answers, pause, guest poweroff, exact accounting (the checks
are in tests/dom0/test_lifecycle.c, which runs inside Dom0)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402


def main():
    with Machine(timeout=60) as m:
        m.wait_ready()
        out = m.sh("/usr/lib/vireo-tests/test_lifecycle", timeout=300)
        print(out)
        assert m.status == 0, "test_lifecycle failed"
        assert "PASS: 0 failures" in out
        # Dom0 is unharmed.
        assert m.sh("echo $((6*7))") == "42"
        assert m.poweroff() == 0
    print("ok")


if __name__ == "__main__":
    main()
