#!/usr/bin/env python3
"""Compares the losses and scores of two GANKit history.csv files step by step.

    python3 Scripts/compare-histories.py ONE.csv TWO.csv [--steps N] [--tolerance T]

Prints the largest absolute difference of d_loss, g_loss, d_real and d_fake at each of
the first N steps (default: all common steps); with --tolerance, exits 1 when any of
them is larger. Used by .ci/mpi.sh to compare a data-parallel run with one process.
"""
import argparse
import csv
import sys

COLUMNS = ["d_loss", "g_loss", "d_real", "d_fake"]


def read(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        sys.exit(f"{path}: no steps")
    missing = [column for column in ["step"] + COLUMNS if column not in rows[0]]
    if missing:
        sys.exit(f"{path}: no column {', '.join(missing)}")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("one")
    parser.add_argument("two")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--tolerance", type=float)
    arguments = parser.parse_args()
    one, two = read(arguments.one), read(arguments.two)
    steps = min(len(one), len(two), arguments.steps or len(one))
    worst = 0.0
    for a, b in zip(one[:steps], two[:steps]):
        if a["step"] != b["step"]:
            sys.exit(f"step {a['step']} of {arguments.one} faces step {b['step']} of {arguments.two}")
        difference = max(abs(float(a[column]) - float(b[column])) for column in COLUMNS)
        worst = max(worst, difference)
        print(f"step {a['step']:>4}: largest difference {difference:.2e}")
    print(f"largest difference over the first {steps} steps: {worst:.2e}")
    if arguments.tolerance is not None and worst > arguments.tolerance:
        sys.exit(f"the runs differ by {worst:.2e}, more than {arguments.tolerance:.0e}")


if __name__ == "__main__":
    main()
