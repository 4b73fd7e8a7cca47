"""The partitioned mode: hypervisor traps per second on the hart of a null
cpupool while its only guest runs a busy loop (null_pool_traps_per_s,
target 0). Hart 1 leaves Pool-0 for a null pool "rt" and a Linux DomU
(dmesg quiet) is created there; each window is the growth of the
monitor's "hart 1 total" counter, both readings in one monitor session.
The guest's own timer (Sstc) does not reach the hypervisor, and host
device interrupts go to the boot hart, which stays in Pool-0
(docs/scheduling.md)."""
import time

from common import args, record
from vireo_qemu import Machine, domu_output, token


def ok(m, cmd):
    out = m.sh(cmd, timeout=60)
    assert m.status == 0, "%s: %s" % (cmd, out)


def main():
    a = args(__doc__)
    seconds = 2 if a.smoke else 10
    rounds = 1 if a.smoke else 5
    with Machine(net=False) as m:
        m.wait_ready()
        ok(m, "vl cpupool-cpu-remove Pool-0 1")
        ok(m, "printf 'name=\"rt\"\\nsched=\"null\"\\ncpus=\"1\"\\n' > /tmp/rt.cfg")
        ok(m, "vl cpupool-create /tmp/rt.cfg")
        ok(m, "vl create demo.cfg name=crit 'pool=\"rt\"'")
        domu_output(m, "crit", "dmesg -n 1; (while :; do :; done) >/dev/null 2>&1 & "
                    + token("hog")[0], r"(hog-\d+)", 120)
        time.sleep(2)
        rates = []
        for _ in range(rounds):
            d = m.traps_over(seconds)
            assert "hart 1 total" in d, d  # the counter, not a default
            rates.append(d["hart 1 total"] / seconds)
            print("  hart 1: %.1f traps/s, %d switches; hart 0: %.1f traps/s"
                  % (rates[-1], d.get("hart 1 switches", 0),
                     d.get("hart 0 total", 0) / seconds))
        m.sh("vl destroy crit", timeout=60)
    record("null_pool_traps_per_s", "traps/s", rates, 0, "<=")


if __name__ == "__main__":
    main()
