#!/usr/bin/env bash
# Smoke-runs the examples in release mode on the bundled MNIST: short trainings
# that must write every promised output, a resume, sample export, and bad flags
# that must fail with a one-line message.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swift build -c release 2>&1 | tail -1
bin=".build/release"

expect_file() { [ -s "$1" ] || { echo "CI: missing output $1"; exit 1; }; }
expect_failure() {  # expect_failure "what" command...: non-zero exit, one-line message on stderr
    local what="$1"; shift
    if "$@" >/dev/null 2>"$out/stderr"; then echo "CI: $what should have failed"; exit 1; fi
    [ "$(wc -l < "$out/stderr")" -ge 1 ] || { echo "CI: $what failed without a message"; exit 1; }
    echo "  ok, $what: $(head -1 "$out/stderr")"
}

echo "mnist-gan: 1 epoch on 4096 images, then resume to epoch 2"
"$bin/mnist-gan" --epochs 1 --limit 4096 --out "$out/gan" --export-samples 100
for f in samples/epoch-001.png samples.png losses.png history.csv checkpoint.gankit samples.idx; do
    expect_file "$out/gan/$f"
done
"$bin/mnist-gan" --epochs 2 --limit 4096 --out "$out/gan" --resume "$out/gan/checkpoint.gankit"
expect_file "$out/gan/samples/epoch-002.png"
[ "$(wc -l < "$out/gan/history.csv")" -eq $((2 * 64 + 1)) ] || { echo "CI: history.csv should have 129 lines"; exit 1; }

echo "mnist-gan: resumed run equals an uninterrupted one (checkpoint bytes)"
"$bin/mnist-gan" --epochs 2 --limit 4096 --out "$out/gan-straight" >/dev/null
cmp "$out/gan/checkpoint.gankit" "$out/gan-straight/checkpoint.gankit"

echo "mnist-gan: Ctrl-C mid-epoch writes a checkpoint; resuming from it equals the uninterrupted run"
"$bin/mnist-gan" --epochs 2 --limit 4096 --out "$out/int" --checkpoint-every 10 >"$out/int.log" 2>&1 &
pid=$!
# Wait for the first periodic checkpoint (step 10 of 128), so the signal lands mid-epoch.
for _ in $(seq 1 600); do [ -s "$out/int/checkpoint.gankit" ] && break; sleep 0.1; done
[ -s "$out/int/checkpoint.gankit" ] || { cat "$out/int.log"; echo "CI: no checkpoint after 60 s"; kill "$pid"; exit 1; }
kill -INT "$pid"
status=0; wait "$pid" || status=$?
[ "$status" -eq 130 ] || { cat "$out/int.log"; echo "CI: expected exit status 130 after SIGINT, got $status"; exit 1; }
grep "interrupted at epoch 1 " "$out/int.log" || { cat "$out/int.log"; echo "CI: not interrupted in epoch 1"; exit 1; }
grep -q "resume with: mnist-gan .*--resume $out/int/checkpoint.gankit" "$out/int.log" || { echo "CI: no resume hint"; exit 1; }
if ls -A "$out/int" | grep -q '\.tmp$'; then echo "CI: temporary files left behind"; exit 1; fi
"$bin/mnist-gan" --epochs 2 --limit 4096 --out "$out/int" --resume "$out/int/checkpoint.gankit" >/dev/null
cmp "$out/int/checkpoint.gankit" "$out/gan-straight/checkpoint.gankit"
[ "$(wc -l < "$out/int/history.csv")" -eq $((2 * 64 + 1)) ] || { echo "CI: resumed history.csv should have 129 lines"; exit 1; }

echo "mnist-gan --preset minimal: sigmoid G on [0, 1] data, D on probabilities; grids and export from [0, 1]"
"$bin/mnist-gan" --preset minimal --epochs 1 --limit 2048 --export-samples 100 --out "$out/minimal" > "$out/minimal.log"
for f in samples/epoch-001.png samples.png losses.png history.csv checkpoint.gankit samples.idx; do
    expect_file "$out/minimal/$f"
