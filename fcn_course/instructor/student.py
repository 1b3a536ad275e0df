"""The student version of a solution notebook.

Cells tagged ``solution-only`` are dropped, solution regions become stubs (see ``markers``), outputs are
cleared and the solution tags removed; everything else (cell order, Markdown, metadata) stays as it is.
"""
from __future__ import annotations

import ast
import copy

from fcn_course.definitions import cell_label, python_source
from fcn_course.instructor.markers import BEGIN_MARKER, strip_solution_regions
from fcn_course.instructor.pairs import INCLUDE_TAG_PREFIX, SOLUTION_ONLY_TAG, tags


class NotebookBuildError(ValueError):
    """A solution notebook cannot be turned into a student notebook (bad markers, missing include...)."""


def _is_solution_tag(tag: str) -> bool:
    return tag == SOLUTION_ONLY_TAG or tag.startswith(INCLUDE_TAG_PREFIX)


def _check_valid_python(new_cell, label: str) -> None:
    """NotebookBuildError when a stubbed code cell no longer parses (usually a mis-indented marker)."""
    try:
        ast.parse(python_source(new_cell.source))
    except SyntaxError as error:
        raise NotebookBuildError(
            f"{label}: the student version is not valid Python ({error.msg}, line {error.lineno}). "
            f"Is '{BEGIN_MARKER}' indented like the code it replaces?\n"
            f"--- student version ---\n{new_cell.source}"
        ) from None


def _student_cell(cell, label: str):
    """A copy of ``cell`` with its solution regions stubbed, its solution tags and outputs removed."""
    new_cell = copy.deepcopy(cell)
    try:
        new_cell.source = strip_solution_regions(cell.source, cell.cell_type)
    except ValueError as error:
        raise NotebookBuildError(f"{label}: {error}") from None
    if cell.cell_type == "code" and new_cell.source != cell.source:
        _check_valid_python(new_cell, label)
    kept_tags = [tag for tag in tags(cell) if not _is_solution_tag(tag)]
    if kept_tags:
        new_cell.metadata["tags"] = kept_tags
    else:
        new_cell.metadata.pop("tags", None)
    if new_cell.cell_type == "code":
        new_cell.outputs = []
        new_cell.execution_count = None
    return new_cell


def make_student_notebook(nb, name: str = "notebook"):
    """Return the student version of a solution notebook (the input is not modified).

    ``name`` is only used in error messages.
    """
    student = copy.deepcopy(nb)
    student.cells = [_student_cell(cell, cell_label(name, index, cell)) for index, cell in enumerate(nb.cells)
                     if SOLUTION_ONLY_TAG not in tags(cell)]
    return student
