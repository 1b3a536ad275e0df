"""The self-checks of Exercício 5 (fcn_course/checks/losses.py): class weights (median-frequency balancing) and
the Dice loss. The references pass; right answers written in other ways pass; each wrong answer, as students
write them, fails with the hint that names its mistake."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from check_helpers import failed_messages
from fcn_course import checks
from fcn_course.messages import text
from fcn_course.voc import VOID
from solutions.losses import class_weights, dice_loss


def _messages(result):
    return failed_messages(result)


# ---------------------------------------------------------------- class weights: the reference and known mistakes
def test_reference_class_weights_pass():
    assert checks.check_class_weights(class_weights, verbose=False).passed
    assert torch.allclose(class_weights([900, 90, 10]), torch.tensor([0.1, 1.0, 9.0]))


def _frequencies(counts):
    counts = torch.as_tensor(counts, dtype=torch.float32)
    return counts / counts.sum()


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda counts: _frequencies(counts), "inversamente proporcional"),  # weight = frequency
        (lambda counts: 1 / _frequencies(counts), "dividir pela mediana"),  # no median normalisation
        (lambda counts: _frequencies(counts).median() / _frequencies(counts), "peso 0"),  # inf for an absent class
        (
            lambda counts: torch.nan_to_num(_frequencies(counts).median() / _frequencies(counts), posinf=0.0),
            "só sobre as classes presentes",
        ),  # median over every class
        (lambda counts: [0.1, 1.0, 9.0], "tensor float"),
    ],
)
def test_wrong_class_weights_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_class_weights(wrong, verbose=False))


def _median_over_present(counts, divide):
    frequencies = torch.as_tensor(counts, dtype=torch.float32)
    frequencies = frequencies / frequencies.sum()
    median = frequencies[frequencies > 0].median()
    return median, frequencies, divide(median, frequencies)


def test_class_weights_with_a_small_epsilon_in_the_division_pass():
    """Right up to rounding: the check compares with a relative tolerance (1e-3)."""

    def with_epsilon(counts):
        median, frequencies, weights = _median_over_present(counts, lambda m, f: m / (f + 1e-6))
        return torch.where(frequencies > 0, weights, torch.zeros(()))

    result = checks.check_class_weights(with_epsilon, verbose=False)
    assert result.passed, result.messages


def test_class_weights_that_only_avoid_the_division_by_zero_are_caught():
    """A huge but finite weight for a class without pixels is still wrong: it must be 0."""

    def clamped(counts):
        return _median_over_present(counts, lambda m, f: m / f.clamp(min=1e-6))[2]

    result = checks.check_class_weights(clamped, verbose=False)
    assert not result.passed and "uma classe sem nenhum pixel deve receber peso 0" in _messages(result)


def test_the_weights_of_an_absent_class_are_shown_rounded_like_every_other_weight():
    """float32 weights printed as tolist() read 0.4000000059604645; the feedback shows 0.4, as elsewhere."""

    def inverse_median_over_all(counts):
        freq = torch.as_tensor(counts, dtype=torch.float64) / sum(counts)
        return (freq.median() / freq).float()  # inf for the class without pixels

    message = _messages(checks.check_class_weights(inverse_median_over_all, verbose=False))
    assert "inf" in message and "0000000" not in message


# ---------------------------------------------------------------- class weights: issue 20
def in_double_precision(pixel_counts):
    """Right values, but float64: nn.CrossEntropyLoss(weight=...) then fails on float32 scores (notebook 05)."""
    counts = torch.as_tensor(pixel_counts, dtype=torch.float64)
    freq = counts / counts.sum()
    weights = torch.zeros_like(freq)
    weights[freq > 0] = freq[freq > 0].median() / freq[freq > 0]
    return weights


def test_class_weights_in_float64_fail_saying_why_float32_is_needed():
    message = _messages(checks.check_class_weights(in_double_precision, verbose=False))
    assert "torch.float64" in message and "float32" in message
    assert "nn.CrossEntropyLoss(weight=...)" in message and "expected scalar type Float but found Double" in message


def _right(counts, median=lambda f: f.median()):
    counts = torch.as_tensor(counts, dtype=torch.float32)
    freq = counts / counts.sum()
    present = freq > 0
    weights = torch.zeros_like(freq)
    weights[present] = median(freq[present]) / freq[present]
    return weights


def three_classes_only(pixel_counts):
    return _right(pixel_counts[:3])


def numpy_array(pixel_counts):
    return _right(pixel_counts).numpy()


def integer_weights(pixel_counts):
    return _right(pixel_counts).round().long()


def normalised_to_sum_one(pixel_counts):
    weights = _right(pixel_counts)
    return weights / weights.sum()


def mean_instead_of_median(pixel_counts):
    return _right(pixel_counts, median=lambda f: f.mean())


def inverted(pixel_counts):
    weights = _right(pixel_counts)
    return torch.where(weights > 0, 1 / weights, weights)


def nan_for_absent(pixel_counts):
    weights = _right(pixel_counts)
    return torch.where(weights > 0, weights, torch.full_like(weights, float("nan")))


def square_root(pixel_counts):
    return _right(pixel_counts).sqrt()


def one_for_absent(pixel_counts):
    weights = _right(pixel_counts)
    return torch.where(weights > 0, weights, torch.ones_like(weights))


def counts_not_frequencies_over_every_class(pixel_counts):
    counts = torch.as_tensor(pixel_counts, dtype=torch.float32)
    return torch.nan_to_num(counts.median() / counts, posinf=0.0)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (three_classes_only, "Não fixe 3 classes"),
        (numpy_array, "devolva um tensor float"),
        (integer_weights, "devolva um tensor float"),
        (normalised_to_sum_one, "falta dividir pela mediana"),
        (mean_instead_of_median, "Parece a média das frequências"),
        (inverted, "inversamente proporcional"),
        (nan_for_absent, "deve receber peso 0"),
        (square_root, "peso = mediana(freq) / freq"),
        (one_for_absent, "deve receber peso 0"),
        (counts_not_frequencies_over_every_class, "só sobre as classes presentes"),
        (in_double_precision, "devolva float32"),
    ],
)
def test_more_wrong_class_weights_get_the_hint_naming_their_mistake(wrong, hint):
    assert hint in _messages(checks.check_class_weights(wrong, verbose=False))


def with_numpy_median(pixel_counts):
    """np.median averages the two middle values of an even count: a median all the same."""
    counts = np.asarray(pixel_counts, dtype=np.float64)
    freq = counts / counts.sum()
    weights = np.where(freq > 0, np.median(freq[freq > 0]) / np.where(freq > 0, freq, 1), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def median_of_counts(pixel_counts):
    """median(count) / count_c equals median(freq) / freq_c: the total cancels."""
    counts = pixel_counts.float()
    present = counts > 0
    return torch.where(present, counts[present].median() / counts.clamp(min=1), torch.zeros(()))


def with_a_loop(pixel_counts):
    total = float(sum(pixel_counts))
    freqs = [float(c) / total for c in pixel_counts]
    median = float(np.median([f for f in freqs if f > 0]))
    return torch.tensor([median / f if f > 0 else 0.0 for f in freqs])


@pytest.mark.parametrize("answer", [with_numpy_median, median_of_counts, with_a_loop])
def test_acceptable_class_weights_pass(answer):
    result = checks.check_class_weights(answer, verbose=False)
    assert result.passed, result.messages


def median_at_index_one(pixel_counts):
    """Wrong: the median taken as the second smallest frequency, right for three present classes only."""
    counts = torch.as_tensor(pixel_counts, dtype=torch.float32)
    freq = counts / counts.sum()
    present = freq > 0
    weights = torch.zeros_like(freq)
    weights[present] = freq[present].sort().values[1] / freq[present]
    return weights


def test_the_expected_weights_are_quoted_rounded_to_four_decimals():
    """The weights the check expected for [4000, 0, 1200, 300, 2500, 50, 800] read 0.6667 and 2.6667."""
    message = _messages(checks.check_class_weights(median_at_index_one, verbose=False))
    assert "esperava pesos [0.2, 0.0, 0.6667, 2.6667, 0.32, 16.0, 1.0];" in message


def test_the_weights_are_asked_for_as_the_notebook_asks_an_int64_tensor_of_counts():
    seen = []

    def spy(pixel_counts):
        seen.append(pixel_counts)
        return class_weights(pixel_counts)

    checks.check_class_weights(spy, verbose=False)
    assert seen and all(isinstance(c, torch.Tensor) and c.dtype == torch.int64 for c in seen)
    assert any((c > 0).sum() % 2 == 0 for c in seen)  # an even count: medians differ


# ---------------------------------------------------------------- Dice loss: the reference and known mistakes
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


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda outputs, labels: _dice_per_class(outputs, labels), "único número"),
        (_dice_with_argmax, "não tem gradiente"),
        (_dice_without_softmax, "softmax"),
        (_dice_without_void_mask, "void"),
        (_dice_as_score, "predição perfeita"),
    ],
)
def test_wrong_dice_losses_get_their_hint(wrong, hint):
    assert hint in _messages(checks.check_dice_loss(wrong, verbose=False))


def test_a_dice_loss_without_smoothing_passes():
    """2·I/(P+G) per class with no smoothing term is right: every class of the check's batch has pixels."""

    def plain_dice(outputs, labels):
        valid = (labels != VOID).unsqueeze(1)
        probabilities = outputs.softmax(dim=1) * valid
        target = F.one_hot(labels.masked_fill(labels == VOID, 0), outputs.shape[1]).permute(0, 3, 1, 2) * valid
        intersection = (probabilities * target).sum(dim=(0, 2, 3))
        return 1 - (2 * intersection / (probabilities.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3)))).mean()

    result = checks.check_dice_loss(plain_dice, verbose=False)
    assert result.passed, result.messages


