"""The course outline (fcn_course.outline): the notebooks in reading order, and where the student copies live."""
from pathlib import Path

import pytest

from fcn_course.instructor.pairs import SOLUTION_DIR, STUDENT_DIR, solution_sources
from fcn_course.outline import COURSE_NOTEBOOKS, MODEL_NOTEBOOKS, STUDENT_NOTEBOOK_DIR, model_notebooks
from tiny_course import REPO_ROOT


def test_the_outline_is_in_reading_order():
    assert list(COURSE_NOTEBOOKS) == sorted(COURSE_NOTEBOOKS)
    numbers = [f"{number:02d}" for number in range(1, len(COURSE_NOTEBOOKS) + 1)]
    assert [name[:2] for name in COURSE_NOTEBOOKS] == numbers


def test_the_repository_holds_exactly_the_outlines_notebooks():
    """Every command takes its notebooks from the outline; the folders hold those and nothing else."""
    assert solution_sources(REPO_ROOT) == [REPO_ROOT / SOLUTION_DIR / f"{name}.py" for name in COURSE_NOTEBOOKS]
    students = sorted(path.name for path in (REPO_ROOT / STUDENT_DIR).iterdir() if path.suffix in (".ipynb", ".py"))
    assert students == sorted(f"{name}{suffix}" for name in COURSE_NOTEBOOKS for suffix in (".ipynb", ".py"))


def test_the_folder_names_are_defined_once():
    assert STUDENT_DIR == Path(STUDENT_NOTEBOOK_DIR) and SOLUTION_DIR == Path("solutions") / "notebooks"


def test_the_model_notebooks_are_student_notebooks_of_the_course():
    for path in MODEL_NOTEBOOKS:
        folder, name = path.split("/")
        assert folder == STUDENT_NOTEBOOK_DIR and name.removesuffix(".ipynb") in COURSE_NOTEBOOKS


def test_model_notebooks_given_are_taken_as_they_are():
    assert model_notebooks(["mine.ipynb"]) == ["mine.ipynb"]


def test_model_notebooks_are_found_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / STUDENT_NOTEBOOK_DIR).mkdir()
    (tmp_path / MODEL_NOTEBOOKS[1]).write_text("{}")
    assert model_notebooks() == [MODEL_NOTEBOOKS[1]]


def test_no_model_notebook_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="pass --models " + " ".join(MODEL_NOTEBOOKS)):
        model_notebooks()
