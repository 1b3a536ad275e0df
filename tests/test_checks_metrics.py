"""The self-check of Exercício 0 (fcn_course/checks/metrics.py): IoU and Dice per class from a confusion matrix.

Right answers, written in the ways students write them, pass; each wrong one fails with the hint that names its
mistake."""

import numpy as np
import pytest
import torch

from check_helpers import failed_messages, iou_dice
from check_helpers import messages as _messages
from fcn_course import checks
from fcn_course.messages import text


# ---------------------------------------------------------------- from the course's first tests
def test_iou_from_confusion_accepts_a_correct_answer():
    assert checks.check_iou_from_confusion(iou_dice, verbose=False).passed


def test_iou_from_confusion_rejects_recall_and_zero_for_absent_classes():
    recall = checks.check_iou_from_confusion(lambda m: (np.diag(m) / m.sum(1), np.diag(m) / m.sum(1)), verbose=False)
    assert not recall.passed and "IoU = TP/(TP+FP+FN)" in _messages(recall)

    def zero_for_absent(matrix):
        iou, dice = iou_dice(matrix)
        return np.nan_to_num(iou), np.nan_to_num(dice)

    absent = checks.check_iou_from_confusion(zero_for_absent, verbose=False)
    assert not absent.passed and "devolva NaN" in _messages(absent)


def test_a_wrong_dice_with_a_right_iou_fails_naming_dice():
    def dice_as_iou(matrix):
        iou, _ = iou_dice(matrix)
        return iou, iou

    result = checks.check_iou_from_confusion(dice_as_iou, verbose=False)
    assert not result.passed
    assert _messages(result).startswith("Dice com") and "Dice = 2TP/(2TP+FP+FN)" in _messages(result)


def test_the_recall_bug_is_named_recall():
    result = checks.check_iou_from_confusion(lambda m: (np.diag(m) / m.sum(1), iou_dice(m)[1]), verbose=False)
    assert not result.passed and "recall" in _messages(result) and "Dica: lembre" not in _messages(result)


def test_iou_and_dice_returned_as_a_list_pass():
    assert checks.check_iou_from_confusion(lambda m: list(iou_dice(m)), verbose=False).passed


def test_iou_computed_as_precision_is_named_precision():
    def precision(matrix):
        tp = torch.as_tensor(matrix).diag().double()
        return (tp / torch.as_tensor(matrix).sum(0)).numpy(), (tp / torch.as_tensor(matrix).sum(0)).numpy()

    result = checks.check_iou_from_confusion(precision, verbose=False)
    assert not result.passed
    assert "isso é a precisão de cada classe, TP/(TP+FP): falta o FN no denominador" in _messages(result)


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda matrix: {"iou": iou_dice(matrix)[0], "dice": iou_dice(matrix)[1]}, "`return iou, dice`"),
        (lambda matrix: iou_dice(matrix)[0], "`return iou, dice`"),
        (lambda matrix: (np.nanmean(iou_dice(matrix)[0]), np.nanmean(iou_dice(matrix)[1])), "um valor por classe"),
    ],
)
def test_an_answer_of_the_wrong_form_gets_its_hint(answer, hint):
    result = checks.check_iou_from_confusion(answer, verbose=False)
    assert not result.passed and hint in _messages(result)


# ---------------------------------------------------------------- issue 20: a class present but never right
def nan_unless_right(matrix):
    """Wrong: a class never predicted right (TP = 0) is treated as absent."""
    tp = np.diag(matrix).astype(float)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    iou = np.where(tp > 0, tp / np.maximum(tp + fp + fn, 1), np.nan)
    dice = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), np.nan)
    return iou, dice


def test_a_class_present_but_never_predicted_right_has_iou_zero_not_nan():
    iou, dice = iou_dice(np.array([[5, 1], [3, 0]]))
    np.testing.assert_allclose(iou, [0.556, 0.0], atol=1e-3)  # the value the check expects
    message = failed_messages(checks.check_iou_from_confusion(nan_unless_right, verbose=False))
    assert "[[5, 1], [3, 0]]" in message and "esperado [0.5556 0.    ]" in message
    assert "nunca é acertada (TP = 0) tem IoU 0, não NaN" in message


