"""Backbones for the FCNs: a registry of classification networks, their weights, and initialisation helpers.

An FCN reuses the convolutional part (``model.features``) of a classification network. Each backbone is
described **once**, in :data:`BACKBONES`: how to build it, where its ImageNet weights come from, where to cut
``features`` to get the shallow maps used by skip connections, the channels at each stride, the smallest
input it accepts and the name of the FCN class students write for it. Checks, the grid, ``predict``, the
train script and the tests read this table, so a new backbone is one :func:`register_backbone` call.

The module also provides the two initialisations the course uses: random (Kaiming) for layers trained from
scratch and bilinear for transposed convolutions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import torch
from torch import nn
from torchvision import models

from fcn_course.environment import WEIGHTS_ENV, read_environment
from fcn_course.messages import text


class PretrainedWeightsError(RuntimeError):
    """The ImageNet weights were requested but could not be loaded (no silent random fallback)."""


@dataclass(frozen=True)
class Backbone:
    """Everything the course needs to know about one backbone.

    ``cuts[stride]`` is the end (exclusive) of the slice ``features[:end]`` whose last layer is a max-pooling
    with output at 1/stride of the input; ``features[end:]`` is the rest. ``channels[stride]`` is the number
    of channels there (32 = the whole ``features``).
    """

    name: str  # registry key, also written in run folders: "alexnet"
    display_name: str  # for people: "AlexNet"
    build: Callable[..., nn.Module]  # torchvision-style constructor: build(weights=None) -> model with .features
    cuts: dict  # {8: end, 16: end}
    channels: dict  # {8: c, 16: c, 32: c}
    min_input_size: int  # smaller inputs leave the last pooling nothing to pool
    class_name: str  # the FCN class students write for it: "FCN_AlexNet"
    loader_name: str  # the function students call: "load_alexnet"
    weights: object = None  # torchvision weights enum (its .url is downloaded), or None
    weight_file: Optional[str] = None  # file name in the torch hub cache; "-<sha256 prefix>.pth" at its end
    check_sizes: tuple = ((224, 224), (96, 96), (97, 131))  # input sizes the self-checks try
    notes: dict = field(default_factory=dict)


BACKBONES: dict = {}


def register_backbone(backbone: Backbone) -> Backbone:
    """Add ``backbone`` to the registry (replacing one of the same name) and return it."""
    BACKBONES[backbone.name] = backbone
    return backbone


def get_backbone(name: str) -> Backbone:
    """The registered backbone called ``name``; a KeyError lists the known names."""
    try:
        return BACKBONES[name]
    except KeyError:
        raise KeyError(text("backbones.unknown", name=name, known=", ".join(BACKBONES))) from None


def backbone_for_class(model_cls) -> Optional[Backbone]:
    """The backbone whose FCN class is ``model_cls``: its ``backbone_name`` attribute, else the class name of it
    or of a class it inherits from (``class MyFCN(FCN_AlexNet)`` is an AlexNet FCN); None when unknown."""
    declared = getattr(model_cls, "backbone_name", None)
    if declared in BACKBONES:
        return BACKBONES[declared]
    by_class_name = {spec.class_name: spec for spec in BACKBONES.values()}
    for klass in getattr(model_cls, "__mro__", ()):
        if klass.__name__ in by_class_name:
            return by_class_name[klass.__name__]
    return None


ALEXNET = register_backbone(
    Backbone(
        name="alexnet",
        display_name="AlexNet",
        build=models.alexnet,
        # AlexNet `features` has 13 layers: features[:3] = conv1 (stride 4), ReLU, pool1 -> 1/8 (224 -> 27);
        # features[:6] = ... conv2, ReLU, pool2 -> 1/16 (224 -> 13); the whole of it ends with pool5 -> 1/32 (224 -> 6).
        cuts={8: 3, 16: 6},
        channels={8: 64, 16: 192, 32: 256},
        min_input_size=63,  # smaller images leave pool5 nothing to pool (its window is 3x3)
        class_name="FCN_AlexNet",
        loader_name="load_alexnet",
        weights=models.AlexNet_Weights.IMAGENET1K_V1,
        weight_file="alexnet-owt-7be5be79.pth",
    )
)
VGG16 = register_backbone(
    Backbone(
        name="vgg16",
        display_name="VGG16",
        build=models.vgg16,
        # VGG16 `features` has 31 layers: features[:17] ends with pool3 -> 1/8 (224 -> 28); features[:24] with
        # pool4 -> 1/16 (224 -> 14); the whole of it with pool5 -> 1/32 (224 -> 7).
        cuts={8: 17, 16: 24},
        channels={8: 256, 16: 512, 32: 512},
        min_input_size=32,  # five 2x2 poolings: 32 -> 16 -> 8 -> 4 -> 2 -> 1
        class_name="FCN_VGG16",
        loader_name="load_vgg16",
        weights=models.VGG16_Weights.IMAGENET1K_V1,
        weight_file="vgg16-397923af.pth",
        check_sizes=((64, 64), (97, 131)),  # VGG16 is slow on a CPU: small inputs keep the check quick
    )
)

# Names the exercises use (views of the registry above, not separate definitions).
ALEXNET_STRIDE8_END, ALEXNET_STRIDE16_END = ALEXNET.cuts[8], ALEXNET.cuts[16]
ALEXNET_CHANNELS, ALEXNET_MIN_INPUT_SIZE = ALEXNET.channels, ALEXNET.min_input_size
VGG16_STRIDE8_END, VGG16_STRIDE16_END = VGG16.cuts[8], VGG16.cuts[16]
VGG16_CHANNELS, VGG16_MIN_INPUT_SIZE = VGG16.channels, VGG16.min_input_size
WEIGHT_FILES = {spec.name: spec.weight_file for spec in (ALEXNET, VGG16)}


# ---------------------------------------------------------------------------------------------
# Loading, with or without ImageNet weights
# ---------------------------------------------------------------------------------------------


def load_alexnet(pretrained=False):
    """Return torchvision's AlexNet, with ImageNet weights if `pretrained` else randomly initialised.

    Use `.features` for the convolutional part. `pretrained=False` never touches the network.
    """
    return load_backbone("alexnet", pretrained)


def load_vgg16(pretrained=False):
    """Return torchvision's VGG16 (without batch norm), with ImageNet weights if `pretrained`.

    Use `.features` for the convolutional part. `pretrained=False` never touches the network.
    """
    return load_backbone("vgg16", pretrained)


def load_backbone(name, pretrained=False):
    """Build the registered backbone ``name``; with ``pretrained`` load its ImageNet weights.

    Looks for a local copy of the weight file first (``$FCN_COURSE_WEIGHTS``, then the torch hub cache),
    checks it against the hash in its file name, and only then downloads through torchvision.
    Raises PretrainedWeightsError, saying what was tried and how to fix it, on any failure.
    """
    spec = get_backbone(name)
    if not pretrained:
        return spec.build(weights=None)
    if spec.weights is None or spec.weight_file is None:
        raise PretrainedWeightsError(text("backbones.no_weights", backbone=spec.display_name))
    tried = [] if read_environment().weights else [text("backbones.env_not_set", env=WEIGHTS_ENV)]
    local = _load_local_weights(spec, tried)
    if local is not None:
        return local
    try:
        return spec.build(weights=spec.weights)
    except Exception as error:
        tried.append(text("backbones.download_failed", url=spec.weights.url, error=f"{type(error).__name__}: {error}"))
        raise PretrainedWeightsError(_weights_help(spec, tried)) from error


def local_weight_candidates(file_name):
    """Paths where a local copy of `file_name` is looked for, in order, with a note on each.

    1. `$FCN_COURSE_WEIGHTS` (the file itself, or a folder containing `file_name`);
    2. the torch hub cache, `torch.hub.get_dir()/checkpoints/file_name` (where torchvision downloads to).
    """
    candidates = []
    env_path = read_environment().weights
    if env_path is not None:
        if env_path.is_dir():
            candidates.append((env_path / file_name, text("backbones.where_env_folder", env=WEIGHTS_ENV)))
        else:
            candidates.append((env_path, text("backbones.where_env_file", env=WEIGHTS_ENV)))
    candidates.append((Path(torch.hub.get_dir()) / "checkpoints" / file_name, text("backbones.where_hub_cache")))
    return candidates


def local_weights_file(name) -> Optional[Path]:
    """The first local copy of backbone ``name``'s weight file, or None (nothing would be downloaded)."""
    spec = get_backbone(name)
    if spec.weight_file is None:
        return None
    return next((path for path, _ in local_weight_candidates(spec.weight_file) if path.is_file()), None)


