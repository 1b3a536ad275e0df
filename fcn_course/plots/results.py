"""Figures of trained runs, for the comparison of notebook 05 and ``fcn_course.report``: curves of every run
of a grid, IoU per class, predictions side by side, the variants of one option, the confusion matrix.

A run here is an ``experiments.RunResult`` (its ``history``, ``best_val()``, ``backbone``, ``skip`` and
``pretrained``); these functions only read it, so they import nothing of the training code.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fcn_course.messages import text
from fcn_course.metrics import stored_score
from fcn_course.plots.labels import colorize, image_to_rgb
from fcn_course.voc import PORTUGUESE_NAMES, class_colors


def _run_style(run) -> dict:
    """Same color for a backbone+pretrained pair; solid line with skip connections, dashed without."""
    palette = {
        ("alexnet", False): "tab:blue",
        ("alexnet", True): "tab:cyan",
        ("vgg16", False): "tab:red",
        ("vgg16", True): "tab:orange",
    }
    return {
        "color": palette.get((run.backbone, run.pretrained)),
        "linestyle": "-" if run.skip else "--",
        "marker": "o",
        "markersize": 3,
        "label": run.name,
    }


def grid_curves(runs) -> Figure:
    """Validation mIoU(fg) and training loss against the epoch, every run of a grid on the same axes."""
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    ax_miou, ax_loss = figure.subplots(1, 2)
    for run in runs:
        style = _run_style(run)
        ax_miou.plot(
            run.history.values("val", "epoch"), [stored_score(v) for v in run.history.values("val", "miou_fg")], **style
        )
        ax_loss.plot(
            run.history.values("train", "epoch"),
            [stored_score(v) for v in run.history.values("train", "loss_mean")],
            **style,
        )
    ax_miou.set(title=text("figures.grid.miou_title"), xlabel=text("figures.epoch"), ylabel="mIoU(fg)")
    ax_loss.set(
        title=text("figures.grid.loss_title"), xlabel=text("figures.epoch"), ylabel=text("figures.grid.loss_ylabel")
    )
    for ax in (ax_miou, ax_loss):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if runs:
        ax_loss.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    else:
        ax_miou.text(0.5, 0.5, text("figures.grid.no_runs"), ha="center", transform=ax_miou.transAxes)
    return figure


def per_class_iou(runs, classes) -> Figure:
    """Grouped bars: IoU of each class (best epoch), one bar per run."""
    figure = Figure(figsize=(max(6, 1.6 * len(classes) + 3), 4.5), layout="constrained")
    ax = figure.subplots()
    width = 0.8 / max(len(runs), 1)
    positions = np.arange(len(classes))
    for number, run in enumerate(runs):
        ious = [stored_score(v) for v in run.best_val()["iou"]]
        style = _run_style(run)
        ax.bar(
            positions + (number - (len(runs) - 1) / 2) * width,
            np.nan_to_num(ious),
            width,
            color=style["color"],
            hatch=None if run.skip else "//",
            edgecolor="black",
            label=run.name,
        )
    ax.set_xticks(positions, [PORTUGUESE_NAMES.get(name, name) for name in classes])
    ax.set(ylim=(0, 1), ylabel=text("figures.best_epoch_iou"), title=text("figures.per_class_iou.title"))
    for tick, color in zip(ax.get_xticklabels(), class_colors(classes) / 255.0):
        tick.set_bbox({"facecolor": color, "alpha": 0.4, "edgecolor": "none"})
    if runs:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return figure


def prediction_rows(images, labels, predictions: dict, classes) -> Figure:
    """Columns = validation images; rows = the image, its ground truth, then one row per model.

    ``predictions`` maps a row title (e.g. the run name and its score) to class indices ``[N, H, W]``.
    """
    rows = [
        (text("figures.prediction_rows.image"), [image_to_rgb(image) for image in images]),
        (text("figures.prediction_rows.ground_truth"), [colorize(label, classes) for label in labels]),
    ]
    rows += [
        (title, [colorize(prediction, classes) for prediction in predicted]) for title, predicted in predictions.items()
    ]
    count = len(rows[0][1])
    figure = Figure(figsize=(2.2 * count + 2, 2.0 * len(rows)), layout="constrained")
    axes = figure.subplots(len(rows), count, squeeze=False)
    for row_axes, (title, pictures) in zip(axes, rows):
        for ax, picture in zip(row_axes, pictures):
            ax.imshow(picture, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9)
    figure.suptitle(text("figures.prediction_rows.title"))
    return figure


def confusion_matrix_figure(matrix, classes, title: str | None = None) -> Figure:
    """The confusion matrix normalised by row (each true class sums to 1), with the pixel shares written in.

    Row = true class, column = predicted class: the diagonal is each class's recall, and what sits off the
    diagonal says where its pixels went. ``title`` defaults to "Matriz de confusão".
    """
    title = text("figures.confusion.title") if title is None else title
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    names = [PORTUGUESE_NAMES.get(name, name) for name in classes]
    figure = Figure(figsize=(1.3 * len(classes) + 2.5, 1.2 * len(classes) + 1.5), layout="constrained")
    ax = figure.subplots()
    shown = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for row in range(len(classes)):
        for column in range(len(classes)):
            ax.text(
                column,
                row,
                f"{shares[row, column]:.2f}",
                ha="center",
                va="center",
                color="white" if shares[row, column] > 0.5 else "black",
            )
    ax.set_xticks(range(len(classes)), names)
    ax.set_yticks(range(len(classes)), [f"{name}\n({int(total):,} px)" for name, total in zip(names, totals[:, 0])])
    ax.set(xlabel=text("figures.confusion.predicted"), ylabel=text("figures.confusion.true"), title=title)
    figure.colorbar(shown, ax=ax, shrink=0.8, label=text("figures.confusion.colorbar"))
    return figure


def option_comparison(results: dict, classes) -> Figure:
    """Bars of the best validation mIoU(fg) and per-class IoU for named variants of one configuration.

    ``results`` maps a label (e.g. "upsampling aprendido") to an ``experiments.RunResult``; runs that did
    not finish are drawn empty.
    """
    labels = list(results)
    best = [results[label].best_val() if results[label].has_scores() else None for label in labels]
    figure = Figure(figsize=(13, 4.2), layout="constrained")
    ax_miou, ax_iou = figure.subplots(1, 2)
    mious = [stored_score(entry["miou_fg"]) if entry else float("nan") for entry in best]
    ax_miou.barh(labels, np.nan_to_num(mious), color="tab:blue")
    for row, value in enumerate(mious):
        ax_miou.text(np.nan_to_num(value), row, f" {value:.3f}", va="center", fontsize=8)
    ax_miou.set(xlim=(0, 1), xlabel=text("figures.options.miou_xlabel"), title=text("figures.options.miou_title"))
    ax_miou.invert_yaxis()
    width = 0.8 / max(len(labels), 1)
    positions = np.arange(len(classes))
    for number, (label, entry) in enumerate(zip(labels, best)):
        ious = [stored_score(v) for v in entry["iou"]] if entry else [float("nan")] * len(classes)
        ax_iou.bar(positions + (number - (len(labels) - 1) / 2) * width, np.nan_to_num(ious), width, label=label)
    ax_iou.set_xticks(positions, [PORTUGUESE_NAMES.get(name, name) for name in classes])
    ax_iou.set(ylim=(0, 1), ylabel=text("figures.best_epoch_iou"), title=text("figures.options.iou_title"))
    ax_iou.legend(fontsize=8)
    return figure
