"""The course outline (fcn_course.outline): the notebooks in reading order, and where the student copies live."""

import unicodedata
from pathlib import Path

import pytest

from fcn_course.instructor.pairs import SOLUTION_DIR, STUDENT_DIR, solution_sources
from fcn_course.outline import (
    COURSE_NOTEBOOKS,
    MODEL_NOTEBOOKS,
    STUDENT_NOTEBOOK_DIR,
    model_notebook_defaults,
    model_notebooks,
    original_name,
)
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


def test_the_model_notebooks_define_every_name_the_grid_predict_and_notebook_05_load():
    """The student's classes and functions that ``grid``, ``predict`` and notebook 05 read come from these notebooks."""
    from fcn_course.checks import exercises

    loaded = {"FCN_AlexNet", "FCN_VGG16", "make_optimizer", "compute_loss", "make_criterion"}
    loaded |= {"make_upsampler", "class_weights", "dice_loss"}  # notebook 03's exercises, for notebook 05's options
    defining = {row.notebook for row in exercises() if loaded & set(row.names)}
    models = {path.split("/")[1].removesuffix(".ipynb") for path in MODEL_NOTEBOOKS}
    assert defining == models == {"02_fcn_alexnet", "03_upsampling_e_perdas", "04_fcn_vgg16"}


def test_model_notebooks_given_are_taken_as_they_are():
    assert model_notebooks(["mine.ipynb"]) == ["mine.ipynb"]


def test_model_notebooks_are_found_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / STUDENT_NOTEBOOK_DIR).mkdir()
    (tmp_path / MODEL_NOTEBOOKS[1]).write_text("{}")
    assert model_notebooks() == [MODEL_NOTEBOOKS[1]]


def test_no_model_notebook_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="--models " + " ".join(MODEL_NOTEBOOKS)):
        model_notebooks()


@pytest.mark.parametrize(
    "copy, original",
    [
        ("Cópia de 02_fcn_alexnet.ipynb", "02_fcn_alexnet.ipynb"),  # Drive's "Salvar uma cópia"
        ("Cópia de Cópia de 02_fcn_alexnet.ipynb", "02_fcn_alexnet.ipynb"),
        ("Copy of 04_fcn_vgg16.py", "04_fcn_vgg16.py"),
        ("02_fcn_alexnet (1).ipynb", "02_fcn_alexnet.ipynb"),  # a second download
        (unicodedata.normalize("NFD", "Cópia de 01_dados_e_metricas.ipynb"), "01_dados_e_metricas.ipynb"),  # macOS
        ("02_fcn_alexnet.ipynb", "02_fcn_alexnet.ipynb"),
        ("meu 02_fcn_alexnet.ipynb", "meu 02_fcn_alexnet.ipynb"),  # only the copy prefixes are taken off
    ],
)
def test_original_name_of_a_renamed_copy(copy, original):
    assert original_name(copy) == original


def test_in_a_translated_edition_the_model_notebooks_are_that_editions(tmp_path, monkeypatch):
    """The published repository holds notebooks/ (Portuguese) and notebooks/en/: an English student's grid and
    predict read their own notebooks, not the Portuguese stubs."""
    from fcn_course.messages import set_language

    monkeypatch.chdir(tmp_path)
    for folder in (tmp_path / STUDENT_NOTEBOOK_DIR, tmp_path / STUDENT_NOTEBOOK_DIR / "en"):
        folder.mkdir(exist_ok=True)
        for path in MODEL_NOTEBOOKS:
            (folder / Path(path).name).write_text("{}")
    set_language("en")
    assert model_notebooks() == [f"{STUDENT_NOTEBOOK_DIR}/en/{Path(path).name}" for path in MODEL_NOTEBOOKS]
    assert model_notebook_defaults() == tuple(model_notebooks())
    set_language("pt_BR")
    assert model_notebooks() == list(MODEL_NOTEBOOKS)


def test_a_release_in_english_keeps_its_notebooks_in_notebooks(tmp_path, monkeypatch):
    """A release of one language puts its notebooks in notebooks/ (no notebooks/en/ there)."""
    from fcn_course.messages import set_language

    monkeypatch.chdir(tmp_path)
    (tmp_path / STUDENT_NOTEBOOK_DIR).mkdir()
    (tmp_path / MODEL_NOTEBOOKS[0]).write_text("{}")
    set_language("en")
    assert model_notebooks() == [MODEL_NOTEBOOKS[0]]


def test_no_model_notebook_says_so_in_the_students_language(tmp_path, monkeypatch):
    from fcn_course.messages import set_language

    monkeypatch.chdir(tmp_path)
    set_language("en")
    with pytest.raises(FileNotFoundError, match="pass --models " + " ".join(MODEL_NOTEBOOKS)):
        model_notebooks()
    set_language("pt_BR")
    with pytest.raises(FileNotFoundError, match="--models " + " ".join(MODEL_NOTEBOOKS)) as caught:
        model_notebooks()
    assert "pass --models" not in str(caught.value)
