#!/usr/bin/python3
"""Run every test: host unit tests, QEMU integration tests, benchmark smoke runs.

Each test is a program; it passes when it exits 0 within its hard timeout.
The last line printed is "N passed, N failed"; the exit status is non-zero
if anything failed.
"""
import glob
import os
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "out")
PY = "/usr/bin/python3"
LOGDIR = os.path.join(OUT, "test-logs")


def unit_tests():
    dtb = os.path.join(OUT, "virt.dtb")
    for binary in sorted(glob.glob(os.path.join(OUT, "unit", "test_*"))):
        if not os.access(binary, os.X_OK) or os.path.isdir(binary):
            continue
        name = os.path.basename(binary)
        cmd = [binary]
        if name == "test_dom0_dtb":
            cmd = ["sh", "-c", "%s %s && %s %s" % (
                os.path.join(TOP, "tests/unit/gen-virt-dtb.sh"), dtb, binary, dtb)]
        yield "unit/" + name, cmd, 120


def script_tests(pattern, extra=()):
    for path in sorted(glob.glob(os.path.join(TOP, pattern))):
        name = os.path.relpath(path, os.path.join(TOP, "tests"))
        yield name, [PY, path] + list(extra), 600


def all_tests():
    yield from script_tests("tests/build/test_*.py")
    yield "abi/headers", ["make", "-s", "-C", TOP, "abi-check"], 60
    yield "bench/table", [PY, os.path.join(TOP, "tests/bench/table.py"),
                          "--check"], 60
    yield from unit_tests()
    yield from script_tests("tests/integration/test_*.py")
    yield from script_tests("tests/bench/bench_*.py", ["--smoke"])


def main():
    only = sys.argv[1:]
    os.makedirs(LOGDIR, exist_ok=True)
    passed = failed = 0
    for name, cmd, limit in all_tests():
        if only and not any(o in name for o in only):
            continue
        log = os.path.join(LOGDIR, name.replace("/", "_") + ".log")
        start = time.monotonic()
        with open(log, "w") as f:
            # A session of its own, so a timeout kills QEMU with the test.
            proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT,
                                    cwd=TOP, start_new_session=True)
            try:
                rc = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc = "timeout after %ds" % limit
        took = time.monotonic() - start
        if rc == 0:
            passed += 1
            print("PASS  %-40s %6.1fs" % (name, took), flush=True)
        else:
            failed += 1
            print("FAIL  %-40s %6.1fs  (%s; log %s)" % (name, took, rc, log),
                  flush=True)
            with open(log) as f:
                tail = f.read().splitlines()[-40:]
            for line in tail:
                print("      | " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
