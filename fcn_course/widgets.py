"""Interactive explorers for the notebooks (ipywidgets), with a static fallback.

- ``dataset_browser(dataset)``: walk through the samples, show or hide the labels on the image, change
  their opacity; a legend gives the colour of each class.
- ``prediction_explorer(models_or_grid_dir, dataset)``: choose a trained configuration and an image;
  see image / prediction / ground truth / error map (wrong pixels in red, void pixels in grey).

Interactive or static? Widgets need a live Jupyter kernel with a front end that draws them. The
explorers are interactive when ALL of these hold, and otherwise return a plain matplotlib figure of
the first few samples (so that executed notebooks, HTML exports and CI still show something):

1. the environment variable ``FCN_COURSE_STATIC`` is not set to 1 (set it to force static figures);
2. ``ipywidgets`` can be imported;
3. the code runs inside an IPython kernel (``get_ipython()`` has a ``kernel``), i.e. in Jupyter.

Both functions also take ``static=True`` / ``static=False`` to choose explicitly.

How the interactive version draws: each explorer owns one matplotlib ``Figure`` (not managed by
pyplot), redraws it when a control changes and shows it as a PNG inside an ``ipywidgets.Image``.
It works with any matplotlib backend and can be tested without a screen. As in ``fcn_course.plots``,
figures are built with ``Figure(...)`` (not pyplot), and the text inside them is in Portuguese.
"""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from fcn_course.config import in_jupyter_kernel
from fcn_course.environment import read_environment
from fcn_course.messages import text
from fcn_course.voc import VOID, denormalize
from fcn_course.predict import load_run_models
from fcn_course.plots import as_numpy, colorize, legend_handles, overlay

ERROR_COLORS = {"correct": (1.0, 1.0, 1.0), "wrong": (0.85, 0.1, 0.1), "void": (0.6, 0.6, 0.6)}
ERROR_COLOURS = ERROR_COLORS  # the British spelling of earlier versions


# --------------------------------------------------------------------------------------------------
# Interactive or static?
# --------------------------------------------------------------------------------------------------
def static_forced() -> bool:
    """True when ``FCN_COURSE_STATIC`` asks for static figures (1, true, yes, on)."""
    return read_environment().static_widgets


def widgets_available() -> bool:
    """True when interactive widgets can be shown (see the module docstring for the three rules)."""
    if static_forced():
        return False
    if importlib.util.find_spec("ipywidgets") is None:
        return False
    return in_jupyter_kernel()


def _use_static(static) -> bool:
    """Resolve the ``static`` argument: None means 'decide from the environment'."""
    return (not widgets_available()) if static is None else bool(static)


# --------------------------------------------------------------------------------------------------
# Pictures as arrays
# --------------------------------------------------------------------------------------------------
def color_label(label, classes) -> np.ndarray:
    """Class indices ``[H, W]`` -> RGB floats ``[H, W, 3]`` in [0, 1], VOC colours (``plots.colorize``)."""
    return colorize(as_numpy(label), classes) / 255.0


colour_label = color_label  # the British spelling of earlier versions


def error_map(prediction, label) -> np.ndarray:
    """RGB ``[H, W, 3]``: white where the prediction is right, red where wrong, grey on void pixels."""
    prediction, label = as_numpy(prediction), as_numpy(label)
    out = np.empty(label.shape + (3,))
    out[prediction == label] = ERROR_COLORS["correct"]
    out[prediction != label] = ERROR_COLORS["wrong"]
    out[label == VOID] = ERROR_COLORS["void"]
    return out


