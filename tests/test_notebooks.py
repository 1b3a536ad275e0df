"""The course notebooks as students and instructors meet them.

The solution notebooks themselves are executed by nbval (see `addopts` in pyproject.toml: pytest collects
solutions/notebooks/*.ipynb with --nbval-lax). Here: pairs and student versions are current, and every
student notebook runs until its first unfinished exercise, which must stop it with the intended error.
"""
from pathlib import Path

import nbformat
import pytest

from fcn_course import nbtools

ROOT = Path(__file__).resolve().parent.parent
STUDENT_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTION_NOTEBOOKS = sorted((ROOT / "solutions" / "notebooks").glob("*.ipynb"))
STUB_ERRORS = {"NotImplementedError", "ExerciseNotDone"}


def test_the_course_has_four_notebooks_in_both_versions():
    names = ["01_dados_e_metricas", "02_fcn_alexnet", "03_fcn_vgg16", "04_comparacao"]
    assert [p.stem for p in SOLUTION_NOTEBOOKS] == names
    assert [p.stem for p in STUDENT_NOTEBOOKS] == names
    for path in SOLUTION_NOTEBOOKS + STUDENT_NOTEBOOKS:
        assert path.with_suffix(".py").is_file(), f"{path} has no jupytext py:percent pair"


def test_pairs_includes_and_student_versions_are_in_sync():
    assert nbtools.check_in_sync(ROOT) == []


def test_student_notebooks_hold_no_solution_and_no_outputs():
    for path in STUDENT_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(cell.source for cell in nb.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
        assert not any("solution-only" in cell.metadata.get("tags", []) for cell in nb.cells)


def _first_stub_cell(nb) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source:
            return index
    return len(nb.cells)


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_runs_until_its_first_exercise(path):
    """Everything before the first exercise works; the first unfinished exercise stops the notebook."""
    nb = nbformat.read(path, as_version=4)
    first = nbtools.run_until_first_stub(path)
    assert first.name in STUB_ERRORS, f"{path.name}: cell {first.index} failed with {first.name}: {first.message}"
    if "load_definitions" not in "".join(c.source for c in nb.cells[: first.index + 1]):
        # the notebook's own stub (04 stops earlier, at the stubs it loads from notebook 02)
        assert first.index >= _first_stub_cell(nb)
    assert first.message.strip(), "the stub must say what to write"
