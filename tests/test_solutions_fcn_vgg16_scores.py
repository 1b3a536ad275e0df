"""Tests of solutions/fcn_vgg16_scores.py: FCN8s_VGG16_Sum cases found by mutation testing
(benchmarks/mutation_test.py) that no other test pinned.

As in tests/test_solutions_fcn_vgg16.py, a stand-in for ``load_vgg16`` builds VGG16's convolutional part only (the
full torchvision model takes seconds) and records the ``pretrained`` values asked; a spy records the calls of
``initialize_weights``. Inputs are 64x96: pool3 is 8x12, pool4 4x6, pool5 2x3.
"""

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from solutions import fcn_vgg16_scores
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum

NUM_CLASSES = 3


@pytest.fixture
def calls(monkeypatch):
    """What the model asked for: the ``pretrained`` values given to load_vgg16, the initialize_weights calls."""
    recorded = SimpleNamespace(pretrained=[], initialized=[], features=[])
    real_initialize_weights = fcn_vgg16_scores.initialize_weights

    def load_vgg16_features_only(pretrained=False):
        recorded.pretrained.append(pretrained)
        features = make_layers(cfgs["D"])
        recorded.features.append({k: v.clone() for k, v in features.state_dict().items()})
        return SimpleNamespace(features=features)

    def initialize_weights_spy(*modules):
        recorded.initialized.append(modules)
        real_initialize_weights(*modules)

    monkeypatch.setattr(fcn_vgg16_scores, "load_vgg16", load_vgg16_features_only)
    monkeypatch.setattr(fcn_vgg16_scores, "initialize_weights", initialize_weights_spy)
    return recorded


def _levels(model, x):
    pool3 = model.to_pool3(x)
    pool4 = model.to_pool4(pool3)
    return pool3, pool4, model.to_pool5(pool4)


def test_by_default_the_net_is_trained_from_scratch_with_the_course_initialisation(calls):
    model = FCN8s_VGG16_Sum(NUM_CLASSES)
    assert calls.pretrained == [False]  # no ImageNet download unless asked
    assert len(calls.initialized) == 1 and calls.initialized[0][0] is model


def test_a_pretrained_net_keeps_its_imagenet_features(calls):
    model = FCN8s_VGG16_Sum(NUM_CLASSES, pretrained=True)
    assert calls.pretrained == [True] and calls.initialized == []
    # the three parts are slices of VGG16's features and keep its layer indices in their parameter names
    features = {**model.to_pool3.state_dict(), **model.to_pool4.state_dict(), **model.to_pool5.state_dict()}
    assert features.keys() == calls.features[0].keys()
    assert all(torch.equal(features[name], value) for name, value in calls.features[0].items())


@pytest.mark.slow
@pytest.mark.parametrize("pretrained", [False, True])
def test_the_skip_scores_start_at_zero_so_the_net_starts_as_fcn32s(calls, pretrained):
    """The paper starts score_pool4 and score_pool3 at zero: at first the output is the FCN-32s prediction."""
    torch.manual_seed(0)
    model = FCN8s_VGG16_Sum(NUM_CLASSES, pretrained=pretrained).eval()
    for layer in (model.score_pool4, model.score_pool3):
        assert not layer.weight.any() and not layer.bias.any()
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        pool5 = _levels(model, x)[2]
        fcn32s = F.interpolate(
            F.interpolate(
                F.interpolate(model.classifier(pool5), size=(4, 6), mode="bilinear"), size=(8, 12), mode="bilinear"
            ),
            size=(64, 96),
            mode="bilinear",
        )
        assert torch.allclose(model(x), fcn32s, atol=1e-5)


def test_every_level_scores_classes_with_a_1x1_convolution_at_its_own_size(calls):
    """The classifier keeps pool5's size (3x3 padded conv, then a 1x1 score conv); the skip scores are 1x1 too."""
    model = FCN8s_VGG16_Sum(NUM_CLASSES).eval()
    pool3, pool4, pool5 = _levels(model, torch.randn(1, 3, 64, 96))
    with torch.no_grad():
        assert model.classifier(pool5).shape == (1, NUM_CLASSES, 2, 3)
        assert model.score_pool4(pool4).shape == (1, NUM_CLASSES, 4, 6)
        assert model.score_pool3(pool3).shape == (1, NUM_CLASSES, 8, 12)
    assert model.classifier[-1].kernel_size == model.score_pool4.kernel_size == model.score_pool3.kernel_size == (1, 1)


def test_the_classifier_drops_half_of_its_channels_in_training_as_in_the_paper(calls):
    model = FCN8s_VGG16_Sum(NUM_CLASSES)
    dropouts = [layer for layer in model.classifier if isinstance(layer, nn.Dropout2d)]
    assert [layer.p for layer in dropouts] == [0.5]
    pool5 = torch.randn(1, 512, 2, 3)
    torch.manual_seed(0)
    with torch.no_grad():
        assert not torch.equal(model.train().classifier(pool5), model.classifier(pool5))
        assert torch.equal(model.eval().classifier(pool5), model.classifier(pool5))


@pytest.mark.slow
def test_forward_adds_the_three_levels_scores_upsampled_bilinearly_without_aligned_corners(calls):
    torch.manual_seed(0)
    model = FCN8s_VGG16_Sum(NUM_CLASSES).eval()
    with torch.no_grad():
        for layer in (model.score_pool4, model.score_pool3):  # skips that no longer are silent
            layer.weight.normal_(std=0.1)
            layer.bias.normal_()
        x = torch.randn(1, 3, 64, 96)
        pool3, pool4, pool5 = _levels(model, x)
        scores = F.interpolate(model.classifier(pool5), size=(4, 6), mode="bilinear", align_corners=False)
        scores = F.interpolate(scores + model.score_pool4(pool4), size=(8, 12), mode="bilinear", align_corners=False)
        expected = F.interpolate(scores + model.score_pool3(pool3), size=(64, 96), mode="bilinear", align_corners=False)
        assert torch.allclose(model(x), expected, atol=1e-5)
