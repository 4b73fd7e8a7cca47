"""Three Ctrl-A open the monitor: log, trap counters, domains, interrupt
state (with the vUART's); then back."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402


def main():
    with Machine() as m:
        m.wait_ready()
        m.monitor_enter()
        log = m.monitor("dmesg")
        assert "Vireo hypervisor, booted on hart" in log, "no boot log"
        assert "dom0: 2 vCPUs" in log, "no Dom0 line in the log"
        traps = m.monitor("traps")
        assert "VS ecall (SBI)" in traps and "total" in traps, traps
        doms = m.monitor("domains")
        assert "Domain-0" in doms and "vcpu 1" in doms, doms
        # Dom0's 8250 driver has its receive interrupt on (IER bit 0).
        irqs = m.monitor("irqs")
        r = re.search(r"vuart ier ([0-9a-f]+) lcr [0-9a-f]+ mcr [0-9a-f]+ "
                      r"thre \d tx-waiting 0 irq \d rx \d+; ring 0 bytes", irqs)
        assert r and int(r.group(1), 16) & 1, irqs
        assert "unknown command" in m.monitor("frobnicate")
        # Input typed while the monitor has it must not reach Dom0: had
        # this line reached Dom0's shell, it would have made the file.
        m.monitor("touch /tmp/leaked")
        m.monitor_leave()
        assert m.sh("echo $((6*7))") == "42"
        assert m.sh("test -e /tmp/leaked; echo L-$?") == "L-1", \
            "input typed in the monitor reached Dom0"
    print("ok")


if __name__ == "__main__":
    main()