done
grep -q "data: 2048 images \[1, 28, 28\] in \[0, 1\]" "$out/minimal.log" || { echo "CI: minimal preset did not load [0, 1]"; exit 1; }
grep -q "learning rate 0.001, β1 0.9" "$out/minimal.log" || { echo "CI: minimal preset did not use Adam(1e-3, β1 0.9)"; exit 1; }
# Exported from [0, 1], the sigmoid's near-zero background is dark; read as [-1, 1] every byte would be ≥ 128.
darkest="$(od -An -tu1 -v -j16 "$out/minimal/samples.idx" | awk '{ for (i = 1; i <= NF; i++) if (m == "" || $i < m) m = $i } END { print m }')"
[ "$darkest" -lt 64 ] || { echo "CI: minimal samples.idx is washed out (darkest byte $darkest)"; exit 1; }

echo "mnist-dcgan: 1 epoch on 1024 images"
"$bin/mnist-dcgan" --epochs 1 --limit 1024 --out "$out/dcgan" --export-samples 64
for f in samples/epoch-001.png losses.png history.csv checkpoint.gankit samples.idx; do
    expect_file "$out/dcgan/$f"
done

echo "mnist-cgan: 1 epoch on 1024 labelled images; samples-labels.idx; gan-eval --labels"
"$bin/mnist-cgan" --epochs 1 --limit 1024 --out "$out/cgan" --export-samples 100
for f in samples/epoch-001.png samples.png history.csv checkpoint.gankit samples.idx samples-labels.idx; do
    expect_file "$out/cgan/$f"
done
[ "$(stat -c %s "$out/cgan/samples-labels.idx")" -eq $((8 + 100)) ] || { echo "CI: samples-labels.idx should hold 100 labels"; exit 1; }
"$bin/gan-eval" "$out/cgan/samples.idx" --labels "$out/cgan/samples-labels.idx" > "$out/cgan-eval.txt"
grep -q "classified as asked" "$out/cgan-eval.txt" || { echo "CI: gan-eval --labels printed no accuracy"; exit 1; }
"$bin/mnist-cgan" --epochs 1 --limit 512 --model dcgan --base-width 8 --out "$out/cgan-dcgan" >/dev/null
expect_file "$out/cgan-dcgan/samples.png"

echo "losses and penalties: WGAN-GP with 2 critic steps, hinge with R1"
# (Logs go to files: grep -q on a pipe would end the program with SIGPIPE under pipefail.)
"$bin/mnist-gan" --epochs 1 --limit 512 --loss wgan --gradient-penalty 10 --critic-steps 2 --beta1 0 --beta2 0.9 \
    --out "$out/wgan" > "$out/wgan.log"
grep -q "gradient penalty" "$out/wgan.log" || { echo "CI: WGAN-GP run did not report its penalty"; exit 1; }
"$bin/mnist-dcgan" --epochs 1 --limit 256 --base-width 8 --loss hinge --r1 1 --out "$out/hinge" > "$out/hinge.log"
grep -q "R1" "$out/hinge.log" || { echo "CI: hinge run did not report R1"; exit 1; }

echo "gan-eval: score exported samples; --eval-every writes metric columns and metrics.png"
"$bin/gan-eval" "$out/gan/samples.idx" --json | grep -q '"frechetDistance"'
"$bin/mnist-gan" --epochs 1 --limit 1024 --eval-every 1 --eval-samples 200 --out "$out/gan-metrics" >/dev/null
expect_file "$out/gan-metrics/metrics.png"
head -1 "$out/gan-metrics/history.csv" | grep -q ',frechet_distance,'
expect_failure "gan-eval without a file" "$bin/gan-eval"
expect_failure "gan-eval on a non-IDX file" "$bin/gan-eval" "$out/gan/history.csv"

echo "custom-loop and custom-layer"
"$bin/custom-loop" --epochs 1 --out "$out/loop" | tail -2
"$bin/custom-layer" | tail -2

