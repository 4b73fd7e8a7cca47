"""Three DomUs at once (one SMP), a hostile DomU module, a DomU panic
contained by pvpanic, and 50 create/destroy cycles with exact accounting
(tests/dom0/test_multi.c, run inside Dom0)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import run_dom0_program  # noqa: E402

if __name__ == "__main__":
    run_dom0_program("test_multi", timeout=500)
