"""nbgrader export: the solution notebooks as an nbgrader ``source/`` folder, one assignment per notebook.

``python -m fcn_course.instructor release --nbgrader DIR`` writes ``DIR/source/<name>/<name>.ipynb`` for every
course notebook. nbgrader already understands our ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers; the
export adds the cell metadata it needs (schema version 3):

* a code cell with a solution region -> "Autograded answer" (``solution: true, grade: false``);
* a self-check cell (``checks.check_...(...)``) -> "Autograder tests" (``grade: true, points``, locked). The
  self-checks print feedback and never raise on a wrong answer, so each one gets a hidden test (removed from
  the students' copy by nbgrader) that re-runs the check and asserts that it passed;
* a Markdown cell with a solution region (a reflection answer) -> "Manually graded answer"
  (``solution: true, grade: true``);
* ``solution-only`` cells are left out, as in our student notebooks; our own tags are dropped.

These are the cell steps of the ``NBGRADER`` recipe (see ``pipeline``); like the student notebooks, each
exported notebook says on its title cell which solution file it is generated from.

``nbgrader generate_assignment`` on this folder gives the students the same notebooks as ``notebooks/``, except
that nbgrader writes its own stubs (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, "YOUR ANSWER HERE")
instead of our ``raise NotImplementedError("<hint>")``; the export keeps each hint as a ``# Dica: <hint>``
comment above the region, so nbgrader's students read it too (``tests/test_nbgrader_export.py`` compares).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from fcn_course.instructor.markers import BEGIN_MARKER, find_solution_regions
from fcn_course.instructor.pairs import SOLUTION_DIR, CourseLayoutError, solution_sources
from fcn_course.instructor.pipeline import add_provenance, transform
from fcn_course.instructor.student import clear_outputs, drop_solution_only, drop_solution_tags
from fcn_course.outline import COURSE_NOTEBOOKS

SCHEMA_VERSION = 3
POINTS_PER_CHECK = 1  # each self-check call in a test cell
POINTS_PER_ANSWER = 1  # each Markdown reflection answer (graded by hand in formgrader)
_CHECK_CALL = re.compile(r"^(?P<indent>\s*)(?P<call>checks\.check_\w+\(.*\))\s*;?\s*$")
HINT_PREFIX = "# Dica: "  # our region hints, kept as a comment above nbgrader's stub
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class NbgraderExportError(RuntimeError):
    """The nbgrader folder cannot be written (it holds different notebooks, the sources are missing...)."""


def check_calls(source: str) -> list:
    """The ``checks.check_...(...)`` calls of a self-check cell, one per line (none: not a check cell)."""
    return [match.group("call") for line in source.splitlines() if (match := _CHECK_CALL.match(line))]


def _metadata(grade_id: str, solution: bool, grade: bool, points: int = 0, locked: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _with_hidden_tests(source: str, calls: list) -> str:
    """The check cell plus hidden asserts: nbgrader grades a test cell by whether it raises."""
    # call[:-1] drops the call's own closing parenthesis only (``check_loss(loss, make_criterion())``).
    asserts = [f"assert {call[:-1]}{', ' if not call.endswith('()') else ''}verbose=False).passed, "
               f"{json.dumps('self-check failed: ' + call)}" for call in calls]
    return "\n".join([source.rstrip("\n"), HIDDEN_BEGIN, *asserts, HIDDEN_END])


def hints_as_comments(source: str) -> str:
    """``### BEGIN SOLUTION: hint`` -> a ``# Dica: hint`` line, then ``### BEGIN SOLUTION``.

    nbgrader replaces a region by its fixed stub; the comment keeps our hint above it for the students.
    """
    lines = source.splitlines()
    for region in reversed(find_solution_regions(source)):
        if ":" in lines[region.begin].split(BEGIN_MARKER, 1)[1]:
            lines[region.begin:region.begin + 1] = [f"{region.indent}{HINT_PREFIX}{region.hint}",
                                                    f"{region.indent}{BEGIN_MARKER}"]
    text = "\n".join(lines)
    return text + "\n" if source.endswith("\n") else text


def mark_for_nbgrader(cell, place):
    """Cell step: nbgrader's metadata on an answer or a self-check cell (plain cells pass unchanged).

    The grade id is ``<notebook>-cell-<position in the exported notebook>``.
    """
    grade_id = f"{place.notebook}-cell-{place.position:02d}"
    has_region = bool(find_solution_regions(cell.source))
    if cell.cell_type == "markdown" and has_region:
        cell.metadata["nbgrader"] = _metadata(grade_id, solution=True, grade=True, points=POINTS_PER_ANSWER)
    elif cell.cell_type == "code" and has_region:
        cell.source = hints_as_comments(cell.source)
        cell.metadata["nbgrader"] = _metadata(grade_id, solution=True, grade=False)
    elif cell.cell_type == "code" and check_calls(cell.source):
        calls = check_calls(cell.source)
        cell.source = _with_hidden_tests(cell.source, calls)
        cell.metadata["nbgrader"] = _metadata(grade_id, solution=False, grade=True,
                                              points=POINTS_PER_CHECK * len(calls), locked=True)
    return cell


NBGRADER = (drop_solution_only, drop_solution_tags, mark_for_nbgrader, clear_outputs)


def nbgrader_notebook(nb, name: str):
    """The nbgrader source version of a solution notebook (the ``NBGRADER`` recipe; the input is not modified)."""
    return add_provenance(transform(nb, NBGRADER, name), name)


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` unless ``path`` already holds something else (an instructor's edits are never lost)."""
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return False
        raise NbgraderExportError(f"{path} already exists and differs from the export (edited in nbgrader?); "
                                  f"move it away or export to another folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def export_nbgrader(repo_root, course_dir, names=COURSE_NOTEBOOKS) -> list:
    """Write ``course_dir/source/<name>/<name>.ipynb`` for each course notebook ``names``; returns the paths.

    ``names`` is the course outline (``COURSE_NOTEBOOKS``; tests pass a tiny course's).
    """
    repo_root, course_dir = Path(repo_root), Path(course_dir)
    try:
        sources = solution_sources(repo_root, names)
    except CourseLayoutError as error:
        raise NbgraderExportError(str(error)) from None
    if not sources:
        raise NbgraderExportError(f"no solution notebooks in {repo_root / SOLUTION_DIR}")
    written = []
    for source in sources:
        nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
        path = course_dir / "source" / source.stem / f"{source.stem}.ipynb"
        _write_new(path, nbformat.writes(nbgrader_notebook(nb, source.stem)) + "\n")
        written.append(path)
    print(f"nbgrader source folder: {course_dir / 'source'} ({len(written)} assignment(s)); next: "
          f"cd {course_dir} && nbgrader generate_assignment <name> --CourseDirectory.root=.")
    return written
