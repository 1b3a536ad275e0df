"""Figures of the course: coloured masks, samples, predictions, learning curves and didactic sketches.

Every function returns a ``matplotlib.figure.Figure`` and never calls ``plt.show()``. The figures are
built with ``Figure(...)`` rather than ``plt.figure(...)``: they work without a display (scripts, tests,
CI) and Jupyter shows a figure once when it is the last expression of a cell (or with ``display(fig)``).
Save one with ``fig.savefig("name.png")``.

Text shown inside the figures is in Portuguese, for the students; the code is in English.

Why this module is long: it holds every figure of the course (masks, curves, the grid report, the didactic
sketches), so that colours, legends and Portuguese labels are decided in one place and every figure of a
notebook looks like the others. Each function draws one figure and can be read on its own.
"""
from __future__ import annotations

import io
import math

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from fcn_course.backbones import bilinear_kernel
from fcn_course.config import in_jupyter_kernel
from fcn_course.files import atomic_write
from fcn_course.metrics import stored_score
from fcn_course.voc import PORTUGUESE_NAMES, VOC_CLASSES, VOID, class_colors, denormalize, voc_colormap

VOID_LABEL = "void (ignorado)"


# --------------------------------------------------------------------------------------------------
# Masks and images
# --------------------------------------------------------------------------------------------------
def as_numpy(x) -> np.ndarray:
    """Tensor (any device) or array -> numpy array."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def colorize(label, classes=None) -> np.ndarray:
    """Turn a label map of class indices into an RGB image ``uint8 [H, W, 3]`` with the VOC colours.

    ``classes``: the course's class subset, e.g. ``("background", "bus", "person")``: index ``i`` is drawn
    with the VOC colour of ``classes[i]`` (so a bus is teal whatever its index in the subset).
    ``None`` means the label holds original VOC indices (0..20). Void (255) gets the VOC void colour.
    """
    label = as_numpy(label)
    if label.ndim != 2:
        raise ValueError(f"colorize expects one label map [H, W], got shape {label.shape}")
    if classes is None:
        classes = VOC_CLASSES
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[: len(classes)] = class_colors(classes)
    palette[VOID] = voc_colormap()[VOID]

    values = label.astype(np.int64)
    valid = (values == VOID) | ((values >= 0) & (values < len(classes)))
    if not valid.all():
        unexpected = np.unique(values[~valid])[:5].tolist()
        raise ValueError(f"label has values {unexpected} outside 0..{len(classes) - 1} and {VOID} (void)")
    return palette[values]


def _image_to_rgb(image) -> np.ndarray:
    """Normalised image tensor ``[3, H, W]`` -> displayable ``[H, W, 3]`` in [0, 1]."""
    return denormalize(torch.as_tensor(as_numpy(image)))


def overlay(rgb: np.ndarray, label, classes, alpha: float = 0.5) -> np.ndarray:
    """Blend the class colours over ``rgb`` (floats in [0, 1]); background pixels stay untouched, void is tinted."""
    label = as_numpy(label)
    colours = colorize(label, classes) / 255.0
    blended = (1 - alpha) * rgb + alpha * colours
    return np.where((label != 0)[..., None], blended, rgb)


def legend_handles(classes) -> list:
    """One coloured square per class (Portuguese name) plus void."""
    handles = [
        Patch(facecolor=colour / 255.0, edgecolor="black", label=PORTUGUESE_NAMES.get(name, name))
        for name, colour in zip(classes, class_colors(classes))
    ]
    handles.append(Patch(facecolor=voc_colormap()[VOID] / 255.0, edgecolor="black", label=VOID_LABEL))
    return handles


def _clean(ax, title=None) -> None:
    """Image axes: no ticks, optional title."""
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


def _image_grid(rows: int, columns: int, titles, aspect: float = 1.0, cell: float = 3.0):
    """A figure with ``rows x columns`` image axes; the first row gets the column titles.

    ``aspect`` = height / width of the images, so that rows are not separated by empty bands.
    """
    figure = Figure(figsize=(cell * columns + 1.8, cell * aspect * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        _clean(ax)
    for ax, title in zip(axes[0], titles):
        ax.set_title(title)
    return figure, axes


def show_samples(dataset, n: int = 4, classes=None, seed: int = 0) -> Figure:
    """``n`` random items of a segmentation dataset: image | coloured label | overlay, one per row.

    The images are de-normalised before display (a normalised image looks dark and oddly coloured).
    ``classes`` defaults to ``dataset.classes``.
    """
    classes = classes if classes is not None else getattr(dataset, "classes", None)
    if classes is None:
        raise ValueError("pass classes=... (the dataset has no .classes attribute)")
    if len(dataset) == 0:
        raise ValueError("the dataset is empty: nothing to show")
    n = min(n, len(dataset))
    indices = np.random.default_rng(seed).choice(len(dataset), size=n, replace=False)
    items = [dataset[int(index)] for index in indices]
    height, width = items[0][1].shape[-2:]

    figure, axes = _image_grid(n, 3, ["Imagem", "Rótulo", "Sobreposição"], aspect=height / width)
    for row, index, (image, label) in zip(axes, indices, items):
        rgb, label = _image_to_rgb(image), as_numpy(label)
        row[0].imshow(rgb)
        row[0].set_ylabel(f"item {int(index)}")
        row[1].imshow(colorize(label, classes))
        row[2].imshow(overlay(rgb, label, classes))
    axes[0, -1].legend(handles=legend_handles(classes), loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return figure


def show_predictions(images, preds, labels, classes=None, max_items: int = 4, title=None, *,
                     class_names=None) -> Figure:
    """Image | prediction | ground truth for the first ``max_items`` items of a batch.

    ``images``: normalised ``[B, 3, H, W]``; ``preds``: class indices ``[B, H, W]`` or scores
    ``[B, C, H, W]``; ``labels``: ``[B, H, W]`` with 255 for void. ``classes``: names of the classes in
    index order (``class_names`` is accepted as another name for it); without names the indices are
    drawn with the colours of the VOC classes of the same index.
    """
    classes = classes if classes is not None else class_names
    images = torch.as_tensor(as_numpy(images))
    preds = torch.as_tensor(as_numpy(preds))
    labels = as_numpy(labels)
    if preds.dim() == 4:  # scores: keep the best class of each pixel
        preds = preds.argmax(dim=1)
    preds = preds.numpy()
    if images.dim() == 3:  # a single image without batch axis
        images, preds, labels = images[None], preds[None], labels[None]
    if not (len(images) == len(preds) == len(labels)):
        raise ValueError(f"batch sizes differ: {len(images)} images, {len(preds)} preds, {len(labels)} labels")
    if classes is None:
        highest = max(int(preds.max()), int(np.max(labels, initial=0, where=labels != VOID)))
        classes = VOC_CLASSES[: highest + 1]

    count = min(max_items, len(images))
    aspect = labels.shape[-2] / labels.shape[-1]
    figure, axes = _image_grid(count, 3, ["Imagem", "Predição", "Rótulo verdadeiro"], aspect=aspect)
    for i, row in enumerate(axes):
        row[0].imshow(_image_to_rgb(images[i]))
        row[1].imshow(colorize(preds[i], classes))
        row[2].imshow(colorize(labels[i], classes))
    axes[0, -1].legend(handles=legend_handles(classes), loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if title:
        figure.suptitle(title)
    return figure


def show_epoch_predictions(classes, max_items: int = 4, dpi: int = 80):
    """A ``show`` callback for ``engine.fit``: draws the first validation batch of an epoch.

    Usage: ``fit(..., show=show_epoch_predictions(args["classes"]))``. Each call draws image | prediction
    | ground truth, saves the figure to ``figure_path`` when one is given (the run folder) and displays it
    when running in a notebook. Returns the figure.
    """
    def show(images, predictions, labels, epoch, figure_path=None) -> Figure:
        figure = show_predictions(images, predictions, labels, classes=classes, max_items=max_items,
                                  title=f"época {epoch}")
        if figure_path is not None:
            save_figure(figure, figure_path, dpi=dpi)
        display_figure(figure, dpi=dpi)
        return figure

    return show


def save_figure(figure: Figure, path, dpi: int = 100):
    """Save ``figure`` as a PNG (atomically, creating the folder); returns the path."""
    return atomic_write(path, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi,
                                                                bbox_inches="tight"))


def display_figure(figure: Figure, dpi: int = 80) -> None:
    """Show ``figure`` in a Jupyter notebook as a PNG (works whatever matplotlib backend); no-op elsewhere."""
    if not in_jupyter_kernel():
        return
    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    display(Image(data=buffer.getvalue(), format="png"))


# --------------------------------------------------------------------------------------------------
# Learning curves
# --------------------------------------------------------------------------------------------------
METRIC_TITLES = {
    "loss_mean": "Loss (média ± desvio padrão)",
    "miou_fg": "mIoU sem o fundo",
    "miou": "mIoU (todas as classes)",
    "mdice": "Dice médio",
    "pixel_acc": "Acurácia de pixels",
    "time": "Tempo por época (s)",
}
PHASE_NAMES = {"train": "treino", "val": "validação"}


def _series(entries, key):
    """Epochs and values of ``key`` in a list of per-epoch dicts (None, as saved in JSON, -> NaN)."""
    epochs, values = [], []
    for entry in entries:
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, (list, tuple)):
            raise ValueError(f"history key {key!r} holds a list (one value per class); pick a scalar key")
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
            line, = ax.plot(epochs, values, style, label=PHASE_NAMES[phase], markersize=4)
            if key == "loss_mean":
                _, spread = _series(entries, "loss_std")
                if len(spread) == len(values):
                    ax.fill_between(epochs, values - spread, values + spread, color=line.get_color(), alpha=0.2)
        ax.set_title(METRIC_TITLES.get(key, key))
        ax.set_xlabel("época")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    return figure


# --------------------------------------------------------------------------------------------------
# Didactic figures (drawn here, so the course needs no image from the internet)
# --------------------------------------------------------------------------------------------------
def box_iou(a, b) -> float:
    """IoU of two boxes given as ``(x, y, width, height)``: intersection area / union area."""
    overlap_w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    overlap_h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    intersection = overlap_w * overlap_h
    union = a[2] * a[3] + b[2] * b[3] - intersection
    return intersection / union


def iou_illustration() -> Figure:
    """Two boxes, A (ground truth) and B (prediction), at poor, good and excellent overlap."""
    truth = (1.0, 1.0, 4.0, 4.0)
    cases = [("Ruim", (3.0, 3.0)), ("Boa", (1.6, 1.6)), ("Excelente", (1.1, 1.2))]
    figure = Figure(figsize=(11, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    for ax, (name, (x, y)) in zip(axes, cases):
        pred = (x, y, 4.0, 4.0)
        ax.add_patch(Rectangle(truth[:2], *truth[2:], facecolor="tab:green", alpha=0.35, edgecolor="tab:green",
                               linewidth=2, label="A: rótulo verdadeiro"))
        ax.add_patch(Rectangle(pred[:2], *pred[2:], facecolor="tab:red", alpha=0.35, edgecolor="tab:red",
                               linewidth=2, label="B: predição"))
        ax.text(truth[0] + 0.15, truth[1] + 0.15, "A", fontsize=14, color="darkgreen", weight="bold")
        ax.text(pred[0] + pred[2] - 0.45, pred[1] + pred[3] - 0.6, "B", fontsize=14, color="darkred", weight="bold")
        ax.set_title(f"{name}: IoU = {box_iou(truth, pred):.2f}")
        ax.set_xlim(0, 8)
        ax.set_ylim(0, 8)
        ax.set_aspect("equal")
        _clean(ax)
    axes[0].legend(loc="upper left", fontsize=9)
    figure.suptitle("IoU = |A ∩ B| / |A ∪ B|   (1 = sobreposição perfeita, 0 = nenhuma)")
    return figure


def _box(ax, x, y, width, height, text, colour="#dbe9f6", fontsize=10):
    """A rounded box centred on (x, y) with a caption inside."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=colour, edgecolor="black", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, text=None, colour="black", curve=0.0):
    """An arrow from ``start`` to ``end`` with an optional caption near its middle."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.5, shrinkA=0, shrinkB=0,
                                connectionstyle=f"arc3,rad={curve}"))
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.25, text, ha="center", va="bottom",
                fontsize=9, color=colour)


def _blank_axes(figure, width, height):
    ax = figure.subplots()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return ax


# Spatial size of the feature maps of a VGG-like backbone fed with a 224x224 image (each pooling halves it).


def _stage_height(size: int) -> float:
    """Box height that shrinks with the spatial size of the feature map."""
    return 0.6 + 2.6 * size / 224


# Feature-map sizes of a 224×224 input at the stages the diagrams draw (tests/test_plots.py checks them against
# the real networks), and which stage the skip connection takes.
DIAGRAM_STAGES = {
    "vgg16": {"stages": (("pool1", 112), ("pool2", 56), ("pool3", 28), ("pool4", 14), ("pool5", 7)),
              "skip": "pool3", "skip16": "pool4"},
    "alexnet": {"stages": (("conv1", 55), ("pool1", 27), ("pool2", 13), ("pool5", 6)),
                "skip": "pool1", "skip16": "pool2"},
}


def fcn_diagram(skip: bool = False, backbone: str = "vgg16") -> Figure:
    """Sketch of an FCN on ``backbone`` ("vgg16" or "alexnet"): stages shrink the 224×224 input, a
    convolutional classifier, bilinear upsampling.

    ``skip=True`` adds the skip connection: deep features are upsampled to the size of the skip stage (pool3,
    28×28, on VGG16; pool1, 27×27, on AlexNet) and concatenated with it on the channel axis before the
    classifier (FCN-8s style; the next pooling gives FCN-16s).
    """
    layout = DIAGRAM_STAGES[backbone]
    stages = layout["stages"]
    deepest = stages[-1][1]
    skip_name = layout["skip"]
    skip_size = dict(stages)[skip_name]
    figure = Figure(figsize=(15, 5.2 if skip else 4), layout="constrained")
    height = 6.0 if skip else 4.0
    ax = _blank_axes(figure, 16, height)
    top = height - 2.0
    stage_colour, head_colour, output_colour = "#dbe9f6", "#fde2c4", "#d9f2d9"

    _box(ax, 0.8, top, 1.2, _stage_height(224), "imagem\n3×224×224", colour="#eeeeee")
    step = 1.45 if len(stages) == 5 else 1.85
    xs = [2.4 + step * i for i in range(len(stages))]
    for x, (name, size) in zip(xs, stages):
        _box(ax, x, top, 1.05, _stage_height(size), f"{name}\n{size}×{size}", colour=stage_colour)
    for start, end in zip([0.8] + xs[:-1], xs):
        _arrow(ax, (start + 0.6, top), (end - 0.55, top))
    ax.text((xs[0] + xs[-1]) / 2, top + 2.0, "backbone pré-treinado (camadas convolucionais da CNN)",
            ha="center", fontsize=10)

    if not skip:
        classifier_x, upsample_x, output_x = 10.2, 12.5, 14.8
        _box(ax, classifier_x, top, 1.7, 1.3, f"classificador\nconv 1×1\nC classes, {deepest}×{deepest}",
             colour=head_colour)
        _box(ax, upsample_x, top, 1.7, 1.3, f"upsampling\nbilinear\n{deepest}×{deepest} → 224×224",
             colour=head_colour)
        _box(ax, output_x, top, 1.5, _stage_height(224), "escores por\npixel\nC×224×224", colour=output_colour)
        _arrow(ax, (xs[-1] + 0.55, top), (classifier_x - 0.85, top))
        _arrow(ax, (classifier_x + 0.85, top), (upsample_x - 0.85, top))
        _arrow(ax, (upsample_x + 0.85, top), (output_x - 0.75, top))
        figure.suptitle(f"FCN sem skip connection (FCN-32s): prever em {deepest}×{deepest} e ampliar até 224×224")
        return figure

    bottom = 1.0
    upsample_x, concat_x, classifier_x, final_x, output_x = 10.0, 10.0, 12.2, 14.0, 15.3
    _box(ax, upsample_x, top, 1.8, 1.2, f"upsampling\nbilinear\n{deepest}×{deepest} → {skip_size}×{skip_size}",
         colour=head_colour)
    _arrow(ax, (xs[-1] + 0.55, top), (upsample_x - 0.9, top))
    _box(ax, concat_x, bottom, 1.8, 1.2, f"concatenar\nno eixo dos\ncanais ({skip_size}×{skip_size})",
         colour="#f6d5e5")
    _arrow(ax, (upsample_x, top - 0.6), (concat_x, bottom + 0.6))
    skip_x = xs[[name for name, _ in stages].index(skip_name)]
    _arrow(ax, (skip_x, top - _stage_height(skip_size) / 2), (concat_x - 0.9, bottom), colour="tab:purple",
           curve=0.25)
    ax.text(skip_x + 0.6, bottom, f"skip connection:\nfeatures de {skip_name} ({skip_size}×{skip_size})\n"
            f"(com {layout['skip16']}: FCN-16s)", ha="right", va="center", fontsize=10, color="tab:purple")
    _box(ax, classifier_x, bottom, 1.7, 1.2, "classificador\nconvolucional\nC classes", colour=head_colour)
    _box(ax, final_x, bottom, 1.5, 1.2, f"upsampling\nbilinear\n{skip_size}×{skip_size} → 224×224",
         colour=head_colour)
    _box(ax, output_x, top, 1.2, _stage_height(224), "escores\npor pixel\nC×224×224", colour=output_colour)
    _arrow(ax, (concat_x + 0.9, bottom), (classifier_x - 0.85, bottom))
    _arrow(ax, (classifier_x + 0.85, bottom), (final_x - 0.75, bottom))
    _arrow(ax, (final_x + 0.3, bottom + 0.6), (output_x - 0.2, top - _stage_height(224) / 2))
    figure.suptitle(f"FCN com skip connection (estilo FCN-8s): junta o detalhe de {skip_name} com a semântica "
                    f"de {stages[-1][0]}")
    return figure


def cnn_to_fcn_diagram() -> Figure:
    """Classification CNN (fully connected layers, one label per image) vs FCN (label map)."""
    figure = Figure(figsize=(14, 6.4), layout="constrained")
    top_ax, bottom_ax = figure.subplots(2, 1)
    for ax in (top_ax, bottom_ax):
        ax.set_xlim(0, 16)
        ax.set_ylim(0, 3)
        ax.axis("off")
    y = 1.4
    conv_colour, fc_colour, head_colour = "#dbe9f6", "#f9d0c4", "#fde2c4"

    # Classification CNN: the FC layers throw away the spatial layout.
    steps = [(1.0, 1.4, "imagem\n224×224", "#eeeeee"), (3.4, 2.2, "camadas\nconvolucionais\n256×6×6", conv_colour),
             (5.9, 1.5, "achatar\n(flatten)\n9216", fc_colour), (7.9, 1.3, "FC\n4096", fc_colour),
             (9.7, 1.3, "FC\n4096", fc_colour), (11.5, 1.3, "FC\n1000", fc_colour)]
    for (x, width, text, colour), nxt in zip(steps, steps[1:] + [None]):
        _box(top_ax, x, y, width, 1.4, text, colour=colour)
        if nxt is not None:
            _arrow(top_ax, (x + width / 2, y), (nxt[0] - nxt[1] / 2, y))
    _arrow(top_ax, (12.15, y), (13.2, y))
    top_ax.text(14.5, y, "um rótulo\npor imagem:\n\"ônibus\"", ha="center", va="center", fontsize=11, weight="bold")
    top_ax.set_title("CNN de classificação: rotulação esparsa (um rótulo para a imagem inteira)")

    # FCN: the same convolutions, a convolutional classifier and upsampling keep a label per pixel.
    steps = [(1.0, 1.4, "imagem\nH×W", "#eeeeee"), (3.4, 2.2, "as mesmas camadas\nconvolucionais\n256×H/32×W/32", conv_colour),
             (6.6, 2.2, "classificador\nconvolucional (1×1)\nC×H/32×W/32", head_colour),
             (9.6, 1.8, "upsampling\nbilinear\nC×H×W", head_colour)]
    for (x, width, text, colour), nxt in zip(steps, steps[1:] + [None]):
        _box(bottom_ax, x, y, width, 1.4, text, colour=colour)
        if nxt is not None:
            _arrow(bottom_ax, (x + width / 2, y), (nxt[0] - nxt[1] / 2, y))
    _arrow(bottom_ax, (10.5, y), (11.6, y), text="argmax")
    label_map = np.zeros((12, 16), dtype=np.int64)
    label_map[4:10, 2:9] = 1  # a "bus"
    label_map[3:11, 11:14] = 2  # a "person"
    bottom_ax.imshow(colorize(label_map, ("background", "bus", "person")), extent=(11.8, 14.2, 0.3, 2.5),
                     interpolation="nearest", aspect="auto")
    bottom_ax.text(15.1, y, "um rótulo\npor pixel", ha="center", va="center", fontsize=11, weight="bold")
    bottom_ax.set_title("FCN: rotulação densa (as camadas FC viram convoluções)")
    return figure


def bilinear_demo(scale: int = 8) -> Figure:
    """A 4x4 score map enlarged ``scale`` times by nearest neighbour vs bilinear interpolation."""
    scores = torch.tensor([[0.0, 0.2, 0.9, 1.0],
                           [0.1, 0.6, 1.0, 0.7],
                           [0.0, 0.4, 0.5, 0.2],
                           [0.0, 0.0, 0.1, 0.0]])
    batch = scores[None, None]  # interpolate expects [B, C, H, W]
    nearest = F.interpolate(batch, scale_factor=scale, mode="nearest")[0, 0]
    bilinear = F.interpolate(batch, scale_factor=scale, mode="bilinear", align_corners=False)[0, 0]

    figure = Figure(figsize=(12, 4.8), layout="constrained")
    axes = figure.subplots(1, 3)
    panels = [(scores, "escores 4×4\n(saída da rede)"),
              (nearest, f"vizinho mais próximo ×{scale}\n(blocos)"),
              (bilinear, f"bilinear ×{scale}\n(transições suaves)")]
    for ax, (image, title) in zip(axes, panels):
        shown = ax.imshow(image.numpy(), cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        _clean(ax, title)
    figure.colorbar(shown, ax=list(axes), shrink=0.8, label="escore da classe")
    figure.suptitle("F.interpolate: ampliando um mapa de escores")
    return figure


# --------------------------------------------------------------------------------------------------
# The comparison grid (notebook 04, fcn_course.report)
# --------------------------------------------------------------------------------------------------
def _run_style(run) -> dict:
    """Same colour for a backbone+pretrained pair; solid line with skip connections, dashed without."""
    palette = {("alexnet", False): "tab:blue", ("alexnet", True): "tab:cyan",
               ("vgg16", False): "tab:red", ("vgg16", True): "tab:orange"}
    return {"color": palette.get((run.backbone, run.pretrained)), "linestyle": "-" if run.skip else "--",
            "marker": "o", "markersize": 3, "label": run.name}


def grid_curves(runs) -> Figure:
    """Validation mIoU(fg) and training loss against the epoch, every run of a grid on the same axes."""
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    ax_miou, ax_loss = figure.subplots(1, 2)
    for run in runs:
        style = _run_style(run)
        ax_miou.plot(run.history.values("val", "epoch"),
                     [stored_score(v) for v in run.history.values("val", "miou_fg")], **style)
        ax_loss.plot(run.history.values("train", "epoch"),
                     [stored_score(v) for v in run.history.values("train", "loss_mean")], **style)
    ax_miou.set(title="mIoU de validação (sem o fundo)", xlabel="época", ylabel="mIoU(fg)")
    ax_loss.set(title="perda de treino", xlabel="época", ylabel="entropia cruzada")
    for ax in (ax_miou, ax_loss):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if runs:
        ax_loss.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    else:
        ax_miou.text(0.5, 0.5, "nenhuma configuração treinada", ha="center", transform=ax_miou.transAxes)
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
        ax.bar(positions + (number - (len(runs) - 1) / 2) * width, np.nan_to_num(ious), width,
               color=style["color"], hatch=None if run.skip else "//", edgecolor="black", label=run.name)
    ax.set_xticks(positions, [PORTUGUESE_NAMES.get(name, name) for name in classes])
    ax.set(ylim=(0, 1), ylabel="IoU (melhor época)", title="IoU por classe e configuração")
    for tick, colour in zip(ax.get_xticklabels(), class_colors(classes) / 255.0):
        tick.set_bbox({"facecolor": colour, "alpha": 0.4, "edgecolor": "none"})
    if runs:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return figure


def prediction_rows(images, labels, predictions: dict, classes) -> Figure:
    """Columns = validation images; rows = the image, its ground truth, then one row per model.

    ``predictions`` maps a row title (e.g. the run name and its score) to class indices ``[N, H, W]``.
    """
    rows = [("imagem", [_image_to_rgb(image) for image in images]),
            ("rótulo verdadeiro", [colorize(label, classes) for label in labels])]
    rows += [(title, [colorize(prediction, classes) for prediction in predicted])
             for title, predicted in predictions.items()]
    count = len(rows[0][1])
    figure = Figure(figsize=(2.2 * count + 2, 2.0 * len(rows)), layout="constrained")
    axes = figure.subplots(len(rows), count, squeeze=False)
    for row_axes, (title, pictures) in zip(axes, rows):
        for ax, picture in zip(row_axes, pictures):
            ax.imshow(picture, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9)
    figure.suptitle("Imagens de validação: rótulo verdadeiro e predição de cada configuração (best.pt)")
    return figure


# --------------------------------------------------------------------------------------------------
# Learned upsampling, augmentation, imbalance and errors (issue #13)
# --------------------------------------------------------------------------------------------------
def _transposed_conv(kernel, stride: int, padding: int) -> torch.nn.ConvTranspose2d:
    size = kernel.shape[-1]
    layer = torch.nn.ConvTranspose2d(1, 1, size, stride=stride, padding=padding, bias=False)
    with torch.no_grad():
        layer.weight.copy_(kernel.reshape(1, 1, size, size))
    return layer


def checkerboard_demo(factor: int = 2, seed: int = 0) -> Figure:
    """A constant map upsampled ``factor`` times by three transposed convolutions.

    A bilinear kernel whose size fits the stride (2·factor) gives a flat interior; a kernel of size 3 with
    stride 2 (not a multiple of the stride) makes some output pixels receive two contributions and others
    one; a random kernel repeats its own pattern every ``factor`` pixels. Both are checkerboard artefacts.
    """
    constant = torch.ones(1, 1, 8, 8)
    size = 2 * factor - factor % 2
    random_kernel = torch.rand(size, size, generator=torch.Generator().manual_seed(seed))
    cases = [
        ("kernel bilinear %d×%d, stride %d" % (size, size, factor),
         _transposed_conv(bilinear_kernel(1, 1, size)[0, 0], factor, factor // 2)),
        ("kernel 3×3 uniforme, stride 2\n(3 não é múltiplo de 2)", _transposed_conv(torch.ones(3, 3) / 4, 2, 1)),
        ("kernel %d×%d aleatório, stride %d" % (size, size, factor),
         _transposed_conv(random_kernel / random_kernel.sum() * factor ** 2, factor, factor // 2)),
    ]
    figure = Figure(figsize=(13, 4.4), layout="constrained")
    axes = figure.subplots(1, len(cases) + 1)
    axes[0].imshow(constant[0, 0].numpy(), cmap="gray", vmin=0, vmax=2, interpolation="nearest")
    _clean(axes[0], "entrada constante 8×8")
    for ax, (title, layer) in zip(axes[1:], cases):
        with torch.no_grad():
            output = layer(constant)[0, 0, 2:-2, 2:-2]  # the borders see zero padding: leave them out
        ax.imshow(output.numpy(), cmap="gray", vmin=0, vmax=2, interpolation="nearest")
        _clean(ax, f"{title}\nmín {float(output.min()):.2f}, máx {float(output.max()):.2f}")
    figure.suptitle("Convolução transposta numa imagem constante: o padrão de xadrez (bordas cortadas)")
    return figure


def label_interpolation_demo(label, classes, factor: float = 1.7) -> Figure:
    """A label map resized by nearest neighbour vs bilinear interpolation (of the class indices).

    Bilinear interpolation averages neighbouring indices: between background (0) and person (2) it invents
    bus (1), and next to void (255) it invents numbers that are no class at all.
    """
    label = torch.as_tensor(np.asarray(label)).long()
    size = [max(1, round(label.shape[0] * factor)), max(1, round(label.shape[1] * factor))]
    batch = label[None, None].float()
    nearest = F.interpolate(batch, size=size, mode="nearest")[0, 0].long()
    bilinear = F.interpolate(batch, size=size, mode="bilinear", align_corners=False)[0, 0].round().long()
    n = len(classes)
    invented = (bilinear != VOID) & ((bilinear >= n) | ~torch.isin(bilinear, torch.unique(label)))
    figure = Figure(figsize=(13, 4.4), layout="constrained")
    axes = figure.subplots(1, 4)
    panels = [(colorize(label, classes), "rótulo original"),
              (colorize(nearest, classes), "vizinho mais próximo (certo)"),
              (colorize(torch.where(bilinear < n, bilinear, VOID), classes),
               "bilinear, arredondado (errado;\nnão-classes em cor de void)"),
              (invented.numpy(), f"pixels com índice inventado: {int(invented.sum())}")]
    for ax, (image, title) in zip(axes, panels):
        ax.imshow(image, interpolation="nearest", cmap="Reds" if image.ndim == 2 else None)
        _clean(ax, title)
    figure.legend(handles=legend_handles(classes), loc="lower center", ncol=len(classes) + 1, fontsize=8)
    figure.suptitle(f"Redimensionando um rótulo ×{factor:g}: nunca interpole índices de classe")
    return figure


def pixel_frequencies(counts, classes) -> Figure:
    """Bars: share of the (non-void) pixels of each class, with the count written on each bar."""
    counts = np.asarray(counts, dtype=np.float64)
    shares = counts / max(counts.sum(), 1.0)
    figure = Figure(figsize=(max(5, 1.4 * len(classes) + 2), 3.8), layout="constrained")
    ax = figure.subplots()
    names = [PORTUGUESE_NAMES.get(name, name) for name in classes]
    bars = ax.bar(names, shares, color=class_colors(classes) / 255.0, edgecolor="black")
    for bar, share, count in zip(bars, shares, counts):
        ax.text(bar.get_x() + bar.get_width() / 2, share, f"{share:.1%}\n({int(count):,} px)",
                ha="center", va="bottom", fontsize=8)
    ax.set(ylim=(0, min(1.0, shares.max() * 1.3 + 0.05)), ylabel="fração dos pixels",
           title="Frequência de cada classe nos pixels de treino (void fora)")
    return figure


def confusion_matrix_figure(matrix, classes, title: str = "Matriz de confusão") -> Figure:
    """The confusion matrix normalised by row (each true class sums to 1), with the pixel shares written in.

    Row = true class, column = predicted class: the diagonal is each class's recall, and what sits off the
    diagonal says where its pixels went.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    names = [PORTUGUESE_NAMES.get(name, name) for name in classes]
    figure = Figure(figsize=(1.3 * len(classes) + 2.5, 1.2 * len(classes) + 1.5), layout="constrained")
    ax = figure.subplots()
    shown = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for row in range(len(classes)):
        for column in range(len(classes)):
            ax.text(column, row, f"{shares[row, column]:.2f}", ha="center", va="center",
                    color="white" if shares[row, column] > 0.5 else "black")
    ax.set_xticks(range(len(classes)), names)
    ax.set_yticks(range(len(classes)), [f"{name}\n({int(total):,} px)" for name, total in zip(names, totals[:, 0])])
    ax.set(xlabel="classe prevista", ylabel="classe verdadeira", title=title)
    figure.colorbar(shown, ax=ax, shrink=0.8, label="fração dos pixels da classe verdadeira")
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
    ax_miou.set(xlim=(0, 1), xlabel="mIoU(fg) de validação (melhor época)", title="Cada opção, uma mudança")
    ax_miou.invert_yaxis()
    width = 0.8 / max(len(labels), 1)
    positions = np.arange(len(classes))
    for number, (label, entry) in enumerate(zip(labels, best)):
        ious = [stored_score(v) for v in entry["iou"]] if entry else [float("nan")] * len(classes)
        ax_iou.bar(positions + (number - (len(labels) - 1) / 2) * width, np.nan_to_num(ious), width, label=label)
    ax_iou.set_xticks(positions, [PORTUGUESE_NAMES.get(name, name) for name in classes])
    ax_iou.set(ylim=(0, 1), ylabel="IoU (melhor época)", title="IoU por classe")
    ax_iou.legend(fontsize=8)
    return figure
