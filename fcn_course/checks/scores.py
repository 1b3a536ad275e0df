"""The exercise ``vgg16-scoresum``: the paper's FCN-8s head on VGG16 (class scores of pool3, pool4, pool5 summed).

Each skip must *add* class scores: the output moves linearly with the weight of its score layer, by an amount
that does not depend on the deeper scores. The probe adapts to the size of that movement, so the authors' own
variant (pool4's scores scaled by 0.01 and pool3's by 0.0001 in their reference implementation) passes, with a
note.
"""

from __future__ import annotations

import contextlib
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_student_code
from fcn_course.checks.models import (
    UpsamplingRecorder,
    build_model,
    check_eval_behavior,
    check_raw_scores,
    check_trainable,
    check_upsampling_modes,
    last_conv,
    offline_backbones,
)
from fcn_course.messages import text

NUM_CLASSES = 3
SIZES = ((64, 80), (96, 48))  # small inputs: VGG16 is slow on a CPU
SCORE_LAYERS = {"score_pool3": 256, "score_pool4": 512}  # name -> channels of the pooling it reads
LEVELS = {"score_pool3": "to_pool3", "score_pool4": "to_pool4"}  # the given code's module ending at that pooling


@exercise("vgg16-scoresum", notebook="04_fcn_vgg16", names=("FCN8s_VGG16_Sum",), group="vgg16")
def check_score_sum(model_class, verbose: bool = True) -> CheckResult:
    """Score layers 1x1 -> C, output [B, C, H, W] of raw scores, each skip adds class scores (linear in its
    layer, independent of the deeper scores); ``pretrained`` passed on; no weights downloaded."""
    problems, notes, calls = [], [], []
    torch.manual_seed(0)
    with judging(problems), offline_backbones(calls):
        name = getattr(model_class, "__name__", text("checks.scores.the_model"))
        net = build_model(
            problems, text("checks.scores.build", name=name), calls, model_class, NUM_CLASSES, pretrained=False
        )
        if calls and calls[0]:
            problems.append(text("checks.scores.pretrained_ignored"))
            raise Failed
        _check_score_layers(net, problems)
        check_trainable(net, problems)
        _check_outputs(net, problems)
        x = torch.randn(1, 3, *SIZES[0])
        for layer in SCORE_LAYERS:
            _check_adds_scores(net, layer, x, problems, notes)
    return finish("vgg16-scoresum", problems, verbose, notes=notes)


def _check_score_layers(net, problems):
    for name, channels in SCORE_LAYERS.items():
        layer = getattr(net, name, None)
        if not isinstance(layer, nn.Conv2d):
            problems.append(text("checks.scores.not_conv", name=name, kind=type(layer).__name__))
            raise Failed
        if layer.kernel_size != (1, 1) or layer.in_channels != channels or layer.out_channels != NUM_CLASSES:
            problems.append(
                text(
                    "checks.scores.wrong_layer",
                    name=name,
                    channels=channels,
                    in_channels=layer.in_channels,
                    out_channels=layer.out_channels,
                    kernel_size=layer.kernel_size,
                )
            )
            raise Failed


def _check_outputs(net, problems):
    """Scores of the input's size for two sizes, raw, in a sane evaluation mode, upsampled bilinearly.

    The probes run with random weights in the score layers (the paper starts them at zero, which would hide
    whatever their paths do), restored afterwards.
    """
    net.eval()
    with UpsamplingRecorder() as recorder, _random_score_weights(net):
        for index, (height, width) in enumerate(SIZES):
            x = torch.randn(1, 3, height, width)
            what = text("checks.scores.forward", height=height, width=width)
            with torch.no_grad():
                output = run_student_code(problems, what, net, x)
            if not isinstance(output, torch.Tensor) or tuple(output.shape) != (1, NUM_CLASSES, height, width):
                shape = list(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
                problems.append(
                    text("checks.scores.wrong_shape", classes=NUM_CLASSES, height=height, width=width, shape=shape)
                )
                raise Failed
            if index == 0:
                pair = torch.randn(2, 3, height, width)
                with torch.no_grad():
                    both = run_student_code(problems, what, net, pair)
                # a ReLU after a sum is named by the linearity probe, which says where it went wrong
                check_raw_scores(net, pair, both, problems, what, kinds=("softmax", "log_softmax", "sigmoid"))
                check_eval_behavior(net, pair, both, problems, what)
    uses_module = any(isinstance(m, nn.ConvTranspose2d) for m in net.modules())
    check_upsampling_modes(recorder.modes, uses_module, problems)
    if problems:
        raise Failed


@contextlib.contextmanager
def _random_score_weights(net):
    layers = [getattr(net, name) for name in SCORE_LAYERS]
    saved = [layer.weight.detach().clone() for layer in layers]
    generator = torch.Generator().manual_seed(2)
    try:
        with torch.no_grad():
            for layer in layers:
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=generator) * 0.05)
        yield
    finally:
        with torch.no_grad():
            for layer, weight in zip(layers, saved):
                layer.weight.copy_(weight)


