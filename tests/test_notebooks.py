"""The course notebooks as students and instructors meet them.

The solution notebooks themselves are executed by nbval (see `addopts` in pyproject.toml: pytest collects
solutions/notebooks/*.ipynb, every language's edition included, with --nbval-lax). Here, in every edition: pairs
and student versions are current, and every
student notebook runs until its first unfinished exercise, which must stop it with the intended error.
"""

from pathlib import Path

import nbformat
import pytest

from fcn_course import colab
from fcn_course.checks import exercises, exercises_for_notebook, is_challenge
from fcn_course.instructor.colab_cells import colab_repository
from fcn_course.instructor.execute import run_until_first_stub
from fcn_course.instructor.grade import grade
from fcn_course.instructor.leaks import scan_for_leaks
from fcn_course.instructor.release import release
from fcn_course.instructor.sync import check_in_sync
from fcn_course.messages import DEFAULT_LANGUAGE, LANGUAGES, text

ROOT = Path(__file__).resolve().parent.parent
# Every edition: the Portuguese one in notebooks/, each translation in notebooks/<language>/ (editions).
EDITIONS = {language: ("" if language == DEFAULT_LANGUAGE else language) for language in LANGUAGES}
STUDENT_NOTEBOOKS = [
    path for folder in EDITIONS.values() for path in sorted((ROOT / "notebooks" / folder).glob("*.ipynb"))
]
SOLUTION_NOTEBOOKS = [
    path for folder in EDITIONS.values() for path in sorted((ROOT / "solutions" / "notebooks" / folder).glob("*.ipynb"))
]


def language_of(path: Path) -> str:
    """The edition a notebook belongs to: its folder's name under notebooks/, else the default language."""
    return path.parent.name if path.parent.name in LANGUAGES else DEFAULT_LANGUAGE


def edition_id(path: Path) -> str:
    return f"{language_of(path)}/{path.stem}"


STUB_ERRORS = {"NotImplementedError", "ExerciseNotDone"}


def test_the_course_has_five_notebooks_in_both_versions_in_every_language():
    names = ["01_dados_e_metricas", "02_fcn_alexnet", "03_upsampling_e_perdas", "04_fcn_vgg16", "05_comparacao"]
    assert [p.stem for p in SOLUTION_NOTEBOOKS] == names * len(EDITIONS)
    assert [p.stem for p in STUDENT_NOTEBOOKS] == names * len(EDITIONS)
    for path in SOLUTION_NOTEBOOKS + STUDENT_NOTEBOOKS:
        assert path.with_suffix(".py").is_file(), f"{path} has no jupytext py:percent pair"


def test_pairs_includes_and_student_versions_are_in_sync():
    assert check_in_sync(ROOT) == []


def test_student_notebooks_hold_no_solution_and_no_outputs():
    for path in STUDENT_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(cell.source for cell in nb.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
        assert not any("solution-only" in cell.metadata.get("tags", []) for cell in nb.cells)


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_id)
def test_student_notebooks_say_which_file_they_are_generated_from(path):
    """The title cell (after the two Colab cells) starts with a Markdown comment that students never see."""
    title = nbformat.read(path, as_version=4).cells[2]
    language = language_of(path)
    source = f"solutions/notebooks/{path.stem}.py"
    if language == DEFAULT_LANGUAGE:
        expected = f"<!-- generated from {source}; edit that file, then run python -m fcn_course.instructor build -->"
    else:
        expected = (
            f"<!-- generated from {source} and solutions/locale/{language}/{path.stem}.po; edit those files, "
            f"then run python -m fcn_course.instructor build -->"
        )
    assert title.source.splitlines()[0] == expected
    assert title.source.splitlines()[1].startswith(f"# {path.stem[:2]} ")


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_id)
def test_every_notebook_links_the_reference_page_from_its_title_cell(path):
    title = nbformat.read(path, as_version=4).cells[2]
    assert "](referencia.md)" in title.source
    assert (path.parent / "referencia.md").is_file()
    # on Colab the notebook is opened alone: the absolute address of the configured repository works there
    assert f"]({colab.reference_url(colab_repository(ROOT), language_of(path))})" in title.source


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_id)
def test_every_notebook_sets_its_language_in_its_set_up_cell(path):
    setup = nbformat.read(path, as_version=4).cells[1]
    assert f"os.environ['FCN_COURSE_LANG'] = {language_of(path)!r}" in setup.source


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_id)
def test_every_code_exercise_is_followed_by_its_hints_folded_one_by_one(path):
    language = language_of(path)
    cells = nbformat.read(path, as_version=4).cells
    exercises = [
        index
        for index, cell in enumerate(cells)
        if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source
    ]
    for index in exercises:
        hints = cells[index + 1]
        first_tier = text("hints.tier", language=language, number=1)
        assert hints.cell_type == "markdown" and f"<summary>{first_tier}</summary>" in hints.source, cells[index].source
        assert f"<summary>{text('hints.skeleton', language=language)}" in hints.source


