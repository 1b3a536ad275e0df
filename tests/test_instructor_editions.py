"""Tests of fcn_course/instructor/editions.py: the translated editions the build writes and check compares."""

import sys
import types

import numpy as np
import pytest
from babel.messages.pofile import read_po

from fcn_course import checks, messages
from fcn_course.instructor.build import build
from fcn_course.instructor.editions import update_translations
from fcn_course.instructor.sync import check_in_sync
from fcn_course.instructor.translation import catalogue_path, write_catalogue
from fcn_course.messages import en
from tests.tiny_course import TINY_OUTLINE, make_repo, snapshot

ENGLISH = {
    "# Exercícios\n\nQual é a raiz de 16?": "# Exercises\n\nWhat is the square root of 16?",
    "Devolva o dobro de x.": "Return twice x.",
    "Use math.sqrt.": "Use math.sqrt.",
}


def translate(repo, language="en", english=ENGLISH, leave_out=()):
    """Write the catalogue of the tiny course: ``english`` where given, the text itself elsewhere."""
    update_translations(repo, language, names=TINY_OUTLINE)
    path = catalogue_path(repo, language, "01_demo")
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and message.id not in leave_out:
            message.string = english.get(message.id, message.id)
    write_catalogue(catalog, path)
    return path


def test_without_translations_the_build_writes_the_portuguese_course_only(tmp_path):
    repo = make_repo(tmp_path)
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert not (repo / "notebooks/en").exists() and not (repo / "solutions/notebooks/en").exists()


def test_a_complete_catalogue_gives_an_english_solution_and_student_pair(tmp_path):
    repo = make_repo(tmp_path)
    translate(repo)
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert report.ok, report

    student = (repo / "notebooks/en/01_demo.py").read_text()
    assert "# # Exercises" in student and "Qual é a raiz" not in student
    assert 'raise NotImplementedError("Return twice x.")' in student  # the stub's goal, translated
    assert "solutions/locale/en/01_demo.po" in student  # the provenance names the catalogue
    assert "os.environ" not in student  # the tiny course has no set-up cell: nothing invented
    solution = (repo / "solutions/notebooks/en/01_demo.py").read_text()
    assert "result = x * 2" in solution and "Return twice x." in solution
    assert "Devolva o dobro de x." in (repo / "notebooks/01_demo.py").read_text()  # Portuguese untouched

    assert check_in_sync(repo, names=TINY_OUTLINE) == []
    before = snapshot(repo)
    assert build(repo, names=TINY_OUTLINE, quiet=True).written == []
    assert snapshot(repo) == before


def test_a_missing_translation_fails_check_and_the_build_skips_that_edition(tmp_path):
    repo = make_repo(tmp_path)
    translate(repo, leave_out=("Use math.sqrt.",))
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert not report.ok
    [(path, reason)] = report.skipped
    assert path == repo / "notebooks/en/01_demo.ipynb" and "1 of" in reason and "translations --lang en" in reason
    assert not (repo / "notebooks/en/01_demo.ipynb").exists()  # nothing half-translated
    assert any("untranslated" in problem for problem in check_in_sync(repo, names=TINY_OUTLINE))


def test_a_changed_portuguese_text_makes_its_translation_stale_until_revisited(tmp_path):
    repo = make_repo(tmp_path)
    translate(repo)
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    source = repo / "solutions/notebooks/01_demo.py"
    source.write_text(source.read_text().replace("Qual é a raiz de 16?", "Qual é a raiz quadrada de 16?"))
    update_translations(repo, "en", names=TINY_OUTLINE)
    problems = check_in_sync(repo, names=TINY_OUTLINE)
    assert any("1 stale" in problem for problem in problems), problems


def test_an_english_file_edited_by_hand_is_reported_by_check(tmp_path):
    repo = make_repo(tmp_path)
    translate(repo)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = repo / "notebooks/en/01_demo.py"
    path.write_text(path.read_text() + "\n# %%\nprint('mine')\n")
    assert any(str(path) in problem for problem in check_in_sync(repo, names=TINY_OUTLINE))


