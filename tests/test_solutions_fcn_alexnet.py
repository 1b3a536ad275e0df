"""Tests of solutions/fcn_alexnet.py: FCN_AlexNet cases found by mutation testing (benchmarks/mutation_test.py)
that no other test pinned (the tests shared by every reference model are in test_models.py)."""

import pytest
import torch
import torch.nn.functional as F

from solutions.fcn_alexnet import FCN_AlexNet


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, "8s"])
def test_dropout_is_active_in_training_and_off_in_evaluation(skip):
    """The classifier's Dropout2d(0.5) makes two training passes differ; evaluation passes are equal."""
    torch.manual_seed(0)
    model = FCN_AlexNet(3, skip=skip)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        model.train()
        first, second = model(x), model(x)
        assert not torch.allclose(first, second)
        model.eval()
        assert torch.equal(model(x), model(x))


def test_the_classifier_keeps_the_grid_of_the_backbone():
    """Each class score sits on the feature cell it was computed from: the 3x3 convolution is padded by 1."""
    model = FCN_AlexNet(3).eval()
    with torch.no_grad():
        features = model.backbone(torch.randn(1, 3, 96, 128))
        assert model.classifier(features).shape[-2:] == features.shape[-2:]


def test_the_skip_classifier_scores_each_cell_of_the_concatenated_maps():
    """1x1 convolutions: one score per cell of the skip's grid, computed from that cell's channels only."""
    model = FCN_AlexNet(3, skip="8s").eval()
    with torch.no_grad():
        shallow = model.backbone1(torch.randn(1, 3, 96, 128))
        deep = F.interpolate(model.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear", align_corners=False)
        features = torch.cat([shallow, deep], dim=1)
        assert model.classifier(features).shape[-2:] == features.shape[-2:]
    convolutions = [layer for layer in model.classifier if isinstance(layer, torch.nn.Conv2d)]
    assert [layer.kernel_size for layer in convolutions] == [(1, 1), (1, 1)]


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, "8s", "16s"])
def test_upsampling_is_bilinear_without_aligned_corners(skip):
    """Every upsampling uses align_corners=False, the convention of the course (and of the student checks)."""
    torch.manual_seed(0)
    model = FCN_AlexNet(3, skip=skip).eval()
    x = torch.randn(1, 3, 96, 128)
    with torch.no_grad():
        if skip:
            shallow = model.backbone1(x)
            deep = F.interpolate(
                model.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear", align_corners=False
            )
            scores = model.classifier(torch.cat([shallow, deep], dim=1))
        else:
            scores = model.classifier(model.backbone(x))
        expected = F.interpolate(scores, size=(96, 128), mode="bilinear", align_corners=False)
        assert torch.allclose(model(x), expected, atol=1e-5)
