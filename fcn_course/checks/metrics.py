"""The warm-up exercise ``iou``: IoU and Dice per class from a confusion matrix."""
from __future__ import annotations

import numpy as np
import torch

from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import exercise
from fcn_course.metrics import ConfusionMatrix


def _reference_iou_dice(matrix: np.ndarray):
    """IoU and Dice per class as the library computes them (fcn_course.metrics.ConfusionMatrix)."""
    confusion = ConfusionMatrix(len(matrix))
    confusion.matrix = torch.as_tensor(matrix, dtype=torch.int64)
    scores = confusion.compute()
    return np.array(scores["iou"], dtype=float), np.array(scores["dice"], dtype=float)


def _hint(label: str, value: np.ndarray, expected: np.ndarray, matrix: np.ndarray) -> str:
    """The likely cause of a wrong IoU or Dice, in Portuguese."""
    if np.isnan(expected).any() and not np.isnan(value).any():
        return ("para uma classe que não aparece nem no rótulo nem na predição, devolva NaN (0/0), não 0 nem 1.")
    tp = np.diag(matrix).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall, precision = tp / matrix.sum(axis=1), tp / matrix.sum(axis=0)
    formula = "IoU = TP/(TP+FP+FN)" if label == "IoU" else "Dice = 2TP/(2TP+FP+FN) (o TP conta duas vezes)"
    if np.allclose(value, recall, equal_nan=True):
        return (f"isso é a recall de cada classe, TP/(TP+FN): falta o FP no denominador (o erro do notebook "
                f"original); {formula}.")
    if np.allclose(value, precision, equal_nan=True):
        return f"isso é a precisão de cada classe, TP/(TP+FP): falta o FN no denominador; {formula}."
    return (f"{formula}; linhas = classe real, colunas = classe predita; FP soma a coluna e FN soma a linha "
            "(sem o TP).")


@exercise("iou", notebook="01_dados_e_metricas", names=("iou_and_dice_from_confusion",), optional=True)
def check_iou_from_confusion(function, verbose: bool = True) -> CheckResult:
    """``function(matrix) -> (iou, dice)`` per class, NaN for classes that never appear.

    The pair may come as a tuple or a list. The exercise is optional: its stub never stops "Run all".
    """
    problems = []
    cases = {
        "uma matriz 3x3 comum": np.array([[50, 3, 2], [4, 20, 1], [6, 0, 14]]),
        "uma classe ausente (linha e coluna zeradas)": np.array([[10, 2, 0], [1, 7, 0], [0, 0, 0]]),
        "predição perfeita": np.diag([5, 9, 4]),
    }
    try:
        for name, matrix in cases.items():
            got = run_student_code(problems, f"com {name}", function, matrix.copy())
            if not (isinstance(got, (tuple, list)) and len(got) == 2):
                problems.append("a função deve devolver o par (iou, dice): `return iou, dice`.")
                raise Failed
            want = _reference_iou_dice(matrix)
            for label, value, expected in zip(("IoU", "Dice"), got, want):
                value = np.asarray(value, dtype=float)
                if value.shape != expected.shape:
                    problems.append(f"{label} com {name}: esperado um valor por classe {expected.shape}, "
                                    f"veio {value.shape}.")
                    raise Failed
                if not np.allclose(value, expected, equal_nan=True, atol=1e-6):
                    problems.append(f"{label} com {name}: esperado {np.round(expected, 4)}, "
                                    f"veio {np.round(value, 4)}. Dica: {_hint(label, value, expected, matrix)}")
                    raise Failed
    except Failed:
        pass
    return finish("iou", problems, verbose)
