#!/usr/bin/env python3
"""Writes generators trained in PyTorch, saved the way PyTorch users save them, for
GANKit's import test (Tests/GANKitTests/Interop/PyTorchImportTests.swift).

For each model: <name>.safetensors is `safetensors.torch.save_file(model.state_dict(), ...)`,
exactly what a PyTorch user writes (no GANKit metadata), and <name>.expected.safetensors holds
the noise and the images PyTorch's model produced from it in eval mode. The models are small
versions of GANKit's MLPGAN and DCGAN builders (the layer order of Docs/UsingAModel.md's
PyTorch definitions), trained for a few steps on random targets so that every weight and
BatchNorm running statistic is far from its initial value.

Needs torch and safetensors: pip install torch safetensors. Run from the repository root:
    python3 Scripts/make-pytorch-fixtures.py Tests/Fixtures/PyTorch
"""
import sys
from pathlib import Path

import torch
from torch import nn
from safetensors.torch import save_file


def mlp_generator(latent=8, hidden=(16, 32), image=(1, 8, 8)):
    # MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 8, 8], generatorHiddenSizes: [16, 32])
    layers, width = [], latent
    for size in hidden:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
        width = size
    layers += [nn.Linear(width, image[0] * image[1] * image[2]), nn.Tanh(), nn.Unflatten(1, image)]
    return nn.Sequential(*layers)


def dcgan_generator(latent=8, base=4, channels=1, size=8, depth=2):
    # DCGAN.Configuration(latentDimension: 8, imageSize: 8, channels: 1, baseWidth: 4, depth: 2)
    initial_size, width = size >> depth, base << (depth - 1)
    projected = width * initial_size * initial_size
    layers = [nn.Linear(latent, projected, bias=False), nn.BatchNorm1d(projected), nn.ReLU(),
              nn.Unflatten(1, (width, initial_size, initial_size))]
    for _ in range(1, depth):
        layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU()]
        width //= 2
    layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
    return nn.Sequential(*layers)


def train_briefly(model, latent, steps=20):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        noise = torch.randn(16, latent)
        loss = ((model(noise) - 0.3) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/PyTorch")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(2026)
    for name, model in [("mlp-generator", mlp_generator()), ("dcgan-generator", dcgan_generator())]:
        train_briefly(model, latent=8)
        model.eval()
        noise = torch.randn(5, 8)
        with torch.no_grad():
            images = model(noise)
        save_file(model.state_dict(), out / f"{name}.safetensors")
        save_file({"noise": noise.contiguous(), "images": images.contiguous()}, out / f"{name}.expected.safetensors")
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, images {tuple(images.shape)}")


if __name__ == "__main__":
    main()
