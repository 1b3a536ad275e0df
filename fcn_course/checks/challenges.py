"""The Desafios: optional challenges above the level of the exercises, never part of the grade.

Each is one row with ``challenge=True`` (``fcn_course.checks.exercise``): its stub never stops "Run all", it is
numbered apart (Desafio 1, 2...), and the grader lists it as extra. The checks are CPU-cheap: random cases and
small probe networks, compared with a reference computed here.

* ``miou-per-image`` (notebook 01): the mean over images of each image's mIoU, next to the dataset mIoU;
* ``min-input-size`` (notebook 02): the smallest square input a ``features`` Sequential accepts;
* ``focal-loss`` (notebook 03, upsampling and losses): the focal loss with void pixels ignored (its row is
  registered once that notebook is in ``fcn_course.outline``; until then ``check_focal_loss`` is called directly);
* ``multiply-adds`` (the VGG16 notebook): the multiply-adds of a network's convolutions (why VGG16 is slow);
* ``whole-image`` (the comparison notebook): a prediction for an image of any size (pad to a multiple of 32,
  predict, crop back).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_student_code
from fcn_course.messages import text
from fcn_course.voc import VOID


# --------------------------------------------------------------------------------------------------
# Desafio: mIoU per image
# --------------------------------------------------------------------------------------------------
def _confusion(label: np.ndarray, prediction: np.ndarray, num_classes: int, ignore_index: int) -> np.ndarray:
    valid = label != ignore_index
    pairs = num_classes * label[valid].astype(np.int64) + prediction[valid].astype(np.int64)
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)


def _iou(matrix: np.ndarray) -> np.ndarray:
    tp = np.diag(matrix).astype(float)
    union = matrix.sum(0) + matrix.sum(1) - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, tp / union, np.nan)


def _nanmean(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def reference_miou_per_image(labels, predictions, num_classes: int, ignore_index: int = VOID) -> float:
    """The mean over images of each image's mIoU (classes absent from an image's label and prediction skipped)."""
    return _nanmean(
        [
            _nanmean(_iou(_confusion(np.asarray(lab), np.asarray(pred), num_classes, ignore_index)))
            for lab, pred in zip(labels, predictions)
        ]
    )


def _dataset_miou(labels, predictions, num_classes: int, ignore_index: int = VOID) -> float:
    total = sum(
        _confusion(np.asarray(lab), np.asarray(pred), num_classes, ignore_index)
        for lab, pred in zip(labels, predictions)
    )
    return _nanmean(_iou(total))


def _miou_cases(seed: int = 0) -> dict:
    """Random sets of images: classes absent from some images (from label and prediction), a class only
    predicted in one image, void pixels."""
    rng = np.random.default_rng(seed)
    cases = {}
    for n_images, n_classes, side in ((3, 3, 6), (5, 4, 8), (4, 5, 5)):
        labels, predictions = [], []
        for index in range(n_images):
            present = rng.choice(n_classes, size=rng.integers(1, n_classes), replace=False)
            label = rng.choice(present, size=(side, side + index))
            prediction = np.where(rng.random(label.shape) < 0.7, label, rng.choice(present, size=label.shape))
            if index == 0:  # a class only predicted: IoU 0 in this image, and absent from the others' means
                prediction[0, :2] = next(c for c in range(n_classes) if c not in present)
            label[rng.random(label.shape) < 0.15] = VOID
            labels.append(label)
            predictions.append(prediction)
        cases[text("checks.challenges.case_images", images=n_images, classes=n_classes)] = (
            labels,
            predictions,
            n_classes,
        )
    return cases


def _miou_hint(value: float, labels, predictions, n: int) -> str:
    """The likely mistake behind a wrong mean of per-image mIoUs."""
    if np.isclose(value, _dataset_miou(labels, predictions, n)):
        return text("checks.challenges.hint_dataset_miou")
    zero_for_absent = np.mean(
        [np.nan_to_num(_iou(_confusion(lab, pred, n, VOID))).mean() for lab, pred in zip(labels, predictions)]
    )
    if np.isclose(value, zero_for_absent):
        return text("checks.challenges.hint_absent_as_zero")
    with_void = np.mean(
        [
            _nanmean(_iou(_confusion(np.where(lab == VOID, 0, lab), pred, n, VOID)))
            for lab, pred in zip(labels, predictions)
        ]
    )
    if np.isclose(value, with_void):
        return text("checks.challenges.hint_void_counted")
    return text("checks.challenges.hint_miou_formula")


@exercise("miou-per-image", notebook="01_dados_e_metricas", names=("miou_per_image",), challenge=True)
def check_miou_per_image(function, verbose: bool = True) -> CheckResult:
    """``miou_per_image(labels, predictions, num_classes)`` -> the mean over images of each image's mIoU."""
    problems = []
    with judging(problems):
        for case, (labels, predictions, n) in _miou_cases().items():
            got = run_student_code(
                problems, case, function, [lab.copy() for lab in labels], [p.copy() for p in predictions], n
            )
            try:
                value = float(got)
            except (TypeError, ValueError):
                problems.append(text("checks.challenges.not_a_number", case=case, kind=type(got).__name__))
                raise Failed from None
            expected = reference_miou_per_image(labels, predictions, n)
            if not np.isclose(value, expected, atol=1e-6):
                hint = _miou_hint(value, labels, predictions, n)
                problems.append(
                    text(
                        "checks.challenges.wrong_miou",
                        case=case,
                        expected=round(expected, 4),
                        value=round(value, 4),
                        hint=hint,
                    )
                )
                raise Failed
    return finish("miou-per-image", problems, verbose)