def expected_hash_prefix(file_name: str) -> Optional[str]:
    """The sha256 prefix torchvision puts in its weight file names (``alexnet-owt-7be5be79.pth`` -> ``7be5be79``)."""
    match = re.search(r"-([0-9a-f]{6,64})\.pth?$", Path(file_name).name)
    return match.group(1) if match else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _load_local_weights(spec: Backbone, tried: list):
    """The backbone with weights from the first local file found, None when there is none."""
    for path, where in local_weight_candidates(spec.weight_file):
        if not path.is_file():
            tried.append(text("backbones.file_not_found", path=path, where=where))
            continue
        prefix = expected_hash_prefix(spec.weight_file)
        if prefix and not _sha256(path).startswith(prefix):
            tried.append(text("backbones.wrong_hash", path=path, where=where, prefix=prefix, file=spec.weight_file))
            raise PretrainedWeightsError(_weights_help(spec, tried))
        model = spec.build(weights=None)
        try:
            state_dict = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state_dict, strict=True)
        except Exception as error:  # corrupt, truncated, or the weights of another network
            problem = f"{type(error).__name__}: {error}"
            tried.append(text("backbones.unusable_file", path=path, where=where, problem=problem))
            raise PretrainedWeightsError(_weights_help(spec, tried)) from error
        return model
    return None


