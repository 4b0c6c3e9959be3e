#!/usr/bin/env bash
# Zero heap allocations per warm training step (issue 5's target): every
# gankit-bench row (and three with R1), on 1 and 2 threads, with the BLAS and the built-in GEMM.
# Allocation counts do not depend on machine load, so this is safe on CI.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gankit-bench
for backend in blas builtin; do
    for threads in 1 2; do
        if [ "$backend" = builtin ]; then export GANKIT_BLAS=builtin; else unset GANKIT_BLAS; fi
        json=$(.build/release/gankit-bench --threads "$threads" --seconds 0.1 --min-steps 2 --no-sweep --no-gemm --json)
        counts=$(grep -o '"allocationsPerStep\(WithComponents\)\?":[0-9.-]*' <<<"$json" | cut -d: -f2 | tr '\n' ' ')
        echo "allocations per step ($backend, $threads threads): $counts"
        grep -q '"allocationCounting":true' <<<"$json" || { echo "CI: allocation counting unavailable"; exit 1; }
        # With R1 on every D update: shared with the real pass, and apart (Dropout in mlp-keras's D).
        for row in mlp-small@64+r1 mlp-keras@64+r1 dcgan@64+r1; do
            json=$(.build/release/gankit-bench --only "$row" --threads "$threads" --seconds 0.1 --min-steps 2 --json)
            penalized=$(grep -o '"allocationsPerStep\(WithComponents\)\?":[0-9.-]*' <<<"$json" | cut -d: -f2 | tr '\n' ' ')
            echo "  $row: $penalized"
            counts="$counts $penalized"
        done
        for count in $counts; do
            [ "$count" = 0 ] || { echo "CI: a training step allocates ($backend, $threads threads)"; exit 1; }
        done
    done
done
