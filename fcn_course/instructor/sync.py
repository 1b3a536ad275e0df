"""Is every generated file current? The ``check`` command, the release and a test ask this.

Out of date means: a solution notebook folder that does not match the course outline (a notebook missing
or one the outline does not name), a solution ``.ipynb`` whose cells differ from its ``.py`` source, an
include cell that differs from its file, a student notebook that differs from what its solution generates
(or is missing), a student notebook that the outline does not name, or a translated edition (of a notebook,
``editions``, or of a students' page, ``pages``) whose catalogue is incomplete or whose files differ from
what the build writes. The student notebooks are generated
here exactly as the build makes them (``pipeline``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from fcn_course.definitions import read_notebook
from fcn_course.instructor.editions import edition_problems
from fcn_course.instructor.includes import stale_includes
from fcn_course.instructor.pages import page_problems
from fcn_course.instructor.pairs import (
    NOTEBOOK_SUFFIXES,
    OUTLINE_FILE,
    SOLUTION_DIR,
    STUDENT_DIR,
    cell_signature,
    jupytext_config,
    outline_problems,
    read_py_notebook,
    solution_sources,
    stray_notebooks,
)
from fcn_course.instructor.pipeline import SOLUTION_SOURCE, student_notebook, transform
from fcn_course.instructor.student import NotebookBuildError
from fcn_course.messages import text
from fcn_course.outline import COURSE_NOTEBOOKS


def _solution_pair_problems(source: Path, nb) -> list[str]:
    ipynb = source.with_suffix(".ipynb")
    if not ipynb.exists():
        return [text("sync.file_missing", path=ipynb)]
    if cell_signature(nbformat.read(ipynb, as_version=4)) != cell_signature(nb):
        return [text("sync.pair_out_of_sync", ipynb=ipynb, source=source.name)]
    return []


def _student_problems(repo_root: Path, source: Path, student) -> list[str]:
    problems = []
    for suffix in NOTEBOOK_SUFFIXES:
        path = repo_root / STUDENT_DIR / f"{source.stem}{suffix}"
        if not path.exists():
            problems.append(text("sync.file_missing", path=path))
        elif cell_signature(read_notebook(path)) != cell_signature(student):
            problems.append(text("sync.student_differs", path=path, source=source))
    return problems


def _orphan_students(repo_root: Path, names) -> list[str]:
    return [
        text("sync.orphan_student", path=path, solutions=SOLUTION_DIR.as_posix(), name=path.stem, outline=OUTLINE_FILE)
        for path in stray_notebooks(repo_root / STUDENT_DIR, names)
    ]


def _source_problems(repo_root: Path, source: Path, config) -> list[str]:
    """What is out of date in one course notebook: its solution pair, its include cells, its student pair."""
    nb = read_py_notebook(source, config)
    problems = _solution_pair_problems(source, nb)
    try:
        problems += [
            text("sync.stale_include", source=source, problem=stale)
            for stale in stale_includes(nb, repo_root, source.stem)
        ]
        solution = transform(nb, SOLUTION_SOURCE, source.stem, repo_root)
        student = student_notebook(solution, source.stem)
        editions = edition_problems(repo_root, solution, source.stem)
    except NotebookBuildError as error:
        return problems + [f"{source}: {error}"]
    return problems + _student_problems(repo_root, source, student) + editions


def check_in_sync(repo_root, names=COURSE_NOTEBOOKS) -> list[str]:
    """List what is out of date for the course notebooks ``names`` (the outline's): empty = all good.

    When the solution folder does not match the outline, only that is listed (with the fix): the build
    refuses to run until it does.
    """
    repo_root = Path(repo_root)
    layout = outline_problems(repo_root, names)
    if layout:
        return layout
    config = jupytext_config(repo_root)
    problems = []
    for source in solution_sources(repo_root, names):
        problems += _source_problems(repo_root, source, config)
    return problems + _orphan_students(repo_root, names) + page_problems(repo_root)