def _first_stub_cell(nb) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source:
            return index
    return len(nb.cells)


@pytest.mark.kernel
@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_id)
def test_student_notebook_runs_until_its_first_exercise(path):
    """Everything before the first exercise works; the first unfinished exercise stops the notebook.

    Optional exercises (Exercício 0, the Desafios) never stop "Run all": a notebook with only those runs to its
    end, unless it loads an earlier notebook's definitions, whose stubs stop it (05 loads 03's class weights).
    """
    nb = nbformat.read(path, as_version=4)
    first = run_until_first_stub(path)
    own = [exercise for exercise in exercises() if exercise.notebook == path.stem]
    loads_others = "load_definitions(" in "".join(c.source for c in nb.cells)
    if own and not any(exercise.required for exercise in own) and not loads_others:
        assert first == (None, None, None), f"{path.name}: cell {first.index} stopped Run all: {first.message}"
        return
    assert first.name in STUB_ERRORS, f"{path.name}: cell {first.index} failed with {first.name}: {first.message}"
    if "load_definitions" not in "".join(c.source for c in nb.cells[: first.index + 1]):
        # the notebook's own stub (03, 04 and 05 may stop earlier, at the stubs they load from notebook 02)
        assert first.index >= _first_stub_cell(nb)
    assert first.message.strip(), "the stub must say what to write"


def test_student_release_of_the_real_course_has_no_solution(tmp_path):
    zip_path = release(ROOT, tmp_path / "release")
    folder = zip_path.parent / "fcn-course"
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert not any(name.startswith("solutions") for name in files)
    assert {f"notebooks/{p.name}" for p in STUDENT_NOTEBOOKS} <= files
    assert "fcn_course/checks/models.py" in files and "environment.yml" in files
    assert not any(name.startswith("fcn_course/instructor") for name in files)  # the instructor wing stays home
    assert "Curso: segmentação semântica" in (folder / "README.md").read_text()  # the students' guide
    assert scan_for_leaks(zip_path, ROOT) == []
    # every line of the reference models' solution regions is absent from the release
    import zipfile

    released = "\n".join(
        zipfile.ZipFile(zip_path).read(n).decode("utf-8", "replace") for n in zipfile.ZipFile(zip_path).namelist()
    )
    body = (ROOT / "solutions" / "fcn_alexnet.py").read_text()
    assert "features = load_alexnet(pretrained).features" in body
    assert "features = load_alexnet(pretrained).features" not in released


def _sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.subprocess
def test_grading_a_fresh_student_notebook_and_its_solution(tmp_path):
    """The grader on the real notebook 02: every exercise fails on the stubs and passes on the solution."""
    student = ROOT / "notebooks" / "02_fcn_alexnet.ipynb"
    before = _sha(student)
    fresh = grade(student, report_path=tmp_path / "student.md")
    assert _sha(student) == before  # the submission is never modified
    keys = exercises_for_notebook("02_fcn_alexnet.ipynb")
    desafios = [key for key in keys if is_challenge(key)]
    total = len(keys) - len(desafios)  # a Desafio is extra: reported apart, never in the total
    assert desafios and fresh["total"] == total and fresh["passed"] == 0
    assert all("ainda não implementado" in " ".join(e["messages"]) for e in fresh["exercises"] + fresh["challenges"])
    assert [e["key"] for e in fresh["challenges"]] == desafios

    solved = grade(ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb")
    assert (solved["passed"], solved["total"]) == (total, total)
    assert all(e["passed"] for e in solved["challenges"])
    assert "ainda não implementado" in (tmp_path / "student.md").read_text()
