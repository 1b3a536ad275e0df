"""The course's outline: its notebooks in reading order, named once.

The self-checks' exercise registry (``fcn_course.checks.exercises()``), the grader, the course runner, the
command line and the tests all take the notebook names from here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

COURSE_NOTEBOOKS = (
    "01_dados_e_metricas",
    "02_fcn_alexnet",
    "03_upsampling_e_perdas",
    "04_fcn_vgg16",
    "05_comparacao",
)
STUDENT_NOTEBOOK_DIR = "notebooks"
# The notebooks whose exercises define the names notebook 05, ``python -m fcn_course grid`` and
# ``python -m fcn_course predict`` load: the FCN classes, the optimiser and the loss (02, 04), and the
# learned upsampling, the class weights and the Dice loss (03).
MODEL_NOTEBOOKS = tuple(
    f"{STUDENT_NOTEBOOK_DIR}/{name}.ipynb" for name in ("02_fcn_alexnet", "03_upsampling_e_perdas", "04_fcn_vgg16")
)
# How Google Drive, Colab and browsers name a copy: "Cópia de 02_fcn_alexnet.ipynb" (Drive's "Salvar uma
# cópia"), "Copy of ...", "02_fcn_alexnet (1).ipynb" (a second download).
COPY_PREFIXES = ("Cópia de ", "Copia de ", "Copy of ")
_DUPLICATE_SUFFIX = re.compile(r" \(\d+\)$")


def original_name(file_name: str) -> str:
    """The name a renamed copy was made from: ``"Cópia de Cópia de 02_fcn_alexnet (1).ipynb"`` ->
    ``"02_fcn_alexnet.ipynb"``; any other name unchanged (macOS's decomposed accents are read too)."""
    path = Path(unicodedata.normalize("NFC", file_name))
    stem = path.stem
    while stem.startswith(COPY_PREFIXES):
        stem = next(stem[len(prefix) :] for prefix in COPY_PREFIXES if stem.startswith(prefix))
    return _DUPLICATE_SUFFIX.sub("", stem) + path.suffix


def model_notebook_defaults(language=None) -> tuple:
    """The notebooks ``grid`` and ``predict`` read by default, as the student's edition holds them: in a
    translated edition's folder ``notebooks/<language>/`` when the current folder has one (the published
    repository holds every edition), else :data:`MODEL_NOTEBOOKS` (the Portuguese course, or a release of one
    language, whose notebooks are in ``notebooks/``). ``language`` defaults to the active one."""
    from fcn_course.messages import DEFAULT_LANGUAGE, active_language

    language = active_language() if language is None else language
    edition = Path(STUDENT_NOTEBOOK_DIR) / language
    if language == DEFAULT_LANGUAGE or not edition.is_dir():
        return MODEL_NOTEBOOKS
    return tuple(f"{STUDENT_NOTEBOOK_DIR}/{language}/{Path(path).name}" for path in MODEL_NOTEBOOKS)


def model_notebooks(given=None) -> list:
    """The notebooks to read the student's classes from: ``given`` when there are any, else those of
    :func:`model_notebook_defaults` found from the current folder; a FileNotFoundError says what to pass
    when none is."""
    from fcn_course.messages import text

    defaults = model_notebook_defaults()
    notebooks = list(given or [path for path in defaults if Path(path).is_file()])
    if not notebooks:
        raise FileNotFoundError(
            text("outline.no_model_notebooks", folder=Path(defaults[0]).parent, notebooks=" ".join(defaults))
        )
    return notebooks