def test_a_dice_loss_that_never_reaches_one_is_caught():
    result = checks.check_dice_loss(lambda outputs, labels: dice_loss(outputs, labels) / 2, verbose=False)
    assert not result.passed and "com a predição toda errada a perda deveria ser ≈ 1" in _messages(result)


# ---------------------------------------------------------------- Dice loss: issue 20
def _masked(outputs, labels, classes=None):
    classes = classes or outputs.shape[1]
    valid = (labels != VOID).unsqueeze(1)
    p = outputs.softmax(dim=1) * valid
    g = F.one_hot(labels.masked_fill(labels == VOID, 0), classes).permute(0, 3, 1, 2).float() * valid
    return p, g


def global_dice(outputs, labels):
    """Wrong: one Dice over every pixel of every class (the big class dominates)."""
    p, g = _masked(outputs, labels)
    return 1 - (2 * (p * g).sum() + 1) / (p.sum() + g.sum() + 1)


def per_image_classes_lumped(outputs, labels):
    """Wrong: a Dice per image, with the classes summed together, averaged over the images."""
    p, g = _masked(outputs, labels)
    return 1 - ((2 * (p * g).sum(dim=(1, 2, 3)) + 1) / (p.sum(dim=(1, 2, 3)) + g.sum(dim=(1, 2, 3)) + 1)).mean()


