"""tests/domu/iobench on each side of a benchmark: Dom0's (or the bare
host's) shell, or a DomU's console. Every side times itself in the guest;
the result is a dict of op, bytes, ops and ns."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import domu_output  # noqa: E402

IOBENCH = "/usr/lib/vireo-tests/iobench"
LINE = r"IOB op=(\S+) bytes=(\d+) ops=(\d+) ns=(\d+)"


def parse(text):
    mt = re.search(LINE, text)
    if not mt:
        raise AssertionError("no iobench result in %r" % text[-400:])
    return {"op": mt.group(1), "bytes": int(mt.group(2)),
            "ops": int(mt.group(3)), "ns": int(mt.group(4))}


def shell(m, args, timeout=900):
    """iobench in the machine's own shell (Dom0 or the bare host)."""
    out = m.sh("%s %s" % (IOBENCH, args), timeout=timeout)
    assert m.status == 0, out
    return parse(out)


def domu(m, name, args, timeout=900):
    """iobench on DomU name's console."""
    got = domu_output(m, name, "%s %s" % (IOBENCH, args), "(%s)" % LINE,
                      timeout)
    return parse(got[0])


def mb_per_s(r):
    return r["bytes"] / (r["ns"] / 1e9) / 1e6


def iops(r):
    return r["ops"] / (r["ns"] / 1e9)
