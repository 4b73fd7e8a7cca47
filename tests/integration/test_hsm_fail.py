"""HSM starts that go wrong (fault injection on the hypervisor's command line).

hsm_fail=1: the start of the second hart fails. A vCPU placed there would
never run, and destroying its domain would wait forever for that hart to let
it go. Now every vCPU, Dom0's and a 2-vCPU DomU's, sits on the boot hart, the
DomU boots and vl destroy returns.

hsm_stale=1: the second hart arrives at the boot entry with the DTB, as
OpenSBI 1.1's hart-start race sends it (kernel/arch/riscv/boot.S). It must
come online as CPU 1, not run the boot path a second time: one boot banner,
and Dom0 up with both vCPUs online, on two harts."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, token  # noqa: E402
from test_vl import domains  # noqa: E402


def stale_start():
    with Machine(timeout=120, hyp_append="hsm_stale=1") as m:
        hart = m.expect(r"\(vireo\) hart (\d+) online \(it entered at "
                        r"_start: OpenSBI 1.1's hart-start race\)", 60).group(1)
        m.wait_ready()
        assert m.sh("cat /sys/devices/system/cpu/online") == "0-1"
        m.monitor_enter()
        runq = m.monitor("runq")
        m.monitor_leave()
        print(runq)
        assert re.search(r"hart 1 \(id %s\): current 0\.\d" % hart, runq), \
            "CPU 1 (hart %s) does not run a Dom0 vCPU" % hart
        boots = "".join(m.console.chunks).count("Vireo hypervisor, booted on")
        assert boots == 1, "the boot path ran %d times" % boots


def main():
    stale_start()
    with Machine(timeout=120, hyp_append="hsm_fail=1") as m:
        # CPU 1 is whichever hart OpenSBI did not boot on (its lottery);
        # the monitor prints CPU numbers too.
        dead = m.expect(r"CPU (\d+) \(hart \d+\): HSM start failed \(-1\): "
                        r"no vCPUs go there", 60).group(1)
        m.wait_ready()
        m.sh("vl create demo.cfg name=two vcpus=2", timeout=90)
        assert m.status == 0, "vl create failed"
        m.domu("two", *token("two"))
        m.monitor_enter()
        text = m.monitor("domains")
        m.monitor_leave()
        harts = re.findall(r"vcpu \d+ on hart (\d+)", text)
        print(text)
        assert len(harts) >= 4 and len(set(harts)) == 1, harts
        assert dead not in harts, (dead, harts)
        m.sh("vl destroy two", timeout=90)
        assert m.status == 0, "vl destroy failed"
        assert set(domains(m)) == {"Domain-0"}
    print("ok")


if __name__ == "__main__":
    main()
