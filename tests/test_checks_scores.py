"""The self-check of the paper's FCN-8s head (fcn_course/checks/scores.py): class scores of pool3, pool4 and pool5
summed."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import solutions.fcn_vgg16_scores as scores_solution
from check_helpers import failed_messages as _messages
from fcn_course import backbones, checks
from fcn_course.backbones import VGG16_STRIDE8_END, VGG16_STRIDE16_END
from fcn_course.checks.scores import SIZES
from fcn_course.messages import text
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum


# ---------------------------------------------------------------- the reference and the paper's variants pass
def test_reference_score_sum_passes():
    assert checks.check_score_sum(FCN8s_VGG16_Sum, verbose=False).passed


class _BiasFreeScores(FCN8s_VGG16_Sum):
    """Correct: the score layers have no bias (a sum of class scores needs none)."""

    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool4 = nn.Conv2d(512, num_classes, kernel_size=1, bias=False)
        self.score_pool3 = nn.Conv2d(256, num_classes, kernel_size=1, bias=False)


@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_score_layers_without_bias_pass():
    result = checks.check_score_sum(_BiasFreeScores, verbose=False)
    assert result.passed, result.messages


# ---------------------------------------------------------------- typical wrong heads
class _ConcatenatingHead(FCN8s_VGG16_Sum):
    """Wrong: a ReLU after each sum (the fusion is no longer a sum of class scores)."""

    def forward(self, x):
        pool3 = self.to_pool3(x)
        pool4 = self.to_pool4(pool3)
        scores = self.classifier(self.to_pool5(pool4))
        scores = F.relu(F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(pool4))
        scores = F.relu(F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class _Pool3Ignored(FCN8s_VGG16_Sum):
    """Wrong: pool3's scores are computed but never added (an FCN-16s)."""

    def forward(self, x):
        pool3 = self.to_pool3(x)
        pool4 = self.to_pool4(pool3)
        scores = self.classifier(self.to_pool5(pool4))
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(pool4)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class _FeatureSkip(FCN8s_VGG16_Sum):
    """Wrong: the skip layers keep features (64 channels) instead of predicting class scores."""

    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool3 = nn.Conv2d(256, 64, kernel_size=1)


class _WrongSize(FCN8s_VGG16_Sum):
    """Wrong: the scores are left at 1/8 of the input."""

    def forward(self, x):
        return F.interpolate(super().forward(x), scale_factor=1 / 8)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        # either probe may see the ReLU after the sum first: both hints say the levels must be summed
        pytest.param(_ConcatenatingHead, "devem ser somados", marks=pytest.mark.slow),
        pytest.param(_Pool3Ignored, "self.score_pool3 não muda a saída", marks=pytest.mark.slow),
        (_FeatureSkip, "Conv2d(256, num_classes, kernel_size=1)"),
        (_WrongSize, "formato [1, 3, 64, 80]"),
    ],
)
def test_wrong_score_sums_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_score_sum(wrong, verbose=False))


def test_a_missing_score_layer_is_named():
    class NoScorePool3(FCN8s_VGG16_Sum):
        def __init__(self, num_classes, pretrained=False):
            super().__init__(num_classes, pretrained)
            del self.score_pool3

    result = checks.check_score_sum(NoScorePool3, verbose=False)
    assert not result.passed and "crie self.score_pool3 como nn.Conv2d (veio NoneType)" in _messages(result)


# ---------------------------------------------------------------- issue 20: wrong answers, on a quick stand-in for VGG16
# The heads below subclass the reference as students write theirs. To keep them quick on a CPU, the fixture
# swaps VGG16 for a tiny network cut at the same indices, with the same channels (256 at pool3, 512 after).


def _tiny_vgg16(weights=None):
    layers = [nn.Identity() for _ in range(31)]
    layers[0] = nn.Conv2d(3, 256, kernel_size=8, stride=8)  # 1/8, 256 channels (pool3)
    layers[1] = nn.ReLU()
    layers[VGG16_STRIDE8_END] = nn.Conv2d(256, 512, kernel_size=2, stride=2)  # 1/16 (pool4)
    layers[VGG16_STRIDE8_END + 1] = nn.ReLU()
    layers[VGG16_STRIDE16_END] = nn.Conv2d(512, 512, kernel_size=2, stride=2)  # 1/32 (pool5)
    layers[VGG16_STRIDE16_END + 1] = nn.ReLU()
    model = nn.Module()
    model.features = nn.Sequential(*layers)
    return model


@pytest.fixture
def tiny_vgg16(monkeypatch):
    spec = backbones.Backbone(
        name="tinyvgg",
        display_name="TinyVGG",
        build=_tiny_vgg16,
        cuts={8: 17, 16: 24},
        channels={8: 256, 16: 512, 32: 512},
        min_input_size=32,
        class_name="FCN_TinyVGG",
        loader_name="load_tinyvgg",
    )
    monkeypatch.setitem(backbones.BACKBONES, spec.name, spec)
    monkeypatch.setattr(
        scores_solution, "load_vgg16", lambda pretrained=False: backbones.load_backbone("tinyvgg", pretrained)
    )
    monkeypatch.setattr(scores_solution, "VGG16_MIN_INPUT_SIZE", 32)


def _check(head):
    return checks.check_score_sum(head, verbose=False)


class _Levels(FCN8s_VGG16_Sum):
    def levels(self, x):
        pool3 = self.to_pool3(x)
        pool4 = self.to_pool4(pool3)
        return pool3, pool4, self.classifier(self.to_pool5(pool4))