def three_classes_hard_coded(outputs, labels):
    p, g = _masked(outputs, labels, classes=3)
    return 1 - ((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)) + 1)).mean()


def masks_the_softmax_in_place(outputs, labels):
    """Wrong: zeroes the void pixels of the softmax output in place (autograd needs that output intact)."""
    p = outputs.softmax(dim=1)
    p[(labels == VOID).unsqueeze(1).expand_as(p)] = 0
    g = F.one_hot(labels.masked_fill(labels == VOID, 0), outputs.shape[1]).permute(0, 3, 1, 2).float()
    g = g * (labels != VOID).unsqueeze(1)
    return 1 - ((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)) + 1)).mean()


def softmax_over_the_width(outputs, labels):
    return dice_loss(outputs.log_softmax(dim=-1), labels)


def sigmoid_instead_of_softmax(outputs, labels):
    valid = (labels != VOID).unsqueeze(1)
    p = outputs.sigmoid() * valid
    _, g = _masked(outputs, labels)
    return 1 - ((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)) + 1)).mean()


def summed_over_classes(outputs, labels):
    p, g = _masked(outputs, labels)
    return 1 - ((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)) + 1)).sum()


def as_a_float(outputs, labels):
    return dice_loss(outputs, labels).item()


def huge_smoothing(outputs, labels):
    return dice_loss(outputs, labels, eps=500.0)