# --------------------------------------------------------------------------------------------------
# Desafio: the smallest input a network accepts
# --------------------------------------------------------------------------------------------------
def _first(value):
    return value[0] if isinstance(value, tuple) else value


def output_side(features: nn.Module, side: int):
    """The side of the output of ``features`` for a square input of ``side`` pixels; None when a layer's
    output would be empty (the size formula of Conv2d and MaxPool2d; other layers keep the size)."""
    for layer in features.modules():
        if not isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            continue
        kernel, stride = _first(layer.kernel_size), _first(layer.stride)
        padding, dilation = _first(layer.padding), _first(layer.dilation)
        reach = dilation * (kernel - 1) + 1
        if side + 2 * padding < reach:
            return None
        side = (side + 2 * padding - reach) // stride + 1
    return side


def reference_min_input_size(features: nn.Module, largest: int = 1024) -> int:
    """The smallest square side for which every layer of ``features`` gives a non-empty output."""
    return next(side for side in range(1, largest + 1) if output_side(features, side) is not None)


def _size_cases() -> dict:
    from torchvision import models

    probe = nn.Sequential(
        nn.Conv2d(3, 4, kernel_size=5, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(4, 4, kernel_size=3, padding=2, dilation=2),
        nn.MaxPool2d(2, stride=2),
        nn.Conv2d(4, 4, kernel_size=3),
    )
    # Built on the meta device, then given real but uninitialised memory: these Desafios read the layers' shapes
    # (and a student may run them on a tensor), never their values, so drawing AlexNet's 61 M random weights for
    # every graded submission would be wasted seconds.
    with torch.device("meta"):
        alexnet = models.alexnet(weights=None).features
        vgg16 = models.vgg.make_layers(models.vgg.cfgs["D"])  # VGG16's features, without its big classifier
    return {
        "AlexNet": alexnet.to_empty(device="cpu"),
        "VGG16": vgg16.to_empty(device="cpu"),
        text("checks.challenges.case_probe"): probe,
    }


@exercise("min-input-size", notebook="02_fcn_alexnet", names=("min_input_size",), challenge=True)
def check_min_input_size(function, verbose: bool = True) -> CheckResult:
    """``min_input_size(features)`` -> the smallest square side the ``features`` Sequential accepts."""
    problems = []
    with judging(problems):
        for case, features in _size_cases().items():
            got = run_student_code(problems, case, function, features)
            expected = reference_min_input_size(features)
            if not isinstance(got, (int, np.integer)) or isinstance(got, bool) or int(got) != expected:
                hint = text("checks.challenges.hint_off_by_one") if got in (expected - 1, expected + 1) else ""
                problems.append(
                    text("checks.challenges.wrong_size", case=case, expected=expected, value=got, hint=hint).rstrip()
                )
                raise Failed
    return finish("min-input-size", problems, verbose)


# --------------------------------------------------------------------------------------------------
# Desafio: focal loss with void ignored
# --------------------------------------------------------------------------------------------------
def reference_focal_loss(logits: torch.Tensor, labels: torch.Tensor, gamma: float, ignore_index: int = VOID):
    """Mean over the non-void pixels of −(1 − p_t)^γ · log p_t (Lin et al., 2017, without α)."""
    log_p = F.log_softmax(logits, dim=1)
    valid = labels != ignore_index
    safe = torch.where(valid, labels, torch.zeros_like(labels))
    log_pt = log_p.gather(1, safe.unsqueeze(1)).squeeze(1)
    loss = -((1 - log_pt.exp()) ** gamma) * log_pt
    return loss[valid].mean()


def _focal_cases(seed: int = 0) -> dict:
    generator = torch.Generator().manual_seed(seed)
    cases = {}
    for gamma in (0.0, 2.0, 0.5):
        # Four classes scored, three held by the labels: a batch may miss a class (VOC's usually miss most), and
        # an answer must take the number of classes from the logits, not from the labels (one_hot without it).
        logits = torch.randn(2, 4, 5, 6, generator=generator) * 3
        labels = torch.randint(0, 3, (2, 5, 6), generator=generator)
        labels[torch.rand(labels.shape, generator=generator) < 0.2] = VOID
        cases[text("checks.challenges.case_gamma", gamma=gamma)] = (logits, labels, gamma)
    return cases


@exercise("focal-loss", notebook="03_upsampling_e_perdas", names=("focal_loss",), challenge=True)
def check_focal_loss(function, verbose: bool = True) -> CheckResult:
    """``focal_loss(logits, labels, gamma)`` -> a scalar: equals the cross-entropy at γ = 0, ignores void,
    down-weights the pixels the network already gets right, and lets the gradient through."""
    problems = []
    with judging(problems):
        for case, (logits, labels, gamma) in _focal_cases().items():
            logits = logits.clone().requires_grad_(True)
            got = run_student_code(problems, case, function, logits, labels.clone(), gamma)
            if not isinstance(got, torch.Tensor) or got.numel() != 1:
                problems.append(text("checks.challenges.focal_not_scalar", case=case))
                raise Failed
            expected = reference_focal_loss(logits, labels, gamma)
            if not torch.allclose(got.detach().float(), expected.detach(), atol=1e-5):
                problems.append(
                    text(
                        "checks.challenges.wrong_focal",
                        case=case,
                        expected=round(float(expected.detach()), 4),
                        value=round(float(got.detach()), 4),
                        hint=_focal_hint(float(got.detach()), logits.detach(), labels, gamma),
                    )
                )
                raise Failed
            if not got.requires_grad:
                problems.append(text("checks.challenges.focal_no_gradient", case=case))
                raise Failed
    return finish("focal-loss", problems, verbose, title=text("exercise.focal-loss"))


def _focal_hint(value: float, logits, labels, gamma: float) -> str:
    cross_entropy = F.cross_entropy(logits, labels, ignore_index=VOID)
    if gamma > 0 and np.isclose(value, float(cross_entropy), atol=1e-5):
        return text("checks.challenges.hint_focal_no_factor")
    with_void = reference_focal_loss(logits, torch.where(labels == VOID, 0, labels), gamma, ignore_index=-1)
    if np.isclose(value, float(with_void), atol=1e-5):
        return text("checks.challenges.hint_void_counted")
    return text("checks.challenges.hint_focal_formula")


# --------------------------------------------------------------------------------------------------
# Desafio: evaluate a whole image of any size
# --------------------------------------------------------------------------------------------------
class MultipleOf32Probe(nn.Module):
    """A probe network: a per-pixel classifier that, like an FCN with skips, refuses sides that are not
    multiples of 32 (its scores at a pixel depend only on that pixel, so any correct padding and crop give
    exactly its scores on the original image)."""

    def __init__(self, num_classes: int = 3, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.score = nn.Conv2d(3, num_classes, kernel_size=1)

    def forward(self, x):
        if x.shape[-2] % 32 or x.shape[-1] % 32:
            raise ValueError(text("checks.challenges.probe_refuses", size=tuple(x.shape[-2:])))
        return self.score(x)


@exercise("whole-image", notebook="05_comparacao", names=("predict_whole_image",), challenge=True)
def check_whole_image(function, verbose: bool = True) -> CheckResult:
    """``predict_whole_image(model, images)`` -> class scores ``[N, C, H, W]`` for images ``[N, 3, H, W]`` of any
    size, for a model that only accepts sides that are multiples of 32."""
    problems = []
    with judging(problems):
        model = MultipleOf32Probe().eval()
        generator = torch.Generator().manual_seed(1)
        for height, width in ((64, 96), (37, 50), (33, 95), (100, 31)):
            case = text("checks.challenges.case_image", height=height, width=width)
            images = torch.randn(2, 3, height, width, generator=generator)
            got = run_student_code(problems, case, function, model, images.clone())
            with torch.no_grad():
                expected = model.score(images)
            if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(expected.shape):
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                problems.append(
                    text("checks.challenges.wrong_whole_shape", case=case, expected=tuple(expected.shape), shape=shape)
                )
                raise Failed
            if not torch.allclose(got.detach(), expected, atol=1e-5):
                problems.append(text("checks.challenges.wrong_whole_values", case=case))
                raise Failed
    return finish("whole-image", problems, verbose)


# --------------------------------------------------------------------------------------------------
# Desafio: count the multiply-adds of the convolutions
# --------------------------------------------------------------------------------------------------
def reference_multiply_adds(features: nn.Module, side: int) -> int:
    """Multiply-adds of the Conv2d layers of ``features`` for a square input of ``side`` pixels: per layer,
    output positions × output channels × (input channels / groups) × kernel area (biases, ReLU and pooling
    left out)."""
    total = 0
    for layer in features.modules():
        if not isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            continue
        side = output_side(nn.Sequential(layer), side)
        if isinstance(layer, nn.Conv2d):
            kernel_area = layer.kernel_size[0] * layer.kernel_size[1]
            total += side * side * layer.out_channels * (layer.in_channels // layer.groups) * kernel_area
    return total


def _macs_cases() -> dict:
    cases = _size_cases()
    return {
        text("checks.challenges.case_macs", network="AlexNet", side=224): (cases["AlexNet"], 224),
        text("checks.challenges.case_macs", network="VGG16", side=224): (cases["VGG16"], 224),
        text("checks.challenges.case_macs", network=text("checks.challenges.case_probe"), side=97): (
            cases[text("checks.challenges.case_probe")],
            97,
        ),
    }


@exercise("multiply-adds", notebook="04_fcn_vgg16", names=("count_multiply_adds",), challenge=True)
def check_multiply_adds(function, verbose: bool = True) -> CheckResult:
    """``count_multiply_adds(features, side)`` -> the multiply-adds of the convolutions of ``features``."""
    problems = []
    with judging(problems):
        for case, (features, side) in _macs_cases().items():
            got = run_student_code(problems, case, function, features, side)
            expected = reference_multiply_adds(features, side)
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)) or int(got) != expected:
                parameters = sum(p.numel() for m in features.modules() if isinstance(m, nn.Conv2d) for p in [m.weight])
                hint = (
                    text("checks.challenges.hint_macs_parameters")
                    if got == parameters
                    else text("checks.challenges.hint_macs_formula")
                )
                problems.append(
                    text("checks.challenges.wrong_macs", case=case, expected=expected, value=got, hint=hint)
                )
                raise Failed
    return finish("multiply-adds", problems, verbose)
