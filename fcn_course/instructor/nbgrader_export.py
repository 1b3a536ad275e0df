"""nbgrader export: the solution notebooks as an nbgrader course folder, one assignment per notebook.

``python -m fcn_course.instructor release --nbgrader DIR`` writes ``DIR/source/<name>/<name>.ipynb`` for every
course notebook, and ``DIR/nbgrader_config.py``. nbgrader already understands our ``### BEGIN SOLUTION`` /
``### END SOLUTION`` markers; the export adds the cell metadata it needs (schema version 3):

* a code cell with a solution region -> "Autograded answer" (``solution: true, grade: false``);
* a self-check cell (``checks.check("<key>")``, found by parsing the cell, so a call over several lines
  counts too; the key must name an exercise of the registry) -> "Autograder tests" (``grade: true``, locked),
  worth 1 point per check. The self-checks print feedback and never raise on a wrong answer, so each one gets
  a hidden test (removed from the students' copy by nbgrader) that re-runs the check and asserts that it passed;
* a Markdown cell with a solution region (a reflection answer) -> "Manually graded answer"
  (``solution: true, grade: true``), worth 2 points: the rubric (``solutions/rubric.md``) grades each item 0-2;
* a ``points:<n>`` tag on an answer or a self-check cell sets its points instead: the rubric's weight x 2,
  summed over the parts the cell answers (Pergunta A, weight 2: ``points:4``; Pergunta 6, three failure
  modes: ``points:6``). ``tests/test_nbgrader_export.py`` holds each notebook's total to the rubric's table;
* a Desafio's check cell and a concept check (``quiz.ask``) stay plain cells: they are never graded;
* ``solution-only`` cells are left out, as in our student notebooks; our own tags are dropped; an exercise
  with tiered hints is followed by their Markdown cell, as in our student notebooks.

``nbgrader_config.py`` holds what autograde needs to score right: cell time limits the self-checks fit in
(nbgrader's defaults time them out), the ``smoke`` profile for the kernels (by default they would run the
``full`` profile, and a grading machine has no Pascal VOC), and the preprocessors of ``nbgrader_autograde``
(that profile; no false checksum warnings for our hidden tests).

These are the cell steps of the ``NBGRADER`` recipe (see ``pipeline``); like the student notebooks, each
exported notebook says on its title cell which solution file it is generated from.

``nbgrader generate_assignment`` on this folder gives the students the same notebooks as ``notebooks/``, except
that nbgrader writes its own stubs (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, "YOUR ANSWER HERE")
instead of our ``raise NotImplementedError("<goal>")``; the export keeps each goal as a ``# Objetivo: <goal>``
comment above the region, and the tiered hints in the same Markdown cell after the exercise as our student
notebooks, so nbgrader's students read them too (``tests/test_nbgrader_export.py`` compares).

``release --nbgrader DIR --lang en`` exports a translated edition instead: the solution notebooks the build
wrote in ``solutions/notebooks/en/``, with the hints cells and the goal comments (``# Goal: <goal>``) in
that language, under the same assignment names.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat

from fcn_course.files import OutputFolder
from fcn_course.instructor.editions import edition_folders
from fcn_course.instructor.markers import BEGIN_MARKER, find_solution_regions
from fcn_course.instructor.pairs import (
    LOCALE_DIR,
    POINTS_TAG_PREFIX,
    SOLUTION_DIR,
    CourseLayoutError,
    solution_sources,
    tags,
)
from fcn_course.instructor.pipeline import add_provenance, transform
from fcn_course.instructor.student import add_hints_cell, clear_outputs, drop_solution_only, drop_solution_tags
from fcn_course.instructor.translation import TranslationError, translated_languages
from fcn_course.messages import DEFAULT_LANGUAGE, known_language, speaking, text
from fcn_course.outline import COURSE_NOTEBOOKS

SCHEMA_VERSION = 3
POINTS_PER_CHECK = 1  # each self-check call in a test cell
POINTS_PER_ANSWER = 2  # a written answer, graded by hand in formgrader: one rubric item, 0-2
CONFIG_NAME = "nbgrader_config.py"  # nbgrader reads it from the folder it runs in
# autograde runs each notebook from top to bottom and the self-checks train small models; nbgrader's defaults
# (30 s, 4 s) time them out. These limits graded notebook 02 on a busy 2-core CPU (issue #22).
CELL_TIMEOUT = 900  # seconds a cell may run
IOPUB_TIMEOUT = 120  # seconds to wait for a cell's last output
GRADING_PROFILE = "smoke"  # autograde's kernels run with it, like the course's own grader (instructor.grade)
# Our region goals, kept as a comment above nbgrader's stub (in the notebook's language; this is the Portuguese one).
GOAL_PREFIX = text("nbgrader.goal_comment", language=DEFAULT_LANGUAGE, goal="")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
OWNER = "the nbgrader export"  # how the course folder's record of its files names this module (files.OutputFolder)


class NbgraderExportError(RuntimeError):
    """The nbgrader folder cannot be written (it holds different notebooks, the sources are missing...)."""


def check_keys(source: str) -> list:
    """The exercise keys of the ``checks.check("<key>")`` calls in a cell ([] for any other cell).

    The cell is parsed, not matched line by line: a call split over several lines is found too. A key the
    registry does not know is an error (the hidden test would fail for every student).
    """
    from fcn_course.checks import get_exercise

    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and shell escapes: never a check cell
        return []
    keys = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "check"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "checks"
        ):
            key = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            if not isinstance(key, str) or get_exercise(key) is None:
                raise NbgraderExportError(text("nbgrader.check_key_not_literal", call=ast.unparse(node)))
            keys.append(key)
    return keys


def graded_keys(source: str) -> list:
    """The keys of a cell's checks that nbgrader grades: a Desafio's check (``challenge=True``) is extra work,
    so its cell stays a plain cell, like a concept check's ``quiz.ask`` cell."""
    from fcn_course.checks import is_challenge

    return [key for key in check_keys(source) if not is_challenge(key)]


