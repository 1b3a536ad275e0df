"""Figures of the course: coloured masks, samples, predictions, learning curves, comparisons and sketches.

Every function returns a ``matplotlib.figure.Figure`` and never calls ``plt.show()``: Jupyter shows a figure
once when it is the last expression of a cell (or with ``display(fig)``); save one with
``fig.savefig("name.png")`` or :func:`save_figure`. Text inside the figures is in Portuguese, for the
students, and comes from the message catalogue (``fcn_course.messages``, section "figures").

The figures are grouped by who looks at them, one module each:

* ``labels``   -- label maps as pictures: :func:`colorize`, :func:`overlay`, legends, dataset samples,
  predictions next to the ground truth, the pixel share of each class (notebooks 01 to 04)
* ``training`` -- a training run: the predictions after each epoch, the learning curves
* ``results``  -- trained runs compared: the grid's curves, IoU per class, predictions side by side, the
  options, the confusion matrix (notebook 05, ``fcn_course.report``)
* ``sketches`` -- didactic drawings: IoU, an FCN's layers, upsampling, checkerboard artefacts
* ``figures``  -- what they share: image axes, saving a figure, showing it in Jupyter

Use them all from here: ``from fcn_course import plots; plots.colorize(...)``.
"""

from fcn_course.plots.figures import clean_axes, display_figure, save_figure
from fcn_course.plots.labels import (
    VOID_LABEL,
    as_numpy,
    colorize,
    image_to_rgb,
    legend_handles,
    overlay,
    pixel_frequencies,
    show_predictions,
    show_samples,
)
from fcn_course.plots.results import (
    confusion_matrix_figure,
    grid_curves,
    option_comparison,
    per_class_iou,
    prediction_rows,
)
from fcn_course.plots.sketches import (
    DIAGRAM_STAGES,
    bilinear_demo,
    box_iou,
    checkerboard_demo,
    cnn_to_fcn_diagram,
    fcn_diagram,
    iou_illustration,
    label_interpolation_demo,
)
from fcn_course.plots.training import METRIC_TITLES, PHASE_NAMES, plot_history, show_epoch_predictions

__all__ = [
    # labels
    "VOID_LABEL",
    "as_numpy",
    "colorize",
    "image_to_rgb",
    "legend_handles",
    "overlay",
    "pixel_frequencies",
    "show_predictions",
    "show_samples",
    # training
    "METRIC_TITLES",
    "PHASE_NAMES",
    "plot_history",
    "show_epoch_predictions",
    # results
    "confusion_matrix_figure",
    "grid_curves",
    "option_comparison",
    "per_class_iou",
    "prediction_rows",
    # sketches
    "DIAGRAM_STAGES",
    "bilinear_demo",
    "box_iou",
    "checkerboard_demo",
    "cnn_to_fcn_diagram",
    "fcn_diagram",
    "iou_illustration",
    "label_interpolation_demo",
    # figures
    "clean_axes",
    "display_figure",
    "save_figure",
]
