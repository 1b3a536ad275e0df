"""Is every generated file current? The ``check`` command, the release and a test ask this.

Out of date means: a solution ``.ipynb`` whose cells differ from its ``.py`` source, an include cell that
differs from its file, a student notebook that differs from what its solution generates (or is missing),
or a student notebook without a solution notebook.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from fcn_course.definitions import read_notebook
from fcn_course.instructor.includes import refresh_includes, stale_includes
from fcn_course.instructor.pairs import (SOLUTION_DIR, STUDENT_DIR, cell_signature, jupytext_config,
                                         read_py_notebook, solution_sources)
from fcn_course.instructor.student import NotebookBuildError, make_student_notebook


def _solution_pair_problems(source: Path, nb) -> list[str]:
    ipynb = source.with_suffix(".ipynb")
    if not ipynb.exists():
        return [f"{ipynb} is missing: run the build"]
    if cell_signature(nbformat.read(ipynb, as_version=4)) != cell_signature(nb):
        return [f"{ipynb} and {source.name} are out of sync (cell sources differ): run the build"]
    return []


def _student_problems(repo_root: Path, source: Path, student) -> list[str]:
    problems = []
    for suffix in (".ipynb", ".py"):
        path = repo_root / STUDENT_DIR / f"{source.stem}{suffix}"
        if not path.exists():
            problems.append(f"{path} is missing: run the build")
        elif cell_signature(read_notebook(path)) != cell_signature(student):
            problems.append(f"{path} differs from what {source} generates: run the build")
    return problems


def _orphan_students(repo_root: Path, sources) -> list[str]:
    expected = {f"{source.stem}{suffix}" for source in sources for suffix in (".ipynb", ".py")}
    return [f"{path} has no solution notebook in {SOLUTION_DIR}"
            for path in sorted((repo_root / STUDENT_DIR).glob("[0-9][0-9]_*"))
            if path.suffix in (".ipynb", ".py") and path.name not in expected]


def check_in_sync(repo_root) -> list[str]:
    """List what is out of date: solution pairs, include cells and student notebooks (empty = all good)."""
    repo_root = Path(repo_root)
    config = jupytext_config(repo_root)
    sources = solution_sources(repo_root)
    problems = []
    for source in sources:
        nb = read_py_notebook(source, config)
        problems += _solution_pair_problems(source, nb)
        try:
            problems += [f"{source}: {stale}: run the build" for stale in stale_includes(nb, repo_root, source.stem)]
            refresh_includes(nb, repo_root, source.stem)
            student = make_student_notebook(nb, name=source.stem)
        except NotebookBuildError as error:
            problems.append(f"{source}: {error}")
            continue
        problems += _student_problems(repo_root, source, student)
    return problems + _orphan_students(repo_root, sources)
