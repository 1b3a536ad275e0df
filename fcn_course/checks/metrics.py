"""The warm-up exercise ``iou``: IoU and Dice per class from a confusion matrix.

The answer is tried on hand-picked matrices (each with a case students get wrong: a class absent from labels
and predictions, one present but never predicted right, one predicted but absent from the labels) and on random
matrices of several sizes with zero rows and columns, so that a formula right on one example only is caught.
"""

from __future__ import annotations

import numpy as np
import torch

from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_student_code
from fcn_course.messages import text
from fcn_course.metrics import ConfusionMatrix


def _reference_iou_dice(matrix: np.ndarray):
    """IoU and Dice per class as the library computes them (fcn_course.metrics.ConfusionMatrix)."""
    confusion = ConfusionMatrix(len(matrix))
    confusion.matrix = torch.as_tensor(matrix, dtype=torch.int64)
    scores = confusion.compute()
    return np.array(scores["iou"], dtype=float), np.array(scores["dice"], dtype=float)


def _random_matrices(seed: int = 0) -> dict:
    """Random confusion matrices of 2 to 6 classes, with a zero row (a class never in the labels), a zero
    column (never predicted) or both (absent)."""
    rng = np.random.default_rng(seed)
    matrices = {}
    for n, zero_rows, zero_columns in ((2, [], [1]), (4, [0], [2]), (5, [3], [3]), (6, [1, 4], [4, 5])):
        matrix = rng.integers(0, 30, size=(n, n)) * (rng.random((n, n)) < 0.7)
        matrix[np.diag_indices(n)] += rng.integers(1, 60, size=n)
        matrix[zero_rows, :] = 0
        matrix[:, zero_columns] = 0
        matrices[text("checks.metrics.case_random", n=n)] = matrix
    return matrices


def _cases() -> dict:
    return {
        text("checks.metrics.case_common"): np.array([[50, 3, 2], [4, 20, 1], [6, 0, 14]]),
        text("checks.metrics.case_absent"): np.array([[10, 2, 0], [1, 7, 0], [0, 0, 0]]),
        text("checks.metrics.case_perfect"): np.diag([5, 9, 4]),
        text("checks.metrics.case_never_right"): np.array([[5, 1], [3, 0]]),
        text("checks.metrics.case_only_predicted"): np.array([[4, 2], [0, 0]]),
        **_random_matrices(),
    }


def _close(value: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(value, expected, equal_nan=True, atol=1e-6))


def _hint(label: str, value: np.ndarray, expected: np.ndarray, swapped: bool, matrix: np.ndarray) -> str:
    """The likely cause of a wrong IoU or Dice, found by comparing the answer with each known mistake."""
    expected_nan, value_nan = np.isnan(expected), np.isnan(value)
    if (expected_nan & ~value_nan).any():
        return text("checks.metrics.hint_nan_for_absent")
    if (value_nan & ~expected_nan).any():
        return text("checks.metrics.hint_zero_not_nan", label=label)
    formula = text("checks.metrics.formula_iou" if label == "IoU" else "checks.metrics.formula_dice")
    if swapped:
        return text("checks.metrics.hint_swapped")
    tp = np.diag(matrix).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall, precision = tp / matrix.sum(axis=1), tp / matrix.sum(axis=0)
        iou = tp / (matrix.sum(axis=0) + matrix.sum(axis=1) - tp)
    if _close(value, recall):
        return text("checks.metrics.hint_recall", formula=formula)
    if _close(value, precision):
        return text("checks.metrics.hint_precision", formula=formula)
    if label == "Dice" and _close(value, 2 * iou):
        return text("checks.metrics.hint_twice_iou")
    if _close(value, np.floor(expected)):
        return text("checks.metrics.hint_integer_division", formula=formula)
    return text("checks.metrics.hint_formula", formula=formula)


def _as_scores(problems: list, label: str, case: str, value, n: int) -> np.ndarray:
    """The student's IoU or Dice as a float array of one value per class (else a problem, and stop)."""
    try:
        value = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        problems.append(text("checks.metrics.not_numbers", label=label, case=case, kind=type(value).__name__))
        raise Failed from None
    if value.shape != (n,):
        hint = text("checks.metrics.hint_any_class_count") if value.ndim == 1 else ""
        problems.append(
            text("checks.metrics.wrong_shape", label=label, case=case, expected=(n,), shape=value.shape, hint=hint)
        )
        raise Failed
    return value


@exercise("iou", notebook="01_dados_e_metricas", names=("iou_and_dice_from_confusion",), optional=True)
def check_iou_from_confusion(function, verbose: bool = True) -> CheckResult:
    """``function(matrix) -> (iou, dice)`` per class, NaN for classes that never appear.

    The pair may come as a tuple or a list, of numpy arrays, lists or tensors. The exercise is optional: its
    stub never stops "Run all".
    """
    problems = []
    with judging(problems):
        sizes_done = set()
        for name, matrix in _cases().items():
            try:
                got = run_student_code(problems, text("checks.metrics.with_case", case=name), function, matrix.copy())
            except Failed:
                if sizes_done and len(matrix) not in sizes_done:  # right size worked, another one breaks
                    problems[-1] += text("checks.metrics.hint_any_class_count")
                raise
            sizes_done.add(len(matrix))
            if not (isinstance(got, (tuple, list)) and len(got) == 2):
                problems.append(text("checks.metrics.return_pair"))
                raise Failed
            want = _reference_iou_dice(matrix)
            got = [_as_scores(problems, label, name, value, len(matrix)) for label, value in zip(("IoU", "Dice"), got)]
            for label, value, expected in zip(("IoU", "Dice"), got, want):
                if not _close(value, expected):
                    swapped = _close(got[0], want[1]) and _close(got[1], want[0])
                    problems.append(
                        text(
                            "checks.metrics.wrong_values",
                            label=label,
                            case=name,
                            expected=np.round(expected, 4),
                            value=np.round(value, 4),
                            hint=_hint(label, value, expected, swapped, matrix),
                        )
                    )
                    raise Failed
    return finish("iou", problems, verbose)
