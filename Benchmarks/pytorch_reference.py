#!/usr/bin/env python3
"""PyTorch eager CPU reference for gankit-bench: the same models, optimizers and step.

One step (as GANKit's Trainer.trainStep and the PyTorch DCGAN tutorial):
  D: zero grads; BCEWithLogits(D(real), 1).backward(); fake = G(z);
     BCEWithLogits(D(fake.detach()), 0).backward(); Adam step on D.
  G: zero grads; BCEWithLogits(D(fake), 1).backward() with D's parameters frozen
     (requires_grad False, so PyTorch skips D's weight gradients as GANKit does);
     Adam step on G.
Adam(lr 2e-4, betas (0.5, 0.999)) on both. FLOPs per step are counted with the
same formula as gankit-bench: 2·N·(8·D + 3·G) multiply-adds of the matrix products.
A row ending in +r1 adds R1 (gamma 1) to the real loss, by double backpropagation
(torch.autograd.grad with create_graph=True, as StyleGAN2's code does).

Usage:
  PYTHONPATH=/opt/torchlib python3 Benchmarks/pytorch_reference.py --row mlp-small@64 --threads 1 --seconds 2
  ... --check DIR   replay gankit-bench --export-check DIR and compare losses (exit 1 on mismatch)
Prints one JSON line with the same keys as `gankit-bench --only ROW --json`.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def make_models(model, dropout=None):
    """Generator and discriminator as torch.nn.Sequential, layer for layer as GANKit builds them."""
    if model in ("mlp-small", "mlp-keras"):
        g_sizes = [100, 256, 512] + ([1024] if model == "mlp-keras" else [])
        rate = (0.4 if model == "mlp-keras" else 0.0) if dropout is None else dropout
        g_layers = []
        for a, b in zip(g_sizes, g_sizes[1:]):
            g_layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        g_layers += [nn.Linear(g_sizes[-1], 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28))]
        d_sizes = [784, 512, 256]
        d_layers = [nn.Flatten()]
        for a, b in zip(d_sizes, d_sizes[1:]):
            d_layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
            if rate > 0:
                d_layers.append(nn.Dropout(rate))
        d_layers.append(nn.Linear(256, 1))
        return nn.Sequential(*g_layers), nn.Sequential(*d_layers)
    if model == "dcgan":
        g = nn.Sequential(
            nn.Linear(100, 128 * 7 * 7, bias=False), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
            nn.Unflatten(1, (128, 7, 7)),
            nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
        d = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
        return g, d
    if model == "dcgan64":  # DCGAN.Configuration.rgb64, the DCGAN paper's 64x64 RGB networks
        g_layers = [nn.Linear(100, 512 * 4 * 4, bias=False), nn.BatchNorm1d(512 * 4 * 4), nn.ReLU(),
                    nn.Unflatten(1, (512, 4, 4))]
        for width in (512, 256, 128):
            g_layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU()]
        g_layers += [nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh()]
        d_layers = [nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2)]
        for width in (64, 128, 256):
            d_layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2)]
        d_layers += [nn.Flatten(), nn.Linear(512 * 4 * 4, 1)]
        return nn.Sequential(*g_layers), nn.Sequential(*d_layers)
    raise SystemExit(f"unknown model {model}")


def image_shape(model):
    """One training image's shape."""
    return (3, 64, 64) if model == "dcgan64" else (1, 28, 28)


def multiply_adds(net, input_shape):
    """Multiply-adds of one sample through the Linear/Conv/ConvTranspose layers (as gankit-bench counts)."""
    total = 0
    x = torch.zeros(input_shape)
    net.eval()
    with torch.no_grad():
        for layer in net:
            y = layer(x)
            if isinstance(layer, nn.Linear):
                total += layer.in_features * layer.out_features
            elif isinstance(layer, nn.Conv2d):
                kh, kw = layer.kernel_size
                total += layer.out_channels * layer.in_channels * kh * kw * y.shape[2] * y.shape[3]
            elif isinstance(layer, nn.ConvTranspose2d):
                kh, kw = layer.kernel_size
                total += layer.in_channels * layer.out_channels * kh * kw * x.shape[2] * x.shape[3]
            x = y
    net.train()
    return total


