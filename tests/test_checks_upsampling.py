"""The self-check of Exercício 4 (fcn_course/checks/upsampling.py): a ConvTranspose2d that starts as bilinear
interpolation. The reference and right variants pass; each wrong answer fails with its own Portuguese hint."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from check_helpers import failed_messages
from fcn_course import backbones, checks
from fcn_course.backbones import bilinear_kernel
from fcn_course.messages import catalogue
from solutions.upsampling import make_upsampler


def _messages(result):
    return failed_messages(result)


def test_reference_upsampler_passes():
    assert checks.check_upsampler(make_upsampler, verbose=False).passed


def _upsampler(
    kernel=lambda s: 2 * s - s % 2,
    padding=lambda s: s // 2,
    bias=False,
    weight=True,
    freeze=True,
    kind=nn.ConvTranspose2d,
):
    def make(channels, factor, learnable):
        layer = kind(channels, channels, kernel_size=kernel(factor), stride=factor, padding=padding(factor), bias=bias)
        if weight:
            with torch.no_grad():
                layer.weight.copy_(bilinear_kernel(channels, channels, kernel(factor)))
        if freeze:
            layer.weight.requires_grad_(learnable)
        return layer

    return make


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda c, s, learnable: nn.Upsample(scale_factor=s, mode="bilinear"), "devolva uma nn.ConvTranspose2d"),
        (_upsampler(bias=True), "bias=False"),
        (_upsampler(kernel=lambda s: 2 * s), "fator ímpar"),  # the paper's 2s, taken for an odd factor
        (_upsampler(padding=lambda s: 0), "virou"),  # wrong size
        (_upsampler(weight=False), "Copie bilinear_kernel"),  # random initial weights
        (_upsampler(freeze=False), "requires_grad"),  # never frozen
    ],
)
def test_wrong_upsamplers_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_upsampler(wrong, verbose=False))


def test_unfinished_upsampler_stops_run_all(capsys):
    def stub(channels, factor, learnable):
        raise NotImplementedError("crie nn.ConvTranspose2d")

    with pytest.raises(checks.ExerciseNotDone, match="Exercício 4"):
        checks.check_upsampler(stub)


def _bilinear_upsampler(padding=lambda factor: factor // 2, frozen=False):
    def make(channels, factor, learnable):
        kernel = 2 * factor - factor % 2
        layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=padding(factor), bias=False)
        with torch.no_grad():
            layer.weight.copy_(backbones.bilinear_kernel(channels, channels, kernel))
        layer.weight.requires_grad_(False if frozen else learnable)
        return layer

    return make


def test_an_upsampler_that_never_learns_is_caught():
    result = checks.check_upsampler(_bilinear_upsampler(frozen=True), verbose=False)
    assert not result.passed
    assert "learnable=True: layer.weight.requires_grad deveria ser True" in _messages(result)


def test_a_wrong_size_at_an_even_factor_gets_the_even_factor_hint():
    result = checks.check_upsampler(_bilinear_upsampler(padding=lambda factor: 0), verbose=False)
    assert _messages(result).startswith("fator 2: uma entrada 7x9 deveria virar 14x18")
    assert "Confira stride=fator e se o kernel e o padding cumprem" in _messages(result)


# ---------------------------------------------------------------- issue 23: the student derives kernel and padding
def test_the_even_factor_recipe_passes_at_2_and_fails_at_3_with_a_question_not_the_answer():
    """Kernel 2*factor and padding factor // 2 (the demo's recipe) is right for 2 and one pixel too big for 3."""
    result = checks.check_upsampler(_upsampler(kernel=lambda s: 2 * s, padding=lambda s: s // 2), verbose=False)
    messages = _messages(result)
    assert messages.startswith("fator 3: uma entrada 7x9 deveria virar 21x27, virou 22x28")
    assert "paridade" in messages


def test_a_kernel_equal_to_the_factor_is_told_that_blocks_are_not_an_interpolation():
    """Kernel = factor with padding 0 has the right size, but its stamps never overlap: no tent, no bilinear."""
    result = checks.check_upsampler(_upsampler(kernel=lambda s: s, padding=lambda s: 0), verbose=False)
    assert _messages(result).startswith("fator 2: com kernel_size igual ao fator, os carimbos")


def test_no_feedback_of_exercise_4_gives_the_kernel_or_the_padding_away():
    """The exercise asks the student to derive both (issue 23): the check's messages ask, never answer."""
    upsampling = {key: value for key, value in catalogue().items() if key.startswith("checks.upsampling.")}
    assert upsampling
    for key, message in upsampling.items():
        for answer in ("fator % 2", "fator - 1", "fator // 2", "factor % 2", "factor // 2"):
            assert answer not in message, (key, answer)


# ---------------------------------------------------------------- issue 20: more wrong answers, as students write them
def channels_hard_coded(channels, factor, learnable):
    """Wrong: the 256 channels of AlexNet's pool5 written into the layer."""
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(256, 256, kernel, stride=factor, padding=factor // 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(bilinear_kernel(256, 256, kernel))
    layer.weight.requires_grad_(learnable)
    return layer


def test_an_upsampler_with_hard_coded_channels_is_explained_not_raised():
    message = _messages(checks.check_upsampler(channels_hard_coded, verbose=False))
    assert "make_upsampler(2, 2, ...) criou uma ConvTranspose2d de 256 → 256 canais" in message
    assert "use o argumento channels" in message and "expected input" not in message


def every_pair_of_channels(channels, factor, learnable):
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(bilinear_kernel(1, 1, kernel).expand(channels, channels, kernel, kernel))
    layer.weight.requires_grad_(learnable)
    return layer


def plain_convolution(channels, factor, learnable):
    return nn.Conv2d(channels, channels, 3, padding=1, bias=False)


def stride_always_two(channels, factor, learnable):
    layer = nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(bilinear_kernel(channels, channels, 4))
    layer.weight.requires_grad_(learnable)
    return layer


def learnable_inverted(channels, factor, learnable):
    layer = make_upsampler(channels, factor, learnable)
    layer.weight.requires_grad_(not learnable)
    return layer


def interpolate_function(channels, factor, learnable):
    return lambda x: F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)


def kernel_doubled(channels, factor, learnable):
    layer = make_upsampler(channels, factor, learnable)
    with torch.no_grad():
        layer.weight.mul_(2)
    return layer


def wrapped_in_sequential(channels, factor, learnable):
    return nn.Sequential(make_upsampler(channels, factor, learnable))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (channels_hard_coded, "sem fixar um número (como 256)"),
        (every_pair_of_channels, "a saída mistura os canais"),
        (plain_convolution, "devolva uma nn.ConvTranspose2d (veio Conv2d)"),
        (stride_always_two, "fator 3: uma entrada 7x9 deveria virar 21x27"),
        (learnable_inverted, "learnable=True: layer.weight.requires_grad deveria ser True"),
        (interpolate_function, "devolva uma nn.ConvTranspose2d (veio function)"),
        (kernel_doubled, "Copie bilinear_kernel"),
        (wrapped_in_sequential, "devolva uma nn.ConvTranspose2d (veio Sequential)"),
        (_upsampler(freeze=False, weight=False, bias=True), "bias=False"),
        (_upsampler(padding=lambda s: s), "virou"),
    ],
)
def test_more_wrong_upsamplers_get_the_hint_naming_their_mistake(wrong, hint):
    assert hint in _messages(checks.check_upsampler(wrong, verbose=False))


