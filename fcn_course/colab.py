"""Google Colab: the course's repository address, the "Abrir no Colab" badge and the set-up on Colab.

Every notebook starts with two cells (written in ``solutions/notebooks/0N_*.py``, so both the solution and
the student notebooks have them):

1. a Markdown badge that opens the notebook on Colab (:func:`badge_markdown`);
2. a set-up cell (:func:`setup_cell_source`) that does nothing outside Colab. On Colab the course package is
   not installed yet when that cell runs, so the cell itself carries the bootstrap (``pip install`` from the
   repository, with a Portuguese message when it fails) and then calls :func:`setup_colab` from the freshly
   installed package for the rest (the data folder on Google Drive, when the student asks for it).

:data:`REPOSITORY` is the one setting that says where the students' notebooks live: the GitHub repository
the badge opens and the set-up cell installs from (a public one: Colab cannot install from a private
repository). ``"origin"`` means the GitHub repository of ``git remote get-url origin``, read at build time.
``python -m fcn_course.instructor build`` rewrites both cells of every notebook from it
(``fcn_course.instructor.colab_cells``); ``tests/test_colab.py`` checks that they are current.
"""

from __future__ import annotations

import json
import os
import textwrap

from fcn_course.environment import DATA_ENV, LANG_ENV
from fcn_course.messages import DEFAULT_LANGUAGE, text

REPOSITORY = "fcn-course/fcn-course"  # GitHub "owner/name" of the students' notebooks, or "origin" (see above)
FROM_ORIGIN = "origin"  # the value of REPOSITORY that means: the build reads `git remote get-url origin`
BRANCH = "main"
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
DRIVE_MOUNT_POINT = "/content/drive"
DRIVE_DATA_FOLDER = "MyDrive/fcn_course_data"  # inside the student's Drive
# Where students keep their notebooks in Drive ("Salvar uma cópia no Drive" writes to the first), searched by
# fcn_course.definitions.load_definitions on Colab, whose working folder is /content.
DRIVE_NOTEBOOK_FOLDERS = ("MyDrive/Colab Notebooks", "MyDrive")
DRIVE_FLAG = "USAR_DRIVE"  # the variable the student sets in the set-up cell


def repository_url(repository: str = REPOSITORY) -> str:
    """``https://github.com/<owner>/<name>``: where the set-up cell installs the course from."""
    return f"https://github.com/{repository}"


def notebook_folder(language: str = DEFAULT_LANGUAGE) -> str:
    """Where a language's student notebooks are in the repository: ``notebooks`` for the course's own
    language, ``notebooks/<language>`` for a translation (``instructor.editions``)."""
    return "notebooks" if language == DEFAULT_LANGUAGE else f"notebooks/{language}"


def reference_url(repository: str = REPOSITORY, language: str = DEFAULT_LANGUAGE) -> str:
    """The students' reference page (``notebooks/referencia.md``) on GitHub.

    Colab opens one notebook without the files around it, so the notebooks' relative link to the page leads
    nowhere there; each title cell also gives this address, which the build writes for ``repository``.
    """
    return f"{repository_url(repository)}/blob/{BRANCH}/{notebook_folder(language)}/referencia.md"


def colab_url(notebook: str, repository: str = REPOSITORY, language: str = DEFAULT_LANGUAGE) -> str:
    """The address that opens ``notebooks/<notebook>.ipynb`` (``notebooks/<language>/...`` for a
    translation) of ``repository`` on Colab."""
    folder = notebook_folder(language)
    return f"https://colab.research.google.com/github/{repository}/blob/{BRANCH}/{folder}/{notebook}.ipynb"


def badge_markdown(notebook: str, repository: str = REPOSITORY, language: str = DEFAULT_LANGUAGE) -> str:
    """The first cell of every notebook: the "Abrir no Colab" badge, in the notebook's language."""
    label = text("colab.badge", language=language)
    return f"[![{label}]({COLAB_BADGE_IMAGE})]({colab_url(notebook, repository, language)})"


def setup_cell_source(repository: str = REPOSITORY, language: str = DEFAULT_LANGUAGE) -> str:
    """The second cell of every notebook: its language, and the course installed on Colab.

    Kept short on purpose: students read it. It sets ``FCN_COURSE_LANG`` to the notebook's language (the
    self-checks then answer in it, whatever the machine's settings; the grader reads it too), installs from
    ``repository`` only on Colab and only when the package cannot be imported yet (a second run costs
    nothing), says in the notebook's language what to check when the install fails, then lets
    :func:`setup_colab` do the rest.
    """
    url = repository_url(repository)

    return "\n".join(
        [
            text("colab.setup_comment", language=language),
            f"{DRIVE_FLAG} = False  # {text('colab.drive_flag_comment', language=language, folder=DRIVE_DATA_FOLDER)}",
            "import importlib.util, os.path, subprocess, sys",
            f"os.environ[{LANG_ENV!r}] = {language!r}  # {text('colab.language_comment', language=language)}",
            "if \"google.colab\" in sys.modules:",
            "    if importlib.util.find_spec(\"fcn_course\") is None:",
            "        install = subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\",",
            f"                                  \"git+{url}\"])",
            "        if install.returncode != 0:",
            "            raise RuntimeError(",
            *_string_lines(text("colab.install_failed", language=language, url=url), indent=16),
            "            )",
            "    from fcn_course.colab import setup_colab",
            f"    setup_colab(use_drive={DRIVE_FLAG})",
        ]
    )


def _string_lines(message: str, indent: int, width: int = 100) -> list:
    """``message`` as string literals of at most ``width`` characters a line with their quotes and trailing
    space (Python joins them; only a longer word, an address, goes past it), for a cell students read."""
    pieces = textwrap.wrap(message, width - indent - 3, break_long_words=False, break_on_hyphens=False)
    spaced = [piece + " " for piece in pieces[:-1]] + pieces[-1:]
    return [" " * indent + json.dumps(piece, ensure_ascii=False) for piece in spaced]


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
