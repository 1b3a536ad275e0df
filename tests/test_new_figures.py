"""Figures of issue #13: checkerboard artefacts, label interpolation, pixel frequencies, confusion matrix, options."""
import numpy as np
import torch
from matplotlib.figure import Figure

from fcn_course import plots
from fcn_course.engine import History
from fcn_course.experiments import RunResult

CLASSES = ("background", "bus", "person")


def _titles(figure):
    return [ax.get_title() for ax in figure.axes]


def test_checkerboard_demo_shows_flat_bilinear_and_uneven_bad_kernels():
    titles = _titles(plots.checkerboard_demo(factor=2))
    assert "mín 1.00, máx 1.00" in titles[1]          # bilinear: the constant stays constant
    assert "mín 1.00" not in titles[2] or "máx 1.00" not in titles[2]  # kernel 3, stride 2: uneven


def test_label_interpolation_demo_counts_invented_indices():
    label = np.zeros((12, 12), dtype=np.int64)
    label[:, 6:] = 2
    label[0, :] = 255
    titles = _titles(plots.label_interpolation_demo(label, CLASSES))
    invented = int(titles[3].rsplit(" ", 1)[1])
    assert invented > 0  # bilinear makes bus (1) between background (0) and person (2)


def test_confusion_matrix_figure_is_row_normalised():
    matrix = np.array([[90, 10, 0], [5, 5, 0], [0, 0, 0]])
    figure = plots.confusion_matrix_figure(matrix, CLASSES)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts[:3] == ["0.90", "0.10", "0.00"] and texts[3:6] == ["0.50", "0.50", "0.00"]
    assert texts[6:] == ["0.00"] * 3  # a class without pixels: no division by zero


def test_pixel_frequencies_and_option_comparison_draw():
    assert isinstance(plots.pixel_frequencies([800, 50, 150], CLASSES), Figure)
    history = History()
    entry = {"epoch": 1, "loss_mean": 1.0, "miou_fg": 0.4, "iou": [0.9, 0.3, 0.5], "time": 1.0}
    history.append(dict(entry), dict(entry))
    runs = {"base": RunResult("alexnet", True, False, "done", history=history),
            "falhou": RunResult("alexnet", True, False, "diverged")}
    figure = plots.option_comparison(runs, CLASSES)
    assert " 0.400" in [t.get_text() for t in figure.axes[0].texts]
