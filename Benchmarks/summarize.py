#!/usr/bin/env python3
"""Summarises a compare.sh results file (JSON lines) into the comparison table.

Per row and side, the best thread count is the one with the highest median
steps/s. The ratio is the median over repetitions of GANKit's steps/s divided
by PyTorch's in the same repetition (each at its best thread count); the CPU
ratio does the same with steps per CPU-second (user + system time, all threads).
"""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    runs = defaultdict(dict)  # (side, row, threads) -> rep -> result
    checks, info = [], {}
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if "check" in record:
                checks.append(record)
            elif "side" in record:
                runs[(record["side"], record["row"], record["threads"])][record["rep"]] = record
            else:
                info.update(record)
    env = info.get("environment", {})
    print(f"GANKit backend: {env.get('backend')}  (kernel {env.get('kernel')})")
    print(f"PyTorch {info.get('torch')} eager CPU, Adam fused; CPU: {env.get('cpu')}, {env.get('cores')} cores")
    print(f"load average at start: {info.get('loadStart')}, at end: {info.get('loadEnd')}")
    for c in checks:
        print(f"check {c['check']}@{c['batch']}: {'ok' if c['ok'] else 'MISMATCH'} "
              f"(worst relative loss difference {c['worstRelativeError']:.1e}; tolerance: step 1 rtol {c['rtol']} "
              f"or atol {c['atol']}, later steps rtol {c.get('laterRtol')})")
    rows = []
    for (side, row, threads) in runs:
        if row not in rows:
            rows.append(row)
    print()
    print("| row | GANKit steps/s (threads) | PyTorch steps/s (threads) | median ratio | GANKit CPU ms/step | "
          "PyTorch CPU ms/step | CPU-time ratio | GANKit allocs/step | peak RSS MiB GANKit / PyTorch | reps |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        best = {}
        for side in ("GANKit", "PyTorch"):
            options = [(statistics.median(r["stepsPerSecond"] for r in reps.values()), t)
                       for (s, rw, t), reps in runs.items() if s == side and rw == row]
            if options:
                best[side] = max(options)[1]
        if len(best) < 2:
            continue
        ours, theirs = runs[("GANKit", row, best["GANKit"])], runs[("PyTorch", row, best["PyTorch"])]
        reps = sorted(set(ours) & set(theirs))
        ratio = statistics.median(ours[r]["stepsPerSecond"] / theirs[r]["stepsPerSecond"] for r in reps)
        cpu_ratio = statistics.median(theirs[r]["cpuSecondsPerStep"] / ours[r]["cpuSecondsPerStep"] for r in reps)
        med = lambda d, key: statistics.median(d[r][key] for r in reps)
        print(f"| {row} | {med(ours, 'stepsPerSecond'):.1f} ({best['GANKit']}) | "
              f"{med(theirs, 'stepsPerSecond'):.1f} ({best['PyTorch']}) | **{ratio:.2f}×** | "
              f"{med(ours, 'cpuSecondsPerStep') * 1000:.2f} | {med(theirs, 'cpuSecondsPerStep') * 1000:.2f} | "
              f"{cpu_ratio:.2f}× | {med(ours, 'allocationsPerStep'):.1f} | "
              f"{med(ours, 'peakRSSMiB'):.0f} / {med(theirs, 'peakRSSMiB'):.0f} | {len(reps)} |")
    print()
    print("All thread counts (median steps/s, median CPU ms/step):")
    for (side, row, threads), reps in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        print(f"  {row:14} {side:8} threads {threads}: "
              f"{statistics.median(r['stepsPerSecond'] for r in reps.values()):7.1f} steps/s, "
              f"{statistics.median(r['cpuSecondsPerStep'] for r in reps.values()) * 1000:8.2f} CPU ms/step, "
              f"{statistics.median(r['gflopPerSecond'] for r in reps.values()):6.1f} GFLOP/s")


if __name__ == "__main__":
    main(sys.argv[1])
