"""Figures of a training run: the predictions drawn after each epoch and the learning curves.

``engine.fit`` calls the callback of :func:`show_epoch_predictions` after each validation; the notebooks and
``scripts/train.py`` draw :func:`plot_history` from the run's history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fcn_course.messages import text
from fcn_course.plots.figures import display_figure, save_figure
from fcn_course.plots.labels import show_predictions


def show_epoch_predictions(classes, max_items: int = 4, dpi: int = 80):
    """A ``show`` callback for ``engine.fit``: draws the first validation batch of an epoch.

    Usage: ``fit(..., show=show_epoch_predictions(args["classes"]))``. Each call draws image | prediction
    | ground truth, saves the figure to ``figure_path`` when one is given (the run folder) and displays it
    when running in a notebook. Returns the figure.
    """

    def show(images, predictions, labels, epoch, figure_path=None) -> Figure:
        figure = show_predictions(
            images,
            predictions,
            labels,
            classes=classes,
            max_items=max_items,
            title=text("figures.epoch_title", epoch=epoch),
        )
        if figure_path is not None:
            save_figure(figure, figure_path, dpi=dpi)
        display_figure(figure, dpi=dpi)
        return figure

    return show


class _CatalogueLabels(Mapping):
    """``{name: catalogue key}`` read as ``{name: sentence}`` in the language active when it is read (a
    notebook may call ``set_language`` after importing this module)."""

    def __init__(self, keys: dict):
        self._keys = dict(keys)

    def __getitem__(self, name):
        return text(self._keys[name])

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)


METRIC_TITLES = _CatalogueLabels(
    {
        "loss_mean": "figures.metric.loss_mean",
        "miou_fg": "figures.metric.miou_fg",
        "miou": "figures.metric.miou",
        "mdice": "figures.metric.mdice",
        "pixel_acc": "figures.metric.pixel_acc",
        "time": "figures.metric.time",
    }
)
PHASE_NAMES = _CatalogueLabels({"train": "figures.phase.train", "val": "figures.phase.val"})


def _series(entries, key):
    """Epochs and values of ``key`` in a list of per-epoch dicts (None, as saved in JSON, -> NaN)."""
    epochs, values = [], []
    for entry in entries:
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, (list, tuple)):
            raise ValueError(text("figures.history_list_key", key=key))
        epochs.append(entry["epoch"])
        values.append(math.nan if value is None else float(value))
    return np.array(epochs), np.array(values, dtype=float)


def _phase_entries(history, phase) -> list:
    """``history[phase]``, or an empty list when that phase was not recorded."""
    try:
        return list(history[phase] or [])
    except KeyError:
        return []


def plot_history(history, keys=("loss_mean", "miou_fg")) -> Figure:
    """Learning curves, train vs validation, one panel per key.

    ``history`` is ``{"train": [dict per epoch], "val": [dict per epoch]}`` (or the engine's History),
    each dict holding ``epoch`` and the keys to plot. For ``loss_mean`` the band shows ± ``loss_std``.
    """
    if isinstance(keys, str):
        keys = (keys,)
    figure = Figure(figsize=(5 * len(keys), 3.6), layout="constrained")
    axes = figure.subplots(1, len(keys), squeeze=False)[0]
    for ax, key in zip(axes, keys):
        for phase, style in (("train", "o-"), ("val", "s--")):
            entries = _phase_entries(history, phase)
            epochs, values = _series(entries, key)
            if len(epochs) == 0:
                continue
            (line,) = ax.plot(epochs, values, style, label=PHASE_NAMES[phase], markersize=4)
            if key == "loss_mean":
                _, spread = _series(entries, "loss_std")
                if len(spread) == len(values):
                    ax.fill_between(epochs, values - spread, values + spread, color=line.get_color(), alpha=0.2)
        ax.set_title(METRIC_TITLES.get(key, key))
        ax.set_xlabel(text("figures.epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    return figure