class Step:
    """The training step; `noise` may be given (the check) or drawn with torch.randn."""

    def __init__(self, g, d, adam, r1_gamma=0.0):
        self.g, self.d = g, d
        self.r1_gamma = r1_gamma
        self.opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), **adam)
        self.opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), **adam)
        self.loss = nn.BCEWithLogitsLoss()
        self.d_params = list(d.parameters())

    def __call__(self, real, noise=None):
        n = real.shape[0]
        ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
        self.opt_d.zero_grad(set_to_none=True)
        if self.r1_gamma:
            # R1 (Mescheder et al. 2018) by double backpropagation: gamma/2 * mean ||grad_x D(x)||^2.
            real = real.detach().requires_grad_(True)
            out = self.d(real)
            (grad,) = torch.autograd.grad(out.sum(), real, create_graph=True)
            real_loss = self.loss(out, ones) + self.r1_gamma / 2 * grad.pow(2).flatten(1).sum(1).mean()
        else:
            real_loss = self.loss(self.d(real), ones)
        real_loss.backward()
        z = torch.randn(n, 100) if noise is None else noise
        fake = self.g(z)
        fake_loss = self.loss(self.d(fake.detach()), zeros)
        fake_loss.backward()
        self.opt_d.step()

        self.opt_g.zero_grad(set_to_none=True)
        for p in self.d_params:
            p.requires_grad_(False)
        g_loss = self.loss(self.d(fake), ones)
        g_loss.backward()
        for p in self.d_params:
            p.requires_grad_(True)
        self.opt_g.step()
        return (real_loss + fake_loss).item(), g_loss.item()


def check(directory, adam):
    """Replays GANKit's exported steps; returns 0 when every loss agrees within tolerance."""
    with open(os.path.join(directory, "check.json")) as f:
        manifest = json.load(f)
    data = np.fromfile(os.path.join(directory, "check.bin"), dtype="<f4")
    tensors, offset = {}, 0
    for name, shape in zip(manifest["names"], manifest["shapes"]):
        count = int(np.prod(shape))
        tensors[name] = torch.from_numpy(data[offset:offset + count].reshape(shape).copy())
        offset += count
    def replay(dtype):
        """The exported steps replayed by PyTorch in `dtype`: [(D loss, G loss), ...]."""
        g, d = make_models(manifest["model"], dropout=0.0)
        g, d = g.to(dtype), d.to(dtype)
        for prefix, net in (("G", g), ("D", d)):
            params = list(net.parameters())
            names = [n for n in manifest["names"] if n.startswith(prefix + ".")]
            assert len(params) == len(names), f"{prefix}: {len(params)} parameters vs {len(names)} exported"
            with torch.no_grad():
                for p, name in zip(params, names):
                    assert tuple(p.shape) == tuple(tensors[name].shape), f"{name}: {p.shape} vs {tensors[name].shape}"
                    p.copy_(tensors[name].to(dtype))
        step = Step(g, d, adam, manifest.get("r1Gamma", 0.0))
        return [step(tensors["real"].to(dtype), tensors[f"noise.{i}"].to(dtype)) for i in range(manifest["steps"])]

    pytorch = replay(torch.float32)
    exact = None  # a float64 replay, made only when float32 disagrees beyond the tolerance
    # Tolerance: float32 with different summation orders (BLAS kernels, oneDNN).
    # Step 1 (the D loss is computed before any update): relative 1e-4 or absolute 1e-5.
    # Later steps: relative 2e-3. Adam's first updates are ≈ lr·sign(g), so a
    # gradient within rounding of 0 can move a weight by ±lr in one library and
    # not the other; through BatchNorm that reaches the DCGAN's losses at ~1e-4.
    # Beyond that (the 64×64 DCGAN's 6 M weights flip more signs), a loss still
    # agrees when GANKit is no farther from a float64 replay than 2× PyTorch's
    # own float32 result is: both then err only by float32 rounding.
    rtol, atol, later_rtol = 1e-4, 1e-5, 2e-3
    worst, ok = 0.0, True
    for i in range(manifest["steps"]):
        if i == 1:
            rtol = later_rtol
        for k, what in enumerate(("D", "G")):
            ours, theirs = pytorch[i][k], manifest[["discriminatorLosses", "generatorLosses"][k]][i]
            diff = abs(ours - theirs)
            good = diff <= atol + rtol * abs(theirs)
            note = ""
            if not good:
                exact = exact or replay(torch.float64)
                reference = exact[i][k]
                good = abs(theirs - reference) <= atol + 2 * abs(ours - reference)
                note = f"  float64 {reference:.7f}: GANKit off by {abs(theirs - reference):.2e}, PyTorch by {abs(ours - reference):.2e}"
            else:
                worst = max(worst, diff / max(abs(theirs), 1e-12))
            ok &= good
            print(f"  {manifest['model']}@{manifest['batch']} step {i + 1} {what} loss: "
                  f"GANKit {theirs:.7f}  PyTorch {ours:.7f}  |diff| {diff:.2e}  {'ok' if good else 'MISMATCH'}{note}",
                  file=sys.stderr)
    print(json.dumps({"check": manifest["model"], "batch": manifest["batch"], "r1Gamma": manifest.get("r1Gamma", 0.0),
                      "ok": bool(ok),
                      "worstRelativeError": worst, "rtol": 1e-4, "atol": atol, "laterRtol": later_rtol,
                      "float64Replay": exact is not None}))
    return 0 if ok else 1


