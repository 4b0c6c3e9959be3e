#!/usr/bin/env python3
"""Summarises a contention.sh results file (JSON lines).

Per side, row and load (quiet, busy): the median steps/s at 1 and at 2 threads
and the median over repetitions of the ratio 2 threads ÷ 1 thread (the runs of
one repetition are back to back).
"""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    runs = defaultdict(dict)  # (side, row, load) -> threads -> rep -> steps/s
    environment = {}
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if "environment" in record:
                environment = record["environment"]
                continue
            runs[(record["side"], record["row"], record["load"])].setdefault(record["threads"], {})[record["rep"]] = \
                record["stepsPerSecond"]
    peak = environment.get("fmaPeak", {})
    print(f"CPU: {environment.get('cpu')}, {environment.get('cores')} cores; GANKit backend {environment.get('backend')}; "
          f"FMA peak {peak.get('oneThreadGFLOPs', 0):.0f} GFLOP/s per thread")
    print()
    print("| side | row | load | steps/s, 1 thread | steps/s, 2 threads | 2 ÷ 1 threads (median) | reps |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for (side, row, load), by_threads in runs.items():
        one, two = by_threads.get(1, {}), by_threads.get(2, {})
        reps = sorted(set(one) & set(two))
        if not reps:
            continue
        ratio = statistics.median(two[r] / one[r] for r in reps)
        print(f"| {side} | {row} | {load} | {statistics.median(one.values()):.1f} | {statistics.median(two.values()):.1f} "
              f"| {ratio:.2f} | {len(reps)} |")


if __name__ == "__main__":
    main(sys.argv[1])
