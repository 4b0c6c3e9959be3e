#!/usr/bin/env bash
# Checks that a trained generator leaves GANKit in formats other people's code reads
# (Docs/UsingAModel.md), with that code, installed from PyPI in a venv:
# 1. ONNX: .ci/onnx.sh (onnx.checker and ONNX Runtime on eighteen exported networks).
# 2. Generator files: short runs of mnist-gan, mnist-dcgan and mnist-cgan write
#    generator.safetensors; gan-sample samples from each (and from the mnist-gan checkpoint)
#    and exports ONNX; Scripts/check-generator-files.py reads the files with `safetensors`,
#    recomputes the images with NumPy from the metadata's architecture and runs the ONNX
#    files with ONNX Runtime.
# 3. State dicts written with safetensors.numpy (as PyTorch users save theirs, no metadata)
#    for mlp-small, dcgan-mnist and dcgan-rgb64 load with gan-sample --weights --model and
#    give NumPy's and ONNX Runtime's images.
# 4. Damaged generator files (truncated, header length, dtype, shape, unknown layer) end
#    gan-sample with a one-line error.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/onnx.sh
py=".build/interop-venv/bin/python"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swift build -c release 2>&1 | tail -1
bin=".build/release"
check() { "$py" Scripts/check-generator-files.py check "$@" || { echo "CI: check-generator-files.py check $* failed"; exit 1; }; }

echo "interop: generator files of short training runs, sampled by gan-sample, read by safetensors, NumPy, ONNX Runtime"
"$bin/mnist-gan" --epochs 1 --limit 512 --out "$out/gan" >/dev/null
"$bin/mnist-dcgan" --epochs 1 --limit 256 --out "$out/dcgan" >/dev/null
"$bin/mnist-cgan" --epochs 1 --limit 512 --out "$out/cgan" >/dev/null
for run in gan dcgan cgan; do
    "$bin/gan-sample" --generator "$out/$run/generator.safetensors" --count 12 --seed 3 \
        --out "$out/$run/samples.safetensors" --onnx "$out/$run/generator.onnx" >/dev/null
    check "$out/$run/generator.safetensors" "$out/$run/samples.safetensors" --onnx "$out/$run/generator.onnx"
done
echo "interop: the checkpoint gives the generator file's images (averaged weights)"
"$bin/gan-sample" --generator "$out/gan/checkpoint.gankit" --count 12 --seed 3 --out "$out/gan/from-checkpoint.safetensors" >/dev/null
cmp "$out/gan/samples.safetensors" "$out/gan/from-checkpoint.safetensors"

echo "interop: state dicts written by safetensors.numpy (no GANKit metadata) load with gan-sample --weights"
"$py" Scripts/check-generator-files.py write-state-dicts "$out/state-dicts"
for model in mlp-small dcgan-mnist dcgan-rgb64; do
    "$bin/gan-sample" --weights "$out/state-dicts/$model.safetensors" --model "$model" \
        --noise "$out/state-dicts/noise.safetensors" --out "$out/state-dicts/$model.samples.safetensors" \
        --onnx "$out/state-dicts/$model.onnx" >/dev/null
    check "$out/state-dicts/$model.safetensors" "$out/state-dicts/$model.samples.safetensors" \
        --architecture "$model" --onnx "$out/state-dicts/$model.onnx"
done

echo "interop: damaged generator files get a one-line error"
"$py" Scripts/check-generator-files.py damage "$out/dcgan/generator.safetensors" "$out/damaged"
for name in truncated header-length dtype shape unknown-layer; do
    if "$bin/gan-sample" --generator "$out/damaged/$name.safetensors" --out "$out/damaged/$name.png" \
        >/dev/null 2>"$out/stderr"; then
        echo "CI: gan-sample accepted the damaged $name.safetensors"; exit 1
    fi
    [ "$(wc -l < "$out/stderr")" -eq 1 ] || { cat "$out/stderr"; echo "CI: $name: expected one line"; exit 1; }
    echo "  ok, $name: $(cat "$out/stderr")"
done