def figure_png(figure: Figure) -> bytes:
    """The figure rendered as PNG bytes (what the ``ipywidgets.Image`` shows)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _new_figure(width, height) -> Figure:
    """A matplotlib figure that pyplot does not manage (it is never shown twice by the notebook)."""
    return Figure(figsize=(width, height), layout="constrained")


def _hide_ticks(axes):
    for ax in np.ravel(axes):
        ax.set_xticks([])
        ax.set_yticks([])


# --------------------------------------------------------------------------------------------------
# Drawing (shared by the interactive and the static versions)
# --------------------------------------------------------------------------------------------------
def draw_sample(axes, image, label, classes, show_labels=True, opacity=0.5):
    """Two panels: the image (labels blended on top if ``show_labels``) and the coloured label."""
    picture = denormalize(image)
    axes[0].imshow(overlay(picture, as_numpy(label), classes, opacity) if show_labels else picture)
    axes[1].imshow(color_label(label, classes), interpolation="nearest")
    axes[0].set_title(text("widgets.title_image_with_labels") if show_labels else text("widgets.title_image"))
    axes[1].set_title(text("widgets.title_true_label"))
    _hide_ticks(axes)


def draw_prediction(axes, image, prediction, label, classes):
    """Four panels: image | prediction | ground truth | error map (with the pixel accuracy)."""
    label = as_numpy(label)
    valid = label != VOID
    accuracy = float((prediction[valid] == label[valid]).mean()) if valid.any() else float("nan")
    axes[0].imshow(denormalize(image))
    axes[1].imshow(color_label(prediction, classes), interpolation="nearest")
    axes[2].imshow(color_label(label, classes), interpolation="nearest")
    axes[3].imshow(error_map(prediction, label), interpolation="nearest")
    for ax, title in zip(
        axes,
        [
            text("widgets.title_image"),
            text("widgets.title_prediction"),
            text("widgets.title_true_label"),
            text("widgets.title_errors", accuracy=accuracy),
        ],
    ):
        ax.set_title(title)
    _hide_ticks(axes)


def _error_legend():
    labels = {
        "correct": text("widgets.legend_correct"),
        "wrong": text("widgets.legend_wrong"),
        "void": text("widgets.legend_void"),
    }
    return [Patch(facecolor=ERROR_COLORS[key], edgecolor="black", label=label) for key, label in labels.items()]


# --------------------------------------------------------------------------------------------------
# Dataset browser
# --------------------------------------------------------------------------------------------------
class DatasetBrowser:
    """Interactive viewer of a segmentation dataset: ``.widget`` is what the notebook shows.

    Controls: ``index`` (slider), ``show_labels`` (checkbox), ``opacity`` (slider). Changing one calls
    ``update()``, which redraws ``figure`` and refreshes ``image`` (an ``ipywidgets.Image``).
    """

    def __init__(self, dataset, classes):
        import ipywidgets as widgets

        self.dataset = dataset
        self.classes = tuple(classes)
        self.figure = _new_figure(8, 4)
        self.index = widgets.IntSlider(value=0, min=0, max=len(dataset) - 1, description=text("widgets.control_sample"))
        self.show_labels = widgets.Checkbox(value=True, description=text("widgets.control_show_labels"))
        self.opacity = widgets.FloatSlider(
            value=0.5, min=0.0, max=1.0, step=0.05, description=text("widgets.control_opacity")
        )
        self.image = widgets.Image(format="png")
        for control in (self.index, self.show_labels, self.opacity):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.index, self.show_labels, self.opacity]), self.image])
        self.update()

    def update(self, change=None):
        """Redraw the current sample with the current settings."""
        image, label = self.dataset[self.index.value]
        self.figure.clear()
        axes = self.figure.subplots(1, 2)
        draw_sample(axes, image, label, self.classes, self.show_labels.value, self.opacity.value)
        self.figure.suptitle(_sample_title(self.dataset, self.index.value))
        self.figure.legend(handles=legend_handles(self.classes), loc="outside lower center", ncol=len(self.classes) + 1)
        self.image.value = figure_png(self.figure)

    def _repr_mimebundle_(self, **kwargs):
        """Jupyter shows the widget when the browser is the last expression of a cell."""
        return self.widget._repr_mimebundle_(**kwargs)


def _sample_title(dataset, index) -> str:
    """'amostra 3 / 40 (id 2007_000032)', the id when the dataset knows its image ids."""
    ids = getattr(dataset, "ids", None)
    if ids is not None and index < len(ids):
        return text("widgets.sample_title_with_id", index=index, last=len(dataset) - 1, image_id=ids[index])
    return text("widgets.sample_title", index=index, last=len(dataset) - 1)


def dataset_browser(dataset, classes=None, static=None, n_static=4):
    """Browse ``dataset`` (items ``(image [3,H,W] normalised, label [H,W])``).

    Interactive: returns a ``DatasetBrowser`` (shown by Jupyter). Static (see the module docstring):
    returns a matplotlib figure with the first ``n_static`` samples.
    """
    classes = tuple(classes or dataset.classes)
    if len(dataset) == 0:
        raise ValueError(text("widgets.empty_dataset_browse"))
    if not _use_static(static):
        return DatasetBrowser(dataset, classes)

    count = min(n_static, len(dataset))
    figure = _new_figure(7, 3 * count)
    axes = figure.subplots(count, 2, squeeze=False)
    for row in range(count):
        image, label = dataset[row]
        draw_sample(axes[row], image, label, classes)
        axes[row, 0].set_ylabel(_sample_title(dataset, row))
    figure.legend(handles=legend_handles(classes), loc="outside lower center", ncol=len(classes) + 1)
    return figure


# --------------------------------------------------------------------------------------------------
# Prediction explorer
# --------------------------------------------------------------------------------------------------
def predict_sample(model, image) -> np.ndarray:
    """Class index of every pixel of one dataset image ``[3, H, W]`` -> ``[H, W]`` int array.

    The image goes to the model's device (a model keeps living where it was given or loaded).
    """
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        scores = model(image.unsqueeze(0).to(device))
    return scores.argmax(dim=1)[0].cpu().numpy()


def _models_from(models_or_grid_dir, model_classes=None, device=None) -> dict:
    """``{config_name: model}`` as given, or loaded from the best.pt of every run of a grid folder."""
    if isinstance(models_or_grid_dir, dict):
        if not models_or_grid_dir:
            raise ValueError(text("widgets.no_models"))
        return dict(models_or_grid_dir)
    return load_run_models(models_or_grid_dir, model_classes=model_classes, device=device or "cpu")


class PredictionExplorer:
    """Interactive comparison of trained models: choose ``config`` (dropdown) and ``index`` (slider).

    Predictions are computed once per (configuration, image) and kept in ``cache``.
    """

    def __init__(self, models, dataset, classes, device=None):
        import ipywidgets as widgets

        self.models = models
        self.dataset = dataset
        self.classes = tuple(classes)
        self.device = device
        self.cache = {}
        self.figure = _new_figure(13, 3.8)
        self.config = widgets.Dropdown(options=list(models), description=text("widgets.control_configuration"))
        self.index = widgets.IntSlider(value=0, min=0, max=len(dataset) - 1, description=text("widgets.control_sample"))
        self.image = widgets.Image(format="png")
        for control in (self.config, self.index):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.config, self.index]), self.image])
        self.update()

    def prediction(self, name, index) -> np.ndarray:
        """Prediction of model ``name`` on sample ``index`` (cached)."""
        if (name, index) not in self.cache:
            image, _ = self.dataset[index]
            self.cache[name, index] = predict_sample(self.models[name], image)
        return self.cache[name, index]

    def update(self, change=None):
        """Redraw with the chosen configuration and sample."""
        image, label = self.dataset[self.index.value]
        prediction = self.prediction(self.config.value, self.index.value)
        self.figure.clear()
        axes = self.figure.subplots(1, 4)
        draw_prediction(axes, image, prediction, label, self.classes)
        self.figure.suptitle(f"{self.config.value} — {_sample_title(self.dataset, self.index.value)}")
        self.figure.legend(
            handles=legend_handles(self.classes) + _error_legend(),
            loc="outside lower center",
            ncol=len(self.classes) + 4,
        )
        self.image.value = figure_png(self.figure)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def prediction_explorer(
    models_or_grid_dir, dataset, classes=None, config=None, static=None, n_static=3, model_classes=None, device=None
):
    """Explore the predictions of trained models on ``dataset`` (usually the validation set).

    ``models_or_grid_dir``: ``{"alexnet-skip-scratch": model, ...}`` or the output folder of
    ``experiments.run_grid`` (the ``best.pt`` of each run is loaded; ``model_classes`` as in
    ``predict.load_model_from_checkpoint``; loaded on ``device``, default CPU; given models are used
    where they are). Interactive: returns a ``PredictionExplorer``. Static:
    returns a figure with the first ``n_static`` samples for configuration ``config`` (default: the
    first one); the grid's ``qualitative.png`` compares every configuration side by side.
    """
    models = _models_from(models_or_grid_dir, model_classes=model_classes, device=device)
    classes = tuple(classes or dataset.classes)
    if len(dataset) == 0:
        raise ValueError(text("widgets.empty_dataset_predict"))
    if not _use_static(static):
        return PredictionExplorer(models, dataset, classes, device=device)

    name = config or next(iter(models))
    if name not in models:
        raise KeyError(text("widgets.unknown_configuration", name=name, choices=list(models)))
    count = min(n_static, len(dataset))
    figure = _new_figure(13, 3.3 * count)
    axes = figure.subplots(count, 4, squeeze=False)
    for row in range(count):
        image, label = dataset[row]
        draw_prediction(axes[row], image, predict_sample(models[name], image), label, classes)
        axes[row, 0].set_ylabel(_sample_title(dataset, row))
    figure.suptitle(name)
    figure.legend(handles=legend_handles(classes) + _error_legend(), loc="outside lower center", ncol=len(classes) + 4)
    return figure
