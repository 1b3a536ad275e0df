"""The exercises ``class-weights`` and ``dice-loss``: class weights from pixel counts (median-frequency
balancing) and the soft Dice loss.

Both are tried as the notebooks use them: ``class_weights`` on an int64 tensor of pixel counts (what
``count_class_pixels`` returns), its weights handed to ``nn.CrossEntropyLoss(weight=...)`` with float32
scores; ``dice_loss`` on raw scores [B, C, H, W] with void (255) pixels, for several class counts.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_backward, run_student_code
from fcn_course.messages import text
from fcn_course.voc import VOID

# --------------------------------------------------------------------------------------------------
# Class weights
# --------------------------------------------------------------------------------------------------
WEIGHT_CASES = ([900, 90, 10], [500, 0, 300, 200], [4000, 0, 1200, 300, 2500, 50, 800])


def _medians(frequencies: torch.Tensor) -> list:
    """The medians of ``frequencies`` a right answer may use: the lower middle value (torch.median), the
    upper one, and their mean (numpy.median) when their count is even."""
    values = frequencies.sort().values
    return [
        values[(len(values) - 1) // 2],
        values[len(values) // 2],
        (values[(len(values) - 1) // 2] + values[len(values) // 2]) / 2,
    ]


def _balanced(counts: list, over_every_class: bool = False, average=None) -> list:
    """Median-frequency weights for ``counts`` (one tensor per median convention); 0 for an absent class.

    ``over_every_class`` takes the median over every class, absent ones included (a known mistake);
    ``average`` replaces the median by another statistic (the mean, another known mistake).
    """
    frequencies = torch.tensor(counts, dtype=torch.float64)
    frequencies = frequencies / frequencies.sum()
    present = frequencies > 0
    pool = frequencies if over_every_class else frequencies[present]
    centres = [average(pool)] if average is not None else _medians(pool)
    answers = []
    for centre in centres:
        weights = torch.zeros_like(frequencies)
        weights[present] = centre / frequencies[present]
        answers.append(weights)
    return answers


def _matches(weights: torch.Tensor, candidates: list) -> bool:
    return any(torch.allclose(weights.double(), candidate, rtol=1e-3, atol=1e-6) for candidate in candidates)


def _as_vector(problems: list, weights, length: int) -> torch.Tensor:
    """The student's weights as a float tensor of one weight per class, else a problem (and stop)."""
    if not isinstance(weights, torch.Tensor) or not weights.is_floating_point() or weights.shape != (length,):
        hint = text("checks.losses.hint_length") if getattr(weights, "shape", None) == (3,) and length != 3 else ""
        problems.append(
            text(
                "checks.losses.weights_form",
                length=length,
                kind=type(weights).__name__,
                shape=tuple(getattr(weights, "shape", ())),
                hint=hint,
            )
        )
        raise Failed
    if weights.dtype != torch.float32:
        problems.append(text("checks.losses.weights_dtype", dtype=weights.dtype))
        raise Failed
    return weights.detach().cpu()


def _weights_hint(weights: torch.Tensor, counts: list) -> str:
    """Why the weights of ``counts`` are wrong, found by comparing them with each known mistake."""
    if _matches(weights, _balanced(counts, over_every_class=True)):
        return text("checks.losses.hint_median_of_present")
    if _matches(weights, _balanced(counts, average=torch.mean)):
        return text("checks.losses.hint_mean_not_median")
    expected = _balanced(counts)[0]
    present = expected > 0
    ratio = weights.double()[present] / expected[present]
    if torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-3):
        return text("checks.losses.hint_divide_by_median")
    return text("checks.losses.hint_weights_formula")


def _check_weights(problems: list, class_weights, counts: list) -> None:
    call = f"class_weights(torch.tensor({counts}))"
    weights = _as_vector(
        problems, run_student_code(problems, call, class_weights, torch.tensor(counts, dtype=torch.int64)), len(counts)
    )
    absent = torch.tensor(counts) == 0
    if not torch.isfinite(weights).all() or (weights[absent] != 0).any():
        problems.append(text("checks.losses.absent_class_weight", weights=[round(float(w), 4) for w in weights]))
        raise Failed
    present = [c for c, count in enumerate(counts) if count > 0]
    frequent, rare = max(present, key=counts.__getitem__), min(present, key=counts.__getitem__)
    if weights[frequent] >= weights[rare]:
        problems.append(text("checks.losses.inverse_order", call=call, weights=[round(float(w), 4) for w in weights]))
        raise Failed
    if not _matches(weights, _balanced(counts)):
        expected = [round(float(w), 4) for w in _balanced(counts)[0]]
        problems.append(
            text(
                "checks.losses.wrong_weights",
                call=call,
                expected=expected,
                weights=[round(float(w), 4) for w in weights],
                hint=_weights_hint(weights, counts),
            )
        )
        raise Failed


@exercise("class-weights", notebook="03_upsampling_e_perdas", names=("class_weights",), group="imbalance")
def check_class_weights(class_weights, verbose: bool = True) -> CheckResult:
    """``class_weights(pixel_counts)``: median(freq) / freq_c (median over the classes present); 0 for a class
    without pixels; a float32 tensor, as ``nn.CrossEntropyLoss(weight=...)`` needs with float32 scores."""
    problems = []
    with judging(problems):
        for counts in WEIGHT_CASES:
            _check_weights(problems, class_weights, counts)
    return finish("class-weights", problems, verbose)


