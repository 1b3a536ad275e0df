"""Backbones for the FCNs: torchvision AlexNet and VGG16, plus weight-initialisation helpers.

An FCN reuses the convolutional part (`model.features`) of a classification network. This module
loads those networks (with ImageNet weights or without), says where to cut `features` to get the
shallow feature maps used by skip connections, and provides the two initialisations the course uses:
random (Kaiming) for layers trained from scratch and bilinear for transposed convolutions.
"""

import os
from pathlib import Path

import torch
from torch import nn
from torchvision import models

from fcn_course.config import SMOKE_ENV, smoke_mode

# ---------------------------------------------------------------------------------------------
# Where to cut `features`. A "..._END" constant is the end (exclusive) of a slice: features[:END]
# ends with a max-pooling layer whose output is 1/stride of the input size. features[END:] is the rest.
# ---------------------------------------------------------------------------------------------

# AlexNet `features` has 13 layers (indices 0..12): 5 convolutions, 3 max-poolings.
ALEXNET_STRIDE8_END = 3  # features[:3] = conv1 (stride 4), ReLU, pool1 -> 64 channels at 1/8 (224 -> 27)
ALEXNET_STRIDE16_END = 6  # features[:6] = ... conv2, ReLU, pool2 -> 192 channels at 1/16 (224 -> 13)
# The whole `features` ends with pool5 -> 256 channels at 1/32 (224 -> 6).
ALEXNET_CHANNELS = {8: 64, 16: 192, 32: 256}  # output channels at each stride
ALEXNET_MIN_INPUT_SIZE = 63  # smaller images leave pool5 nothing to pool (its window is 3x3)

# VGG16 `features` has 31 layers (indices 0..30): 13 convolutions, 5 max-poolings.
VGG16_STRIDE8_END = 17  # features[:17] = conv1_1 ... conv3_3, pool3 -> 256 channels at 1/8 (224 -> 28)
VGG16_STRIDE16_END = 24  # features[:24] = ... conv4_3, pool4 -> 512 channels at 1/16 (224 -> 14)
# The whole `features` ends with pool5 -> 512 channels at 1/32 (224 -> 7).
VGG16_CHANNELS = {8: 256, 16: 512, 32: 512}  # output channels at each stride
VGG16_MIN_INPUT_SIZE = 32  # five 2x2 poolings: 32 -> 16 -> 8 -> 4 -> 2 -> 1

# ---------------------------------------------------------------------------------------------
# Pretrained (ImageNet) weights
# ---------------------------------------------------------------------------------------------

# File names used by torchvision (and by the torch hub cache) for the ImageNet weights.
WEIGHT_FILES = {
    "alexnet": "alexnet-owt-7be5be79.pth",
    "vgg16": "vgg16-397923af.pth",
}

# Environment variable: a folder holding the weight files, or the path of one weight file.
WEIGHTS_ENV = "FCN_COURSE_WEIGHTS"


class PretrainedWeightsError(RuntimeError):
    """The ImageNet weights were requested but could not be loaded (no silent random fallback)."""


def load_alexnet(pretrained=False):
    """Return torchvision's AlexNet, with ImageNet weights if `pretrained` else randomly initialised.

    Use `.features` for the convolutional part. `pretrained=False` never touches the network.
    """
    return _load_model("alexnet", models.alexnet, models.AlexNet_Weights.IMAGENET1K_V1, pretrained)


def load_vgg16(pretrained=False):
    """Return torchvision's VGG16 (without batch norm), with ImageNet weights if `pretrained`.

    Use `.features` for the convolutional part. `pretrained=False` never touches the network.
    """
    return _load_model("vgg16", models.vgg16, models.VGG16_Weights.IMAGENET1K_V1, pretrained)


def local_weight_candidates(file_name):
    """Paths where a local copy of `file_name` is looked for, in order, with a note on each.

    1. `$FCN_COURSE_WEIGHTS` (the file itself, or a folder containing `file_name`);
    2. the torch hub cache, `torch.hub.get_dir()/checkpoints/file_name` (where torchvision downloads to).
    """
    candidates = []
    env_value = os.environ.get(WEIGHTS_ENV)
    if env_value:
        env_path = Path(env_value).expanduser()
        if env_path.is_dir():
            candidates.append((env_path / file_name, f"${WEIGHTS_ENV} folder"))
        else:
            candidates.append((env_path, f"${WEIGHTS_ENV} file"))
    candidates.append((Path(torch.hub.get_dir()) / "checkpoints" / file_name, "torch hub cache"))
    return candidates


def _load_model(name, builder, weights, pretrained):
    """Build a torchvision model; see `load_alexnet`. Raises PretrainedWeightsError on any failure."""
    if not pretrained:
        return builder(weights=None)

    file_name = WEIGHT_FILES[name]
    tried = []
    if not os.environ.get(WEIGHTS_ENV):
        tried.append(f"${WEIGHTS_ENV}: not set")

    # 1) A local file: no network needed.
    for path, where in local_weight_candidates(file_name):
        if not path.is_file():
            tried.append(f"{path} ({where}): not found")
            continue
        model = builder(weights=None)
        try:
            state_dict = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state_dict, strict=True)
        except Exception as error:  # corrupt, truncated, or the weights of another network
            problem = f"{type(error).__name__}: {error}"
            tried.append(f"{path} ({where}): found but unusable (delete or replace it): {problem}")
            raise PretrainedWeightsError(_weights_help(name, file_name, weights.url, tried)) from error
        return model

    # 2) torchvision's weights API: downloads the file into the torch hub cache.
    if smoke_mode():  # smoke runs are quick and offline by design: a 233-528 MB download is neither
        tried.append(f"download {weights.url}: not attempted in smoke mode ({SMOKE_ENV}=1)")
        raise PretrainedWeightsError(_weights_help(name, file_name, weights.url, tried))
    try:
        return builder(weights=weights)
    except Exception as error:
        tried.append(f"download {weights.url}: failed: {type(error).__name__}: {error}")
        raise PretrainedWeightsError(_weights_help(name, file_name, weights.url, tried)) from error


def _weights_help(name, file_name, url, tried):
    """Error message: what was tried, which file is needed, where to put it, and the alternative."""
    hub_folder = Path(torch.hub.get_dir()) / "checkpoints"
    title = {"alexnet": "AlexNet", "vgg16": "VGG16"}[name]
    lines = [f"Could not load the ImageNet weights of {title} (pretrained=True). Tried:"]
    lines += [f"  - {attempt}" for attempt in tried]
    lines += [
        f"Expected file: {file_name} (downloadable from {url}).",
        "To fix it, either:",
        f"  - copy {file_name} into the torch hub cache: {hub_folder}/",
        f"  - or put it in a folder of your choice and set the environment variable {WEIGHTS_ENV} to that folder",
        f"    (or to the file itself), e.g. os.environ['{WEIGHTS_ENV}'] = '/path/to/weights';",
        "  - or train from scratch with pretrained=False (no download; expect a lower mIoU).",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Initialisation helpers
# ---------------------------------------------------------------------------------------------


def feature_channels(module):
    """Number of channels produced by `module`: the out_channels of its last Conv2d."""
    convs = [layer for layer in module.modules() if isinstance(layer, nn.Conv2d)]
    if not convs:
        raise ValueError("feature_channels: the module has no Conv2d layer")
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

    For an upsampling factor s use `nn.ConvTranspose2d(C, C, kernel_size=2 * s, stride=s, padding=s // 2)`
    and copy this kernel into its weight: away from the borders the result equals
    `F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=False)`.
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