def void_treated_as_background(outputs, labels):
    return dice_loss(outputs, labels.masked_fill(labels == VOID, 0))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (global_dice, "calcule um Dice por classe"),
        (per_image_classes_lumped, "calcule um Dice por classe"),
        (three_classes_hard_coded, "não fixe o número de classes, use outputs.shape[1]"),
        (masks_the_softmax_in_place, "uma operação in-place"),
        (softmax_over_the_width, "aplique softmax no eixo das classes"),
        (sigmoid_instead_of_softmax, "aplique softmax no eixo das classes"),
        (summed_over_classes, "não a soma"),
        (as_a_float, "único número"),
        (huge_smoothing, "com a predição toda errada a perda deveria ser ≈ 1"),
        (void_treated_as_background, "os pixels void (255) influenciaram a perda"),
    ],
)
def test_more_wrong_dice_losses_get_the_hint_naming_their_mistake(wrong, hint):
    assert hint in _messages(checks.check_dice_loss(wrong, verbose=False))


def test_an_in_place_masking_is_explained_at_the_students_line_never_raised():
    message = _messages(checks.check_dice_loss(masks_the_softmax_in_place, verbose=False))
    line = masks_the_softmax_in_place.__code__.co_firstlineno + 2
    assert f"test_checks_losses.py, linha {line}: `p = outputs.softmax(dim=1)`" in message
    assert "RuntimeError" not in message


def squared_denominators(outputs, labels):
    """The V-Net form of the soft Dice: Σp² + Σg² in the denominator."""
    p, g = _masked(outputs, labels)
    dims = (0, 2, 3)
    return 1 - ((2 * (p * g).sum(dims) + 1e-6) / ((p * p).sum(dims) + (g * g).sum(dims) + 1e-6)).mean()


def per_image_and_class(outputs, labels):
    """A Dice per image and class, averaged over both (every class of the check's images is present)."""
    p, g = _masked(outputs, labels)
    return 1 - ((2 * (p * g).sum((2, 3)) + 1) / (p.sum((2, 3)) + g.sum((2, 3)) + 1)).mean()


def with_where_and_scatter(outputs, labels):
    valid = labels != VOID
    p = torch.where(valid.unsqueeze(1), outputs.softmax(dim=1), torch.zeros(()))
    g = torch.zeros_like(p).scatter_(1, torch.where(valid, labels, 0).unsqueeze(1), 1.0) * valid.unsqueeze(1)
    intersection, total = (p * g).sum(dim=(0, 2, 3)), p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3))
    return (1 - (2 * intersection + 1e-5) / (total + 1e-5)).mean()


@pytest.mark.parametrize("answer", [squared_denominators, per_image_and_class, with_where_and_scatter])
def test_acceptable_dice_losses_pass(answer):
    result = checks.check_dice_loss(answer, verbose=False)
    assert result.passed, result.messages


def clamped_before_the_softmax(outputs, labels):
    """Wrong: scores clipped to [-4, 4] "for stability": the softmax no longer ignores a constant per pixel."""
    p, g = _masked(outputs.clamp(-4, 4), labels)
    return 1 - ((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)) + 1)).mean()


def test_scores_clamped_before_the_softmax_get_the_softmax_axis_hint():
    message = _messages(checks.check_dice_loss(clamped_before_the_softmax, verbose=False))
    assert text("checks.losses.dice_softmax_axis") in message


def log_dice_smoothed_in_the_numerator(outputs, labels):
    """Wrong: -log of the Dice, smoothed in the numerator only: above 1 for random scores, slightly below 0
    (about -0.003) for a perfect prediction, not the -1 or less of a sum over classes."""
    p, g = _masked(outputs, labels)
    return -torch.log((2 * (p * g).sum(dim=(0, 2, 3)) + 1) / (p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3)))).mean()


def test_a_loss_out_of_range_but_not_a_sum_over_classes_gets_the_range_hint():
    message = _messages(checks.check_dice_loss(log_dice_smoothed_in_the_numerator, verbose=False))
    before, after = text("checks.losses.dice_range", value=float("nan")).split("nan")
    assert message.startswith(before) and after in message
    assert text("checks.losses.dice_sum_of_classes", value=float("nan")).split("nan")[0] not in message