# ---------------------------------------------------------------- wrong answers, as students write them
def _parts(matrix):
    tp = np.diag(matrix).astype(float)
    return tp, matrix.sum(0) - tp, matrix.sum(1) - tp


def recall_for_both(matrix):
    tp = np.diag(matrix)
    return tp / matrix.sum(axis=1), 2 * tp / (matrix.sum(axis=1) + matrix.sum(axis=1))


def precision_only(matrix):
    tp = np.diag(matrix)
    return tp / matrix.sum(axis=0), iou_dice(matrix)[1]


def one_for_absent(matrix):
    iou, dice = iou_dice(matrix)
    return np.nan_to_num(iou, nan=1.0), np.nan_to_num(dice, nan=1.0)


def dice_twice_iou(matrix):
    iou, _ = iou_dice(matrix)
    return iou, 2 * iou


def fp_counts_the_diagonal(matrix):
    tp = np.diag(matrix)
    with np.errstate(invalid="ignore"):
        return tp / (matrix.sum(0) + matrix.sum(1) - tp + tp), iou_dice(matrix)[1]


def three_classes(matrix):
    iou, dice = np.zeros(3), np.zeros(3)
    for c in range(3):
        tp = matrix[c, c]
        union = matrix[:, c].sum() + matrix[c, :].sum() - tp
        iou[c] = tp / union if union else np.nan
        dice[c] = 2 * tp / (union + tp) if union else np.nan
    return iou, dice


def swapped(matrix):
    iou, dice = iou_dice(matrix)
    return dice, iou


def integer_division(matrix):
    tp, fp, fn = (part.astype(int) for part in _parts(matrix))
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(tp + fp + fn > 0, tp // np.maximum(tp + fp + fn, 1), np.nan)
    return iou, iou_dice(matrix)[1]


def nan_when_not_in_labels(matrix):
    iou, dice = iou_dice(matrix)
    absent_from_labels = matrix.sum(axis=1) == 0
    return np.where(absent_from_labels, np.nan, iou), np.where(absent_from_labels, np.nan, dice)


def dice_without_the_two(matrix):
    tp, fp, fn = _parts(matrix)
    with np.errstate(invalid="ignore"):
        return iou_dice(matrix)[0], tp / (2 * tp + fp + fn)


def returns_means(matrix):
    iou, dice = iou_dice(matrix)
    return float(np.nanmean(iou)), float(np.nanmean(dice))


def total_pixels_in_denominator(matrix):
    tp = np.diag(matrix)
    with np.errstate(invalid="ignore"):
        return tp / matrix.sum(), iou_dice(matrix)[1]


@pytest.mark.parametrize(
    "answer, hint",
    [
        (recall_for_both, "isso é a recall de cada classe"),
        (precision_only, "isso é a precisão de cada classe"),
        (one_for_absent, "devolva NaN (0/0), não 0 nem 1"),
        (nan_unless_right, "tem IoU 0, não NaN"),
        (dice_twice_iou, "Dice não é 2·IoU"),
        (fp_counts_the_diagonal, "FP soma a coluna e FN soma a linha (sem o TP)"),
        (three_classes, "qualquer número de classes: use len(matrix)"),
        (swapped, "os valores parecem trocados"),
        (integer_division, "parece divisão inteira (//)"),
        (nan_when_not_in_labels, "nunca é acertada (TP = 0) tem IoU 0, não NaN"),
        (dice_without_the_two, "Dice = 2TP/(2TP+FP+FN) (o TP conta duas vezes)"),
        (returns_means, "esperado um valor por classe"),
        (total_pixels_in_denominator, "IoU = TP/(TP+FP+FN)"),
    ],
)
def test_wrong_answers_fail_with_the_hint_naming_their_mistake(answer, hint):
    assert hint in failed_messages(checks.check_iou_from_confusion(answer, verbose=False))


# ---------------------------------------------------------------- acceptable alternatives
def with_torch(matrix):
    m = torch.as_tensor(matrix, dtype=torch.float64)
    tp = m.diag()
    fp, fn = m.sum(0) - tp, m.sum(1) - tp
    return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)


