#!/usr/bin/python3
"""make bench: run every benchmark in full; each prints BENCH lines and
records its figures in out/bench/results.json, shown as a table at the
end."""
import glob
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from common import results_path  # noqa: E402

smoke = "--smoke" in sys.argv[1:]
path = results_path(smoke)
if os.path.exists(path):
    os.remove(path)  # this run's figures only
rc = 0
for p in sorted(glob.glob(os.path.join(here, "bench_*.py"))):
    print("== %s" % os.path.basename(p), flush=True)
    rc |= subprocess.run(["/usr/bin/python3", p] + sys.argv[1:]).returncode
try:
    with open(path) as f:
        figures = json.load(f)
except (OSError, ValueError):
    figures = []
print("\n%-30s %10s %-20s %-21s %5s %-9s %s" %
      ("figure", "median", "unit", "min-max", "runs", "target", ""))
for x in figures:
    print("%-30s %10.3f %-20s %-21s %5d %-9s %s" %
          (x["name"], x["median"], x["unit"],
           "%.3f-%.3f" % (x["min"], x["max"]), x["runs"],
           "-" if x["target"] is None else
           "%g+-%g" % (x["target"], x["tol"]) if x["op"] == "+-" else
           "%s %g" % (x["op"], x["target"]),
           {None: "", True: "met", False: "MISSED"}[x["met"]]))
print("(%s)" % path)
sys.exit(rc)