def _weights_help(spec: Backbone, tried):
    """Error message: what was tried, which file is needed, where to put it, and the alternative."""
    return text(
        "backbones.weights_help",
        backbone=spec.display_name,
        file=spec.weight_file,
        url=spec.weights.url,
        tried="\n".join(f"  - {attempt}" for attempt in tried),
        env=WEIGHTS_ENV,
        hub_folder=Path(torch.hub.get_dir()) / "checkpoints",
    )


# ---------------------------------------------------------------------------------------------
# Initialisation helpers
# ---------------------------------------------------------------------------------------------


def feature_channels(module):
    """Number of channels produced by `module`: the out_channels of its last Conv2d."""
    convs = [layer for layer in module.modules() if isinstance(layer, nn.Conv2d)]
    if not convs:
        raise ValueError(text("backbones.no_conv"))
    return convs[-1].out_channels


def initialize_weights(*modules):
    """Random initialisation for training from scratch, applied to every layer inside `modules`.

    Conv2d, ConvTranspose2d and Linear: Kaiming normal weights (suited to ReLU) and zero bias.
    BatchNorm: weight 1 and bias 0 (the identity at the start).
    """
    for module in modules:
        for layer in module.modules():
            if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                if layer.bias is not None:
                    nn.init.zeros_(layer.bias)
            elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.ones_(layer.weight)
                nn.init.zeros_(layer.bias)


def bilinear_kernel(in_channels, out_channels, kernel_size):
    """Weights `[in_channels, out_channels, k, k]` that make a ConvTranspose2d upsample bilinearly.

    For an upsampling factor s use
    `nn.ConvTranspose2d(C, C, kernel_size=2 * s - s % 2, stride=s, padding=s // 2, bias=False)` and copy
    this kernel into its weight: the output is exactly s times larger and, away from the borders, equals
    `F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=False)`. Any factor works, but the
    kernel size depends on its parity: 2s for even s (the FCN paper's 4/2, 16/8, 64/32), 2s - 1 for odd s.
    The paper's recipe `kernel_size=2 * s` with an odd s gives one pixel too many (s*H + 1), because
    its tent is then centred between two pixels while bilinear sampling at an odd factor lands on a pixel
    centre (tests/test_backbones.py shows both).
    Channel i is only connected to channel i (the other entries are zero).
    """
    factor = (kernel_size + 1) // 2
    # Centre of the kernel: a pixel centre for odd sizes, between two pixels for even sizes.
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    positions = torch.arange(kernel_size, dtype=torch.float32)
    profile = 1 - torch.abs(positions - center) / factor  # 1D "tent" (linear interpolation)
    kernel_2d = profile[:, None] * profile[None, :]  # separable: rows x columns
    weight = torch.zeros(in_channels, out_channels, kernel_size, kernel_size)
    for channel in range(min(in_channels, out_channels)):
        weight[channel, channel] = kernel_2d
    return weight
