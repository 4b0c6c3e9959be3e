#!/usr/bin/env bash
# GANKit against PyTorch eager CPU, in one run, like for like.
#
# 1. Builds gankit-bench (release) and checks that GANKit and PyTorch compute
#    the same losses for the same weights, batch and noise (3 steps of each
#    model; tolerance: step 1 relative 1e-4 or absolute 1e-5 per loss, later
#    steps relative 2e-3, see pytorch_reference.py). Stops on a mismatch.
# 2. Runs every row alternately — GANKit, then PyTorch (order swapped every
#    repetition) — at each thread count, REPS times (default 5).
# 3. Prints per row the median steps/s of each side at its best thread count,
#    the median of the per-repetition ratios, and the CPU time per step.
#
# Usage:  Benchmarks/compare.sh [--reps N] [--seconds S] [--threads "1 2"] [--rows "mlp-small@64 dcgan@64+r1 …"]
#                               [--keep-openblas-env] [--builtin] [--out FILE.jsonl]
# Needs:  PyTorch importable by python3 (PYTHONPATH=/opt/torchlib on the reference machine).
# By default OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the benchmark
# commands only, so OpenBLAS picks its kernel for this CPU (reported as "kernel").
# --builtin runs GANKit with GANKIT_BLAS=builtin (no BLAS).
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=5
SECONDS_PER_RUN=3
THREADS="1 2"
ROWS="mlp-small@64 mlp-keras@64 dcgan@64 dcgan@256 dcgan64@64"
UNSET_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
GANKIT_ENV=()
OUT=""
SCRATCH=${SCRATCH:-.build-perf}
PY=${PYTHON:-python3}
export PYTHONPATH=${PYTHONPATH:-/opt/torchlib}

while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --rows) ROWS=$2; shift 2 ;;
        --keep-openblas-env) UNSET_ENV=(env); shift ;;
        --builtin) GANKIT_ENV=(GANKIT_BLAS=builtin); shift ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

swift build -c release --scratch-path "$SCRATCH" --product gankit-bench >&2
BENCH="$SCRATCH/release/gankit-bench"
RESULTS=${OUT:-$(mktemp /tmp/gankit-compare.XXXXXX.jsonl)}
: > "$RESULTS"

echo "== like-for-like check (same weights, batch and noise; 3 steps)" >&2
CHECKDIR=$(mktemp -d /tmp/gankit-check.XXXXXX)
# dcgan@256 checks the same code at 4× the cost; +r1 checks the R1 penalty against double backpropagation.
for row in mlp-small@64 mlp-keras@64 dcgan@64 dcgan64@64 mlp-small@64+r1 dcgan@64+r1; do
    "${UNSET_ENV[@]}" "${GANKIT_ENV[@]}" "$BENCH" --export-check "$CHECKDIR/$row" --only "$row" --check-steps 3
    "${UNSET_ENV[@]}" "$PY" Benchmarks/pytorch_reference.py --check "$CHECKDIR/$row" --threads 1 >> "$RESULTS" \
        || { echo "MISMATCH on $row: not comparing" >&2; exit 1; }
done
rm -rf "$CHECKDIR"

echo "== environment" >&2
{
    "${UNSET_ENV[@]}" "${GANKIT_ENV[@]}" "$BENCH" --json --no-sweep --no-gemm --seconds 0.01 --min-steps 1 \
        | "$PY" -c 'import json,sys; e=json.load(sys.stdin)["environment"]; print(json.dumps({"environment": e}))'
    "$PY" -c 'import json,torch; print(json.dumps({"torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available()}))'
    echo "{\"loadStart\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
} >> "$RESULTS"

echo "== timing: $REPS repetitions × rows [$ROWS] × threads [$THREADS], ${SECONDS_PER_RUN}s per run" >&2
for rep in $(seq 1 "$REPS"); do
    for row in $ROWS; do
        for threads in $THREADS; do
            run_gankit() {
                "${UNSET_ENV[@]}" "${GANKIT_ENV[@]}" "$BENCH" --only "$row" --json --threads "$threads" \
                    --seconds "$SECONDS_PER_RUN" | sed "s/^{/{\"side\":\"GANKit\",\"rep\":$rep,/" >> "$RESULTS"
            }
            run_torch() {
                "${UNSET_ENV[@]}" "$PY" Benchmarks/pytorch_reference.py --row "$row" --threads "$threads" \
                    --seconds "$SECONDS_PER_RUN" --adam fused | sed "s/^{/{\"side\":\"PyTorch\",\"rep\":$rep,/" >> "$RESULTS"
            }
            if [ $((rep % 2)) -eq 1 ]; then run_gankit; run_torch; else run_torch; run_gankit; fi
            echo "  rep $rep $row threads $threads done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
        done
    done
done
echo "{\"loadEnd\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$RESULTS"

"$PY" Benchmarks/summarize.py "$RESULTS"
echo "(raw results: $RESULTS)" >&2
