"""Dom0's own hypercalls fuzzed (tests/dom0/fuzz_dom0): 20,000 seeded calls
with invalid and foreign domids and edge-value addresses; every code is in
the SBI spec's list, the domains the calls created are destroyed and free
pages and heap are exact; Dom0 is unharmed and powers off cleanly."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import run_dom0_program  # noqa: E402

if __name__ == "__main__":
    run_dom0_program("fuzz_dom0", timeout=400)