@pytest.fixture
def fake_language(monkeypatch):
    """A third language, ``xx``: the English catalogue with two sentences of its own."""
    module = types.ModuleType("fcn_course.messages.xx")
    module.MESSAGES = {
        **en.MESSAGES,
        "checks.failed": "XX-FAILED {title}:",
        "hints.heading": "XX-HINTS",
    }
    monkeypatch.setitem(sys.modules, "fcn_course.messages.xx", module)
    monkeypatch.setattr(messages, "LANGUAGES", (*messages.LANGUAGES, "xx"))
    return "xx"


def test_a_third_language_goes_through_the_build_and_the_checks(tmp_path, fake_language, capsys):
    repo = make_repo(tmp_path)
    translate(repo, fake_language, english={"Devolva o dobro de x.": "XX-double it"})
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert 'raise NotImplementedError("XX-double it")' in (repo / "notebooks/xx/01_demo.py").read_text()
    assert check_in_sync(repo, names=TINY_OUTLINE) == []

    messages.set_language(fake_language)
    try:
        checks.check_iou_from_confusion(lambda matrix: (np.zeros(3), np.zeros(3)))
    finally:
        messages.set_language(None)
    assert "XX-FAILED" in capsys.readouterr().out


def test_the_answer_placeholder_of_an_english_student_notebook_is_english(tmp_path):
    repo = make_repo(tmp_path)
    translate(repo)
    build(repo, names=TINY_OUTLINE, quiet=True)
    english = (repo / "notebooks/en/01_demo.py").read_text()
    assert messages.text("markers.answer_placeholder", language="en") in english
    assert messages.text("markers.answer_placeholder", language="pt_BR") not in english


def _solution_with_colab_cells_and_outputs():
    """A solution notebook with the Colab cells, a code cell with no prose and one with a prose string."""
    import nbformat

    from fcn_course import colab

    cells = [
        nbformat.v4.new_markdown_cell(colab.badge_markdown("01_demo")),
        nbformat.v4.new_code_cell(colab.setup_cell_source()),
        nbformat.v4.new_code_cell("print(2)", outputs=[nbformat.v4.new_output("stream", text="2\n")]),
        nbformat.v4.new_code_cell(
            "print('valor de x')", outputs=[nbformat.v4.new_output("stream", text="valor de x\n")]
        ),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_an_edition_localises_the_colab_cells_and_stores_no_outputs(tmp_path):
    from fcn_course.instructor.editions import edition
    from fcn_course.instructor.translation import template

    solution = _solution_with_colab_cells_and_outputs()
    catalog = template(solution, "01_demo", "en")
    catalog["'valor de x'"].string = "'value of x'"
    path = catalogue_path(tmp_path, "en", "01_demo")
    write_catalogue(catalog, path)
    translated, student = edition(solution, "01_demo", "en", tmp_path)
    assert "notebooks/en/01_demo.ipynb" in translated.cells[0].source  # the badge opens the English notebook
    assert "'FCN_COURSE_LANG'] = 'en'" in translated.cells[1].source
    assert solution.cells[2].outputs and not translated.cells[2].outputs and not translated.cells[3].outputs
    assert translated.cells[3].source == "print('value of x')"
    assert all(not cell.get("outputs") for cell in student.cells if cell.cell_type == "code")
    assert "solutions/locale/en/01_demo.po" in translated.cells[0].source  # the solution says it is generated


def test_a_missing_notebook_catalogue_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.editions import edition
    from fcn_course.instructor.translation import TranslationError
    from helpers import raised_in_each_language

    portuguese, english = raised_in_each_language(TranslationError, edition, None, "01_demo", "en", tmp_path)
    assert "01_demo.po não existe: rode `python -m fcn_course.instructor translations --lang en`" in portuguese
    assert "01_demo.po is missing: run `python -m fcn_course.instructor translations --lang en`" in english