echo "bad flags"
expect_failure "unknown flag" "$bin/mnist-gan" --epoch 3
expect_failure "missing value" "$bin/mnist-gan" --epochs
expect_failure "not a number" "$bin/mnist-gan" --lr fast
expect_failure "zero batch size" "$bin/mnist-gan" --batch-size 0
expect_failure "negative epochs" "$bin/mnist-dcgan" --epochs -2
expect_failure "missing data folder" "$bin/mnist-gan" --data /nonexistent
expect_failure "unknown preset" "$bin/mnist-gan" --preset huge
expect_failure "absurd latent size" "$bin/mnist-gan" --latent-dim 99999999999
expect_failure "custom-loop unknown flag" "$bin/custom-loop" --epochs 1 --fast
expect_failure "custom-loop zero batch" "$bin/custom-loop" --batch-size 0
expect_failure "custom-layer takes no flags" "$bin/custom-layer" --epochs 2
expect_failure "mnist-dcgan non-number" "$bin/mnist-dcgan" --base-width wide
expect_failure "negative checkpoint interval" "$bin/mnist-gan" --checkpoint-every -5
expect_failure "zero clip norm" "$bin/mnist-gan" --clip-grad-norm 0
expect_failure "learning rate beyond Float" "$bin/mnist-gan" --lr 1e40
expect_failure "value that is a flag" "$bin/mnist-gan" --out --epochs 2
expect_failure "unwritable output" "$bin/mnist-gan" --out /proc/gankit-out
expect_failure "missing checkpoint" "$bin/mnist-gan" --resume "$out/nothing.gankit"
head -c 100 "$out/gan/checkpoint.gankit" > "$out/truncated.gankit"
expect_failure "truncated checkpoint" "$bin/mnist-gan" --limit 256 --epochs 1 --out "$out/bad" --resume "$out/truncated.gankit"
expect_failure "checkpoint of another model" "$bin/mnist-gan" --limit 256 --epochs 1 --out "$out/bad" \
    --resume "$out/dcgan/checkpoint.gankit"
mkdir -p "$out/corrupt-data"
printf '\0\0\10\3\0\0\0\7\0\0\0\34\0\0\0\34abc' > "$out/corrupt-data/train-images-idx3-ubyte"
expect_failure "truncated IDX file" "$bin/mnist-gan" --data "$out/corrupt-data" --out "$out/bad"
expect_failure "two penalties" "$bin/mnist-gan" --gradient-penalty 10 --r1 1 --out "$out/bad"
expect_failure "unknown loss" "$bin/mnist-gan" --loss wasserstein
expect_failure "a loss on logits with the minimal preset's probabilities" "$bin/mnist-gan" --preset minimal --loss hinge
expect_failure "zero critic steps" "$bin/mnist-gan" --critic-steps 0
expect_failure "beta of 1" "$bin/mnist-gan" --beta2 1
mkdir -p "$out/unlabelled"
cp Examples/Data/MNIST/train-images-idx3-ubyte.gz "$out/unlabelled/"
expect_failure "cgan without labels" "$bin/mnist-cgan" --data "$out/unlabelled" --out "$out/bad"
printf '\0\0\10\1\0\0\0\3\1\2\3' > "$out/three-labels.idx"   # IDX1 holding 3 labels, for 100 samples
expect_failure "gan-eval labels of another length" "$bin/gan-eval" "$out/gan/samples.idx" --labels "$out/three-labels.idx"
# The help text is read whole first: with `help | grep -q` under pipefail, grep exiting at the
# first match can end the program with SIGPIPE while it still writes (a race that failed CI once).
for program in mnist-gan mnist-dcgan mnist-cgan; do
    help=$("$bin/$program" --help)
    for flag in --epochs --batch-size --lr --latent-dim --seed --data --out --resume --export-samples --limit \
                --checkpoint-every --clip-grad-norm --loss --critic-steps --gradient-penalty --r1; do
        grep -q -- "$flag" <<< "$help" || { echo "CI: $program --help does not document $flag"; exit 1; }
    done
done

echo "cifar-dcgan: 1 epoch on a generated CIFAR-10-format folder, then on a folder of PNGs"
mkdir -p "$out/cifar-data" "$out/png-data/grids" "$out/cifar-bad" "$out/no-images"
python3 - "$out/cifar-data" <<'PY'
import os, random, sys
random.seed(7)
for batch in range(1, 6):  # 64 records of 3073 bytes: label 0-9, then 1024 R, 1024 G, 1024 B bytes
    with open(os.path.join(sys.argv[1], "data_batch_%d.bin" % batch), "wb") as f:
        for record in range(64):
            f.write(bytes([record % 10]) + bytes(random.randrange(256) for _ in range(3072)))
PY
"$bin/cifar-dcgan" --data "$out/cifar-data" --epochs 1 --limit 128 --batch-size 64 --out "$out/cifar" --export-samples 16
for f in samples/epoch-001.png samples.png losses.png history.csv checkpoint.gankit samples.idx; do
    expect_file "$out/cifar/$f"
