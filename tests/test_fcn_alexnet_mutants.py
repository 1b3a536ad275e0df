"""FCN_AlexNet cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import pytest
import torch

from solutions.fcn_alexnet import FCN_AlexNet


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
