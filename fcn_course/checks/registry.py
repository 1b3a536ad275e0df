"""The course's exercises, in course order, and the one way to check them: :func:`check` and :func:`run_all`.

Importing this module imports every check module, in the order the course uses them; each declares its
exercises' rows (``fcn_course.checks.exercise``). A notebook's check cell is one stable call,
``checks.check("alexnet-skip")``: the row says which of the notebook's names the check receives. The
grader, the nbgrader export, the site and the tests all find the exercises here.
"""

from __future__ import annotations

import importlib
import inspect
import unicodedata
from pathlib import Path

from fcn_course.checks.exercise import Exercise, exercises, get_exercise
from fcn_course.checks.exercise import exercises as all_exercises
from fcn_course.checks.feedback import CheckResult, describe_error
from fcn_course.definitions import use_exercises
from fcn_course.messages import text
from fcn_course.outline import COPY_PREFIXES, COURSE_NOTEBOOKS  # one owner of the notebook names

# The check modules, imported here in the order the course uses them: within one notebook, exercises are
# numbered in the order their rows are registered (a new module goes in its place in this list).
CHECK_MODULES = ("metrics", "models", "training", "upsampling", "losses", "scores", "challenges")
for _module in CHECK_MODULES:
    importlib.import_module(f"fcn_course.checks.{_module}")
use_exercises(exercises)  # load_definitions' messages name the exercise whose cell defines a name


def course_notebook_of(file_name: str):
    """The course notebook a (possibly renamed) file is, e.g. ``"02_fcn_alexnet"``; None when none matches.

    Copies renamed by Colab, Drive or a browser are recognised: "Cópia de 02_fcn_alexnet.ipynb" (also in the
    decomposed Unicode macOS writes), "Copy of Copy of 02_fcn_alexnet.ipynb", "02_fcn_alexnet (1).ipynb".
    """
    name = unicodedata.normalize("NFC", Path(file_name).name)
    name = name.removesuffix(".ipynb").removesuffix(".py")
    for notebook in COURSE_NOTEBOOKS:
        if notebook in name:
            return notebook
    stripped = name
    while stripped.startswith(COPY_PREFIXES):
        stripped = next(stripped.removeprefix(p) for p in COPY_PREFIXES if stripped.startswith(p))
    number = stripped.strip()[:2]
    return next((notebook for notebook in COURSE_NOTEBOOKS if notebook[:2] == number), None)


def exercises_for_notebook(file_name: str):
    """Keys of the exercises of a course notebook, found from its (possibly renamed) file name.

    None when the name matches no course notebook (see :func:`course_notebook_of`).
    """
    notebook = course_notebook_of(file_name)
    if notebook is None:
        return None
    return tuple(row.key for row in exercises() if row.notebook == notebook)


def _missing(row: Exercise, namespace: dict):
    """The failed result of ``row`` when ``namespace`` lacks some of its names, else None."""
    absent = [name for name in row.names if name not in namespace]
    if not absent:
        return None
    return CheckResult(
        row.title,
        False,
        [text("checks.missing_names", names=", ".join(absent), notebook=row.notebook, exercise=row.title)],
        key=row.key,
    )


def check(key: str, namespace=None, verbose: bool = True) -> CheckResult:
    """Check exercise ``key`` on the names a notebook defined: the one call every check cell makes.

    ``namespace`` defaults to the caller's globals (the notebook's variables), so a check cell reads
    ``checks.check("alexnet-skip")``. In a notebook (``verbose``) the feedback is printed, and the stub of a
    required exercise stops "Run all" there (:class:`~fcn_course.checks.feedback.ExerciseNotDone`).
    """
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals
    row = get_exercise(key)
    if row is None:
        result = CheckResult(
            key, False, [text("checks.unknown_exercise", key=key, keys=", ".join(r.key for r in exercises()))], key=key
        )
    else:
        result = _missing(row, namespace)
    if result is not None:
        if verbose:
            print(result)
        return result
    return row.run(namespace, verbose)


def run_all(namespace: dict, keys=None, verbose: bool = False, *, exercises=None) -> list:
    """Check the exercises ``keys`` (None = all) on ``namespace``, in course order, without ever raising.

    ``namespace`` holds a student's notebook definitions. A name the student deleted or renamed is
    reported as missing; a stub is reported as not implemented.
    """
    keys = exercises if exercises is not None else keys  # ``exercises=`` is the older keyword
    results = []
    for row in all_exercises():
        if keys is not None and row.key not in keys:
            continue
        try:
            results.append(check(row.key, namespace, verbose))
        except Exception as error:  # noqa: BLE001 - a check that breaks is reported, never fatal
            results.append(CheckResult(row.title, False, [describe_error(error)], key=row.key))
    return results
