#!/usr/bin/env python3
"""Checks GANKit's generator files with other people's code (.ci/interop.sh runs it).

GANKit writes generator files (safetensors) and gan-sample writes what it generated
(`--out X.safetensors`: "noise", "labels", "images"). This script reads both with the
`safetensors` package from PyPI, recomputes the images with NumPy from the weights and
the architecture in the file's metadata (an implementation that shares nothing with
GANKit's), runs GANKit's ONNX export with ONNX Runtime, and writes state dicts the way a
PyTorch user's `safetensors.torch.save_file(model.state_dict())` would, for gan-sample to load.

    check-generator-files.py write-state-dicts DIR        numpy-written weights of the builders' generators + noise
    check-generator-files.py check GENERATOR SAMPLES [--onnx MODEL.onnx] [--architecture NAME] [--pytorch]
    check-generator-files.py damage GENERATOR DIR         damaged copies of a generator file

`check` prints the largest difference and exits 1 above the tolerance (1e-4).
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

TOLERANCE = 1e-4


# ---- the builders' generators as architecture lists (GANKit's JSON schema), for state dicts without metadata


def mlp_small(latent=100):
    layers, width = [], latent
    for size in (256, 512):
        layers += [{"type": "Dense", "settings": {"in": width, "out": size, "bias": True}},
                   {"type": "LeakyReLU", "settings": {"alpha": 0.2}}]
        width = size
    layers += [{"type": "Dense", "settings": {"in": width, "out": 784, "bias": True}}, {"type": "Tanh"},
               {"type": "Reshape", "settings": {"shape": [1, 28, 28]}}]
    return {"type": "Sequential", "layers": layers}


def dcgan(latent=100, size=28, channels=1, base=64, depth=2):
    initial, width = size >> depth, base << (depth - 1)
    projected = width * initial * initial
    layers = [{"type": "Dense", "settings": {"in": latent, "out": projected, "bias": False}},
              {"type": "BatchNorm", "settings": {"features": projected, "epsilon": 1e-5}}, {"type": "ReLU"},
              {"type": "Reshape", "settings": {"shape": [width, initial, initial]}}]
    conv = {"kernel": [4, 4], "stride": [2, 2], "padding": [1, 1], "outputPadding": [0, 0]}
    for _ in range(1, depth):
        layers += [{"type": "ConvTranspose2D", "settings": {"in": width, "out": width // 2, "bias": False, **conv}},
                   {"type": "BatchNorm", "settings": {"features": width // 2, "epsilon": 1e-5}}, {"type": "ReLU"}]
        width //= 2
    layers += [{"type": "ConvTranspose2D", "settings": {"in": width, "out": channels, "bias": True, **conv}},
               {"type": "Tanh"}]
    return {"type": "Sequential", "layers": layers}


ARCHITECTURES = {"mlp-small": mlp_small(), "dcgan-mnist": dcgan(),
                 "dcgan-rgb64": dcgan(size=64, channels=3, depth=4)}


# ---- a NumPy forward pass in inference mode


def conv_transpose(x, weight, stride, padding):
    n, _, h, w = x.shape
    _, out_channels, kh, kw = weight.shape
    full = np.zeros((n, out_channels, (h - 1) * stride[0] + kh, (w - 1) * stride[1] + kw), dtype=np.float64)
    for ky in range(kh):
        for kx in range(kw):
            contribution = np.einsum("nihw,io->nohw", x, weight[:, :, ky, kx])
            full[:, :, ky:ky + (h - 1) * stride[0] + 1:stride[0], kx:kx + (w - 1) * stride[1] + 1:stride[1]] += contribution
    out_h = (h - 1) * stride[0] - 2 * padding[0] + kh
    out_w = (w - 1) * stride[1] - 2 * padding[1] + kw
    return full[:, :, padding[0]:padding[0] + out_h, padding[1]:padding[1] + out_w]


def conv(x, weight, stride, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    n, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    out_h, out_w = (h - kh) // stride[0] + 1, (w - kw) // stride[1] + 1
    out = np.zeros((n, out_channels, out_h, out_w), dtype=np.float64)
    for ky in range(kh):
        for kx in range(kw):
            patch = x[:, :, ky:ky + (out_h - 1) * stride[0] + 1:stride[0], kx:kx + (out_w - 1) * stride[1] + 1:stride[1]]
            out += np.einsum("nihw,oi->nohw", patch, weight[:, :, ky, kx])
    return out


def forward(architecture, weights, x, labels, prefix=""):
    for index, layer in enumerate(architecture["layers"]):
        kind, s, name = layer["type"], layer.get("settings", {}), f"{prefix}{index}."
        if kind == "Sequential":
            x = forward(layer, weights, x, labels, name)
        elif kind == "Dense":
            x = x @ weights[name + "weight"].astype(np.float64).T + (weights[name + "bias"] if s["bias"] else 0)
        elif kind == "BatchNorm":
            shape = (1, -1) + (1,) * (x.ndim - 2)
            mean, var = weights[name + "running_mean"].reshape(shape), weights[name + "running_var"].reshape(shape)
            x = (x - mean) / np.sqrt(var.astype(np.float64) + s["epsilon"])
            if name + "weight" in weights:
                x = x * weights[name + "weight"].reshape(shape) + weights[name + "bias"].reshape(shape)
        elif kind == "ReLU":
            x = np.maximum(x, 0)
        elif kind == "LeakyReLU":
            x = np.where(x > 0, x, x * s["alpha"])
        elif kind == "Tanh":
            x = np.tanh(x)
        elif kind == "Sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "Reshape":
            x = x.reshape((x.shape[0],) + tuple(s["shape"]))
        elif kind == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "Dropout":
            pass
        elif kind == "ConvTranspose2D":
            x = conv_transpose(x, weights[name + "weight"].astype(np.float64), s["stride"], s["padding"])
            if s["bias"]:
                x = x + weights[name + "bias"].reshape(1, -1, 1, 1)
        elif kind == "Conv2D":
            x = conv(x, weights[name + "weight"].astype(np.float64), s["stride"], s["padding"])
            if s["bias"]:
                x = x + weights[name + "bias"].reshape(1, -1, 1, 1)
        elif kind == "ConcatenateClassEmbedding":
            vectors = weights[name + "weight"][labels].astype(np.float64)
            if x.ndim == 4:
                vectors = np.broadcast_to(vectors[:, :, None, None], vectors.shape + x.shape[2:])
            x = np.concatenate([x, vectors], axis=1)
        else:
            sys.exit(f"check-generator-files: no NumPy version of layer type {kind}")
    return x


# ---- commands


def write_state_dicts(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    for name, architecture in ARCHITECTURES.items():
        weights = {}
        for index, layer in enumerate(architecture["layers"]):
            s, prefix = layer.get("settings", {}), f"{index}."
            if layer["type"] == "Dense":
                weights[prefix + "weight"] = rng.normal(0, 0.05, (s["out"], s["in"]))
                if s["bias"]:
                    weights[prefix + "bias"] = rng.normal(0, 0.05, s["out"])
            elif layer["type"] == "ConvTranspose2D":
                weights[prefix + "weight"] = rng.normal(0, 0.05, (s["in"], s["out"]) + tuple(s["kernel"]))
                if s["bias"]:
                    weights[prefix + "bias"] = rng.normal(0, 0.05, s["out"])
            elif layer["type"] == "BatchNorm":
                f = s["features"]
                weights.update({prefix + "weight": rng.normal(1, 0.1, f), prefix + "bias": rng.normal(0, 0.1, f),
                                prefix + "running_mean": rng.normal(0, 0.2, f),
                                prefix + "running_var": rng.uniform(0.3, 2.0, f)})
                weights[prefix + "num_batches_tracked"] = np.array(1000, dtype=np.int64)
        save_file({k: v if v.dtype == np.int64 else v.astype(np.float32) for k, v in weights.items()},
                  str(folder / f"{name}.safetensors"))
        print(f"wrote {folder / name}.safetensors ({sum(v.size for v in weights.values())} values, no metadata)")
    save_file({"noise": rng.standard_normal((5, 100)).astype(np.float32)}, str(folder / "noise.safetensors"))


def check(generator_path, samples_path, onnx_path=None, architecture_name=None, pytorch=False):
    weights = load_file(generator_path)
    with safe_open(generator_path, framework="numpy") as file:
        metadata = file.metadata() or {}
    if architecture_name:
        architecture = ARCHITECTURES[architecture_name]
    else:
        for key in ("format", "gankit.format", "gankit.architecture", "gankit.latent_dimension", "gankit.output_shape",
                    "gankit.pixel_range"):
            assert key in metadata, f"{generator_path}: metadata has no {key}"
        architecture = json.loads(metadata["gankit.architecture"])
        assert metadata["format"] == "pt"
    samples = load_file(samples_path)
    noise, images = samples["noise"], samples["images"]
    labels = samples.get("labels")
    expected = forward(architecture, weights, noise.astype(np.float64), labels)
    difference = float(np.abs(expected - images).max())
    size = Path(generator_path).stat().st_size
    print(f"{generator_path}: {size:,} bytes, {len(weights)} tensors; NumPy vs GANKit on {images.shape}: "
          f"max |difference| {difference:.2e}")
    failures = [] if difference <= TOLERANCE else [f"NumPy differs from GANKit by {difference}"]
    if onnx_path:
        import onnx
        import onnxruntime
        onnx.checker.check_model(onnx.load(onnx_path), full_check=True)
        session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        feeds = {"noise": noise}
        if labels is not None:
            feeds["labels"] = labels.astype(np.int64)
        (output,) = session.run(None, feeds)
        onnx_difference = float(np.abs(output - images).max())
        print(f"{onnx_path}: {Path(onnx_path).stat().st_size:,} bytes, opset "
              f"{onnx.load(onnx_path).opset_import[0].version}; ONNX Runtime vs GANKit: max |difference| {onnx_difference:.2e}")
        if onnx_difference > TOLERANCE:
            failures.append(f"ONNX Runtime differs from GANKit by {onnx_difference}")
    if pytorch:  # needs torch: the file in PyTorch's own nn.Sequential, load_state_dict(strict=True)
        import torch
        sys.path.insert(0, str(Path(__file__).parent))
        from gankit_pytorch import load_generator
        model, _ = load_generator(generator_path)
        if labels is not None:
            model[0].labels = torch.from_numpy(labels.astype(np.int64))
        with torch.no_grad():
            torch_difference = float(np.abs(model(torch.from_numpy(noise)).numpy() - images).max())
        print(f"PyTorch nn.Sequential with load_state_dict(strict=True) vs GANKit: max |difference| {torch_difference:.2e}")
        if torch_difference > TOLERANCE:
            failures.append(f"PyTorch differs from GANKit by {torch_difference}")
    if failures:
        sys.exit("check-generator-files: " + "; ".join(failures))


def damage(generator_path, folder):
    """Damaged copies: truncated, a wrong header length, a wrong dtype, a wrong shape, an unknown layer."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = Path(generator_path).read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    body = data[8 + header_length:]

    def with_header(changed):
        text = json.dumps(changed).encode()
        text += b" " * (-len(text) % 8)
        return struct.pack("<Q", len(text)) + text + body

    (folder / "truncated.safetensors").write_bytes(data[:len(data) - 1000])
    (folder / "header-length.safetensors").write_bytes(struct.pack("<Q", header_length + 4096) + data[8:])
    wrong_dtype = json.loads(json.dumps(header))
    wrong_dtype["0.weight"]["dtype"] = "F16"
    (folder / "dtype.safetensors").write_bytes(with_header(wrong_dtype))
    wrong_shape = json.loads(json.dumps(header))
    rows, columns = wrong_shape["0.weight"]["shape"]
    wrong_shape["0.weight"]["shape"] = [columns, rows]
    (folder / "shape.safetensors").write_bytes(with_header(wrong_shape))
    unknown = json.loads(json.dumps(header))
    unknown["__metadata__"]["gankit.architecture"] = unknown["__metadata__"]["gankit.architecture"].replace(
        '"Tanh"', '"Swish"', 1)
    (folder / "unknown-layer.safetensors").write_bytes(with_header(unknown))
    print(f"wrote 5 damaged copies of {generator_path} to {folder}")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "write-state-dicts":
        write_state_dicts(arguments[0])
    elif command == "check":
        onnx_file = arguments[arguments.index("--onnx") + 1] if "--onnx" in arguments else None
        name = arguments[arguments.index("--architecture") + 1] if "--architecture" in arguments else None
        check(arguments[0], arguments[1], onnx_file, name, pytorch="--pytorch" in arguments)
    elif command == "damage":
        damage(arguments[0], arguments[1])
    else:
        sys.exit(__doc__)
