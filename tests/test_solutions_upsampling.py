"""Tests of solutions/upsampling.py (fit_to_size, learned upsampling).

The first cases were found by mutation testing (benchmarks/mutation_test.py): no other test pinned them.
"""

import pytest
import torch
import torch.nn.functional as F

from solutions.fcn_alexnet import FCN_AlexNet
from solutions.upsampling import fit_to_size, make_upsampler, with_learned_upsampling


def _grid(height, width):
    """A [1, 1, height, width] map whose every value tells where it was: 10 * row + column."""
    rows = torch.arange(height, dtype=torch.float32).reshape(-1, 1)
    cols = torch.arange(width, dtype=torch.float32).reshape(1, -1)
    return (10 * rows + cols).reshape(1, 1, height, width)


@pytest.mark.parametrize("extra", [1, 2, 3, 4])
def test_fit_to_size_crops_the_centre_of_each_axis(extra):
    """Cropping keeps the centre: extra // 2 pixels go from the start, the rest from the end (odd and even)."""
    x = _grid(5 + extra, 6 + extra)
    start = extra // 2
    assert torch.equal(fit_to_size(x, (5, 6)), x[..., start : start + 5, start : start + 6])
    assert torch.equal(fit_to_size(x, (5, 6 + extra)), x[..., start : start + 5, :])
    assert torch.equal(fit_to_size(x, (5 + extra, 6)), x[..., :, start : start + 6])


@pytest.mark.parametrize("missing", [1, 2, 3])
def test_fit_to_size_pads_each_axis_on_both_sides_repeating_the_border(missing):
    """Padding puts missing // 2 pixels before and the rest after, copies of the border row or column."""
    x = _grid(3, 4)
    before, after = missing // 2, missing - missing // 2
    rows = [0] * before + [0, 1, 2] + [2] * after
    cols = [0] * before + [0, 1, 2, 3] + [3] * after
    assert torch.equal(fit_to_size(x, (3 + missing, 4)), x[..., rows, :])
    assert torch.equal(fit_to_size(x, (3, 4 + missing)), x[..., :, cols])
    assert torch.equal(fit_to_size(x, (3 + missing, 4 + missing)), x[..., rows, :][..., cols])


def test_fit_to_size_can_crop_one_axis_and_pad_the_other():
    x = _grid(6, 3)
    assert torch.equal(fit_to_size(x, (4, 5)), x[..., 1:5, :][..., [0, 0, 1, 2, 2]])


def test_the_upsampling_is_learned_by_default():
    model = with_learned_upsampling(FCN_AlexNet)(3)
    assert model.upsample_deep.weight.requires_grad
    assert type(model).__name__ == "FCN_AlexNet_LearnedUpsampling"


def test_the_deep_features_are_upsampled_x4_then_the_scores_bilinearly_without_aligned_corners():
    """pool5 (1/32) times 4 reaches pool1's stride (1/8); the scores then go to the input size as in FCN_AlexNet."""
    torch.manual_seed(0)
    model = with_learned_upsampling(FCN_AlexNet)(3).eval()
    assert model.upsample_deep.stride == (4, 4) and model.upsample_deep.kernel_size == (8, 8)
    x = torch.randn(1, 3, 96, 112)
    with torch.no_grad():
        shallow = model.backbone1(x)
        deep = model.backbone2(shallow)
        upsampled = F.conv_transpose2d(deep, model.upsample_deep.weight, stride=4, padding=2)
        scores = model.classifier(torch.cat([shallow, fit_to_size(upsampled, shallow.shape[-2:])], dim=1))
        expected = F.interpolate(scores, size=(96, 112), mode="bilinear", align_corners=False)
        assert torch.allclose(model(x), expected, atol=1e-5)


# ==================================================================================================
# fit_to_size in general, and the learned-upsampling FCN trains only what it should
# ==================================================================================================


def test_fit_to_size_crops_and_pads():
    x = torch.arange(36.0).reshape(1, 1, 6, 6)
    assert fit_to_size(x, (4, 8)).shape[-2:] == (4, 8)
    assert torch.equal(fit_to_size(x, (6, 6)), x)


@pytest.mark.slow
@pytest.mark.parametrize("learnable", [True, False])
def test_learned_upsampling_fcn_trains_only_what_it_should(learnable):
    model = with_learned_upsampling(FCN_AlexNet, learnable)(3, skip="8s")
    out = model(torch.randn(2, 3, 96, 112))
    assert out.shape == (2, 3, 96, 112)
    out.sum().backward()
    assert (model.upsample_deep.weight.grad is not None) == learnable
    assert make_upsampler(4, 2, learnable).weight.requires_grad == learnable
