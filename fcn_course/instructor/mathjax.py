"""A local copy of MathJax for the HTML that the instructor tools write (no CDN at view time).

MathJax 2.7 ships inside the ``jupyter-server-mathjax`` package (a Jupyter project package on PyPI, in the
``instructor`` extra). The course website and the per-notebook HTML copies of the main job both get a copy
of it in their own folder, so they render math without internet, even opened from a USB stick.
"""

from __future__ import annotations

import json
from pathlib import Path

from fcn_course.messages import text

FOLDER_NAME = "mathjax"
# The combined configuration shipped by the package: TeX and MathML input, HTML-CSS output.
SCRIPT = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"


# The package ships MathJax's STIX-Web fonts only (not its default TeX fonts): tell MathJax to use them.
FONT_CONFIG = {
    "HTML-CSS": {"availableFonts": ["STIX-Web"], "preferredFont": "STIX-Web", "webFont": "STIX-Web", "imageFont": None},
    "SVG": {"font": "STIX-Web"},
}


def config_script() -> str:
    """An inline ``text/x-mathjax-config`` script with :data:`FONT_CONFIG` (put it before MathJax's script)."""
    return f'<script type="text/x-mathjax-config">MathJax.Hub.Config({json.dumps(FONT_CONFIG)});</script>'


class MathJaxMissing(RuntimeError):
    """The package that ships MathJax is not installed."""


def mathjax_source() -> Path:
    """The folder of the installed MathJax (with ``MathJax.js``); MathJaxMissing says how to install it."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise MathJaxMissing(text("mathjax.not_installed")) from None
    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise MathJaxMissing(text("mathjax.file_missing", path=folder / "MathJax.js"))
    return folder


def copy_mathjax(folder) -> Path:
    """Copy MathJax into ``mathjax/`` of ``folder`` (a ``files.OutputFolder``) unless its own copy is there.

    Written as the folder's own files: a ``mathjax/`` of somebody else's is never overwritten (NotOurFileError).
    """
    target = folder.root / FOLDER_NAME
    if not (folder.owns(f"{FOLDER_NAME}/MathJax.js") and (target / "MathJax.js").is_file()):
        folder.copy_tree(mathjax_source(), into=FOLDER_NAME)
    return target


def script_url(prefix: str = "") -> str:
    """The ``src`` of MathJax's script for a page that sees the copy at ``<prefix>mathjax/``."""
    return f"{prefix}{FOLDER_NAME}/{SCRIPT}"
