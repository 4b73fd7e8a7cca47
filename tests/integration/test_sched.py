"""The credit scheduler from the toolstack (issue 12): xl.cfg's cpus,
cpu_weight and cap reach the hypervisor at create; `vl vcpu-list` shows
them in xl's format; `vl sched-credit` reads and sets a domain's weight and
cap and the pool's slice and rate limit; `vl vcpu-pin` moves a running
vCPU and the guest keeps counting; bad input is refused with an error and
changes nothing. An idle DomU alone on its hart is charged the time it
ran, not the time it waited in WFI. Then three DomUs of two vCPUs each, every vCPU busy, on
two harts (with Dom0 also there): every vCPU keeps making progress."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, domu_output, token  # noqa: E402

HEADER = ("Name                                ID  VCPU   CPU State   "
          "Time(s) Affinity (Hard / Soft)")
# Two counters, one per vCPU's worth of work, into /tmp/c0 and /tmp/c1.
# Each value is written aside and renamed over the counter, so a reader
# never finds it empty or half written: truncating in place left it empty
# whenever the writer was preempted between truncate and write, and a
# reader forking a cat per try beside two busy vCPUs could then try for
# over 120 s (two fresh-clone runs); the shell's read, byte by byte, saw
# torn values.
COUNT = ("for k in 0 1; do (i=0; while :; do i=$((i+1)); echo $i > /tmp/c$k.t; "
         "mv /tmp/c$k.t /tmp/c$k; done) >/dev/null 2>&1 & done")


def vcpus(m, name):
    """{vcpu: (cpu, state, hard, soft)} from `vl vcpu-list name`."""
    out = m.sh("vl vcpu-list %s" % name)
    assert m.status == 0, out
    lines = out.replace("\r", "").splitlines()
    assert lines[0] == HEADER, lines
    rows = {}
    for line in lines[1:]:
        r = re.match(r"^%s\s+\d+\s+(\d+)\s+(\S+)\s+(\S+)\s+[\d.]+\s+(\S+) / (\S+)$"
                     % re.escape(name), line)
        assert r, line
        rows[int(r.group(1))] = r.group(2, 3, 4, 5)
    return rows


def counters(m, name):
    """Both counters (until the first rename there is none: retry, 50
    times at most). A kernel message may come between the two lines. A
    counter never read says so, with the guest's processes."""
    cmd = ('for k in 0 1; do v=; n=0; while [ -z "$v" ] && [ $n -lt 50 ]; '
           'do v=$(cat /tmp/c$k 2>/dev/null); n=$((n+1)); done; '
           'echo "C$k-${v:-none}"; done')
    got = domu_output(m, name, cmd, r"(?s)C0-(\w+)\s.*?C1-(\w+)")
    if not all(x.isdigit() for x in got):
        ps = domu_output(m, name, "ps", r"(?s)(.*)")[0]
        raise AssertionError("%s: counters %s; ps:\n%s" % (name, got, ps))
    return [int(x) for x in got]


def refused(m, cmd, what):
    out = m.sh(cmd)
    assert m.status != 0, "%s: accepted: %s" % (cmd, out)
    assert what in out, (cmd, out)


