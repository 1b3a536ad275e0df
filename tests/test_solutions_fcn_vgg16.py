"""Tests of solutions/fcn_vgg16.py: FCN_VGG16 cases found by mutation testing (benchmarks/mutation_test.py) that no
other test pinned (the tests shared by every reference model are in test_models.py).

torchvision's full VGG16 takes seconds to build (its fully connected layers): these tests hand the model only
VGG16's convolutional part, built directly, through a stand-in for ``load_vgg16`` that records its argument.
"""

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from torchvision.models.vgg import cfgs, make_layers

from solutions import fcn_vgg16
from solutions.fcn_vgg16 import FCN_VGG16


@pytest.fixture
def pretrained_asked(monkeypatch):
    """The ``pretrained`` values FCN_VGG16 asked load_vgg16 for (the stand-in builds VGG16's features only)."""
    asked = []

    def load_vgg16_features_only(pretrained=False):
        asked.append(pretrained)
        return SimpleNamespace(features=make_layers(cfgs["D"]))

    monkeypatch.setattr(fcn_vgg16, "load_vgg16", load_vgg16_features_only)
    return asked


def test_by_default_fcn_vgg16_is_an_fcn32s_trained_from_scratch(pretrained_asked):
    model = FCN_VGG16(3)
    assert pretrained_asked == [False]  # no ImageNet download unless asked
    assert model.skip is False and hasattr(model, "backbone") and not hasattr(model, "backbone1")


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, "8s"])
def test_upsampling_is_bilinear_without_aligned_corners(pretrained_asked, skip):
    """Every upsampling uses align_corners=False, the convention of the course (and of the student checks)."""
    torch.manual_seed(0)
    model = FCN_VGG16(3, skip=skip).eval()
    x = torch.randn(1, 3, 32, 64)
    with torch.no_grad():
        if skip:
            shallow = model.backbone1(x)
            deep = F.interpolate(
                model.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear", align_corners=False
            )
            scores = model.classifier(torch.cat([shallow, deep], dim=1))
        else:
            scores = model.classifier(model.backbone(x))
        expected = F.interpolate(scores, size=(32, 64), mode="bilinear", align_corners=False)
        assert torch.allclose(model(x), expected, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("skip, channels, stride", [("8s", 256, 8), ("16s", 512, 16)])
def test_the_skip_comes_from_pool3_for_8s_and_pool4_for_16s(pretrained_asked, skip, channels, stride):
    model = FCN_VGG16(3, skip=skip).eval()
    with torch.no_grad():
        shallow = model.backbone1(torch.randn(1, 3, 64, 96))
    assert shallow.shape[1:] == (channels, 64 // stride, 96 // stride)


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, "8s"])
def test_dropout_is_active_in_training_and_off_in_evaluation(pretrained_asked, skip):
    torch.manual_seed(0)
    model = FCN_VGG16(3, skip=skip)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        model.train()
        assert not torch.allclose(model(x), model(x))
        model.eval()
        assert torch.equal(model(x), model(x))


def test_the_classifier_keeps_the_grid_of_the_backbone(pretrained_asked):
    """Each class score sits on the feature cell it was computed from: the 3x3 convolution is padded by 1."""
    model = FCN_VGG16(3).eval()
    with torch.no_grad():
        features = model.backbone(torch.randn(1, 3, 64, 96))
        assert model.classifier(features).shape[-2:] == features.shape[-2:]
