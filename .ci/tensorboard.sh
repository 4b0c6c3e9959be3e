#!/usr/bin/env bash
# Checks GANKit's TensorBoard output with TensorBoard's own code (Scripts/check-tensorboard.py, in a
# venv with tensorboard, pillow and numpy from PyPI): the checker's selftest on event files written
# by TensorBoard's own writer; tensorboard-fixture's file of known content; an mnist-gan run that is
# interrupted with Ctrl-C and resumed twice over (from the Ctrl-C checkpoint, and from an earlier
# checkpoint so that the resumed run's session start must purge what the interrupted run logged
# past it); damaged copies of an event file; and a tensorboard server's view over HTTP.
#
# Expects .build/release/mnist-gan and tensorboard-fixture (the examples step builds release);
# builds what is missing. GANKIT_BIN=DIR takes the binaries from DIR instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GANKIT_BIN:-.build/release}"
venv=".build/tensorboard-venv"
out="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$out"
}
trap cleanup EXIT

echo "tensorboard: a venv with tensorboard, pillow and numpy"
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p .build
    python3 -m venv "$venv" || { echo "CI: could not create a Python venv in $venv (python3 -m venv)"; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check tensorboard pillow numpy \
    || { echo "CI: pip install tensorboard pillow numpy failed"; exit 1; }
py="$venv/bin/python"
echo "  $("$py" -c 'import tensorboard, numpy, PIL; print("tensorboard", tensorboard.__version__, "numpy", numpy.__version__, "pillow", PIL.__version__)')"
check() {  # check SUBCOMMAND ARGS...: the checker, with a CI: line naming what failed
    "$py" Scripts/check-tensorboard.py "$@" || { echo "CI: check-tensorboard.py $1 failed (see above)"; exit 1; }
}

for product in mnist-gan tensorboard-fixture; do
    if [ ! -x "$bin/$product" ]; then
        [ -z "${GANKIT_BIN:-}" ] || { echo "CI: $bin/$product missing"; exit 1; }
        swift build -c release --product "$product" 2>&1 | tail -1
        [ -x "$bin/$product" ] || { echo "CI: swift build did not produce $bin/$product"; exit 1; }
    fi
done

echo "tensorboard: the checker's selftest (synthetic event files from TensorBoard's own writer)"
check selftest >"$out/selftest.log" || { cat "$out/selftest.log"; exit 1; }
tail -1 "$out/selftest.log"

echo "tensorboard: tensorboard-fixture's file of known content"
"$bin/tensorboard-fixture" "$out/fixture" >/dev/null || { echo "CI: tensorboard-fixture failed"; exit 1; }
check fixture "$out/fixture"

# The run: 1024 images in batches of 2, 2 epochs = 1024 steps, so that the default intervals (scalars
# every 10 steps, histograms every 500) log histograms too (batches of 64 would give 32 steps).
# The default recipe (improved) has R1, so loss/gradient_penalty is expected.
scalar_every=10
histogram_every=500
run_flags=(--limit 1024 --batch-size 2 --epochs 2 --checkpoint-every 100 --eval-every 1 --eval-samples 200)
T="$out/tb" O="$out/run"

echo "tensorboard: mnist-gan --tensorboard, Ctrl-C after step 200 (an early checkpoint kept), resumed"
"$bin/mnist-gan" "${run_flags[@]}" --tensorboard "$T" --out "$O" >"$out/run1.log" 2>&1 &
pid=$!
# Keep the first periodic checkpoint (a hard link holds that very file when the next one replaces
# it), then wait for the next one, so the interrupted run has logged past the kept checkpoint.
for _ in $(seq 1 600); do ln "$O/checkpoint.gankit" "$out/early.gankit" 2>/dev/null && break; sleep 0.05; done
[ -s "$out/early.gankit" ] || { cat "$out/run1.log"; echo "CI: no checkpoint after 30 s"; exit 1; }
early_inode="$(stat -c %i "$out/early.gankit")"
for _ in $(seq 1 600); do
    [ "$(stat -c %i "$O/checkpoint.gankit" 2>/dev/null || echo "$early_inode")" != "$early_inode" ] && break
    sleep 0.05
done
kill -INT "$pid"
status=0; wait "$pid" || status=$?
pid=""
[ "$status" -eq 130 ] || { cat "$out/run1.log"; echo "CI: expected exit status 130 after SIGINT, got $status"; exit 1; }
grep -o "interrupted at epoch [0-9]* [^,;]*" "$out/run1.log" | head -1 | sed 's/^/  /'
# The same interrupted run, twice: one copy resumes from the Ctrl-C checkpoint, one from the early one.
cp -a "$T" "$out/tb-early"
cp -a "$O" "$out/run-early"

resumed_step() {  # resumed_step LOG: the step mnist-gan says it resumed at
    sed -n 's/^resumed from .* at step \([0-9][0-9]*\)$/\1/p' "$1" | head -1
}
"$bin/mnist-gan" "${run_flags[@]}" --tensorboard "$T" --out "$O" --resume "$O/checkpoint.gankit" >"$out/run2.log" 2>&1 \
    || { cat "$out/run2.log"; echo "CI: the resumed mnist-gan run failed"; exit 1; }
step="$(resumed_step "$out/run2.log")"
[ -n "$step" ] || { cat "$out/run2.log"; echo "CI: the resumed run did not say 'resumed from … at step N'"; exit 1; }
echo "  resumed from the Ctrl-C checkpoint at step $step"
check run "$T" "$O" --scalar-every "$scalar_every" --histogram-every "$histogram_every" --expect-penalty \
    --resumed-at "$step"

echo "tensorboard: the same interrupted run resumed from its earlier checkpoint: the session start purges"
"$bin/mnist-gan" "${run_flags[@]}" --tensorboard "$out/tb-early" --out "$out/run-early" --resume "$out/early.gankit" \
    >"$out/run3.log" 2>&1 || { cat "$out/run3.log"; echo "CI: the mnist-gan run resumed from the early checkpoint failed"; exit 1; }
step="$(resumed_step "$out/run3.log")"
[ -n "$step" ] || { cat "$out/run3.log"; echo "CI: the resumed run did not say 'resumed from … at step N'"; exit 1; }
echo "  resumed from the kept checkpoint at step $step"
check run "$out/tb-early" "$out/run-early" --scalar-every "$scalar_every" --histogram-every "$histogram_every" \
    --expect-penalty --resumed-at "$step" --expect-purge

echo "tensorboard: damaged copies of the event files (the interrupted run's, the resumed run's)"
files=("$T"/events.out.tfevents.*)
[ "${#files[@]}" -eq 2 ] || { ls -l "$T"; echo "CI: expected 2 event files in $T, found ${#files[@]}"; exit 1; }
check truncated "${files[0]}"
check truncated "${files[1]}"

echo "tensorboard: tensorboard --logdir on 127.0.0.1, loss/generator over HTTP (Python loader and the default)"
check serve "$out/tb-early"