def dice_from_iou(matrix):
    iou, _ = iou_dice(matrix)
    return iou, 2 * iou / (1 + iou)


def divide_where(matrix):
    tp = np.diag(matrix).astype(float)
    union = matrix.sum(0) + matrix.sum(1) - tp
    iou = np.divide(tp, union, out=np.full(len(tp), np.nan), where=union > 0)
    dice = np.divide(2 * tp, union + tp, out=np.full(len(tp), np.nan), where=union + tp > 0)
    return iou, dice


def plain_loops(matrix):
    iou, dice = [], []
    for c in range(len(matrix)):
        tp = matrix[c][c]
        fp = sum(matrix[r][c] for r in range(len(matrix))) - tp
        fn = sum(matrix[c]) - tp
        iou.append(tp / (tp + fp + fn) if tp + fp + fn else float("nan"))
        dice.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan"))
    return iou, dice


@pytest.mark.parametrize("answer", [with_torch, dice_from_iou, divide_where, plain_loops])
def test_acceptable_alternatives_pass(answer):
    result = checks.check_iou_from_confusion(answer, verbose=False)
    assert result.passed, result.messages


def test_the_probe_matrices_cover_what_the_property_needs():
    """Several sizes; classes absent from the labels only, from the predictions only, and from both."""
    from fcn_course.checks.metrics import _cases

    matrices = list(_cases().values())
    assert {len(m) for m in matrices} >= {2, 3, 4, 5, 6}
    rows, columns = [m.sum(1) == 0 for m in matrices], [m.sum(0) == 0 for m in matrices]
    assert any((r & ~c).any() for r, c in zip(rows, columns))  # predicted, never in the labels
    assert any((c & ~r).any() for r, c in zip(rows, columns))  # in the labels, never predicted
    assert any((r & c).any() for r, c in zip(rows, columns))  # absent
    assert any(((np.diag(m) == 0) & (m.sum(1) > 0)).any() for m in matrices)  # present, never right


# ---------------------------------------------------------------- the hint and the figures a mistake is shown
def test_an_answer_sized_for_three_classes_is_told_to_work_for_any_class_count():
    message = failed_messages(checks.check_iou_from_confusion(lambda m: iou_dice(m[:3, :3]), verbose=False))
    assert "esperado um valor por classe (4,), veio (3,)" in message
    assert text("checks.metrics.hint_any_class_count") in message


def nan_when_never_predicted(matrix):
    """Wrong: a class the model never predicts (a zero column) is treated as absent."""
    tp, predicted, labelled = np.diag(matrix).astype(float), matrix.sum(0), matrix.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou, dice = tp / (predicted + labelled - tp), 2 * tp / (predicted + labelled)
    iou[predicted == 0], dice[predicted == 0] = np.nan, np.nan
    return iou, dice


def test_a_class_never_predicted_treated_as_absent_is_shown_the_figures_of_the_random_matrix_it_fails():
    """The random matrices are the same for every student (seed 0): the first one with a class in the labels but
    never predicted is the 4x4 one, and the feedback quotes its IoU."""
    message = failed_messages(checks.check_iou_from_confusion(nan_when_never_predicted, verbose=False))
    expected = text(
        "checks.metrics.wrong_values",
        label="IoU",
        case=text("checks.metrics.case_random", n=4),
        expected=np.array([0.0, 0.5543, 0.0, 0.537]),
        value=np.array([0.0, 0.5543, np.nan, 0.537]),
        hint=text("checks.metrics.hint_zero_not_nan", label="IoU"),
    )
    assert message == expected
