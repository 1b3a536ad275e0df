"""The student version of a solution cell: the cell steps that hide the solutions.

Four steps, each chosen by the cell's tags or solution markers (``pipeline`` composes them):

* ``drop_solution_only``    -- a cell tagged ``solution-only`` is dropped;
* ``stub_solution_regions`` -- solution regions become stubs (see ``markers``);
* ``drop_solution_tags``    -- our own tags (``solution-only``, ``include:...``, ``points:...``) are removed,
  others kept;
* ``clear_outputs``         -- a code cell loses its outputs and execution count.

A step takes a cell and its place (``pipeline.Place``: the notebook's name and the cell's position, for
messages) and returns the cell, changed in place, or None to drop it. Everything else (cell order,
Markdown, metadata) stays as it is.
"""
from __future__ import annotations

import ast

from fcn_course.definitions import python_source
from fcn_course.instructor.markers import BEGIN_MARKER, strip_solution_regions
from fcn_course.instructor.pairs import INCLUDE_TAG_PREFIX, POINTS_TAG_PREFIX, SOLUTION_ONLY_TAG, tags


class NotebookBuildError(ValueError):
    """A solution notebook cannot be turned into a student notebook (bad markers, missing include...)."""


def is_solution_only(cell) -> bool:
    """True for a cell that students never see (tagged ``solution-only``)."""
    return SOLUTION_ONLY_TAG in tags(cell)


def is_solution_tag(tag: str) -> bool:
    """True for the tags that only the build reads: ``solution-only``, ``include:<path>`` and ``points:<n>``."""
    return tag == SOLUTION_ONLY_TAG or tag.startswith((INCLUDE_TAG_PREFIX, POINTS_TAG_PREFIX))


def drop_solution_only(cell, place):
    """None for a ``solution-only`` cell; any other cell unchanged."""
    return None if is_solution_only(cell) else cell


def _check_valid_python(cell, label: str) -> None:
    """NotebookBuildError when a stubbed code cell no longer parses (usually a mis-indented marker)."""
    try:
        ast.parse(python_source(cell.source))
    except SyntaxError as error:
        raise NotebookBuildError(
            f"{label}: the student version is not valid Python ({error.msg}, line {error.lineno}). "
            f"Is '{BEGIN_MARKER}' indented like the code it replaces?\n"
            f"--- student version ---\n{cell.source}"
        ) from None


def stub_solution_regions(cell, place):
    """The cell with its solution regions stubbed; NotebookBuildError naming the cell on a bad marker."""
    label = place.label(cell)
    try:
        stubbed = strip_solution_regions(cell.source, cell.cell_type)
    except ValueError as error:
        raise NotebookBuildError(f"{label}: {error}") from None
    if stubbed != cell.source:
        cell.source = stubbed
        if cell.cell_type == "code":
            _check_valid_python(cell, label)
    return cell


def drop_solution_tags(cell, place):
    """The cell without the tags only the build reads; its other tags stay."""
    kept_tags = [tag for tag in tags(cell) if not is_solution_tag(tag)]
    if kept_tags:
        cell.metadata["tags"] = kept_tags
    else:
        cell.metadata.pop("tags", None)
    return cell


def clear_outputs(cell, place):
    """A code cell without outputs and execution count; a Markdown cell unchanged."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell
