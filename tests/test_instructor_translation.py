"""Tests of fcn_course/instructor/translation.py: the units of prose of a cell and the gettext catalogues."""

from pathlib import Path

import nbformat
import pytest
from babel.messages.pofile import read_po

from fcn_course import colab
from fcn_course.instructor import translation
from fcn_course.instructor.pairs import jupytext_config, read_py_notebook, solution_sources
from fcn_course.instructor.pipeline import SOLUTION_SOURCE, transform
from fcn_course.instructor.translation import TranslationError, Unit, coverage, template, translate_notebook, units
from helpers import raised_in_each_language

REPO_ROOT = Path(__file__).resolve().parents[1]


def code(source):
    return nbformat.v4.new_code_cell(source)


def texts(cell):
    return [unit.text for unit in units(cell)]


def test_a_markdown_cell_is_one_unit_and_an_empty_one_none():
    cell = nbformat.v4.new_markdown_cell("## Título\n\nUm parágrafo.")
    assert texts(cell) == ["## Título\n\nUm parágrafo."]
    assert units(nbformat.v4.new_markdown_cell("  \n")) == []


def test_the_colab_cells_are_written_by_the_build_in_each_language_not_translated():
    badge = nbformat.v4.new_markdown_cell(colab.badge_markdown("01_demo"))
    setup = code(colab.setup_cell_source(language="en"))
    assert units(badge) == [] and units(setup) == []


def test_consecutive_full_line_comments_at_one_indentation_are_one_unit():
    cell = code("# primeira linha\n# segunda linha\nx = 1\n    # outro bloco\n")
    assert texts(cell) == ["primeira linha\nsegunda linha", "outro bloco"]


def test_a_trailing_comment_is_a_unit_of_its_own():
    cell = code("# título\nx = 1  # o valor inicial\n")
    assert texts(cell) == ["título", "o valor inicial"]


def test_solution_marker_texts_and_the_comment_after_a_skeleton_line_are_units():
    cell = code(
        "def f(x):\n"
        "    ### BEGIN SOLUTION: devolva o dobro\n"
        "    ### DICA: multiplique por dois\n"
        "    ### ESQUELETO: y = ...  # o dobro de x\n"
        "    ### ESQUELETO: return y\n"
        "    return 2 * x\n"
        "    ### END SOLUTION\n"
    )
    assert texts(cell) == ["devolva o dobro", "multiplique por dois", "o dobro de x"]


def test_prose_strings_are_units_as_written_and_code_strings_are_not():
    cell = code(
        'plt.title("rótulo")\n'
        'print(f"melhor época: {epoch}")\n'
        'F.interpolate(x, mode="bilinear")\n'
        "d = {'lr': 1}\n"
        "print('pixel accuracy:', acc)\n"
    )
    assert texts(cell) == ['"rótulo"', 'f"melhor época: {epoch}"', "'pixel accuracy:'"]


def test_tool_comments_and_empty_comments_are_left_alone():
    cell = code("# NBVAL_CHECK_OUTPUT\nx = 1  # noqa: E501\n#\nprint(x)\n")
    assert units(cell) == []


def test_a_cell_that_does_not_parse_gives_its_comments_only_when_it_tokenizes():
    assert texts(code("%matplotlib inline\n# um comentário\n")) == ["um comentário"]


def test_a_unit_is_written_back_in_place_and_a_comment_run_keeps_its_indentation():
    source = "if True:\n    # uma\n    # duas\n    x = 'um dois'  # fim\n"
    cell = code(source)
    found = units(cell)
    assert [source[unit.start : unit.end] for unit in found] == ["# uma\n    # duas", "'um dois'", "fim"]
    assert found[0].render("one\ntwo\nthree") == "# one\n    # two\n    # three"
    assert Unit("x", 0, 1).render("y") == "y"


def _solution_notebooks():
    config = jupytext_config(REPO_ROOT)
    for source in solution_sources(REPO_ROOT):
        yield source.stem, transform(read_py_notebook(source, config), SOLUTION_SOURCE, source.stem, REPO_ROOT)


def identity(catalog):
    for message in catalog:
        if message.id:
            message.string = message.id
    return catalog


def test_an_identity_catalogue_gives_back_every_course_notebook_exactly():
    for name, nb in _solution_notebooks():
        translated = translate_notebook(nb, identity(template(nb, name, "en")), name, "en")
        assert [cell.source for cell in translated.cells] == [cell.source for cell in nb.cells], name


def test_a_translation_replaces_each_unit_and_leaves_the_code():
    nb = nbformat.v4.new_notebook(
        cells=[code("# calcula\nx = 1  # um\nprint('valor de x', x)\n"), nbformat.v4.new_markdown_cell("Olá")]
    )
    catalog = template(nb, "demo", "en")
    for message, english in zip([m for m in catalog if m.id], ["computes", "one", "'value of x'", "Hello"]):
        message.string = english
    out = translate_notebook(nb, catalog, "demo", "en")
    assert out.cells[0].source == "# computes\nx = 1  # one\nprint('value of x', x)\n"
    assert out.cells[1].source == "Hello"
    assert nb.cells[1].source == "Olá"  # the input is not modified


def test_a_missing_translation_is_refused_with_the_command_that_fixes_it():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Olá"), nbformat.v4.new_markdown_cell("Tchau")])
    catalog = template(nb, "demo", "en")
    catalog["Olá"].string = "Hello"
    with pytest.raises(TranslationError, match=r"1 of 2 unit\(s\) untranslated.*translations --lang en"):
        translate_notebook(nb, catalog, "demo", "en")


def _write_course(repo, markdown):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text) for text in markdown])
    return [("demo", nb)]


def test_update_keeps_translations_marks_changed_text_stale_and_rewrites_nothing_when_nothing_changed(tmp_path):
    first = _write_course(tmp_path, ["O primeiro parágrafo do notebook.", "Fim."])
    [report] = translation.update_catalogues(tmp_path, "en", first)
    path = translation.catalogue_path(tmp_path, "en", "demo")
    assert len(report.missing) == 2 and path.is_file()

    catalog = read_catalogue_file(path)
    catalog["O primeiro parágrafo do notebook."].string = "The notebook's first paragraph."
    catalog["Fim."].string = "The end."
    translation.write_catalogue(catalog, path)
    before = path.read_bytes()
    [report] = translation.update_catalogues(tmp_path, "en", first)
    assert report.complete and path.read_bytes() == before

    changed = _write_course(tmp_path, ["O primeiro parágrafo deste notebook.", "Fim."])
    [report] = translation.update_catalogues(tmp_path, "en", changed)
    assert report.stale == ["O primeiro parágrafo deste notebook."] and not report.missing
    stale = read_catalogue_file(path)["O primeiro parágrafo deste notebook."]
    assert stale.fuzzy and stale.string == "The notebook's first paragraph."  # the old translation kept
    assert "stale" in report.problem(path) and str(path) in report.problem(path)


def read_catalogue_file(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_coverage_without_a_catalogue_counts_every_unit_missing():
    [(name, nb)] = _write_course(None, ["Um.", "Dois."])
    found = coverage(nb, name, "en", None)
    assert found.total == 2 and len(found.missing) == 2 and not found.complete


def test_the_language_of_the_notebooks_themselves_has_nothing_to_translate(tmp_path):
    with pytest.raises(TranslationError, match="pt_BR é a língua em que os notebooks são escritos"):
        translation.update_catalogues(tmp_path, "pt_BR", [])


def test_a_locale_folder_that_is_not_a_catalogue_language_is_a_clear_error(tmp_path):
    (tmp_path / "solutions/locale/en").mkdir(parents=True)
    assert translation.translated_languages(tmp_path) == ["en"]
    (tmp_path / "solutions/locale/klingon").mkdir()
    with pytest.raises(TranslationError, match="klingon.*fcn_course/messages/<língua>.py"):
        translation.translated_languages(tmp_path)


def test_an_invalid_catalogue_file_is_named_in_the_error(tmp_path):
    path = tmp_path / "broken.po"
    path.write_text('msgid "a"\nmsgtxt "b"\n', encoding="utf-8")  # a misspelt keyword
    with pytest.raises(TranslationError, match="broken.po"):
        translation.read_catalogue(path)


def test_a_skeleton_line_that_is_only_a_comment_is_a_unit():
    cell = code(
        "def f():\n    ### BEGIN SOLUTION\n    ### ESQUELETO: # no fim, converta para float32\n    pass\n    ### END SOLUTION\n"
    )
    [unit] = units(cell)
    assert unit.text == "no fim, converta para float32"
    assert cell.source[unit.start : unit.end] == unit.text


def test_a_prose_string_may_have_one_letter_words_between_its_words():
    cell = code('ax.set(title=f"{name} contra a AlexNet", xlabel="epoch")\n')
    assert texts(cell) == ['f"{name} contra a AlexNet"']


# --------------------------------------------------------------------------------------------------
# What stops a translation is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_locale_folder_of_no_language_is_said_in_the_course_language(tmp_path):
    (tmp_path / "solutions" / "locale" / "xx").mkdir(parents=True)
    portuguese, english = raised_in_each_language(TranslationError, translation.translated_languages, tmp_path)
    assert "tem a(s) pasta(s) xx, que não são línguas do catálogo" in portuguese
    assert "has folder(s) xx, which are not languages of the message catalogue" in english


def test_a_catalogue_that_cannot_be_read_is_said_in_the_course_language(tmp_path):
    portuguese, english = raised_in_each_language(TranslationError, translation.read_catalogue, tmp_path)
    assert "não consigo ler o catálogo de tradução" in portuguese
    assert "cannot read the translation catalogue" in english
    broken = tmp_path / "en.po"
    broken.write_text('msgid "a"\nmsgstr "b"\nmsgid\n', encoding="utf-8")
    portuguese, english = raised_in_each_language(TranslationError, translation.read_catalogue, broken)
    assert "não é um catálogo gettext válido" in portuguese
    assert "is not a valid gettext catalogue" in english


def test_translating_the_source_language_is_said_in_the_course_language(tmp_path):
    update = translation.update_catalogues
    portuguese, english = raised_in_each_language(TranslationError, update, tmp_path, "pt_BR", [])
    assert "pt_BR é a língua em que os notebooks são escritos" in portuguese and "--lang" in portuguese
    assert "pt_BR is the language the notebooks are written in" in english and "--lang" in english


def test_a_course_outline_mismatch_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.pairs import CourseLayoutError

    (tmp_path / "solutions" / "notebooks").mkdir(parents=True)
    portuguese, english = raised_in_each_language(CourseLayoutError, solution_sources, tmp_path, ("01_demo",))
    assert "os notebooks de solução não correspondem ao roteiro do curso:\n  " in portuguese
    assert "the solution notebooks do not match the course outline:\n  " in english
