"""Dom0's libvireo against the hypervisor: bad input changes nothing, a Linux
DomU boots and answers, pause, guest poweroff, a reboot through the guest
agent, exact accounting (tests/dom0/test_lifecycle.c, run inside Dom0)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import run_dom0_program  # noqa: E402

if __name__ == "__main__":
    run_dom0_program("test_lifecycle", timeout=300)
