"""The exercise ``upsampler``: a transposed convolution that starts as bilinear interpolation (learned or frozen)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import exercise

FACTORS = (2, 3, 4)  # an odd factor catches the kernel 2s that gives one pixel too many


@exercise("upsampler", notebook="02_fcn_alexnet", names=("make_upsampler",))
def check_upsampler(make_upsampler, verbose: bool = True) -> CheckResult:
    """``make_upsampler(channels, factor, learnable)``: ConvTranspose2d, exact size, bilinear, (un)frozen."""
    problems = []
    try:
        for factor in FACTORS:
            for learnable in (True, False):
                layer = run_student_code(problems, f"make_upsampler(2, {factor}, learnable={learnable})",
                                         make_upsampler, 2, factor, learnable)
                _check_one_upsampler(layer, factor, learnable, problems)
                if problems:
                    raise Failed
    except Failed:
        pass
    return finish("upsampler", problems, verbose)


def _check_one_upsampler(layer, factor, learnable, problems):
    case = f"fator {factor}"
    if not isinstance(layer, nn.ConvTranspose2d):
        problems.append(f"{case}: devolva uma nn.ConvTranspose2d (veio {type(layer).__name__}); é ela que "
                        "pode aprender, ao contrário de F.interpolate.")
        return
    if layer.bias is not None:
        problems.append(f"{case}: crie a camada com bias=False; um viés somaria uma constante aos mapas e a "
                        "camada deixaria de ser uma interpolação.")
        return
    x = torch.randn(1, 2, 7, 9, generator=torch.Generator().manual_seed(factor))
    with torch.no_grad():
        y = layer(x)
    expected = (7 * factor, 9 * factor)
    if tuple(y.shape[-2:]) != expected:
        hint = (" Para fator ímpar, kernel_size = 2*fator dá um pixel a mais: use 2*fator - fator % 2."
                if factor % 2 else " Confira kernel_size=2*fator, stride=fator e padding=fator // 2.")
        problems.append(f"{case}: uma entrada 7x9 deveria virar {expected[0]}x{expected[1]}, virou "
                        f"{y.shape[-2]}x{y.shape[-1]}.{hint}")
        return
    reference = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    inside = (..., slice(factor, -factor), slice(factor, -factor))  # the borders differ (zero padding)
    if not torch.allclose(y[inside], reference[inside], atol=1e-4):
        problems.append(f"{case}: longe das bordas a saída deveria ser igual a F.interpolate(..., "
                        "mode='bilinear', align_corners=False). Copie bilinear_kernel(channels, channels, "
                        "kernel_size) para layer.weight (dentro de torch.no_grad()) e use padding=fator // 2.")
        return
    if layer.weight.requires_grad != learnable:
        want = "True (a camada aprende)" if learnable else "False (a camada fica fixa)"
        problems.append(f"{case}, learnable={learnable}: layer.weight.requires_grad deveria ser {want}; use "
                        "layer.weight.requires_grad_(learnable).")
