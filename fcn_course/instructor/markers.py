"""Solution regions: the part of a cell that students must write themselves.

In a solution notebook (or in ``solutions/*.py``) a region lies between a line
``### BEGIN SOLUTION`` (optionally ``### BEGIN SOLUTION: <goal in Portuguese>``) and a line
``### END SOLUTION``. In the student version a code region becomes ``raise NotImplementedError(goal)``
at the marker's indentation, so the cell stays valid Python, and a Markdown region becomes a placeholder.

Hints in tiers live inside the region, as comment lines before the solution::

    ### BEGIN SOLUTION: crie a camada que amplia os mapas
    ### DICA: qual camada do PyTorch faz o contrário de uma convolução com stride?
    ### DICA: o stride é o fator; o kernel vem da fórmula do tamanho de saída
    ### ESQUELETO: upsampler = nn.ConvTranspose2d(channels, channels, kernel_size=..., ...)
    <solution lines>
    ### END SOLUTION

Each ``### DICA:`` line is one hint; the ``### ESQUELETO:`` lines together are the last one (code with
blanks). The student sees the goal in the stub and the hints in a Markdown cell right after the exercise
cell, each one folded (``hints_markdown``). Hints are not secret, the other lines of the region are: a hint
that holds a solution line gives the answer away, and ``answer_in_hints`` finds it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from fcn_course import messages
from fcn_course.messages import text

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
HINT_MARKER = "### DICA:"
SKELETON_MARKER = "### ESQUELETO:"
DEFAULT_HINT = text("markers.default_goal", language=messages.DEFAULT_LANGUAGE)  # the stub's goal when none is given
ANSWER_PLACEHOLDER = text("markers.answer_placeholder", language=messages.DEFAULT_LANGUAGE)


def answer_placeholders() -> set:
    """The answer placeholder in every language of the catalogue (a student notebook holds one of them)."""
    return {text("markers.answer_placeholder", language=language) for language in messages.LANGUAGES}


_BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)" + re.escape(BEGIN_MARKER) + r"(?::(?P<hint>.*))?\s*$")
_END_LINE = re.compile(r"^[ \t]*" + re.escape(END_MARKER) + r"\s*$")
_HINT_LINE = re.compile(
    r"^[ \t]*(?P<marker>" + re.escape(HINT_MARKER) + "|" + re.escape(SKELETON_MARKER) + r") ?(?P<text>.*?)\s*$"
)


@dataclass(frozen=True)
class SolutionRegion:
    """Lines ``begin``..``end`` (0-based, both marker lines included) of a cell's source."""

    begin: int
    end: int
    indent: str
    hint: str  # the goal: the one line the stub raises
    hints: tuple = ()  # the ``### DICA:`` texts, in order
    skeleton: tuple = ()  # the ``### ESQUELETO:`` lines (code with blanks), the last hint
    hint_lines: frozenset = frozenset()  # 0-based indexes of the DICA / ESQUELETO lines

    @property
    def goal(self) -> str:
        """What the stub asks for (the text after ``### BEGIN SOLUTION:``)."""
        return self.hint

    def solution_lines(self) -> range:
        """0-based indexes of the lines between the markers, hint lines included (see ``region_lines``)."""
        return range(self.begin + 1, self.end)


def _begin_match(line: str, number: int, opened):
    """The regex match of a BEGIN line; ValueError if it is malformed or inside an open region."""
    match = _BEGIN_LINE.match(line)
    if match is None:
        raise ValueError(text("markers.begin_not_alone", number=number, begin=BEGIN_MARKER, line=line.strip()))
    if opened is not None:
        raise ValueError(
            text("markers.nested", number=number, begin=BEGIN_MARKER, opened=opened[0] + 1, end=END_MARKER)
        )
    return match


def _check_end(line: str, number: int, opened) -> None:
    """ValueError if an END line is malformed or closes nothing."""
    if _END_LINE.match(line) is None:
        raise ValueError(text("markers.end_not_alone", number=number, end=END_MARKER, line=line.strip()))
    if opened is None:
        raise ValueError(text("markers.end_without_begin", number=number, end=END_MARKER, begin=BEGIN_MARKER))


def _hint_line(line: str, number: int, opened, tiers: dict) -> None:
    """Add a ``### DICA:`` or ``### ESQUELETO:`` line to ``tiers``; ValueError outside a region."""
    match = _HINT_LINE.match(line)
    if match is None or opened is None:
        where = text("markers.where_alone") if match is None else text("markers.where_inside", begin=BEGIN_MARKER)
        raise ValueError(
            text(
                "markers.hint_misplaced",
                number=number,
                hint=HINT_MARKER,
                skeleton=SKELETON_MARKER,
                where=where,
                line=line.strip(),
            )
        )
    kind = "hints" if match.group("marker") == HINT_MARKER else "skeleton"
    if kind == "hints" and not match.group("text"):
        raise ValueError(text("markers.empty_hint", number=number, hint=HINT_MARKER))
    tiers[kind].append(match.group("text"))
    tiers["lines"].add(number - 1)


