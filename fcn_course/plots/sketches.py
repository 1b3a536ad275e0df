"""Didactic sketches: drawings that explain an idea (IoU, an FCN's layers, upsampling, checkerboard artefacts,
resizing a label map), drawn here so that the course needs no image from the internet.

They take no trained model: each one builds its own small example, and several compute what they draw
(:func:`checkerboard_demo` runs real transposed convolutions, :func:`bilinear_demo` real interpolations).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from fcn_course.backbones import bilinear_kernel
from fcn_course.messages import text
from fcn_course.plots.figures import clean_axes
from fcn_course.plots.labels import colorize, legend_handles
from fcn_course.voc import VOID


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
    cases = [
        (text("figures.iou.poor"), (3.0, 3.0)),
        (text("figures.iou.good"), (1.6, 1.6)),
        (text("figures.iou.excellent"), (1.1, 1.2)),
    ]
    figure = Figure(figsize=(11, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    for ax, (name, (x, y)) in zip(axes, cases):
        pred = (x, y, 4.0, 4.0)
        ax.add_patch(
            Rectangle(
                truth[:2],
                *truth[2:],
                facecolor="tab:green",
                alpha=0.35,
                edgecolor="tab:green",
                linewidth=2,
                label=text("figures.iou.truth_box"),
            )
        )
        ax.add_patch(
            Rectangle(
                pred[:2],
                *pred[2:],
                facecolor="tab:red",
                alpha=0.35,
                edgecolor="tab:red",
                linewidth=2,
                label=text("figures.iou.prediction_box"),
            )
        )
        ax.text(truth[0] + 0.15, truth[1] + 0.15, "A", fontsize=14, color="darkgreen", weight="bold")
        ax.text(pred[0] + pred[2] - 0.45, pred[1] + pred[3] - 0.6, "B", fontsize=14, color="darkred", weight="bold")
        ax.set_title(f"{name}: IoU = {box_iou(truth, pred):.2f}")
        ax.set_xlim(0, 8)
        ax.set_ylim(0, 8)
        ax.set_aspect("equal")
        clean_axes(ax)
    axes[0].legend(loc="upper left", fontsize=9)
    figure.suptitle(text("figures.iou.title"))
    return figure


def _box(ax, x, y, width, height, caption, color="#dbe9f6", fontsize=10):
    """A rounded box centred on (x, y) with a caption inside."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=color,
            edgecolor="black",
            linewidth=1,
        )
    )
    ax.text(x, y, caption, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, caption=None, color="black", curve=0.0):
    """An arrow from ``start`` to ``end`` with an optional caption near its middle."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle="-|>", color=color, lw=1.5, shrinkA=0, shrinkB=0, connectionstyle=f"arc3,rad={curve}"
        ),
    )
    if caption:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 + 0.25,
            caption,
            ha="center",
            va="bottom",
            fontsize=9,
            color=color,
        )


def _blank_axes(figure, width, height):
    ax = figure.subplots()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return ax


def _stage_height(size: int) -> float:
    """Box height that shrinks with the spatial size of the feature map."""
    return 0.6 + 2.6 * size / 224


# Feature-map sizes of a 224×224 input at the stages the diagrams draw (tests/test_plots.py checks them against
# the real networks), and which stage the skip connection takes.
DIAGRAM_STAGES = {
    "vgg16": {
        "stages": (("pool1", 112), ("pool2", 56), ("pool3", 28), ("pool4", 14), ("pool5", 7)),
        "skip": "pool3",
        "skip16": "pool4",
    },
    "alexnet": {
        "stages": (("conv1", 55), ("pool1", 27), ("pool2", 13), ("pool5", 6)),
        "skip": "pool1",
        "skip16": "pool2",
    },
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
    stage_color, head_color, output_color = "#dbe9f6", "#fde2c4", "#d9f2d9"

    _box(ax, 0.8, top, 1.2, _stage_height(224), text("figures.diagram.input_224"), color="#eeeeee")
    step = 1.45 if len(stages) == 5 else 1.85
    xs = [2.4 + step * i for i in range(len(stages))]
    for x, (name, size) in zip(xs, stages):
        _box(ax, x, top, 1.05, _stage_height(size), f"{name}\n{size}×{size}", color=stage_color)
    for start, end in zip([0.8] + xs[:-1], xs):
        _arrow(ax, (start + 0.6, top), (end - 0.55, top))
    ax.text((xs[0] + xs[-1]) / 2, top + 2.0, text("figures.diagram.backbone"), ha="center", fontsize=10)

    if not skip:
        classifier_x, upsample_x, output_x = 10.2, 12.5, 14.8
        _box(ax, classifier_x, top, 1.7, 1.3, text("figures.diagram.classifier_1x1", size=deepest), color=head_color)
        _box(
            ax,
            upsample_x,
            top,
            1.7,
            1.3,
            text("figures.diagram.upsampling", source=deepest, target=224),
            color=head_color,
        )
        _box(ax, output_x, top, 1.5, _stage_height(224), text("figures.diagram.scores"), color=output_color)
        _arrow(ax, (xs[-1] + 0.55, top), (classifier_x - 0.85, top))
        _arrow(ax, (classifier_x + 0.85, top), (upsample_x - 0.85, top))
        _arrow(ax, (upsample_x + 0.85, top), (output_x - 0.75, top))
        figure.suptitle(text("figures.diagram.title_noskip", size=deepest))
        return figure

    bottom = 1.0
    upsample_x, concat_x, classifier_x, final_x, output_x = 10.0, 10.0, 12.2, 14.0, 15.3
    _box(
        ax,
        upsample_x,
        top,
        1.8,
        1.2,
        text("figures.diagram.upsampling", source=deepest, target=skip_size),
        color=head_color,
    )
    _arrow(ax, (xs[-1] + 0.55, top), (upsample_x - 0.9, top))
    _box(ax, concat_x, bottom, 1.8, 1.2, text("figures.diagram.concatenate", size=skip_size), color="#f6d5e5")
    _arrow(ax, (upsample_x, top - 0.6), (concat_x, bottom + 0.6))
    skip_x = xs[[name for name, _ in stages].index(skip_name)]
    _arrow(ax, (skip_x, top - _stage_height(skip_size) / 2), (concat_x - 0.9, bottom), color="tab:purple", curve=0.25)
    ax.text(
        skip_x + 0.6,
        bottom,
        text("figures.diagram.skip", stage=skip_name, size=skip_size, stage16=layout["skip16"]),
        ha="right",
        va="center",
        fontsize=10,
        color="tab:purple",
    )
    _box(ax, classifier_x, bottom, 1.7, 1.2, text("figures.diagram.classifier"), color=head_color)
    _box(
        ax,
        final_x,
        bottom,
        1.5,
        1.2,
        text("figures.diagram.upsampling", source=skip_size, target=224),
        color=head_color,
    )
    _box(ax, output_x, top, 1.2, _stage_height(224), text("figures.diagram.scores_skip"), color=output_color)
    _arrow(ax, (concat_x + 0.9, bottom), (classifier_x - 0.85, bottom))
    _arrow(ax, (classifier_x + 0.85, bottom), (final_x - 0.75, bottom))
    _arrow(ax, (final_x + 0.3, bottom + 0.6), (output_x - 0.2, top - _stage_height(224) / 2))
    figure.suptitle(text("figures.diagram.title_skip", stage=skip_name, deepest=stages[-1][0]))
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
    conv_color, fc_color, head_color = "#dbe9f6", "#f9d0c4", "#fde2c4"

    # Classification CNN: the FC layers throw away the spatial layout.
    steps = [
        (1.0, 1.4, text("figures.cnn_to_fcn.image"), "#eeeeee"),
        (3.4, 2.2, text("figures.cnn_to_fcn.convolutions"), conv_color),
        (5.9, 1.5, text("figures.cnn_to_fcn.flatten"), fc_color),
        (7.9, 1.3, "FC\n4096", fc_color),
        (9.7, 1.3, "FC\n4096", fc_color),
        (11.5, 1.3, "FC\n1000", fc_color),
    ]
    for (x, width, caption, color), nxt in zip(steps, steps[1:] + [None]):
        _box(top_ax, x, y, width, 1.4, caption, color=color)
        if nxt is not None:
            _arrow(top_ax, (x + width / 2, y), (nxt[0] - nxt[1] / 2, y))
    _arrow(top_ax, (12.15, y), (13.2, y))
    top_ax.text(14.5, y, text("figures.cnn_to_fcn.one_label"), ha="center", va="center", fontsize=11, weight="bold")
    top_ax.set_title(text("figures.cnn_to_fcn.title_cnn"))

    # FCN: the same convolutions, a convolutional classifier and upsampling keep a label per pixel.
    steps = [
        (1.0, 1.4, text("figures.cnn_to_fcn.image_any"), "#eeeeee"),
        (3.4, 2.2, text("figures.cnn_to_fcn.same_convolutions"), conv_color),
        (6.6, 2.2, text("figures.cnn_to_fcn.classifier"), head_color),
        (9.6, 1.8, text("figures.cnn_to_fcn.upsampling"), head_color),
    ]
    for (x, width, caption, color), nxt in zip(steps, steps[1:] + [None]):
        _box(bottom_ax, x, y, width, 1.4, caption, color=color)
        if nxt is not None:
            _arrow(bottom_ax, (x + width / 2, y), (nxt[0] - nxt[1] / 2, y))
    _arrow(bottom_ax, (10.5, y), (11.6, y), caption="argmax")
    label_map = np.zeros((12, 16), dtype=np.int64)
    label_map[4:10, 2:9] = 1  # a "bus"
    label_map[3:11, 11:14] = 2  # a "person"
    bottom_ax.imshow(
        colorize(label_map, ("background", "bus", "person")),
        extent=(11.8, 14.2, 0.3, 2.5),
        interpolation="nearest",
        aspect="auto",
    )
    bottom_ax.text(
        15.1, y, text("figures.cnn_to_fcn.label_per_pixel"), ha="center", va="center", fontsize=11, weight="bold"
    )
    bottom_ax.set_title(text("figures.cnn_to_fcn.title_fcn"))
    return figure


def bilinear_demo(scale: int = 8) -> Figure:
    """A 4x4 score map enlarged ``scale`` times by nearest neighbour vs bilinear interpolation."""
    scores = torch.tensor([[0.0, 0.2, 0.9, 1.0], [0.1, 0.6, 1.0, 0.7], [0.0, 0.4, 0.5, 0.2], [0.0, 0.0, 0.1, 0.0]])
    batch = scores[None, None]  # interpolate expects [B, C, H, W]
    nearest = F.interpolate(batch, scale_factor=scale, mode="nearest")[0, 0]
    bilinear = F.interpolate(batch, scale_factor=scale, mode="bilinear", align_corners=False)[0, 0]

    figure = Figure(figsize=(12, 4.8), layout="constrained")
    axes = figure.subplots(1, 3)
    panels = [
        (scores, text("figures.bilinear.scores")),
        (nearest, text("figures.bilinear.nearest", scale=scale)),
        (bilinear, text("figures.bilinear.bilinear", scale=scale)),
    ]
    for ax, (image, title) in zip(axes, panels):
        shown = ax.imshow(image.numpy(), cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        clean_axes(ax, title)
    figure.colorbar(shown, ax=list(axes), shrink=0.8, label=text("figures.bilinear.colorbar"))
    figure.suptitle(text("figures.bilinear.title"))
    return figure


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
        (
            text("figures.checkerboard.bilinear", size=size, stride=factor),
            _transposed_conv(bilinear_kernel(1, 1, size)[0, 0], factor, factor // 2),
        ),
        (text("figures.checkerboard.uniform"), _transposed_conv(torch.ones(3, 3) / 4, 2, 1)),
        (
            text("figures.checkerboard.random", size=size, stride=factor),
            _transposed_conv(random_kernel / random_kernel.sum() * factor**2, factor, factor // 2),
        ),
    ]
    figure = Figure(figsize=(13, 4.4), layout="constrained")
    axes = figure.subplots(1, len(cases) + 1)
    axes[0].imshow(constant[0, 0].numpy(), cmap="gray", vmin=0, vmax=2, interpolation="nearest")
    clean_axes(axes[0], text("figures.checkerboard.input"))
    for ax, (title, layer) in zip(axes[1:], cases):
        with torch.no_grad():
            output = layer(constant)[0, 0, 2:-2, 2:-2]  # the borders see zero padding: leave them out
        ax.imshow(output.numpy(), cmap="gray", vmin=0, vmax=2, interpolation="nearest")
        clean_axes(
            ax, text("figures.checkerboard.panel", title=title, low=float(output.min()), high=float(output.max()))
        )
    figure.suptitle(text("figures.checkerboard.title"))
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
    panels = [
        (colorize(label, classes), text("figures.label_interpolation.original")),
        (colorize(nearest, classes), text("figures.label_interpolation.nearest")),
        (colorize(torch.where(bilinear < n, bilinear, VOID), classes), text("figures.label_interpolation.bilinear")),
        (invented.numpy(), text("figures.label_interpolation.invented", count=int(invented.sum()))),
    ]
    for ax, (image, title) in zip(axes, panels):
        ax.imshow(image, interpolation="nearest", cmap="Reds" if image.ndim == 2 else None)
        clean_axes(ax, title)
    figure.legend(handles=legend_handles(classes), loc="lower center", ncol=len(classes) + 1, fontsize=8)
    figure.suptitle(text("figures.label_interpolation.title", factor=factor))
    return figure
