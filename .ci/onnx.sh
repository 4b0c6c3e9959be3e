#!/usr/bin/env bash
# Checks GANKit's ONNX export with ONNX's own tools (Scripts/check-onnx.py, in a venv with onnx,
# onnxruntime and numpy from PyPI): onnx-fixture exports the MLP and DCGAN generators and
# discriminators (28×28, 64×64 RGB, conditional, spectral norm, minibatch stddev) with GANKit's
# outputs for fixed inputs; the checker runs onnx.checker.check_model(full_check=True) on each
# model and compares ONNX Runtime's outputs with GANKit's (at most 1e-4 apart), at several batch
# sizes, since the batch axis is symbolic.
#
# Builds onnx-fixture in debug (a no-op after CI's debug build). GANKIT_BIN=DIR takes it from DIR instead.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=".build/interop-venv"  # shared with .ci/interop.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "onnx: a venv with onnx, onnxruntime, numpy and safetensors"
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p .build
    python3 -m venv "$venv" || { echo "CI: could not create a Python venv in $venv (python3 -m venv)"; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check onnx onnxruntime numpy safetensors \
    || { echo "CI: pip install onnx onnxruntime numpy safetensors failed"; exit 1; }
py="$venv/bin/python"

if [ -n "${GANKIT_BIN:-}" ]; then
    bin="$GANKIT_BIN"
else
    swift build --product onnx-fixture 2>&1 | tail -1
    bin="$(swift build --show-bin-path)"
fi
[ -x "$bin/onnx-fixture" ] || { echo "CI: $bin/onnx-fixture missing"; exit 1; }

echo "onnx: onnx-fixture exports the models, with inputs and GANKit's outputs"
"$bin/onnx-fixture" "$out" >"$out/fixture.log" 2>&1 || { cat "$out/fixture.log"; echo "CI: onnx-fixture failed"; exit 1; }
tail -1 "$out/fixture.log" | sed 's/^/  /'

echo "onnx: onnx.checker and ONNX Runtime against GANKit (max |difference| ≤ 1e-4)"
"$py" Scripts/check-onnx.py "$out" || { echo "CI: check-onnx.py failed (see above)"; exit 1; }
