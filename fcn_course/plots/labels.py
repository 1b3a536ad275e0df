"""Label maps drawn as pictures: the VOC colours, overlays, legends, and the image | label panels of a dataset
or of a batch of predictions (notebooks 01 to 04).

A label map holds one class index per pixel (255 = void). :func:`colorize` gives each index the VOC colour
of its class, so a bus is teal and a person pink in every figure of the course.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from fcn_course.messages import text
from fcn_course.plots.figures import clean_axes
from fcn_course.voc import PORTUGUESE_NAMES, VOC_CLASSES, VOID, class_colors, denormalize, voc_colormap

VOID_LABEL = text("figures.void")  # in the language active at import; figures ask text() when drawn


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
        raise ValueError(text("figures.colorize_not_one_map", shape=label.shape))
    if classes is None:
        classes = VOC_CLASSES
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[: len(classes)] = class_colors(classes)
    palette[VOID] = voc_colormap()[VOID]

    values = label.astype(np.int64)
    valid = (values == VOID) | ((values >= 0) & (values < len(classes)))
    if not valid.all():
        unexpected = np.unique(values[~valid])[:5].tolist()
        raise ValueError(text("figures.label_out_of_range", values=unexpected, last=len(classes) - 1, void=VOID))
    return palette[values]


def image_to_rgb(image) -> np.ndarray:
    """Normalised image tensor ``[3, H, W]`` -> displayable ``[H, W, 3]`` in [0, 1]."""
    return denormalize(torch.as_tensor(as_numpy(image)))


def overlay(rgb: np.ndarray, label, classes, alpha: float = 0.5) -> np.ndarray:
    """Blend the class colours over ``rgb`` (floats in [0, 1]); background pixels stay untouched, void is tinted."""
    label = as_numpy(label)
    colors = colorize(label, classes) / 255.0
    blended = (1 - alpha) * rgb + alpha * colors
    return np.where((label != 0)[..., None], blended, rgb)


def legend_handles(classes) -> list:
    """One coloured square per class (Portuguese name) plus void."""
    handles = [
        Patch(facecolor=color / 255.0, edgecolor="black", label=PORTUGUESE_NAMES.get(name, name))
        for name, color in zip(classes, class_colors(classes))
    ]
    handles.append(Patch(facecolor=voc_colormap()[VOID] / 255.0, edgecolor="black", label=text("figures.void")))
    return handles


def _image_grid(rows: int, columns: int, titles, aspect: float = 1.0, cell: float = 3.0):
    """A figure with ``rows x columns`` image axes; the first row gets the column titles.

    ``aspect`` = height / width of the images, so that rows are not separated by empty bands.
    """
    figure = Figure(figsize=(cell * columns + 1.8, cell * aspect * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        clean_axes(ax)
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
        raise ValueError(text("figures.samples_no_classes"))
    if len(dataset) == 0:
        raise ValueError(text("figures.samples_empty"))
    n = min(n, len(dataset))
    indices = np.random.default_rng(seed).choice(len(dataset), size=n, replace=False)
    items = [dataset[int(index)] for index in indices]
    height, width = items[0][1].shape[-2:]

    titles = [text("figures.column.image"), text("figures.column.label"), text("figures.column.overlay")]
    figure, axes = _image_grid(n, 3, titles, aspect=height / width)
    for row, index, (image, label) in zip(axes, indices, items):
        rgb, label = image_to_rgb(image), as_numpy(label)
        row[0].imshow(rgb)
        row[0].set_ylabel(text("figures.samples.item", index=int(index)))
        row[1].imshow(colorize(label, classes))
        row[2].imshow(overlay(rgb, label, classes))
    axes[0, -1].legend(handles=legend_handles(classes), loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return figure


def show_predictions(
    images, preds, labels, classes=None, max_items: int = 4, title=None, *, class_names=None
) -> Figure:
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
        raise ValueError(text("figures.batch_sizes_differ", images=len(images), preds=len(preds), labels=len(labels)))
    if classes is None:
        highest = max(int(preds.max()), int(np.max(labels, initial=0, where=labels != VOID)))
        classes = VOC_CLASSES[: highest + 1]

    count = min(max_items, len(images))
    aspect = labels.shape[-2] / labels.shape[-1]
    titles = [text("figures.column.image"), text("figures.column.prediction"), text("figures.column.ground_truth")]
    figure, axes = _image_grid(count, 3, titles, aspect=aspect)
    for i, row in enumerate(axes):
        row[0].imshow(image_to_rgb(images[i]))
        row[1].imshow(colorize(preds[i], classes))
        row[2].imshow(colorize(labels[i], classes))
    axes[0, -1].legend(handles=legend_handles(classes), loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if title:
        figure.suptitle(title)
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
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            share,
            f"{share:.1%}\n({int(count):,} px)",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set(
        ylim=(0, min(1.0, shares.max() * 1.3 + 0.05)),
        ylabel=text("figures.pixel_frequencies.ylabel"),
        title=text("figures.pixel_frequencies.title"),
    )
    return figure
