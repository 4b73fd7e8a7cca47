"""Three DomUs at once (one SMP), a DomU panic contained by pvpanic, and 50
create/destroy cycles with exact accounting (tests/dom0/test_multi.c)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402


def main():
    with Machine(timeout=60) as m:
        m.wait_ready()
        out = m.sh("/usr/lib/vireo-tests/test_multi", timeout=500)
        print(out)
        assert m.status == 0, "test_multi failed"
        assert "PASS: 0 failures" in out
        # Dom0 is unharmed.
        assert m.sh("echo $((6*7))") == "42"
        assert m.poweroff() == 0
    print("ok")


if __name__ == "__main__":
    main()
