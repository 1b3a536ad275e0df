"""bilinear_kernel for any factor (even: kernel 2s; odd: 2s - 1), the learned-upsampling FCN, and the losses."""
import pytest
import torch
import torch.nn.functional as F

from fcn_course.backbones import bilinear_kernel
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.losses import class_weights, dice_loss
from solutions.upsampling import fit_to_size, make_upsampler, with_learned_upsampling


def _transposed(factor, kernel_size):
    layer = torch.nn.ConvTranspose2d(2, 2, kernel_size, stride=factor, padding=factor // 2, bias=False)
    layer.weight.data.copy_(bilinear_kernel(2, 2, kernel_size))
    return layer


@pytest.mark.parametrize("factor", [2, 3, 4, 5, 8])
def test_bilinear_kernel_matches_interpolation_for_any_factor(factor):
    x = torch.randn(1, 2, 7, 9)
    y = _transposed(factor, 2 * factor - factor % 2)(x)
    reference = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    assert y.shape == reference.shape
    inside = (..., slice(factor, -factor), slice(factor, -factor))
    assert torch.allclose(y[inside], reference[inside], atol=1e-5)


@pytest.mark.parametrize("factor", [3, 5])
def test_kernel_2s_with_an_odd_factor_gives_one_pixel_too_many(factor):
    """The docstring's warning: the paper's kernel 2s only fits even factors."""
    assert _transposed(factor, 2 * factor)(torch.randn(1, 2, 7, 9)).shape[-2:] == (7 * factor + 1, 9 * factor + 1)


def test_fit_to_size_crops_and_pads():
    x = torch.arange(36.0).reshape(1, 1, 6, 6)
    assert fit_to_size(x, (4, 8)).shape[-2:] == (4, 8)
    assert torch.equal(fit_to_size(x, (6, 6)), x)


@pytest.mark.parametrize("learnable", [True, False])
def test_learned_upsampling_fcn_trains_only_what_it_should(learnable):
    model = with_learned_upsampling(FCN_AlexNet, learnable)(3, skip="8s")
    out = model(torch.randn(2, 3, 96, 112))
    assert out.shape == (2, 3, 96, 112)
    out.sum().backward()
    assert (model.upsample_deep.weight.grad is not None) == learnable
    assert make_upsampler(4, 2, learnable).weight.requires_grad == learnable


def test_class_weights_make_a_weighted_loss_that_counts_rare_pixels_more():
    weights = class_weights([1000, 100, 10])
    logits, labels = torch.zeros(1, 3, 1, 2), torch.tensor([[[0, 2]]])
    per_pixel = F.cross_entropy(logits, labels, reduction="none")
    weighted = F.cross_entropy(logits, labels, weight=weights, reduction="none")
    assert weighted[0, 0, 1] / per_pixel[0, 0, 1] > weighted[0, 0, 0] / per_pixel[0, 0, 0]


def test_dice_loss_is_lower_for_a_better_prediction():
    labels = torch.randint(0, 3, (2, 8, 8))
    truth = F.one_hot(labels, 3).permute(0, 3, 1, 2).float()
    assert dice_loss(truth * 5, labels) < dice_loss(torch.zeros(2, 3, 8, 8), labels) < dice_loss(-truth * 5, labels)
