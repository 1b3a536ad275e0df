"""The notebook pipeline: every notebook the instructor wing writes is a solution notebook put through steps.

A *step* looks at one cell (its type, its tags, its solution markers), and returns it, changed or not, or None
to drop it. A *recipe* is the tuple of steps that one kind of notebook needs; :func:`transform` applies a
recipe to a copy of a notebook. The commands compose the same steps:

* ``SOLUTION_SOURCE`` -- ``include:<path>`` cells take their file's text (``includes.refresh_include``), the
  Colab badge and set-up cell are written for the configured repository (``colab_cells.refresh_colab_cells``).
  build writes the result to ``solutions/notebooks/NN.py``; check compares the ``.ipynb`` and the student
  notebooks with what it gives.
* ``SOLUTION_IPYNB`` -- only ``# NBVAL_CHECK_OUTPUT`` cells keep their outputs (build:
  ``solutions/notebooks/NN.ipynb``).
* ``STUDENT`` -- ``solution-only`` cells dropped, each exercise's hints in a cell after it, solution
  regions stubbed, our tags removed, outputs cleared (the steps of ``student``). build writes, and check compares, :func:`student_notebook`: this recipe plus
  the provenance line.
* ``STUDENT_PAGE`` -- the same with the outputs kept: the student pages of the website (``site``).
* ``nbgrader_export.NBGRADER`` -- ``solution-only`` cells dropped, our tags removed, nbgrader's metadata on
  answer and self-check cells, outputs cleared (``release --nbgrader``).

The release's leak scan (``leaks``) reads the same tags and markers the other way round: what ``STUDENT``
removes (``solution-only`` cells, the lines inside solution regions) is secret.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fcn_course.definitions import cell_label
from fcn_course.instructor.colab_cells import refresh_colab_cells
from fcn_course.instructor.includes import refresh_include
from fcn_course.instructor.pairs import CHECK_OUTPUT_MARKER, LOCALE_DIR, SOLUTION_DIR
from fcn_course.instructor.student import (
    add_hints_cell,
    clear_outputs,
    drop_solution_only,
    drop_solution_tags,
    stub_solution_regions,
)

BUILD_COMMAND = "python -m fcn_course.instructor build"


@dataclass(frozen=True)
class Place:
    """Where a cell is, for the steps: messages, include paths and nbgrader's cell ids."""

    notebook: str  # the notebook's name, e.g. "02_fcn_alexnet"
    index: int  # 0-based position in the notebook given to transform
    position: int  # 0-based position in the notebook transform returns (dropped cells do not count)
    repo_root: Optional[Path] = None  # the course repository: include cells read their file from it

    def label(self, cell) -> str:
        """``'02_fcn_alexnet', cell 5 ('class FCN_AlexNet(nn.Module):')``, for messages."""
        return cell_label(self.notebook, self.index, cell)


def transform(nb, steps, name: str = "notebook", repo_root=None):
    """A copy of ``nb`` whose cells went through ``steps`` in order (the input is not modified).

    A step is called as ``step(cell, place)`` on a copy of the cell and returns it, None to drop it (the
    later steps then never see it), or a list of cells: the cell and the cells it adds after it (the hints
    cell of an exercise), each of which goes through the later steps. ``name`` names the notebook in error
    messages.
    """
    out = copy.deepcopy(nb)
    out.cells = []
    for index, original in enumerate(nb.cells):
        place = Place(name, index, len(out.cells), None if repo_root is None else Path(repo_root))
        out.cells += _through(copy.deepcopy(original), steps, place)
    return out


def _through(cell, steps, place) -> list:
    """The cells that ``cell`` becomes after ``steps`` (none, itself, or itself and added cells)."""
    for number, step in enumerate(steps):
        result = step(cell, place)
        if isinstance(result, list):
            return [done for added in result for done in _through(added, steps[number + 1 :], place)]
        if result is None:
            return []
        cell = result
    return [cell]


def keep_checked_output(cell, place):
    """A code cell loses its outputs unless marked ``# NBVAL_CHECK_OUTPUT`` (nbval compares those kept)."""
    if cell.cell_type == "code" and CHECK_OUTPUT_MARKER not in cell.source:
        cell.outputs = []
        cell.execution_count = None
    return cell


SOLUTION_SOURCE = (refresh_include, refresh_colab_cells)
SOLUTION_IPYNB = (keep_checked_output,)
STUDENT = (drop_solution_only, add_hints_cell, stub_solution_regions, drop_solution_tags, clear_outputs)
STUDENT_PAGE = (drop_solution_only, add_hints_cell, stub_solution_regions, drop_solution_tags)


def make_student_notebook(nb, name: str = "notebook"):
    """The student version of a solution notebook (the ``STUDENT`` recipe; the input is not modified).

    NotebookBuildError naming the notebook ``name`` and the cell when a solution marker is malformed.
    """
    return transform(nb, STUDENT, name)


def student_notebook(solution, name: str):
    """The student notebook the build writes for ``name``: :func:`make_student_notebook` plus the provenance."""
    return add_provenance(make_student_notebook(solution, name), name)


# --------------------------------------------------------------------------------------------------
# Provenance: a generated notebook says which file to edit instead
# --------------------------------------------------------------------------------------------------
def provenance(name: str, language: Optional[str] = None) -> str:
    """``generated from solutions/notebooks/<name>.py; edit that file, then run python -m ... build`` (a
    translation also names its catalogue, ``solutions/locale/<language>/<name>.po``)."""
    source = f"{SOLUTION_DIR.as_posix()}/{name}.py"
    if language is None:
        return f"generated from {source}; edit that file, then run {BUILD_COMMAND}"
    catalogue = f"{LOCALE_DIR.as_posix()}/{language}/{name}.po"
    return f"generated from {source} and {catalogue}; edit those files, then run {BUILD_COMMAND}"


def _is_title_cell(cell) -> bool:
    """A Markdown cell whose first line is a level-1 heading (``# Title``)."""
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return cell.cell_type == "markdown" and bool(lines) and lines[0].startswith("# ")


def add_provenance(nb, name: str, language: Optional[str] = None):
    """Put the provenance line on top of the notebook's title cell, in place, and return the notebook.

    In Markdown it is an HTML comment, which Jupyter, Colab and the website do not show: instructors read it
    in the .py and .ipynb files, students never see it. The title cell is the first Markdown cell that starts
    with a ``# `` heading (after the Colab cells, which stay exactly as ``colab`` writes them); a notebook
    without one gets the line on its first cell (a ``#`` comment in a code cell).
    """
    if not nb.cells:
        return nb
    cell = next((cell for cell in nb.cells if _is_title_cell(cell)), nb.cells[0])
    note = provenance(name, language)
    line = f"<!-- {note} -->" if cell.cell_type == "markdown" else f"# {note}"
    cell.source = f"{line}\n{cell.source}" if cell.source else line
    return nb
