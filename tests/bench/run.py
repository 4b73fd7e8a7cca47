#!/usr/bin/python3
"""make bench: run every benchmark in full; each prints BENCH lines."""
import glob
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
rc = 0
for path in sorted(glob.glob(os.path.join(here, "bench_*.py"))):
    print("== %s" % os.path.basename(path), flush=True)
    rc |= subprocess.run(["/usr/bin/python3", path] + sys.argv[1:]).returncode
sys.exit(rc)