# ---------------------------------------------------------------- acceptable alternatives
def _filter(kernel):
    """The FCN authors' bilinear filter, written out."""
    centre = (kernel - 1) / 2 if kernel % 2 else kernel / 2 - 0.5
    factor = (kernel + 1) // 2
    og = torch.arange(kernel, dtype=torch.float32)
    row = 1 - (og - centre).abs() / factor
    return row[:, None] * row[None, :]


def depthwise(channels, factor, learnable):
    """groups=channels: each channel has its own filter (weight [C, 1, k, k])."""
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(
        channels, channels, kernel, stride=factor, padding=factor // 2, groups=channels, bias=False
    )
    with torch.no_grad():
        layer.weight.copy_(_filter(kernel).expand(channels, 1, kernel, kernel))
    layer.weight.requires_grad = learnable
    return layer


def new_parameter(channels, factor, learnable):
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    layer.weight = nn.Parameter(bilinear_kernel(channels, channels, kernel), requires_grad=learnable)
    return layer


def own_filter_and_module_freeze(channels, factor, learnable):
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    weight = torch.zeros(channels, channels, kernel, kernel)
    for c in range(channels):
        weight[c, c] = _filter(kernel)
    with torch.no_grad():
        layer.weight.copy_(weight)
    return layer.requires_grad_(learnable)