def measure(row, seconds, min_steps, adam):
    # MODEL@BATCH, optionally +r1 (or +r1-central, GANKit's other scheme: here the same exact R1), gamma 1.
    model_batch, _, penalty = row.partition("+")
    if penalty not in ("", "r1", "r1-central"):
        raise SystemExit(f"pytorch_reference.py: unknown penalty '+{penalty}' in row {row}")
    model, batch = model_batch.split("@")
    batch = int(batch)
    torch.manual_seed(7)
    g, d = make_models(model)
    flops = 2 * batch * (8 * multiply_adds(d, (2,) + image_shape(model)) + 3 * multiply_adds(g, (2, 100)))
    step = Step(g, d, adam, 1.0 if penalty else 0.0)
    real = torch.rand((batch,) + image_shape(model)) * 2 - 1
    for _ in range(3 if model.startswith("dcgan") else 20):
        step(real)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    steps = 0
    while steps < min_steps or time.perf_counter() - wall0 < seconds:
        step(real)
        steps += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"row": row, "model": model, "batch": batch, "threads": torch.get_num_threads(), "steps": steps,
            "stepsPerSecond": steps / wall, "millisecondsPerStep": wall / steps * 1000,
            "cpuSecondsPerStep": cpu / steps, "stepsPerCPUSecond": steps / cpu,
            "gflopPerStep": flops / 1e9, "gflopPerSecond": flops * steps / wall / 1e9,
            "allocationsPerStep": -1, "peakRSSMiB": rss}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--row", default="mlp-small@64", help="MODEL@BATCH[+r1], e.g. dcgan@256 or dcgan@64+r1")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--min-steps", type=int, default=5)
    parser.add_argument("--adam", choices=["default", "foreach", "fused", "single"], default="default",
                        help="torch.optim.Adam implementation (default: PyTorch's own choice)")
    parser.add_argument("--check", metavar="DIR", help="compare losses with gankit-bench --export-check DIR")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    adam = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True},
            "single": {"foreach": False}}[args.adam]
    if args.check:
        sys.exit(check(args.check, adam))
    print(json.dumps(measure(args.row, args.seconds, args.min_steps, adam)))


if __name__ == "__main__":
    main()
