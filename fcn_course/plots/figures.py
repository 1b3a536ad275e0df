"""What every figure of the course shares: image axes without ticks, saving a figure, showing it in Jupyter.

Every figure is built with ``Figure(...)`` rather than ``plt.figure(...)``: it works without a display
(scripts, tests, CI), and Jupyter shows it once when it is the last expression of a cell (or with
``display(fig)``). Nothing here calls ``plt.show()``.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from fcn_course.config import in_jupyter_kernel
from fcn_course.files import atomic_write


def clean_axes(ax, title=None) -> None:
    """Axes that show an image: no ticks, an optional title."""
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)


def save_figure(figure: Figure, path, dpi: int = 100):
    """Save ``figure`` as a PNG (atomically, creating the folder); returns the path."""
    return atomic_write(path, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi, bbox_inches="tight"))


def display_figure(figure: Figure, dpi: int = 80) -> None:
    """Show ``figure`` in a Jupyter notebook as a PNG (works whatever matplotlib backend); no-op elsewhere."""
    if not in_jupyter_kernel():
        return
    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    display(Image(data=buffer.getvalue(), format="png"))