class EndsWithSoftmax(FCN8s_VGG16_Sum):
    def forward(self, x):
        return super().forward(x).softmax(dim=1)


class MultipliedScores(_Levels):
    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") * self.score_pool4(pool4)
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class NearestAtPool4(_Levels):
    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="nearest") + self.score_pool4(pool4)
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class HardCodedSize(_Levels):
    def forward(self, x):
        return F.interpolate(super().forward(x), size=(64, 80), mode="bilinear")


class ThreeByThreeScores(FCN8s_VGG16_Sum):
    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool3 = nn.Conv2d(256, num_classes, kernel_size=3, padding=1)


class TwentyOneClassScores(FCN8s_VGG16_Sum):
    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool4 = nn.Conv2d(512, 21, kernel_size=1)


class AlwaysPretrained(FCN8s_VGG16_Sum):
    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained=True)


class FunctionalDropout(_Levels):
    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(F.dropout(pool4, 0.5))
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class FrozenScoreLayers(FCN8s_VGG16_Sum):
    """The paper starts the score layers at zero; this head also freezes them."""

    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool3.requires_grad_(False)
        self.score_pool4.requires_grad_(False)


class Pool4Ignored(_Levels):
    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class SquaredSkip(_Levels):
    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(pool4) ** 2
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


@pytest.mark.parametrize(
    "head, hint",
    [
        (EndsWithSoftmax, "a saída parece ter passado por softmax"),
        (MultipliedScores, "a contribuição de self.score_pool4 muda conforme os escores do classifier"),
        (NearestAtPool4, "o upsampling usa mode='nearest'"),
        (HardCodedSize, "a saída deveria ter formato [1, 3, 96, 48]"),
        (ThreeByThreeScores, "self.score_pool3 deveria ser Conv2d(256, num_classes, kernel_size=1)"),
        (TwentyOneClassScores, "veio Conv2d(512, 21, kernel_size=(1, 1))"),
        (AlwaysPretrained, "com pretrained=False o modelo carregou os pesos do ImageNet"),
        (FunctionalDropout, "há dropout ativo mesmo em eval"),
        (FrozenScoreLayers, "estão congelados (requires_grad=False), a começar por `score_pool4.weight`"),
        (Pool4Ignored, "self.score_pool4 não muda a saída"),
        (SquaredSkip, "a saída não varia linearmente com self.score_pool4"),
        (_ConcatenatingHead, "linearmente"),
    ],
)
def test_wrong_heads_fail_with_the_hint_naming_their_mistake(tiny_vgg16, head, hint):
    result = _check(head)
    assert not result.passed
    assert hint in _messages(result), _messages(result)


class PaperScaled(_Levels):
    """The authors' reference implementation: pool4 scaled by 0.01 and pool3 by 0.0001 before their scores."""

    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(pool4 * 0.01)
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3 * 0.0001)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear")


class AllAddedAtPool3(_Levels):
    """Both deeper levels enlarged straight to pool3's size, then added."""

    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        size = pool3.shape[-2:]
        scores = (
            F.interpolate(scores, size=size, mode="bilinear", align_corners=False)
            + F.interpolate(self.score_pool4(pool4), size=size, mode="bilinear", align_corners=False)
            + self.score_pool3(pool3)
        )
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


class LearnedUpsampling(_Levels):
    """Transposed convolutions started as bilinear for the x2 steps (the paper's learned upsampling)."""

    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.up2 = nn.ConvTranspose2d(num_classes, num_classes, 4, stride=2, padding=1, bias=False)
        with torch.no_grad():
            self.up2.weight.copy_(backbones.bilinear_kernel(num_classes, num_classes, 4))

    def forward(self, x):
        pool3, pool4, scores = self.levels(x)
        scores = F.interpolate(self.up2(scores), size=pool4.shape[-2:], mode="bilinear") + self.score_pool4(pool4)
        scores = F.interpolate(self.up2(scores), size=pool3.shape[-2:], mode="bilinear") + self.score_pool3(pool3)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


@pytest.mark.parametrize("head", [FCN8s_VGG16_Sum, _BiasFreeScores, AllAddedAtPool3, LearnedUpsampling])
def test_acceptable_heads_pass(tiny_vgg16, head):
    result = _check(head)
    assert result.passed, result.messages


def test_the_papers_scaled_skip_scores_pass_with_a_note(tiny_vgg16, capsys):
    result = checks.check_score_sum(PaperScaled)
    assert result.passed, result.messages
    assert [note.split(" entram")[0] for note in result.notes] == [
        "os escores de self.score_pool3",
        "os escores de self.score_pool4",
    ]
    assert "cerca de 0.0001" in result.notes[0] and "cerca de 0.01" in result.notes[1]
    out = capsys.readouterr().out
    assert "tudo certo" in out and "implementação de referência dos autores" in out


class BatchOfOne(_Levels):
    """Wrong: the output is reshaped for one image (a batch of two breaks it)."""

    def forward(self, x):
        return super().forward(x).view(1, 3, *x.shape[-2:])


def test_a_head_that_breaks_on_a_batch_of_two_is_reported_at_the_first_size_probed(tiny_vgg16):
    message = _messages(_check(BatchOfOne))
    height, width = SIZES[0]
    assert message.startswith(text("checks.scores.forward", height=height, width=width) + ":"), message
