"""Rebuilds a GANKit generator file as a PyTorch module (Docs/UsingAModel.md).

    from gankit_pytorch import load_generator
    model, metadata = load_generator("gan-output/generator.safetensors")
    images = model(torch.randn(16, int(metadata["gankit.latent_dimension"])))

The architecture comes from the file's `gankit.architecture` metadata; the weights load
with `load_state_dict(strict=True)`, since GANKit names them as PyTorch's `state_dict` of
the same `nn.Sequential`. Needs torch and safetensors.
"""
import json

import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import load_file


class ConcatenateClassEmbedding(nn.Module):
    """GANKit's ConcatenateClassEmbedding: appends a learned vector per class to each sample.

    Set `labels` (a LongTensor [N]) before calling the model, as GANKit's setClassLabels does.
    """

    def __init__(self, classes, dimension):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(classes, dimension))
        self.labels = None

    def forward(self, x):
        vectors = self.weight[self.labels]
        if x.dim() == 4:  # images: the vector as constant planes
            vectors = vectors[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return torch.cat([x, vectors], dim=1)


def to_pytorch(architecture):
    """The nn.Sequential equivalent of a GANKit architecture (a dict, as in gankit.architecture)."""
    layers, spatial = [], False
    for layer in architecture["layers"]:
        kind, s = layer["type"], layer.get("settings", {})
        if kind == "Sequential":
            layers.append(to_pytorch(layer))
        elif kind == "Dense":
            layers.append(nn.Linear(s["in"], s["out"], bias=s["bias"]))
        elif kind == "BatchNorm":
            norm = nn.BatchNorm2d if spatial else nn.BatchNorm1d
            layers.append(norm(s["features"], eps=s["epsilon"], momentum=s["momentum"], affine=s["affine"]))
        elif kind == "ReLU":
            layers.append(nn.ReLU())
        elif kind == "LeakyReLU":
            layers.append(nn.LeakyReLU(s["alpha"]))
        elif kind == "Tanh":
            layers.append(nn.Tanh())
        elif kind == "Sigmoid":
            layers.append(nn.Sigmoid())
        elif kind == "Reshape":
            layers.append(nn.Unflatten(1, tuple(s["shape"])))
            spatial = len(s["shape"]) == 3
        elif kind == "Flatten":
            layers.append(nn.Flatten())
            spatial = False
        elif kind == "Dropout":
            layers.append(nn.Dropout(s["rate"]))
        elif kind == "ConvTranspose2D":
            layers.append(nn.ConvTranspose2d(s["in"], s["out"], tuple(s["kernel"]), tuple(s["stride"]),
                                             tuple(s["padding"]), tuple(s["outputPadding"]), bias=s["bias"]))
        elif kind == "Conv2D":
            layers.append(nn.Conv2d(s["in"], s["out"], tuple(s["kernel"]), tuple(s["stride"]), tuple(s["padding"]),
                                    bias=s["bias"]))
        elif kind == "ConcatenateClassEmbedding":
            layers.append(ConcatenateClassEmbedding(s["classes"], s["dimension"]))
        else:
            raise ValueError(f"no PyTorch equivalent of GANKit layer {kind} here")
    return nn.Sequential(*layers)


def load_generator(path):
    """The generator of a GANKit file, in eval mode, and the file's metadata."""
    with safe_open(path, framework="pt") as file:
        metadata = file.metadata()
    model = to_pytorch(json.loads(metadata["gankit.architecture"]))
    model.load_state_dict(load_file(path), strict=True)
    return model.eval(), metadata
