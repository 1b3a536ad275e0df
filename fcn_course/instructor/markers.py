"""Solution regions: the part of a cell that students must write themselves.

In a solution notebook (or in ``solutions/*.py``) a region lies between a line
``### BEGIN SOLUTION`` (optionally ``### BEGIN SOLUTION: <hint in Portuguese>``) and a line
``### END SOLUTION``. In the student version a code region becomes ``raise NotImplementedError(hint)``
at the marker's indentation, so the cell stays valid Python, and a Markdown region becomes a placeholder.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
DEFAULT_HINT = "Complete este trecho: veja o enunciado do exercício acima."
ANSWER_PLACEHOLDER = "_Escreva sua resposta aqui._"

_BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)" + re.escape(BEGIN_MARKER) + r"(?::(?P<hint>.*))?\s*$")
_END_LINE = re.compile(r"^[ \t]*" + re.escape(END_MARKER) + r"\s*$")


@dataclass(frozen=True)
class SolutionRegion:
    """Lines ``begin``..``end`` (0-based, both marker lines included) of a cell's source."""

    begin: int
    end: int
    indent: str
    hint: str


def _begin_match(line: str, number: int, opened):
    """The regex match of a BEGIN line; ValueError if it is malformed or inside an open region."""
    match = _BEGIN_LINE.match(line)
    if match is None:
        raise ValueError(f"line {number}: '{BEGIN_MARKER}' must be alone on its line, optionally followed "
                         f"by ': <hint>'; got {line.strip()!r}")
    if opened is not None:
        raise ValueError(f"line {number}: '{BEGIN_MARKER}' inside the region opened at line {opened[0] + 1} "
                         f"(regions cannot be nested; add '{END_MARKER}' before it)")
    return match


def _check_end(line: str, number: int, opened) -> None:
    """ValueError if an END line is malformed or closes nothing."""
    if _END_LINE.match(line) is None:
        raise ValueError(f"line {number}: '{END_MARKER}' must be alone on its line; got {line.strip()!r}")
    if opened is None:
        raise ValueError(f"line {number}: '{END_MARKER}' without a '{BEGIN_MARKER}' before it")


def find_solution_regions(source: str) -> list[SolutionRegion]:
    """Locate the solution regions of a cell; raise ValueError on a malformed or unbalanced marker."""
    regions = []
    opened = None  # (line index, indent, hint) of the BEGIN marker not closed yet
    for index, line in enumerate(source.splitlines()):
        if BEGIN_MARKER in line:
            match = _begin_match(line, index + 1, opened)
            opened = (index, match.group("indent"), (match.group("hint") or "").strip() or DEFAULT_HINT)
        elif END_MARKER in line:
            _check_end(line, index + 1, opened)
            regions.append(SolutionRegion(begin=opened[0], end=index, indent=opened[1], hint=opened[2]))
            opened = None
    if opened is not None:
        raise ValueError(f"line {opened[0] + 1}: '{BEGIN_MARKER}' is never closed by '{END_MARKER}'")
    return regions


def strip_solution_regions(source: str, cell_type: str = "code") -> str:
    """Replace each solution region by a ``raise NotImplementedError(hint)`` (code) or a placeholder."""
    regions = find_solution_regions(source)
    if not regions:
        return source
    lines = source.splitlines()
    result = []
    position = 0
    for region in regions:
        result.extend(lines[position:region.begin])
        if cell_type == "code":
            hint = json.dumps(region.hint, ensure_ascii=False)  # a valid Python string literal
            result.append(f"{region.indent}raise NotImplementedError({hint})")
        else:
            result.append(f"{region.indent}{ANSWER_PLACEHOLDER}")
        position = region.end + 1
    result.extend(lines[position:])
    text = "\n".join(result)
    return text + "\n" if source.endswith("\n") else text


def region_lines(source: str) -> set[int]:
    """0-based indexes of the lines inside the solution regions of ``source`` (markers excluded)."""
    inside = set()
    for region in find_solution_regions(source):
        inside.update(range(region.begin + 1, region.end))
    return inside
