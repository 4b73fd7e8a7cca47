"""Shared bits of the benchmarks: argument parsing, and the figures.

Every figure goes to out/bench/results.json (out/bench/results-smoke.json
for --smoke runs, which only check that the figures appear), a list of
{name, unit, median, min, max, runs, target, op, met}: the median of its
runs with their spread. op is "<=", ">=" or "+-" (within target +- tol,
the figure's "tol"). A benchmark that has not moved to several
alternating runs yet records one run, and says so (runs: 1). A missed
target is reported, never failed."""
import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import OUT  # noqa: E402

_smoke = False


def args(description):
    global _smoke
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true",
                   help="one short run: checks the figures appear, not the target")
    a = p.parse_args()
    _smoke = a.smoke
    return a


def results_path(smoke=None):
    smoke = _smoke if smoke is None else smoke
    return os.path.join(OUT, "bench",
                        "results-smoke.json" if smoke else "results.json")


def record(name, unit, runs, target, op, tol=None):
    """The median of runs (with min-max) against its target, printed and
    kept in the results file under name (a later record replaces it).
    target None: a figure without one (op None too, met None). op "+-":
    met when the median is within tol of target."""
    med = statistics.median(runs)
    if target is None:
        met = None
        goal = "no target"
    elif op == "+-":
        met = abs(med - target) <= tol
        goal = "target %g +- %g  %s" % (target, tol, "met" if met else "MISSED")
    else:
        met = med <= target if op == "<=" else med >= target
        goal = "target %s %g  %s" % (op, target, "met" if met else "MISSED")
    print("BENCH %-30s %10.3f %-20s [%.3f-%.3f, %d runs] %s" %
          (name, med, unit, min(runs), max(runs), len(runs), goal), flush=True)
    path = results_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as f:
            figures = [x for x in json.load(f) if x["name"] != name]
    except (OSError, ValueError):
        figures = []
    figure = {"name": name, "unit": unit, "median": med,
              "min": min(runs), "max": max(runs), "runs": len(runs),
              "target": target, "op": op, "met": met}
    if op == "+-":
        figure["tol"] = tol
    figures.append(figure)
    with open(path + ".tmp", "w") as f:
        json.dump(figures, f, indent=1)
    os.replace(path + ".tmp", path)


def report(name, figure, unit, target, op):
    """One run's figure (the benchmarks not yet on alternating runs)."""
    record(name, unit, [figure], target, op)


def alternate(rounds, a, b):
    """Run a() and b() in turn (A B A B ...), so that drift in the host's
    load falls on both; the lists of their results."""
    ra, rb = [], []
    for _ in range(rounds):
        ra.append(a())
        rb.append(b())
    return ra, rb
