"""An SMP Linux DomU with more vCPUs than harts (4 on 2, issue 9): it
boots, nproc and /proc/cpuinfo show its 4 vCPUs, a vCPU goes offline and
back through SBI HSM (hart_stop, then hart_start) three times with Linux
agreeing each time, and a
multi-threaded mmap/mprotect/munmap stress (tests/domu/mm_stress, a smoke
test of remote fences) finds every mapping's contents right."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402


def run(m, cmd, name, timeout=120):
    """cmd's output in the DomU, up to an evaluated end marker."""
    end, want = token(name)
    return m.domu("smp", cmd + "; " + end, r"(?s)(.*?)" + want,
                  timeout, prompt_timeout=timeout).group(1).replace("\r", "")


def online(m):
    out = run(m, "echo ON-$(cat /sys/devices/system/cpu/online)-N-$(nproc)", "on")
    res = re.search(r"ON-([0-9,-]+)-N-(\d+)", out)
    assert res, out
    return res.group(1), int(res.group(2))


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        out = m.sh("vl create demo.cfg name=smp vcpus=4 memory=128", timeout=60)
        assert m.status == 0, "vl create failed: " + out
        out = run(m, "echo CPUS-$(grep -c ^processor /proc/cpuinfo)", "cpus", 180)
        assert "CPUS-4" in out, out
        assert online(m) == ("0-3", 4), online(m)
        for cycle in range(3):
            run(m, "echo 0 > /sys/devices/system/cpu/cpu3/online", "off%d" % cycle)
            assert online(m) == ("0-2", 3), (cycle, online(m))
            run(m, "echo 1 > /sys/devices/system/cpu/cpu3/online", "on%d" % cycle)
            assert online(m) == ("0-3", 4), (cycle, online(m))
        out = run(m, "/usr/lib/vireo-tests/mm_stress 8 150", "mm", 300)
        print(out.strip().splitlines()[-1] if out.strip() else out)
        res = re.search(r"MM-STRESS (\w+) threads=8 iterations=150 checks=(\d+) bad=(\d+)", out)
        assert res, out
        assert res.group(1) == "ok" and int(res.group(3)) == 0, out
        assert int(res.group(2)) > 0, "the threads never saw each other's maps"
        # Everyone's vCPUs still answer: Dom0 and the DomU.
        assert m.sh("echo $((6*7))") == "42"
        assert online(m) == ("0-3", 4)
        m.sh("vl destroy smp", timeout=60)
        assert m.status == 0, "vl destroy smp failed"
    print("ok")


if __name__ == "__main__":
    main()
