"""Google Colab: the course's repository address, the "Abrir no Colab" badge and the set-up on Colab.

Every notebook starts with two cells (written in ``solutions/notebooks/0N_*.py``, so both the solution and
the student notebooks have them):

1. a Markdown badge that opens the notebook on Colab (:func:`badge_markdown`);
2. a set-up cell (:func:`setup_cell_source`) that does nothing outside Colab. On Colab the course package is
   not installed yet when that cell runs, so the cell itself carries the bootstrap (``pip install`` from the
   repository) and then calls :func:`setup_colab` from the freshly installed package for the rest (the data
   folder on Google Drive, when the student asks for it).

:data:`REPOSITORY` is the one place that says where the course lives; ``tests/test_colab.py`` checks that
the notebooks' first two cells are exactly what this module generates, so changing the address means
changing it here and pasting the new cells that the failing test prints.
"""
from __future__ import annotations

import os

from fcn_course.environment import DATA_ENV
from fcn_course.messages import text

REPOSITORY = "fcn-course/fcn-course"  # GitHub "owner/name" of the course repository
BRANCH = "main"
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
DRIVE_MOUNT_POINT = "/content/drive"
DRIVE_DATA_FOLDER = "MyDrive/fcn_course_data"  # inside the student's Drive
DRIVE_FLAG = "USAR_DRIVE"  # the variable the student sets in the set-up cell


def colab_url(notebook: str) -> str:
    """The address that opens ``notebooks/<notebook>.ipynb`` of the repository on Colab."""
    return (f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/"
            f"{notebook}.ipynb")


def badge_markdown(notebook: str) -> str:
    """The first cell of every notebook: the "Abrir no Colab" badge."""
    return f"[![{text('colab.badge')}]({COLAB_BADGE_IMAGE})]({colab_url(notebook)})"


def setup_cell_source() -> str:
    """The second cell of every notebook: install the course on Colab, nothing elsewhere.

    Kept short on purpose: students read it. It installs from the repository only when the package cannot
    be imported yet (a second run costs nothing), then lets :func:`setup_colab` do the rest.
    """
    return "\n".join([
        text("colab.setup_comment"),
        f"{DRIVE_FLAG} = False  # {text('colab.drive_flag_comment', folder=DRIVE_DATA_FOLDER)}",
        "import importlib.util, subprocess, sys",
        "if \"google.colab\" in sys.modules:",
        "    if importlib.util.find_spec(\"fcn_course\") is None:",
        "        subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\",",
        f"                        \"git+{REPOSITORY_URL}\"], check=True)",
        "    from fcn_course.colab import setup_colab",
        f"    setup_colab(use_drive={DRIVE_FLAG})",
    ])


def on_colab() -> bool:
    """True inside a Google Colab runtime (its ``google.colab`` module is loaded there)."""
    import sys

    return "google.colab" in sys.modules


def setup_colab(use_drive: bool = False) -> str | None:
    """After the install: optionally mount Google Drive and point the course's data folder at it.

    Returns the data folder it set, or None when ``use_drive`` is False (the course then uses its default,
    ``~/fcn_course_data``, which Colab erases when the runtime is recycled). Prints what it did, in
    Portuguese, for the student.
    """
    if not use_drive:
        print(text("colab.installed_locally", flag=DRIVE_FLAG))
        return None
    from google.colab import drive  # only exists on Colab

    drive.mount(DRIVE_MOUNT_POINT)
    folder = os.path.join(DRIVE_MOUNT_POINT, DRIVE_DATA_FOLDER)
    os.makedirs(folder, exist_ok=True)
    os.environ[DATA_ENV] = folder
    print(text("colab.installed_with_drive", folder=folder, data_env=DATA_ENV))
    return folder
