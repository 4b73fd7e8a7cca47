"""Shared bits of the benchmarks: argument parsing and the result line."""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))


def args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true",
                   help="one short run: checks the figures appear, not the target")
    return p.parse_args()


def report(name, figure, unit, target, op):
    """Print the figure next to its target; a miss is reported, not failed."""
    met = figure <= target if op == "<=" else figure >= target
    print("BENCH %-10s %10.2f %-22s target %s %g  %s" %
          (name, figure, unit, op, target, "met" if met else "MISSED"))
