"""50 create/destroy cycles through vl and vireod (5 of them boot Linux to
its shell, the rest are created paused): free_pages and heap_used return
to the exact starting figures, and neither vl list nor vireod's state file
keeps a trace of them."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine  # noqa: E402
from test_vl import domains  # noqa: E402


def figures(m):
    return int(m.sh("vl info free_pages")), int(m.sh("vl info heap_used"))


def main():
    with Machine(timeout=120) as m:
        m.wait_ready()
        start = figures(m)
        out = m.sh("i=0; while [ $i -lt 45 ]; do i=$((i+1)); "
                   "vl create -q -p demo.cfg name=c$i >/dev/null || echo BAD$i; "
                   "vl destroy c$i || echo BAD$i; done", timeout=600)
        # (the echoed command itself holds the literal text BAD$i)
        assert not re.search(r"BAD\d", out), out
        for i in range(5):
            m.child.sendline("vl create -c demo.cfg name=boot%d" % i)
            m.console_sync(90)
            m.console_detach()
            m.sh("vl destroy boot%d" % i)
            assert m.status == 0
        assert set(domains(m)) == {"Domain-0"}
        end = figures(m)
        print("free_pages, heap_used before %s after %s" % (start, end))
        assert end == start, (start, end)
        state = m.sh("grep -vc '^#' /var/lib/vireo/domains")
        assert state == "0", "vireod state keeps %s lines" % state
        # No file of vireod's keeps one of the names either.
        traces = m.sh("grep -srlwE 'c[0-9]+|boot[0-9]' /var/lib/vireo /run/vireo; "
                      "ls -A /run/vireo 2>/dev/null")
        assert traces == "", "traces of the cycles: %r" % traces
    print("ok")


if __name__ == "__main__":
    main()
