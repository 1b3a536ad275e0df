"""Self-checks of exercises 4 (learned upsampling), 5 (class weights, Dice loss) and 6's second part (the paper's
score summation): the references pass; each typical wrong answer gets its own Portuguese hint."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import checks
from fcn_course.backbones import bilinear_kernel
from fcn_course.checks import exercises, exercises_for_notebook, run_all
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum
from solutions.losses import class_weights, dice_loss
from solutions.upsampling import make_upsampler


def _messages(result):
    assert not result.passed
    return " ".join(result.messages)


# ---------------------------------------------------------------- Exercício 4: make_upsampler
def test_reference_upsampler_passes():
    assert checks.check_upsampler(make_upsampler, verbose=False).passed


def _upsampler(kernel=lambda s: 2 * s - s % 2, padding=lambda s: s // 2, bias=False, weight=True,
               freeze=True, kind=nn.ConvTranspose2d):
    def make(channels, factor, learnable):
        layer = kind(channels, channels, kernel_size=kernel(factor), stride=factor, padding=padding(factor),
                     bias=bias)
        if weight:
            with torch.no_grad():
                layer.weight.copy_(bilinear_kernel(channels, channels, kernel(factor)))
        if freeze:
            layer.weight.requires_grad_(learnable)
        return layer
    return make


@pytest.mark.parametrize("wrong, hint", [
    (lambda c, s, learnable: nn.Upsample(scale_factor=s, mode="bilinear"), "devolva uma nn.ConvTranspose2d"),
    (_upsampler(bias=True), "bias=False"),
    (_upsampler(kernel=lambda s: 2 * s), "fator ímpar"),              # the paper's 2s, taken for an odd factor
    (_upsampler(padding=lambda s: 0), "virou"),                        # wrong size
    (_upsampler(weight=False), "Copie bilinear_kernel"),               # random initial weights
    (_upsampler(freeze=False), "requires_grad"),                       # never frozen
])
def test_wrong_upsamplers_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_upsampler(wrong, verbose=False))


def test_unfinished_upsampler_stops_run_all(capsys):
    def stub(channels, factor, learnable):
        raise NotImplementedError("crie nn.ConvTranspose2d")
    with pytest.raises(checks.ExerciseNotDone, match="Exercício 4"):
        checks.check_upsampler(stub)


# ---------------------------------------------------------------- Exercício 5: class weights
def test_reference_class_weights_pass():
    assert checks.check_class_weights(class_weights, verbose=False).passed
    assert torch.allclose(class_weights([900, 90, 10]), torch.tensor([0.1, 1.0, 9.0]))


def _frequencies(counts):
    counts = torch.as_tensor(counts, dtype=torch.float32)
    return counts / counts.sum()


@pytest.mark.parametrize("wrong, hint", [
    (lambda counts: _frequencies(counts), "inversamente proporcional"),            # weight = frequency
    (lambda counts: 1 / _frequencies(counts), "dividir pela mediana"),             # no median normalisation
    (lambda counts: _frequencies(counts).median() / _frequencies(counts), "peso 0"),  # inf for an absent class
    (lambda counts: torch.nan_to_num(_frequencies(counts).median() / _frequencies(counts), posinf=0.0),
     "só sobre as classes presentes"),                                             # median over every class
    (lambda counts: [0.1, 1.0, 9.0], "tensor float"),
])
def test_wrong_class_weights_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_class_weights(wrong, verbose=False))


# ---------------------------------------------------------------- Exercício 5: Dice loss
def test_reference_dice_loss_passes():
    assert checks.check_dice_loss(dice_loss, verbose=False).passed


def _one_hot(labels, classes):
    return F.one_hot(labels.masked_fill(labels == 255, 0), classes).permute(0, 3, 1, 2).float()


def _dice_per_class(outputs, labels):
    p, g = outputs.softmax(1), _one_hot(labels, outputs.shape[1])
    return 1 - (2 * (p * g).sum((0, 2, 3)) + 1) / (p.sum((0, 2, 3)) + g.sum((0, 2, 3)) + 1)


def _dice_without_void_mask(outputs, labels):
    return _dice_per_class(outputs, labels).mean()


def _dice_without_softmax(outputs, labels):
    valid = (labels != 255).unsqueeze(1)
    p, g = outputs * valid, _one_hot(labels, outputs.shape[1]) * valid
    return 1 - ((2 * (p * g).sum((0, 2, 3)) + 1) / (p.sum((0, 2, 3)) + g.sum((0, 2, 3)) + 1)).mean()


def _dice_with_argmax(outputs, labels):
    hard = F.one_hot(outputs.argmax(1), outputs.shape[1]).permute(0, 3, 1, 2).float()
    return dice_loss(hard * 50, labels).detach().requires_grad_(False)


def _dice_as_score(outputs, labels):
    return 1 - dice_loss(outputs, labels)  # the Dice itself, not 1 - Dice


@pytest.mark.parametrize("wrong, hint", [
    (lambda outputs, labels: _dice_per_class(outputs, labels), "único número"),
    (_dice_with_argmax, "não tem gradiente"),
    (_dice_without_softmax, "softmax"),
    (_dice_without_void_mask, "void"),
    (_dice_as_score, "predição perfeita"),
])
def test_wrong_dice_losses_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_dice_loss(wrong, verbose=False))


# ---------------------------------------------------------------- Exercício 6: the paper's score summation
def test_reference_score_sum_passes():
    assert checks.check_score_sum(FCN8s_VGG16_Sum, verbose=False).passed


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


@pytest.mark.parametrize("wrong, hint", [
    (_ConcatenatingHead, "linearmente"),
    (_Pool3Ignored, "self.score_pool3 não muda a saída"),
    (_FeatureSkip, "Conv2d(256, num_classes, kernel_size=1)"),
    (_WrongSize, "formato [1, 3, 64, 80]"),
])
def test_wrong_score_sums_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_score_sum(wrong, verbose=False))


# ---------------------------------------------------------------- the grader sees the new exercises
def test_new_exercises_are_graded_from_their_notebooks():
    assert {"upsampler", "class-weights", "dice-loss"} <= set(exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert "vgg16-scoresum" in exercises_for_notebook("03_fcn_vgg16.ipynb")
    namespace = {"make_upsampler": make_upsampler, "class_weights": class_weights, "dice_loss": dice_loss,
                 "FCN8s_VGG16_Sum": FCN8s_VGG16_Sum}
    results = run_all(namespace, exercises={"upsampler", "class-weights", "dice-loss", "vgg16-scoresum"})
    assert [r.passed for r in results] == [True] * 4
    missing = run_all({}, exercises={"upsampler"})[0]
    assert not missing.passed and "make_upsampler" in missing.messages[0]


def test_exercise_numbers_follow_the_reading_order():
    numbers = [int(exercise.number) for exercise in exercises()]
    assert numbers == sorted(numbers)
    for exercise in exercises():
        assert exercise.title.startswith(f"Exercício {exercise.number}")
