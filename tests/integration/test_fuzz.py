"""The hypercall and SBI fuzzer (tests/guests/fuzz) as a DomU of 4 vCPUs on
2 harts, beside a Linux DomU.

Pass: every call returns an error code from the SBI specification's list
(legacy calls a value), the fuzzer takes no fault, the hypervisor never
panics (the console scan), Dom0 and the other DomU keep answering, and
after both DomUs are destroyed the free pages are what they were.
VIREO_FUZZ_CALLS and VIREO_FUZZ_SEED change the run (make soak: 10^6).
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402
from test_vl import free_pages  # noqa: E402
from test_virtio_blk import write_file  # noqa: E402

CALLS = int(os.environ.get("VIREO_FUZZ_CALLS", "100000"))
SEED = int(os.environ.get("VIREO_FUZZ_SEED", "1"))

FUZZ_CFG = """name = "fuzz"
memory = 16
vcpus = 4
kernel = "/usr/lib/vireo-tests/fuzz.Image"
extra = "seed=%d calls=%d"
"""


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        before = free_pages(m)
        m.sh("vl create demo.cfg name=peer", timeout=60)
        assert m.status == 0, "vl create peer failed"
        m.domu("peer", None, None)
        write_file(m, "/tmp/fuzz.cfg", FUZZ_CFG % (SEED, CALLS))
        out = m.sh("vl create /tmp/fuzz.cfg", timeout=60)
        assert m.status == 0, "vl create fuzz failed: " + out
        # Read its console through grep, never on the terminal: the calls
        # print what they like (legacy putchar, DBCN).
        log, deadline = "", time.monotonic() + max(300, CALLS // 200)
        while "FUZZ-RESULT" not in log:
            assert time.monotonic() < deadline, "no FUZZ-RESULT: " + log
            log = m.sh("timeout 2 vl console fuzz </dev/null 2>/dev/null | "
                       "grep -a 'FUZZ-'", timeout=30)
        res = re.search(r"FUZZ-RESULT calls=(\d+) legacy=(\d+) bad=(\d+) "
                        r"faults=(\d+) harts=(\d+)", log)
        calls, legacy, bad, faults, harts = (int(x) for x in res.groups())
        print("\n".join(re.findall(r"FUZZ-(?:HIST|BAD)[^\r\n]*", log)))
        print("fuzz: %d calls (%d legacy) on %d vCPUs, %d bad, %d faults"
              % (calls, legacy, harts, bad, faults))
        assert harts == 4, "the fuzzer found %d vCPUs" % harts
        assert calls >= CALLS - 4, calls
        assert bad == 0, "%d calls returned a code outside the spec" % bad
        assert faults == 0, "the fuzzer took %d faults" % faults
        # Everyone else is unharmed.
        assert m.sh("echo $((6*7))") == "42"
        m.domu("peer", *token("peer"))
        for name in ("fuzz", "peer"):
            m.sh("vl destroy %s" % name, timeout=60)
            assert m.status == 0, "vl destroy %s failed" % name
        after = free_pages(m)
        assert after == before, "free pages %d before, %d after" % (before, after)
    print("ok")


if __name__ == "__main__":
    main()