def find_solution_regions(source: str) -> list[SolutionRegion]:
    """Locate the solution regions of a cell; raise ValueError on a malformed or unbalanced marker."""
    regions = []
    opened = None  # (line index, indent, goal) of the BEGIN marker not closed yet
    tiers = {"hints": [], "skeleton": [], "lines": set()}
    for index, line in enumerate(source.splitlines()):
        if BEGIN_MARKER in line:
            match = _begin_match(line, index + 1, opened)
            goal = (match.group("hint") or "").strip() or text("markers.default_goal")
            opened = (index, match.group("indent"), goal)
        elif END_MARKER in line:
            _check_end(line, index + 1, opened)
            regions.append(
                SolutionRegion(
                    begin=opened[0],
                    end=index,
                    indent=opened[1],
                    hint=opened[2],
                    hints=tuple(tiers["hints"]),
                    skeleton=tuple(tiers["skeleton"]),
                    hint_lines=frozenset(tiers["lines"]),
                )
            )
            opened = None
            tiers = {"hints": [], "skeleton": [], "lines": set()}
        elif HINT_MARKER in line or SKELETON_MARKER in line:
            _hint_line(line, index + 1, opened, tiers)
    if opened is not None:
        raise ValueError(text("markers.never_closed", number=opened[0] + 1, begin=BEGIN_MARKER, end=END_MARKER))
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
        result.extend(lines[position : region.begin])
        if cell_type == "code":
            hint = json.dumps(region.hint, ensure_ascii=False)  # a valid Python string literal
            result.append(f"{region.indent}raise NotImplementedError({hint})")
        else:
            result.append(f"{region.indent}{messages.text('markers.answer_placeholder')}")
        position = region.end + 1
    result.extend(lines[position:])
    text = "\n".join(result)
    return text + "\n" if source.endswith("\n") else text


def region_lines(source: str) -> set[int]:
    """0-based indexes of the solution lines of ``source``: inside a region, markers and hint lines excluded.

    These are the secret lines (``leaks``); hints are meant for the students.
    """
    inside = set()
    for region in find_solution_regions(source):
        inside.update(set(region.solution_lines()) - region.hint_lines)
    return inside


# --------------------------------------------------------------------------------------------------
# Hints: never the answer, shown to students one by one
# --------------------------------------------------------------------------------------------------
MIN_ANSWER_LENGTH = (
    21  # shorter solution lines without spaces (``with torch.no_grad():``) are structure, not the answer
)


def _squeezed(text: str) -> str:
    """``text`` without whitespace and trailing comments, so ``a = b`` and ``a=b`` compare equal."""
    return re.sub(r"\s+", "", text.split("  #", 1)[0])


def _answers(line: str) -> list:
    """What of a solution line would give the answer away: the line, and the right side of an assignment.

    A line that only opens a block or a call (``with torch.no_grad():``, ``nn.Sequential(``) is structure that a
    skeleton may show: nothing.
    """
    if line.split("  #", 1)[0].rstrip().endswith(("(", "[", "{", ":")):
        return []
    pieces = [_squeezed(line)]
    target, equals, value = line.partition("=")
    if equals and not value.startswith("=") and target.strip().isidentifier():
        pieces.append(_squeezed(value))
    return [piece for piece in pieces if len(piece) >= MIN_ANSWER_LENGTH]


def answer_in_hints(source: str) -> list:
    """``(hint, solution line)`` pairs where a region's goal or hint holds one of the region's solution lines.

    Whitespace is ignored, and the right side of an assignment (``nn.ConvTranspose2d(...)`` in
    ``upsampler = nn.ConvTranspose2d(...)``) counts as the whole line: a hint may name the tool, not write the
    line. The skeleton is compared line by line the same way.
    """
    lines = source.splitlines()
    found = []
    for region in find_solution_regions(source):
        solution = [lines[i].strip() for i in sorted(set(region.solution_lines()) - region.hint_lines)]
        for hint in (region.hint, *region.hints, *region.skeleton):
            squeezed = _squeezed(hint)
            found += [(hint, line) for line in solution if any(answer in squeezed for answer in _answers(line))]
    return found


def hints_markdown(source: str) -> str:
    """The Markdown cell of the tiered hints of a cell's regions ("" when none has hints).

    Each region's hints nest: "Dica 2" appears only once "Dica 1" is open, and the skeleton last, so a
    student opens one at a time (``<details>`` works in Jupyter, Colab and the website).
    """
    regions = [region for region in find_solution_regions(source) if region.hints or region.skeleton]
    parts = []
    for number, region in enumerate(regions, start=1):
        tiers = [(text("hints.tier", number=tier), hint) for tier, hint in enumerate(region.hints, start=1)]
        if region.skeleton:
            tiers.append((text("hints.skeleton"), "```python\n" + "\n".join(region.skeleton) + "\n```"))
        title = text("hints.region", number=number, goal=region.hint) if len(regions) > 1 else ""
        nested = ""  # built from the last tier outwards, so each one holds the next
        for summary, body in reversed(tiers):
            nested = f"<details><summary>{summary}</summary>\n\n{body}\n\n{nested}</details>"
        parts.append(f"{title}\n\n{nested}" if title else nested)
    if not parts:
        return ""
    return text("hints.heading") + "\n\n" + "\n\n".join(parts)
