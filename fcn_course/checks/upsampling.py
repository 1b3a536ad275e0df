"""The exercise ``upsampler``: a transposed convolution that starts as bilinear interpolation (learned or frozen).

It is tried for even and odd factors (the odd one catches the even-factor recipe, kernel 2·factor, that gives
one pixel too many) and channel counts (a layer that hard-codes its channels, or mixes them, is caught), each
learnable and frozen. The student derives the kernel size and padding: no message gives them.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from fcn_course.backbones import bilinear_kernel
from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_student_code
from fcn_course.messages import text

FACTORS = (2, 3, 4)
CHANNELS = {2: 2, 3: 3, 4: 5}  # channels tried with each factor


@exercise("upsampler", notebook="03_upsampling_e_perdas", names=("make_upsampler",))
def check_upsampler(make_upsampler, verbose: bool = True) -> CheckResult:
    """``make_upsampler(channels, factor, learnable)``: ConvTranspose2d, exact size, bilinear, (un)frozen."""
    problems = []
    with judging(problems):
        for factor in FACTORS:
            for learnable in (True, False):
                channels = CHANNELS[factor]
                layer = run_student_code(
                    problems,
                    f"make_upsampler({channels}, {factor}, learnable={learnable})",
                    make_upsampler,
                    channels,
                    factor,
                    learnable,
                )
                _check_one_upsampler(layer, channels, factor, learnable, problems)
                if problems:
                    raise Failed
    return finish("upsampler", problems, verbose)


def _mixes_channels(layer: nn.ConvTranspose2d) -> bool:
    """Whether each channel has the bilinear filter but also feeds the other channels (``bilinear_kernel``
    leaves the pairs i != j at zero)."""
    weight = layer.weight.detach()
    channels_in, channels_out = weight.shape[:2]  # a transposed convolution's weight is [in, out, k, k]
    if layer.groups != 1 or channels_in != channels_out or channels_in < 2:
        return False
    bilinear = bilinear_kernel(1, 1, weight.shape[-1])[0, 0]
    diagonal = weight[range(channels_in), range(channels_in)]
    off_diagonal = ~torch.eye(channels_in, dtype=torch.bool)
    return bool(
        torch.allclose(diagonal, bilinear.expand_as(diagonal), atol=1e-4) and weight[off_diagonal].abs().max() > 0
    )


def _check_one_upsampler(layer, channels, factor, learnable, problems):
    case = text("checks.upsampling.case", factor=factor)
    if not isinstance(layer, nn.ConvTranspose2d):
        problems.append(text("checks.upsampling.not_conv_transpose", case=case, kind=type(layer).__name__))
        return
    if (layer.in_channels, layer.out_channels) != (channels, channels):
        problems.append(
            text(
                "checks.upsampling.channels",
                case=case,
                channels=channels,
                factor=factor,
                in_channels=layer.in_channels,
                out_channels=layer.out_channels,
            )
        )
        return
    if layer.bias is not None:
        problems.append(text("checks.upsampling.bias", case=case))
        return
    if tuple(layer.kernel_size) == tuple(layer.stride) == (factor, factor):
        problems.append(text("checks.upsampling.no_overlap", case=case))  # blocks, not a tent: never bilinear
        return
    x = torch.randn(1, channels, 7, 9, generator=torch.Generator().manual_seed(factor))
    with torch.no_grad():
        y = run_student_code(problems, text("checks.upsampling.forward", case=case, channels=channels), layer, x)
    expected = (7 * factor, 9 * factor)
    if tuple(y.shape[-2:]) != expected:
        hint = text("checks.upsampling.hint_odd" if factor % 2 else "checks.upsampling.hint_even")
        problems.append(
            text(
                "checks.upsampling.size",
                case=case,
                height=expected[0],
                width=expected[1],
                got_height=y.shape[-2],
                got_width=y.shape[-1],
                hint=hint,
            )
        )
        return
    reference = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    inside = (..., slice(factor, -factor), slice(factor, -factor))  # the borders differ (zero padding)
    if not torch.allclose(y[inside], reference[inside], atol=1e-4):
        key = "checks.upsampling.mixes_channels" if _mixes_channels(layer) else "checks.upsampling.not_bilinear"
        problems.append(text(key, case=case))
        return
    if layer.weight.requires_grad != learnable:
        want = text("checks.upsampling.learns" if learnable else "checks.upsampling.fixed")
        problems.append(text("checks.upsampling.requires_grad", case=case, learnable=learnable, want=want))
