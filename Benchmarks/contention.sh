#!/usr/bin/env bash
# GANKit's step time with one core taken by another busy process (a browser, a
# build), at 1 thread and at 2, against the same rows on the quiet machine.
#
# For each repetition and row: the quiet runs (1 and 2 threads), then the same
# with BUSY competing processes (default 1, each a shell loop that never sleeps)
# running; the thread counts alternate their order every repetition. With
# --pytorch the PyTorch reference runs the same way after GANKit.
# Prints per row and load the median steps/s at each thread count and the
# median ratio 2 threads ÷ 1 thread (target under load: ≥ 1).
#
# Usage:  Benchmarks/contention.sh [--reps N] [--seconds S] [--rows "mlp-small@64 dcgan@64"] [--busy N]
#                                  [--pytorch] [--builtin] [--out FILE.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=3
SECONDS_PER_RUN=3
ROWS="mlp-small@64 dcgan@64"
BUSY=1
PYTORCH=0
GANKIT_ENV=()
OUT=""
SCRATCH=${SCRATCH:-.build-perf}
PY=${PYTHON:-python3}
export PYTHONPATH=${PYTHONPATH:-/opt/torchlib}

while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --rows) ROWS=$2; shift 2 ;;
        --busy) BUSY=$2; shift 2 ;;
        --pytorch) PYTORCH=1; shift ;;
        --builtin) GANKIT_ENV=(GANKIT_BLAS=builtin); shift ;;
        --out) OUT=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

swift build -c release --scratch-path "$SCRATCH" --product gankit-bench >&2
BENCH="$SCRATCH/release/gankit-bench"
RESULTS=${OUT:-$(mktemp /tmp/gankit-contention.XXXXXX.jsonl)}
: > "$RESULTS"
"${GANKIT_ENV[@]}" "$BENCH" --json --no-sweep --no-gemm --seconds 0.01 --min-steps 1 \
    | "$PY" -c 'import json,sys; e=json.load(sys.stdin)["environment"]; print(json.dumps({"environment": e}))' >> "$RESULTS"

BUSY_PIDS=()
start_busy() { for _ in $(seq 1 "$BUSY"); do bash -c 'while :; do :; done' & BUSY_PIDS+=($!); done; sleep 0.5; }
stop_busy() { [ ${#BUSY_PIDS[@]} -eq 0 ] || kill "${BUSY_PIDS[@]}" 2>/dev/null || true; wait "${BUSY_PIDS[@]}" 2>/dev/null || true; BUSY_PIDS=(); }
trap stop_busy EXIT

run() {  # side load rep row threads
    local tag="{\"side\":\"$1\",\"load\":\"$2\",\"rep\":$3,"
    if [ "$1" = GANKit ]; then
        "${GANKIT_ENV[@]}" "$BENCH" --only "$4" --json --threads "$5" --seconds "$SECONDS_PER_RUN" | sed "s/^{/$tag/" >> "$RESULTS"
    else
        "$PY" Benchmarks/pytorch_reference.py --row "$4" --threads "$5" --seconds "$SECONDS_PER_RUN" --adam fused \
            | sed "s/^{/$tag/" >> "$RESULTS"
    fi
}

SIDES="GANKit"
[ "$PYTORCH" = 1 ] && SIDES="GANKit PyTorch"
echo "== $REPS repetitions × rows [$ROWS] × threads 1, 2 × quiet / $BUSY busy process(es), ${SECONDS_PER_RUN}s per run" >&2
for rep in $(seq 1 "$REPS"); do
    order="1 2"
    [ $((rep % 2)) -eq 0 ] && order="2 1"
    for load in quiet busy; do
        [ "$load" = busy ] && start_busy
        for row in $ROWS; do
            for side in $SIDES; do
                for threads in $order; do run "$side" "$load" "$rep" "$row" "$threads"; done
            done
            echo "  rep $rep $load $row done" >&2
        done
        [ "$load" = busy ] && stop_busy
    done
done

"$PY" Benchmarks/summarize_contention.py "$RESULTS"
echo "(raw results: $RESULTS)" >&2
