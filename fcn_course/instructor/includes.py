"""``include:<path>`` cells: a code cell whose body is the text of a file of the repository.

The reference code exists once, in ``solutions/*.py`` where it is tested; a solution-notebook cell tagged
``include:solutions/fcn_alexnet.py`` is refreshed from that file by the build (the ``refresh_include`` step
of ``pipeline``), and ``check`` lists the include cells that differ from their file (``stale_includes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from fcn_course.definitions import cell_label
from fcn_course.instructor.pairs import INCLUDE_TAG_PREFIX, tags
from fcn_course.instructor.student import NotebookBuildError
from fcn_course.messages import text


def include_path(cell, name: str, index: int) -> Optional[str]:
    """The path named by the cell's include tag, or None for an ordinary cell."""
    paths = [tag[len(INCLUDE_TAG_PREFIX) :] for tag in tags(cell) if tag.startswith(INCLUDE_TAG_PREFIX)]
    if not paths:
        return None
    if cell.cell_type != "code" or len(paths) > 1:
        raise NotebookBuildError(text("course.include_misplaced", cell=cell_label(name, index, cell)))
    return paths[0]


def included_text(repo_root, relative: str, label: str) -> str:
    """The text an include cell must hold (the file without trailing newlines)."""
    path = Path(repo_root) / relative
    if Path(relative).is_absolute() or not path.is_file():
        raise NotebookBuildError(text("course.include_missing", label=label, relative=relative))
    return path.read_text(encoding="utf-8").rstrip("\n")


def stale_includes(nb, repo_root, name: str = "notebook") -> list[str]:
    """One message per include cell whose body differs from its file."""
    problems = []
    for index, cell in enumerate(nb.cells):
        relative = include_path(cell, name, index)
        label = cell_label(name, index, cell)
        if relative is not None and cell.source != included_text(repo_root, relative, label):
            problems.append(text("sync.include_differs", label=label, file=relative))
    return problems


def refresh_include(cell, place):
    """Cell step: an ``include:<path>`` cell takes the text of its file (``place.repo_root``); others pass."""
    relative = include_path(cell, place.notebook, place.index)
    if relative is not None:
        cell.source = included_text(place.repo_root, relative, place.label(cell))
    return cell
