#!/usr/bin/env python3
"""Checks the ONNX models that GANKit exported (onnx-fixture's output folder) with ONNX's own tools.

Usage: check-onnx.py FOLDER [--tolerance 1e-4]

FOLDER holds cases.json and, per case, NAME.onnx plus raw little-endian .bin files of inputs
and of GANKit's inference-mode outputs for one or more batch sizes. For every case this
- loads the model with onnx and runs onnx.checker.check_model(full_check=True), which also
  runs ONNX's strict shape inference;
- runs it with ONNX Runtime (CPU) on each recorded batch (the batch axis is symbolic, so
  batch sizes other than the first prove it is dynamic) and compares with GANKit's output;
- prints one line: the largest absolute difference over its batches (and the largest output
  magnitude, for scale), the batches and the file size.

Exits with status 1 when a case fails or differs by more than the tolerance.
Needs: onnx, onnxruntime, numpy (.ci/onnx.sh installs them in a venv).
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime


def load(folder, entry):
    """The array a cases.json entry describes (file, dtype, shape)."""
    values = np.fromfile(os.path.join(folder, entry["file"]), dtype=np.dtype(entry["dtype"]).newbyteorder("<"))
    expected = int(np.prod(entry["shape"]))
    if values.size != expected:
        raise ValueError(f"{entry['file']}: {values.size} values, expected {expected} for shape {entry['shape']}")
    return values.reshape(entry["shape"]).astype(entry["dtype"])


def check_case(folder, case, tolerance):
    """(max difference, max |GANKit output|, message or None) for one case."""
    path = os.path.join(folder, case["model"])
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < 13:
        return None, None, f"opset {opset} is below 13"
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    expected_inputs = sorted(i.name for i in session.get_inputs())
    worst, scale = 0.0, 0.0
    for run in case["runs"]:
        feeds = {entry["name"]: load(folder, entry) for entry in run["inputs"]}
        if sorted(feeds) != expected_inputs:
            return None, None, f"the model's inputs are {expected_inputs}, the fixture gives {sorted(feeds)}"
        (result,) = session.run([run["output"]["name"]], feeds)
        reference = load(folder, run["output"])
        if result.shape != reference.shape:
            return None, None, f"batch {run['batch']}: ONNX Runtime gave shape {list(result.shape)}, GANKit {list(reference.shape)}"
        if not np.all(np.isfinite(reference)):
            return None, None, f"batch {run['batch']}: GANKit's output is not finite"
        difference = float(np.max(np.abs(result.astype(np.float64) - reference.astype(np.float64))))
        scale = max(scale, float(np.max(np.abs(reference))))
        if not difference <= tolerance:  # also catches NaN
            return difference, scale, f"batch {run['batch']}: max |ONNX Runtime − GANKit| = {difference:.3g} > {tolerance:g}"
        worst = max(worst, difference)
    return worst, scale, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    arguments = parser.parse_args()
    with open(os.path.join(arguments.folder, "cases.json")) as file:
        cases = json.load(file)["cases"]
    if not cases:
        print("check-onnx: no cases in cases.json")
        return 1
    print(f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, numpy {np.__version__}")
    failures = 0
    for case in cases:
        size = os.path.getsize(os.path.join(arguments.folder, case["model"]))
        batches = ",".join(str(run["batch"]) for run in case["runs"])
        try:
            difference, scale, problem = check_case(arguments.folder, case, arguments.tolerance)
        except Exception as error:  # the checker's and the runtime's errors: report, go on with the next case
            difference, scale, problem = None, None, f"{type(error).__name__}: {' '.join(str(error).split())}"
        shown = "-" if difference is None else f"{difference:.2e}"
        magnitude = "-" if scale is None else f"{scale:.2g}"
        status = "ok  " if problem is None else "FAIL"
        line = (f"{status} {case['name']:<38} max diff {shown:>8} (max |output| {magnitude:>6})  "
                f"batches {batches:<8} {size / 1024:9.1f} KiB")
        print(line + ("" if problem is None else f"  {problem}"))
        failures += problem is not None
    if failures:
        print(f"check-onnx: {failures} of {len(cases)} cases failed")
        return 1
    print(f"check-onnx: all {len(cases)} models pass onnx.checker and match GANKit within {arguments.tolerance:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
