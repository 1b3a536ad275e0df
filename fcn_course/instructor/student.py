"""The student version of a solution cell: the cell steps that hide the solutions.

Five steps, each chosen by the cell's tags or solution markers (``pipeline`` composes them):

* ``drop_solution_only``    -- a cell tagged ``solution-only`` is dropped;
* ``add_hints_cell``        -- an exercise with hints in tiers is followed by a Markdown cell that shows them
  one by one (a hint that holds a solution line is refused);
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
import hashlib

import nbformat

from fcn_course.definitions import python_source
from fcn_course.instructor.markers import BEGIN_MARKER, answer_in_hints, hints_markdown, strip_solution_regions
from fcn_course.instructor.pairs import INCLUDE_TAG_PREFIX, POINTS_TAG_PREFIX, SOLUTION_ONLY_TAG, tags
from fcn_course.messages import text


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


def hints_cell(cell, label: str):
    """The Markdown cell of ``cell``'s tiered hints, or None; NotebookBuildError when a hint is the answer.

    Its id follows from the exercise cell's (``<id>-dicas``), so building twice writes the same notebook.
    """
    try:
        given_away = answer_in_hints(cell.source)
        markdown = hints_markdown(cell.source)
    except ValueError as error:
        raise NotebookBuildError(f"{label}: {error}") from None
    if given_away:
        hint, line = given_away[0]
        raise NotebookBuildError(text("course.hint_gives_answer", label=label, hint=hint, line=line))
    if not markdown:
        return None
    base = cell.get("id") or hashlib.sha1(cell.source.encode("utf-8")).hexdigest()[:8]
    hints = nbformat.v4.new_markdown_cell(markdown)
    hints["id"] = f"{base[:58]}-dicas"
    return hints


def add_hints_cell(cell, place):
    """The cell, followed by its hints cell when its solution regions have hints in tiers."""
    hints = hints_cell(cell, place.label(cell))
    return cell if hints is None else [cell, hints]


def _check_valid_python(cell, label: str) -> None:
    """NotebookBuildError when a stubbed code cell no longer parses (usually a mis-indented marker)."""
    try:
        ast.parse(python_source(cell.source))
    except SyntaxError as error:
        raise NotebookBuildError(
            text(
                "course.student_not_python",
                label=label,
                error=error.msg,
                line=error.lineno,
                begin=BEGIN_MARKER,
                source=cell.source,
            )
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