def _metadata(grade_id: str, solution: bool, grade: bool, points: int = 0, locked: bool = False) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _with_hidden_tests(source: str, keys: list) -> str:
    """The check cell plus hidden asserts: nbgrader grades a test cell by whether it raises.

    The hidden test first imports the checks again from their files, so the assert judges with the installed
    code whatever the student's cells did to the loaded one (a replaced ``checks.check``, a ``CheckResult``
    that always passes, another object named ``checks``).
    """
    pristine = [
        "import importlib as _importlib, sys as _sys  # the installed checks, not the loaded ones",
        "for _name in [_n for _n in _sys.modules if _n.split('.')[:2] == ['fcn_course', 'checks']]:",
        "    del _sys.modules[_name]",
        "checks = _importlib.import_module('fcn_course.checks')",
    ]
    asserts = [
        f"assert checks.check({key!r}, verbose=False).passed, {json.dumps('self-check failed: ' + key)}" for key in keys
    ]
    return "\n".join([source.rstrip("\n"), HIDDEN_BEGIN, *pristine, *asserts, HIDDEN_END])


def hints_as_comments(source: str) -> str:
    """``### BEGIN SOLUTION: goal`` -> a ``# Objetivo: goal`` line (``nbgrader.goal_comment`` in the active
    language), then ``### BEGIN SOLUTION``.

    nbgrader replaces a region by its fixed stub; the comment keeps our goal above it for the students (the
    ``### DICA:`` lines go with the region: ``add_hints_cell`` has already put them in the next cell).
    """
    lines = source.splitlines()
    for region in reversed(find_solution_regions(source)):
        if ":" in lines[region.begin].split(BEGIN_MARKER, 1)[1]:
            lines[region.begin : region.begin + 1] = [
                f"{region.indent}{text('nbgrader.goal_comment', goal=region.goal)}",
                f"{region.indent}{BEGIN_MARKER}",
            ]
    joined = "\n".join(lines)
    return joined + "\n" if source.endswith("\n") else joined


def points_tag(cell, place):
    """The ``<n>`` of the cell's ``points:<n>`` tag; None without one. NbgraderExportError for a bad tag."""
    values = [tag[len(POINTS_TAG_PREFIX) :] for tag in tags(cell) if tag.startswith(POINTS_TAG_PREFIX)]
    if not values:
        return None
    if len(values) > 1 or not values[0].isdigit():
        raise NbgraderExportError(
            text("nbgrader.one_points_tag", cell=place.label(cell), prefix=POINTS_TAG_PREFIX, values=values)
        )
    return int(values[0])


def mark_for_nbgrader(cell, place):
    """Cell step: nbgrader's metadata on an answer or a self-check cell (plain cells pass unchanged).

    The grade id is ``<notebook>-cell-<position in the exported notebook>``. Points: the cell's ``points:<n>``
    tag, else 2 for an answer and 1 per check; a ``points`` tag on a cell nbgrader does not grade is an error.
    """
    grade_id = f"{place.notebook}-cell-{place.position:02d}"
    has_region = bool(find_solution_regions(cell.source))
    points = points_tag(cell, place)
    if cell.cell_type == "markdown" and has_region:
        cell.metadata["nbgrader"] = _metadata(
            grade_id, solution=True, grade=True, points=POINTS_PER_ANSWER if points is None else points
        )
    elif cell.cell_type == "code" and has_region:
        cell.source = hints_as_comments(cell.source)
        cell.metadata["nbgrader"] = _metadata(grade_id, solution=True, grade=False)
    elif cell.cell_type == "code" and (keys := graded_keys(cell.source)):
        cell.source = _with_hidden_tests(cell.source, keys)
        cell.metadata["nbgrader"] = _metadata(
            grade_id,
            solution=False,
            grade=True,
            locked=True,
            points=POINTS_PER_CHECK * len(keys) if points is None else points,
        )
    if points is not None and not cell.metadata.get("nbgrader", {}).get("grade"):
        raise NbgraderExportError(
            text("nbgrader.points_tag_misplaced", cell=place.label(cell), prefix=POINTS_TAG_PREFIX)
        )
    return cell


# mark_for_nbgrader reads our points tags, so it comes before drop_solution_tags.
NBGRADER = (drop_solution_only, add_hints_cell, mark_for_nbgrader, drop_solution_tags, clear_outputs)


def nbgrader_config_text(profile: str = GRADING_PROFILE) -> str:
    """The course folder's ``nbgrader_config.py``: time limits, the kernels' profile, our preprocessors."""
    return f'''"""nbgrader's settings for this course folder, written by `python -m fcn_course.instructor release --nbgrader`.

Run the nbgrader commands from this folder: nbgrader reads this file from the folder it runs in. Edit it as you
like; the export never overwrites a copy that differs from what it writes.
"""
import os
import sys

from fcn_course.instructor.nbgrader_autograde import autograde_preprocessors, sanitize_preprocessors

c = get_config()  # noqa: F821 - nbgrader defines get_config() when it reads this file

# The course folder is the folder of this file.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# nbgrader runs its database tool (alembic) from PATH: put the bin/ folder of this Python environment first,
# so that nbgrader works without activating the environment.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

# autograde runs each notebook from top to bottom, and the self-checks train small models: on a busy machine
# a cell can take minutes. nbgrader's defaults (30 s and 4 s) time them out, and a timed-out check scores 0.
c.Execute.timeout = {CELL_TIMEOUT}  # seconds a cell may run
c.Execute.iopub_timeout = {IOPUB_TIMEOUT}  # seconds to wait for the output of a cell that finished

# The profile the notebooks run with during autograde (README, "Profiles"): smoke writes a tiny synthetic
# dataset in seconds, so the grading machine needs no Pascal VOC; the self-checks do not depend on it. Only
# the kernels of autograde get it, not your own Jupyter.
c.CourseExecute.profile = "{profile}"

# nbgrader's preprocessors, with the course's two: CourseExecute (the profile above) and an OverwriteCells
# that reports a changed checksum only for a test cell a student really edited (our hidden tests otherwise
# make nbgrader report every test cell).
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
c.Autograde.autograde_preprocessors = autograde_preprocessors()
'''


