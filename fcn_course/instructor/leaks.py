"""The release's leak scan: no line of a solution may reach the students.

Secret lines are what the student version removes (``pipeline``'s ``STUDENT`` steps, read the other way
round): the lines inside solution regions and the lines of ``solution-only`` cells, from every file under
``solutions/`` -- the solution notebooks (those of the outline and any other: more secrets is safer), the
translated ones the build writes in ``solutions/notebooks/<language>/`` too, and ``solutions/*.py``. A line that students see elsewhere, a short common line (``return x``) or a line listed
in ``solutions/release_allowlist.txt`` does not count. Solution markers themselves never may appear. The
hints of a region (``### DICA:`` / ``### ESQUELETO:`` lines) are not secret: students get them. Every
line of the instructor rubric (``solutions/rubric.md``: model answers and grading criteria) is secret too.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import jupytext
import nbformat

from fcn_course.instructor.markers import BEGIN_MARKER, END_MARKER, HINT_MARKER, SKELETON_MARKER, region_lines
from fcn_course.instructor.pairs import (
    SOLUTION_DIR,
    SOLUTION_ONLY_TAG,
    SOLUTIONS_DIR,
    STUDENT_DIR,
    jupytext_config,
    read_py_notebook,
)
from fcn_course.instructor.student import is_solution_only

# Generic lines (``with np.errstate(...):``) that a solution contains but that may appear in the release.
LEAK_ALLOWLIST = SOLUTIONS_DIR / "release_allowlist.txt"
RUBRIC = SOLUTIONS_DIR / "rubric.md"  # model answers to the reflection questions: never released
MIN_LEAK_LINE_LENGTH = 25  # shorter solution lines (``return x``) are too common to count as a leak


def _solution_texts(repo_root: Path) -> list:
    """Every cell of the solution notebooks and every file of ``solutions/`` as a cell: where solutions live."""
    config = jupytext_config(repo_root)
    pieces = []
    notebooks = repo_root / SOLUTION_DIR
    for path in sorted((repo_root / SOLUTIONS_DIR).rglob("*.py")):
        if path.is_relative_to(notebooks):  # a solution notebook, of the course's language or a translation
            pieces += read_py_notebook(path, config).cells
        else:
            pieces.append(nbformat.v4.new_code_cell(path.read_text(encoding="utf-8")))
    if (repo_root / RUBRIC).is_file():
        rubric = (repo_root / RUBRIC).read_text(encoding="utf-8")  # every line secret, like a solution-only cell
        pieces.append(nbformat.v4.new_markdown_cell(rubric, metadata={"tags": [SOLUTION_ONLY_TAG]}))
    for path in sorted(notebooks.rglob("*.ipynb")):
        pieces += nbformat.read(path, as_version=4).cells
    return pieces


def _allowed_lines(repo_root: Path) -> set[str]:
    """Lines of ``solutions/release_allowlist.txt`` (blank lines and ``#`` comments skipped)."""
    path = repo_root / LEAK_ALLOWLIST
    if not path.is_file():
        return set()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def secret_lines(repo_root) -> set[str]:
    """Stripped lines of solution regions and solution-only cells that students never see."""
    repo_root = Path(repo_root)
    secret, visible = set(), set()
    for cell in _solution_texts(repo_root):
        lines = [line.strip() for line in cell.source.splitlines()]
        if is_solution_only(cell):
            secret.update(lines)
            continue
        inside = region_lines(cell.source)
        for index, line in enumerate(lines):
            (secret if index in inside else visible).add(line)
    # A line that students see elsewhere (or a short, common one) does not give anything away.
    candidates = secret - visible - _allowed_lines(repo_root)
    return {line for line in candidates if len(line) >= MIN_LEAK_LINE_LENGTH}


def _released_lines(name: str, data: bytes) -> list[str]:
    """Lines of a released file to scan: cell sources for notebooks, text for other files."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []  # binary file
    if name.endswith(".ipynb"):
        nb = nbformat.reads(text, as_version=4)
        return [line for cell in nb.cells for line in cell.source.splitlines()]
    lines = text.splitlines()
    if name.endswith(".py") and f"/{STUDENT_DIR.name}/" in f"/{name}":
        # A py:percent notebook: markdown lines are commented out ("# ..."), so read its cells too.
        nb = jupytext.reads(text, fmt="py:percent")
        lines += [line for cell in nb.cells for line in cell.source.splitlines()]
    return lines


def scan_for_leaks(zip_path, repo_root) -> list[str]:
    """Find solution lines or solution markers in the files of a release zip (``file:line: what``)."""
    secret = secret_lines(repo_root)
    leaks = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            for number, line in enumerate(_released_lines(name, archive.read(name)), start=1):
                if any(marker in line for marker in (BEGIN_MARKER, END_MARKER, HINT_MARKER, SKELETON_MARKER)):
                    leaks.append(f"{name}:{number}: solution marker: {line.strip()}")
                elif line.strip() in secret:
                    leaks.append(f"{name}:{number}: solution line: {line.strip()}")
    return leaks