# --------------------------------------------------------------------------------------------------
# Dice loss
# --------------------------------------------------------------------------------------------------
def _batch(seed=0, classes=3, size=16):
    """Labels [2, size, size] of ``classes`` classes with two void rows, and random scores."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (2, size, size), generator=generator)
    labels[:, :2, :] = VOID
    return labels, torch.randn(2, classes, size, size, generator=generator)


def _confident(labels, classes):
    """Scores that predict ``labels`` with near certainty (void pixels get class 0)."""
    return F.one_hot(labels.masked_fill(labels == VOID, 0), classes).permute(0, 3, 1, 2).float() * 40.0


def _value(problems, what, dice_loss, outputs, labels) -> float:
    loss = run_student_code(problems, what, dice_loss, outputs, labels)
    return float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)


def _check_form(problems, dice_loss, logits, labels):
    """A differentiable scalar, whose gradient reaches the scores and skips the void pixels."""
    what = "dice_loss(outputs, labels)"
    loss = run_student_code(problems, what, dice_loss, logits, labels)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        problems.append(text("checks.losses.dice_not_scalar", shape=tuple(getattr(loss, "shape", ()))))
        raise Failed
    if not loss.requires_grad:
        problems.append(text("checks.losses.dice_no_gradient"))
        raise Failed
    run_backward(problems, what, loss, dice_loss, logits, labels)
    if logits.grad is None or not torch.isfinite(logits.grad).all() or logits.grad.abs().sum() == 0:
        problems.append(text("checks.losses.dice_null_gradient"))
        raise Failed
    if logits.grad[:, :, :2, :].abs().max() > 1e-7:
        problems.append(text("checks.losses.dice_void"))
        raise Failed
    return float(loss.detach())


def _check_softmax_axis(problems, dice_loss, logits, labels, value):
    """Softmax over the classes ignores a constant added to every class of a pixel: the loss must too."""
    generator = torch.Generator().manual_seed(5)
    shifted = logits.detach() + torch.randn(logits.shape[0], 1, *logits.shape[2:], generator=generator) * 3
    if abs(_value(problems, "dice_loss(outputs + c, labels)", dice_loss, shifted, labels) - value) > 1e-4:
        problems.append(text("checks.losses.dice_softmax_axis"))
        raise Failed


def _check_range(problems, dice_loss, labels, value):
    """The loss of random scores lies in [0, 1]."""
    if not 0.0 <= value <= 1.0:
        perfect = _value(
            problems, f"dice_loss({text('checks.losses.perfect')})", dice_loss, _confident(labels, 3), labels
        )
        key = "checks.losses.dice_sum_of_classes" if perfect < -0.5 else "checks.losses.dice_range"
        problems.append(text(key, value=value))
        raise Failed


def _check_extremes(problems, dice_loss, labels, classes, hint=""):
    """≈ 0 for a perfect prediction, ≈ 1 for a prediction wrong everywhere (``hint`` added to a problem)."""
    case = text("checks.losses.dice_case", classes=classes)
    right = _confident(labels, classes)
    try:
        perfect = _value(problems, f"dice_loss({case}, {text('checks.losses.perfect')})", dice_loss, right, labels)
        worst = _value(
            problems, f"dice_loss({case}, {text('checks.losses.all_wrong')})", dice_loss, right.roll(1, dims=1), labels
        )
    except Failed:
        problems[-1] += hint
        raise
    if abs(perfect) > 0.02:
        key = "checks.losses.dice_sum_of_classes" if perfect < -0.5 else "checks.losses.dice_perfect"
        problems.append(text(key, value=perfect) + hint)
        raise Failed
    if worst < 0.9:
        problems.append(text("checks.losses.dice_worst", value=worst) + hint)
        raise Failed


def _check_per_class(problems, dice_loss):
    """A big class predicted right and two small ones swapped: the mean over classes of the Dice is ≈ 1/3
    (loss ≈ 2/3); one Dice over every pixel of every class is ≈ 0.93, dominated by the big class."""
    labels = torch.zeros(2, 32, 32, dtype=torch.long)
    labels[:, 4:10, 4:10], labels[:, 20:26, 20:26] = 1, 2
    labels[:, 0, :] = VOID
    swapped = labels.clone()
    swapped[labels == 1], swapped[labels == 2] = 2, 1
    value = _value(
        problems, f"dice_loss({text('checks.losses.small_swapped')})", dice_loss, _confident(swapped, 3), labels
    )
    if not 0.6 <= value <= 0.72:
        key = "checks.losses.dice_lumped" if value < 0.6 else "checks.losses.dice_per_class"
        problems.append(text(key, value=value))
        raise Failed


@exercise("dice-loss", notebook="03_upsampling_e_perdas", names=("dice_loss",), group="imbalance")
def check_dice_loss(dice_loss, verbose: bool = True) -> CheckResult:
    """``dice_loss(outputs, labels)``: a differentiable scalar in [0, 1], 0 when right, 1 when all wrong,
    void left out, softmax over the classes, the mean over classes of a Dice per class, any class count."""
    problems = []
    with judging(problems):
        labels, logits = _batch()
        logits.requires_grad_(True)
        value = _check_form(problems, dice_loss, logits, labels)
        _check_softmax_axis(problems, dice_loss, logits, labels, value)
        _check_range(problems, dice_loss, labels, value)
        _check_extremes(problems, dice_loss, labels, 3)
        _check_per_class(problems, dice_loss)
        for classes in (2, 5):  # a loss that works for 3 classes only is caught here
            labels, _ = _batch(seed=classes, classes=classes, size=12)
            _check_extremes(problems, dice_loss, labels, classes, hint=text("checks.losses.hint_class_count"))
    return finish("dice-loss", problems, verbose)