def _change(net, layer, weight, x) -> torch.Tensor:
    """How the output moves when ``layer``'s weight goes from 0 to ``weight`` (the bias cancels out)."""
    outputs = []
    with torch.no_grad():
        for scale in (0.0, 1.0):
            layer.weight.copy_(weight * scale)
            outputs.append(net(x))
    return outputs[1] - outputs[0]


def _level_features(net, name, x):
    """The pooling features ``name`` reads, taken from the given code's module (None when it has another shape)."""
    module = getattr(net, LEVELS[name], None)
    if not isinstance(module, nn.Module):
        return None
    seen = {}
    hook = module.register_forward_hook(lambda m, i, o: seen.__setitem__("features", o))
    try:
        with torch.no_grad():
            net(x)
    finally:
        hook.remove()
    return seen.get("features")


def _scale_note(net, name, weight, change, x):
    """A note when the skip's scores enter the sum scaled down (the authors' ×0.01 / ×0.0001), else None."""
    features = _level_features(net, name, x)
    if features is None or features.shape[1] != SCORE_LAYERS[name]:
        return None
    unscaled = F.interpolate(F.conv2d(features, weight), size=x.shape[-2:], mode="bilinear", align_corners=False)
    if unscaled.abs().mean() == 0:
        return None
    ratio = float(change.abs().mean() / unscaled.abs().mean())
    if ratio >= 0.1:
        return None
    return text("checks.scores.scaled_note", name=name, scale=f"{10 ** round(math.log10(ratio)):g}")


def _check_adds_scores(net, name, x, problems, notes):
    """The output must move linearly with the skip's score layer (it is *added*, nothing non-linear after),
    by an amount that does not depend on the deeper scores (added, not multiplied).

    Only the layer's weight changes: its bias (if it has one) is the same in every pass, so it cancels in the
    differences compared. The weight is scaled until the output moves by about 1, so that float rounding
    never hides the answer, however small the skip's contribution (the authors scale pool3 by 0.0001).
    """
    layer = getattr(net, name)
    original = layer.weight.detach().clone()
    weight = torch.randn(layer.weight.shape, generator=torch.Generator().manual_seed(1)) * 0.05
    try:
        first = _change(net, layer, weight, x)
        if first.abs().max() == 0:
            problems.append(text("checks.scores.unused", name=name))
            raise Failed
        weight = weight * min(1.0 / float(first.abs().max()), 1e8)
        first = _change(net, layer, weight, x)
        second = _change(net, layer, 2 * weight, x) / 2
        if not torch.allclose(first, second, atol=1e-3 * float(first.abs().max()) + 1e-6):
            problems.append(text("checks.scores.not_linear", name=name))
            raise Failed
        if not _independent_of_deeper_scores(net, layer, weight, first, x):
            problems.append(text("checks.scores.not_added", name=name))
            raise Failed
        note = _scale_note(net, name, weight, first, x)
        if note:
            notes.append(note)
    finally:
        with torch.no_grad():
            layer.weight.copy_(original)


def _independent_of_deeper_scores(net, layer, weight, change, x) -> bool:
    """With the classifier's scores changed, a sum moves the output by the same amount; a product does not."""
    last = last_conv(net)
    if last is None:
        return True
    saved = [p.detach().clone() for p in last.parameters()]
    try:
        with torch.no_grad():
            for p in last.parameters():
                p.mul_(1.7).add_(0.3)
        again = _change(net, layer, weight, x)
    finally:
        with torch.no_grad():
            for p, value in zip(last.parameters(), saved):
                p.copy_(value)
    return bool(torch.allclose(again, change, atol=1e-3 * float(change.abs().max()) + 1e-6))
