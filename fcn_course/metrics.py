"""Segmentation metrics computed from one confusion matrix accumulated over a whole split.

Why a confusion matrix? Every usual segmentation metric (IoU, Dice, pixel accuracy, ...) is a simple
formula of its entries, and summing the matrices of all batches gives exactly the matrix of the whole
split. Averaging per-image or per-batch scores instead gives a different (usually inflated) number.

Notation for class ``c`` with the matrix ``M`` (rows = true class, columns = predicted class)::

    TP_c = M[c, c]                 pixels of class c predicted as c
    FN_c = sum(M[c, :]) - TP_c     pixels of class c predicted as something else
    FP_c = sum(M[:, c]) - TP_c     pixels of other classes predicted as c

    IoU_c  = TP_c / (TP_c + FP_c + FN_c)          (Jaccard index)
    Dice_c = 2 TP_c / (2 TP_c + FP_c + FN_c)      (F1 score; Dice = 2 IoU / (1 + IoU))

Pixels whose label is ``ignore_index`` (255, "void" in Pascal VOC: object borders and unclear regions)
are left out entirely: they are neither background nor any other class.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from fcn_course.messages import text


def _to_tensor(x, name: str) -> torch.Tensor:
    """Accept a torch tensor or anything numpy understands (arrays, lists)."""
    if isinstance(x, torch.Tensor):
        return x.detach()
    try:
        return torch.as_tensor(np.asarray(x))
    except (TypeError, ValueError) as error:
        raise TypeError(text("metrics.not_an_array", name=name, type=type(x).__name__)) from error


def nanmean(values) -> float:
    """Mean of the non-NaN values; NaN (without a warning) when there is none."""
    values = np.asarray(values, dtype=float)
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if kept.size else math.nan


def stored_score(value) -> float:
    """A score read back from JSON as a float: missing values (None, how NaN is stored) become NaN."""
    return math.nan if value is None else float(value)


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise division that gives NaN where the denominator is 0 (and prints no warning)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


class ConfusionMatrix:
    """Accumulates a ``[num_classes, num_classes]`` confusion matrix and derives the metrics from it.

    Usage::

        cm = ConfusionMatrix(num_classes=3)
        for images, labels in val_loader:
            cm.update(net(images), labels)      # logits [B, C, H, W] or class indices [B, H, W]
        scores = cm.compute()                   # scores["miou"], scores["iou"], ...

    ``cm.matrix[t, p]`` counts the pixels whose true class is ``t`` and predicted class is ``p``.
    """

    def __init__(self, num_classes: int, ignore_index: int | None = 255):
        if not 1 <= int(num_classes) <= 10_000:
            raise ValueError(text("metrics.num_classes_range", num_classes=num_classes))
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        self.matrix = torch.zeros(self.num_classes, self.num_classes, dtype=torch.int64)

    def reset(self) -> None:
        """Start again from an empty matrix (e.g. at the beginning of each epoch)."""
        self.matrix = torch.zeros_like(self.matrix)

    def update(self, preds, labels) -> None:
        """Add the pixels of one batch to the matrix.

        ``labels``: class indices ``[B, H, W]`` or ``[H, W]`` (``ignore_index`` marks void pixels).
        ``preds``: class indices with the same shape as ``labels``, or scores/logits with one extra
        class axis just before ``H, W`` (``[B, C, H, W]``), which is reduced with argmax.
        Torch tensors stay on their device (CPU or GPU); numpy arrays are accepted too.
        """
        preds = _to_tensor(preds, "preds")
        labels = _to_tensor(labels, "labels")
        n = self.num_classes

        if labels.is_floating_point() or labels.dtype == torch.bool:
            raise TypeError(text("metrics.labels_not_integer", dtype=labels.dtype))
        if preds.dim() == labels.dim() + 1:  # scores: pick the best class of each pixel
            if preds.shape[-3] != n:
                raise ValueError(
                    text("metrics.scores_other_classes", shape=tuple(preds.shape), found=preds.shape[-3], num_classes=n)
                )
            preds = preds.argmax(dim=-3)
        elif preds.is_floating_point():
            raise TypeError(text("metrics.float_without_class_axis", shape=tuple(preds.shape)))
        if preds.shape != labels.shape:
            raise ValueError(text("metrics.shapes_differ", preds=tuple(preds.shape), labels=tuple(labels.shape)))

        labels = labels.to(preds.device).long().flatten()
        preds = preds.long().flatten()
        if self.ignore_index is None:
            keep = torch.ones_like(labels, dtype=torch.bool)
        else:
            keep = labels != self.ignore_index
        self._check_range(labels, keep, "labels")
        self._check_range(preds, keep, "preds")

        # Each (true, predicted) pair gets its own bin: index = n * true + predicted.
        # Void pixels go to one extra bin (n * n) that is dropped: cheaper than removing them first.
        # int32 is big enough for these indices and much faster than int64 on CPU.
        labels, preds = labels.int(), preds.int()
        index = torch.where(keep, n * labels + preds, n * n)
        counts = torch.bincount(index, minlength=n * n + 1)[: n * n].reshape(n, n)
        if self.matrix.device != counts.device:
            self.matrix = self.matrix.to(counts.device)
        self.matrix += counts

    def _check_range(self, values: torch.Tensor, keep: torch.Tensor, name: str) -> None:
        """Raise a clear error for class indices outside 0..num_classes-1 (void pixels excepted)."""
        if values.numel() == 0:
            return
        lowest, highest = torch.aminmax(torch.where(keep, values, 0))
        if lowest < 0 or highest >= self.num_classes:
            bad = keep & ((values < 0) | (values >= self.num_classes))
            examples = torch.unique(values[bad])[:5].tolist()
            ignored = (
                text("metrics.other_than_ignored", ignore_index=self.ignore_index)
                if self.ignore_index is not None
                else ""
            )
            raise ValueError(
                text("metrics.out_of_range", name=name, examples=examples, ignored=ignored, last=self.num_classes - 1)
            )

    def compute(self) -> dict:
        """All metrics as plain Python floats (per-class values as lists).

        - ``iou``: per class TP / (TP + FP + FN); NaN for a class absent from labels and predictions.
        - ``miou``: mean of ``iou`` over the classes that are not NaN.
        - ``miou_fg``: the same mean without class 0 (background), as the original course printed.
        - ``dice``: per class 2 TP / (2 TP + FP + FN); ``mdice`` its NaN-ignoring mean.
        - ``pixel_acc``: correct pixels / all counted pixels.
        - ``recall``: per class TP / (TP + FN) (NaN for a class absent from the labels);
          ``mean_acc`` its NaN-ignoring mean.
        - ``fw_iou``: IoU of each class weighted by its share of the labelled pixels.
        With no counted pixel at all (empty or all-void input) every value is NaN.
        """
        m = self.matrix.double().cpu().numpy()
        tp = np.diag(m)
        true_count = m.sum(axis=1)  # TP + FN
        pred_count = m.sum(axis=0)  # TP + FP
        total = m.sum()

        iou = _safe_divide(tp, true_count + pred_count - tp)
        dice = _safe_divide(2 * tp, true_count + pred_count)
        recall = _safe_divide(tp, true_count)
        present = true_count > 0  # classes that occur in the labels
        fw_iou = float(np.sum(true_count[present] / total * iou[present])) if total > 0 else math.nan

        return {
            "iou": iou.tolist(),
            "miou": nanmean(iou),
            "miou_fg": nanmean(iou[1:]),
            "dice": dice.tolist(),
            "mdice": nanmean(dice),
            "pixel_acc": float(tp.sum() / total) if total > 0 else math.nan,
            "recall": recall.tolist(),
            "mean_acc": nanmean(recall),
            "fw_iou": fw_iou,
        }

    def table(self, class_names=None) -> str:
        """Per-class IoU and Dice as a small text table (``-`` for a class never seen)."""
        scores = self.compute()
        if class_names is None:
            class_names = [text("metrics.table_unnamed_class", index=c) for c in range(self.num_classes)]
        if len(class_names) != self.num_classes:
            raise ValueError(text("metrics.class_names_count", given=len(class_names), num_classes=self.num_classes))

        def fmt(value: float) -> str:
            return f"{value:6.4f}" if not math.isnan(value) else "     -"

        class_heading, mean_heading = text("metrics.table_class"), text("metrics.table_mean")
        width = max(len(class_heading), len(mean_heading), *(len(str(name)) for name in class_names))
        lines = [f"{class_heading:<{width}}     IoU    Dice", "-" * (width + 16)]
        for name, iou, dice in zip(class_names, scores["iou"], scores["dice"]):
            lines.append(f"{str(name):<{width}}  {fmt(iou)}  {fmt(dice)}")
        lines.append("-" * (width + 16))
        lines.append(f"{mean_heading:<{width}}  {fmt(scores['miou'])}  {fmt(scores['mdice'])}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        pixels = int(self.matrix.sum())
        return f"ConfusionMatrix(num_classes={self.num_classes}, ignore_index={self.ignore_index}, pixels={pixels})"