def toolstack(m):
    out = m.sh("vl create demo.cfg name=s vcpus=2 cpu_weight=512 cap=150 "
               "'cpus=\"1\"'", timeout=60)
    assert m.status == 0, out
    domu_output(m, "s", COUNT + "; " + token("bg")[0], r"(bg-\d+)")
    rows = vcpus(m, "s")
    assert rows[0][0] == "1" and rows[1][0] == "1", rows  # both on hart 1
    assert rows[0][2] == "1" and rows[0][3] == "all", rows
    out = m.sh("vl sched-credit -d s")
    assert re.search(r"(?m)^s\s+\d+\s+512\s+150$", out), out
    m.sh("vl sched-credit -d s -w 300 -c 0")
    assert m.status == 0
    assert re.search(r"(?m)^s\s+\d+\s+300\s+0$", m.sh("vl sched-credit -d s"))
    refused(m, "vl sched-credit -d s -w 0", "eight")
    refused(m, "vl sched-credit -d s -c 201", "ap")
    assert re.search(r"(?m)^s\s+\d+\s+300\s+0$", m.sh("vl sched-credit -d s"))
    m.sh("vl sched-credit -s -t 20 -r 500")
    assert m.status == 0
    out = m.sh("vl sched-credit -s")
    assert "Cpupool Pool-0: tslice=20ms ratelimit=500us" in out, out
    refused(m, "vl sched-credit -s -t 20 -r 30000", "")
    assert "tslice=20ms ratelimit=500us" in m.sh("vl sched-credit -s")
    m.sh("vl sched-credit -s -t 30 -r 1000")
    # vcpu-pin: vCPU 0 to hart 0 while both count; the guest keeps going.
    before = counters(m, "s")
    m.sh("vl vcpu-pin s 0 0")
    assert m.status == 0
    rows = vcpus(m, "s")
    assert rows[0][2] == "0", rows
    end = time.time() + 30  # poll: its old hart hands it over
    while time.time() < end and vcpus(m, "s")[0][0] != "0":
        pass
    assert vcpus(m, "s")[0][0] == "0", vcpus(m, "s")
    after = counters(m, "s")
    assert after[0] > before[0] and after[1] > before[1], (before, after)
    refused(m, "vl vcpu-pin s 0 5", "")
    refused(m, "vl vcpu-pin s 7 0", "")
    assert vcpus(m, "s")[0][2] == "0"
    m.sh("vl vcpu-pin s all all")
    assert m.status == 0
    assert vcpus(m, "s")[1][2] == "all"
    dom0 = vcpus(m, "Domain-0")
    assert set(dom0) == {0, 1}, dom0
    # vl top in batch mode: two frames (header and rows, as xentop -b).
    out = m.sh("vl top -b -i 2 -d 1", timeout=60)
    assert m.status == 0, out
    heads = [l for l in out.splitlines() if l.split()[:2] == ["NAME", "STATE"]]
    assert len(heads) == 2, out
    # "------" too, as in xentop: runnable vCPUs, none on a hart just then.
    assert len(re.findall(r"(?m)^\s*s\s+-{2}[-b]-{2}[-r]\s+\d+", out)) == 2, out
    m.sh("vl destroy s", timeout=60)
    assert m.status == 0


def cpu_time(m, name):
    out = m.sh("vl vcpu-list %s" % name)
    r = re.search(r"(?m)^%s\s+\d+\s+0\s+\d+\s+\S+\s+([\d.]+)\s" % name, out)
    assert r, out
    return float(r.group(1))


def idle_time(m):
    """Dom0 on hart 0, an idle DomU alone on hart 1: its WFI traps (credit
    is not vwfi=native), so 5 s of waiting are not 5 s of CPU."""
    m.sh("vl vcpu-pin Domain-0 all 0")
    assert m.status == 0
    out = m.sh("vl create demo.cfg name=idle 'cpus=\"1\"'", timeout=60)
    assert m.status == 0, out
    domu_output(m, "idle", "echo $((3*4))", r"(12)")
    rows = vcpus(m, "idle")
    assert rows[0][0] == "1", rows
    assert all(r[0] == "0" for r in vcpus(m, "Domain-0").values())
    first = cpu_time(m, "idle")
    m.sh("sleep 5")
    ran = cpu_time(m, "idle") - first
    print("idle DomU alone on its hart: %.1f s of CPU in 5 s" % ran)
    assert ran < 1.5, "an idle lone vCPU was charged %.1f s in 5 s" % ran
    m.sh("vl destroy idle", timeout=60)
    assert m.status == 0
    m.sh("vl vcpu-pin Domain-0 all all")
    assert m.status == 0


def oversubscribed(m):
    names = ("o1", "o2", "o3")
    for n in names:
        out = m.sh("vl create demo.cfg name=%s vcpus=2" % n, timeout=60)
        assert m.status == 0, out
        domu_output(m, n, COUNT + "; " + token("bg")[0], r"(bg-\d+)")
    first = {n: counters(m, n) for n in names}
    m.sh("sleep 3")
    for n in names:
        now = counters(m, n)
        assert now[0] > first[n][0] and now[1] > first[n][1], (n, first[n], now)
    for n in names:
        m.sh("vl destroy %s" % n, timeout=60)
        assert m.status == 0


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        toolstack(m)
        idle_time(m)
        oversubscribed(m)
    print("ok")


if __name__ == "__main__":
    main()