def nbgrader_notebook(nb, name: str, language: str = DEFAULT_LANGUAGE):
    """The nbgrader source version of a solution notebook (the ``NBGRADER`` recipe; the input is not modified).

    ``language``: the notebook's; the cells the export writes (hints, goal comments) speak it. A translated
    solution notebook already says where it comes from (its sources and catalogue): no second line is added.
    """
    with speaking(language):
        exported = transform(nb, NBGRADER, name)
    return exported if language != DEFAULT_LANGUAGE else add_provenance(exported, name)


def _write_new(folder: OutputFolder, name: str, content: str) -> None:
    """Write ``content`` to ``name`` unless it already holds something else (an instructor's edits are never lost).

    Never through a symbolic link (``files.OutputFolder``): a link on the way is refused and nothing is written.
    """
    link = folder.link_on_the_way(name)
    if link is not None:
        raise NbgraderExportError(text("nbgrader.link", link=link))
    path = folder.root / name
    if path.exists():
        if path.read_text(encoding="utf-8") == content:
            return
        raise NbgraderExportError(text("nbgrader.edited", path=path))
    folder.write_text(name, content)


def _edition_notebooks(repo_root: Path, language: str, sources) -> list:
    """The ``.ipynb`` solution notebooks of ``language`` for the course's ``sources`` (Portuguese ``.py``
    files): the sources' own pairs, or the translated ones the build wrote. NbgraderExportError, saying what
    to run, when a translation is missing."""
    if language == DEFAULT_LANGUAGE:
        return [source.with_suffix(".ipynb") for source in sources]
    try:
        translated = language in translated_languages(repo_root)
    except TranslationError as error:
        raise NbgraderExportError(str(error)) from None
    if not translated:
        raise NbgraderExportError(
            text("release.no_edition", edition=language, folder=repo_root / LOCALE_DIR / language)
        )
    notebooks = [repo_root / edition_folders(language)[0] / f"{source.stem}.ipynb" for source in sources]
    missing = [str(path) for path in notebooks if not path.is_file()]
    if missing:
        raise NbgraderExportError(text("nbgrader.not_built", edition=language, missing=", ".join(missing)))
    return notebooks


def export_nbgrader(repo_root, course_dir, names=COURSE_NOTEBOOKS, language: str = DEFAULT_LANGUAGE) -> list:
    """Write ``course_dir/source/<name>/<name>.ipynb`` for each course notebook ``names`` and the course's
    ``nbgrader_config.py``; returns the notebooks' paths. A file that differs from the export is never overwritten.

    ``names`` is the course outline (``COURSE_NOTEBOOKS``; tests pass a tiny course's); ``language`` the
    edition exported (a translation: its solution notebooks in ``solutions/notebooks/<language>/``).
    """
    repo_root, course_dir = Path(repo_root), Path(course_dir)
    language = known_language(language)
    try:
        sources = solution_sources(repo_root, names)
    except CourseLayoutError as error:
        raise NbgraderExportError(str(error)) from None
    if not sources:
        raise NbgraderExportError(text("nbgrader.no_solution_notebooks", folder=repo_root / SOLUTION_DIR))
    notebooks = _edition_notebooks(repo_root, language, sources)
    written = []
    try:
        folder = OutputFolder(course_dir, OWNER)
    except NotADirectoryError as error:
        raise NbgraderExportError(str(error)) from None
    for source, path in zip(sources, notebooks):
        nb = nbformat.read(path, as_version=4)
        name = f"source/{source.stem}/{source.stem}.ipynb"
        _write_new(folder, name, nbformat.writes(nbgrader_notebook(nb, source.stem, language)) + "\n")
        written.append(course_dir / name)
    _write_new(folder, CONFIG_NAME, nbgrader_config_text())
    print(
        f"nbgrader course folder: {course_dir} ({len(written)} assignment(s) in source/, {CONFIG_NAME}); next: "
        f"cd {course_dir} && nbgrader generate_assignment <name>"
    )
    return written