done
# The grid is an RGB PNG (colour type 2 at byte 25); samples.idx is a 4-dim IDX [16, 3, 32, 32].
[ "$(od -An -tu1 -j25 -N1 "$out/cifar/samples.png" | xargs)" = 2 ] || { echo "CI: cifar grid is not RGB"; exit 1; }
[ "$(od -An -tu1 -N20 "$out/cifar/samples.idx" | xargs)" = "0 0 8 4 0 0 0 16 0 0 0 3 0 0 0 32 0 0 0 32" ] \
    || { echo "CI: cifar samples.idx is not [16, 3, 32, 32]"; exit 1; }
# A PNG folder of any sizes (the grids and plot just written), resized to 32×32.
cp "$out/cifar/samples.png" "$out/cifar/samples/epoch-001.png" "$out/cifar/losses.png" "$out/png-data/grids/"
"$bin/cifar-dcgan" --data "$out/png-data" --epochs 1 --batch-size 3 --out "$out/cifar-png" | grep "data: 3 images \[3, 32, 32\]"
expect_file "$out/cifar-png/samples/epoch-001.png"
echo "cifar-dcgan: 64×64, conditional on class folders (a stray top-level PNG skipped), CIFAR-10 resized to 64×64"
mkdir -p "$out/png-classes/a" "$out/png-classes/b/nested"
cp "$out/png-data/grids/samples.png" "$out/png-data/grids/losses.png" "$out/png-classes/a/"
cp "$out/png-data/grids/epoch-001.png" "$out/png-classes/b/nested/"
cp "$out/png-data/grids/losses.png" "$out/png-classes/stray.png"
"$bin/cifar-dcgan" --data "$out/png-classes" --image-size 64 --conditional --background '#203040' --epochs 1 --batch-size 3 \
    --out "$out/cifar-classes" > "$out/classes.log"
grep -q "data: 3 images \[3, 64, 64\]" "$out/classes.log" && grep -q "classes: a, b" "$out/classes.log" \
    && grep -q "skipped 1 PNG" "$out/classes.log" || { cat "$out/classes.log"; echo "CI: cifar-dcgan classes run"; exit 1; }
for f in real.png samples.png generator.safetensors; do expect_file "$out/cifar-classes/$f"; done
"$bin/cifar-dcgan" --data "$out/cifar-data" --image-size 64 --limit 64 --batch-size 32 --epochs 1 --out "$out/cifar64" \
    > "$out/cifar64.log"
grep -q "data: 64 images \[3, 64, 64\]" "$out/cifar64.log" || { cat "$out/cifar64.log"; echo "CI: CIFAR-10 at 64×64"; exit 1; }
expect_failure "cifar-dcgan --background with a bad colour" "$bin/cifar-dcgan" --data "$out/cifar-data" --background '#12345' --out "$out/bad"
expect_failure "cifar-dcgan --conditional without class folders" "$bin/cifar-dcgan" --data "$out/png-data/grids" --conditional --out "$out/bad"
cp "$out/cifar-data"/data_batch_*.bin "$out/cifar-bad/"
head -c 5000 "$out/cifar-data/data_batch_1.bin" > "$out/cifar-bad/data_batch_1.bin"
expect_failure "cifar-dcgan without --data" "$bin/cifar-dcgan" --epochs 1 --out "$out/bad"
expect_failure "cifar-dcgan on a folder with neither CIFAR-10 nor PNG files" "$bin/cifar-dcgan" --data "$out/no-images" --out "$out/bad"
expect_failure "cifar-dcgan on a truncated CIFAR-10 file" "$bin/cifar-dcgan" --data "$out/cifar-bad" --out "$out/bad"
expect_failure "cifar-dcgan --eval-every" "$bin/cifar-dcgan" --data "$out/cifar-data" --eval-every 1 --out "$out/bad"
cifar_help=$("$bin/cifar-dcgan" --help)
for flag in --epochs --batch-size --lr --latent-dim --seed --data --out --resume --export-samples --limit --base-width \
    --image-size --background --conditional; do
    grep -q -- "$flag" <<< "$cifar_help" || { echo "CI: cifar-dcgan --help does not document $flag"; exit 1; }
done
