"""What the self-checks' tests share (tests/test_checks_*.py): reading a result, a right Exercício 0, and a tiny
registered backbone whose FCNs are quick to check on a CPU (the course's AlexNet and VGG16 are slow)."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import backbones
from helpers import tiny_features


def messages(result) -> str:
    """The feedback lines of a check's result, as one string."""
    return " ".join(result.messages)


def failed_messages(result) -> str:
    """The feedback of a result that must have failed."""
    assert not result.passed, "the check accepted a wrong answer"
    return messages(result)


def iou_dice(matrix):
    """A right Exercício 0."""
    tp = np.diag(matrix).astype(float)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    with np.errstate(invalid="ignore"):
        return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)


# ---------------------------------------------------------------- a tiny backbone for quick FCN checks
def build_probenet(weights=None):
    """A tiny backbone (``tests/helpers.tiny_features``) ending with 24 channels."""
    return tiny_features(24, weights)


PROBENET = backbones.Backbone(
    name="probenet",
    display_name="ProbeNet",
    build=build_probenet,
    cuts={8: 6, 16: 9},
    channels={8: 8, 16: 16, 32: 24},
    min_input_size=32,
    class_name="FCN_ProbeNet",
    loader_name="load_probenet",
    check_sizes=((96, 96), (64, 64), (97, 131)),
)


def load_probenet(pretrained=False):
    return backbones.load_backbone("probenet", pretrained)


class FCN_ProbeNet(nn.Module):
    """A right FCN on the tiny backbone, written as the course's FCN_AlexNet (the base of the wrong answers)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        if skip is True:
            skip = "8s"
        self.skip = skip
        features = load_probenet(pretrained).features
        if skip:
            stride = 8 if skip == "8s" else 16
            cut = PROBENET.cuts[stride]
            self.backbone1, self.backbone2 = features[:cut], features[cut:]
            channels = PROBENET.channels[stride] + PROBENET.channels[32]
        else:
            self.backbone, channels = features, PROBENET.channels[32]
        self.classifier = nn.Sequential(
            nn.Conv2d(channels, 16, 1), nn.ReLU(inplace=True), nn.Dropout2d(0.5), nn.Conv2d(16, num_classes, 1)
        )
        if not pretrained:
            backbones.initialize_weights(self)

    def scores(self, x):
        """Class scores at the resolution of the fusion (the classifier's output)."""
        if self.skip:
            shallow = self.backbone1(x)
            deep = F.interpolate(self.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            return self.classifier(torch.cat([shallow, deep], dim=1))
        return self.classifier(self.backbone(x))

    def forward(self, x):
        return F.interpolate(self.scores(x), size=x.shape[-2:], mode="bilinear", align_corners=False)


class Stub(nn.Module):
    """An FCN exercise still holding its stub."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        raise NotImplementedError("crie self.backbone e self.classifier")