@pytest.mark.parametrize("answer", [depthwise, new_parameter, own_filter_and_module_freeze])
def test_acceptable_upsamplers_pass(answer):
    result = checks.check_upsampler(answer, verbose=False)
    assert result.passed, result.messages


# ---------------------------------------------------------------- issue 19: what the mutation run found untested
def channels_and_factor_swapped(channels, factor, learnable):
    """Wrong: the arguments taken in the other order (the same layer whenever channels == factor)."""
    return make_upsampler(factor, channels, learnable)


def test_an_upsampler_with_channels_and_factor_swapped_is_told_which_call_built_the_wrong_channels():
    """The factors are tried with other channel counts (2 with 2, 3 with 3, 4 with 5): a swap shows at factor 4."""
    message = _messages(checks.check_upsampler(channels_and_factor_swapped, verbose=False))
    assert message.startswith("fator 4:") and "make_upsampler(5, 4, ...) criou uma ConvTranspose2d de 4 → 4 canais" in (
        message
    )


def depthwise_shaped_weight_without_groups(channels, factor, learnable):
    """Wrong: a weight of one filter per channel, [C, 1, k, k], in a layer without groups=channels."""
    kernel = 2 * factor - factor % 2
    layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    layer.weight = nn.Parameter(bilinear_kernel(1, 1, kernel).expand(channels, 1, kernel, kernel).clone())
    layer.weight.requires_grad_(learnable)
    return layer


def depthwise_with_random_filters(channels, factor, learnable):
    """Wrong: groups=channels, but the filters left as PyTorch initialised them."""
    kernel = 2 * factor - factor % 2
    return nn.ConvTranspose2d(
        channels, channels, kernel, stride=factor, padding=factor // 2, groups=channels, bias=False
    ).requires_grad_(learnable)


@pytest.mark.parametrize("wrong", [depthwise_shaped_weight_without_groups, depthwise_with_random_filters])
def test_a_weight_that_is_not_one_filter_per_pair_of_channels_is_told_to_copy_the_bilinear_kernel(wrong):
    """The hint that the channels are mixed only fits a [C, C, k, k] weight of a layer without groups."""
    message = _messages(checks.check_upsampler(wrong, verbose=False))
    assert "Copie bilinear_kernel" in message and "mistura os canais" not in message, message


def every_pair_of_channels_nearly_bilinear(channels, factor, learnable):
    """Wrong: every pair of channels, with a filter 5e-5 away from the bilinear one (as after a tiny update)."""
    layer = every_pair_of_channels(channels, factor, learnable)
    with torch.no_grad():
        layer.weight.add_(5e-5)
    return layer


def test_a_filter_within_the_tolerance_that_mixes_the_channels_is_told_so():
    """The mixing hint compares the filter with bilinear_kernel to within the 1e-4 of the output's comparison."""
    message = _messages(checks.check_upsampler(every_pair_of_channels_nearly_bilinear, verbose=False))
    assert "a saída mistura os canais" in message, message
