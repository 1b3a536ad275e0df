"""The students' Markdown pages in each translated language (``fcn_course.instructor.pages``).

A page's units are its Markdown blocks; its catalogue is ``solutions/locale/<language>/pages/<stem>.po``;
the build writes ``notebooks/<language>/<page>`` once the catalogue is complete; ``check`` reports a missing
or stale entry and a written page that drifted; ``translations`` writes the page catalogues too.
"""

from pathlib import Path

import pytest

from fcn_course.instructor.build import build
from fcn_course.instructor.editions import update_translations
from fcn_course.instructor.pages import (
    page_catalogue_path,
    page_problems,
    page_template,
    page_units,
    translate_page,
)
from fcn_course.instructor.sync import check_in_sync
from fcn_course.instructor.translation import TranslationError, read_catalogue, write_catalogue
from fcn_course.messages import text
from fcn_course.outline import COURSE_NOTEBOOKS
from helpers import raised_in_each_language
from tiny_course import NOTEBOOK_01, TINY_OUTLINE, make_repo, snapshot

ROOT = Path(__file__).resolve().parent.parent

PAGE = """# Referência

Uma página para deixar aberta
ao lado dos notebooks.

## Formas

- lote de imagens: `[B, 3, H, W]`
- máscara de rótulos
  (inteiros)

| o quê | forma |
|---|---|
| lote | `[B, 3, H, W]` |


```bash
# instale o curso

pip install -e .
```
Texto logo depois do bloco.
"""

BLOCKS = [
    "# Referência",
    "Uma página para deixar aberta\nao lado dos notebooks.",
    "## Formas",
    "- lote de imagens: `[B, 3, H, W]`\n- máscara de rótulos\n  (inteiros)",
    "| o quê | forma |\n|---|---|\n| lote | `[B, 3, H, W]` |",
    "```bash\n# instale o curso\n\npip install -e .\n```",
    "Texto logo depois do bloco.",
]

ENGLISH = {
    "# Referência": "# Reference",
    "Uma página para deixar aberta\nao lado dos notebooks.": "A page to keep open\nnext to the notebooks.",
    "## Formas": "## Shapes",
    "- lote de imagens: `[B, 3, H, W]`\n- máscara de rótulos\n  (inteiros)": (
        "- batch of images: `[B, 3, H, W]`\n- label mask\n  (integers)"
    ),
    "| o quê | forma |\n|---|---|\n| lote | `[B, 3, H, W]` |": "| what | shape |\n|---|---|\n| batch | `[B, 3, H, W]` |",
    "```bash\n# instale o curso\n\npip install -e .\n```": "```bash\n# install the course\n\npip install -e .\n```",
    "Texto logo depois do bloco.": "Text right after the block.",
}

PAGE_EN = """# Reference

A page to keep open
next to the notebooks.

## Shapes

- batch of images: `[B, 3, H, W]`
- label mask
  (integers)

| what | shape |
|---|---|
| batch | `[B, 3, H, W]` |


```bash
# install the course

pip install -e .
```
Text right after the block.
"""

README = "# Curso\n\nBem-vindo ao curso.\n\nLeia a [referência](referencia.md).\n"
README_EN = {
    "# Curso": "# Course",
    "Bem-vindo ao curso.": "Welcome to the course.",
    "Leia a [referência](referencia.md).": "Read the [reference page](referencia.md).",
}


def provenance(page: str) -> str:
    stem = page.removesuffix(".md")
    return (
        f"<!-- generated from notebooks/{page} and solutions/locale/en/pages/{stem}.po; edit those files, "
        f"then run python -m fcn_course.instructor build -->\n"
    )


def fill(path: Path, translations=None) -> None:
    """Translate every entry of the catalogue at ``path`` (from ``translations``, else by copying it) and
    clear its fuzzy flags, as a translator would."""
    catalog = read_catalogue(path)
    for message in catalog:
        if message.id:
            message.string = (translations or {}).get(message.id, message.id)
            message.flags.discard("fuzzy")
            message.previous_id = []
    write_catalogue(catalog, path)


def repo_with_pages(tmp_path, notebooks=None) -> Path:
    repo = make_repo(tmp_path, notebooks)
    (repo / "notebooks").mkdir(exist_ok=True)
    (repo / "notebooks" / "README.md").write_text(README, encoding="utf-8")
    (repo / "notebooks" / "referencia.md").write_text(PAGE, encoding="utf-8")
    return repo


def translated_repo(tmp_path) -> Path:
    """A tiny repository whose English catalogues (the notebook's and both pages') are complete."""
    repo = repo_with_pages(tmp_path)
    update_translations(repo, "en", names=TINY_OUTLINE)
    fill(repo / "solutions/locale/en/01_demo.po")
    fill(page_catalogue_path(repo, "en", "README.md"), README_EN)
    fill(page_catalogue_path(repo, "en", "referencia.md"), ENGLISH)
    return repo


# --------------------------------------------------------------------------------------------------
# Units and translation of one page
# --------------------------------------------------------------------------------------------------
def test_the_units_of_a_page_are_its_markdown_blocks():
    """Headings, paragraphs, lists, tables: what blank lines separate; a fenced block is one unit, whole."""
    found = page_units(PAGE)
    assert [unit.text for unit in found] == BLOCKS
    assert all(PAGE[unit.start : unit.end] == unit.text for unit in found)


def test_a_page_without_blocks_has_no_units():
    assert page_units("") == [] and page_units("\n\n  \n") == []


def test_an_unclosed_fence_runs_to_the_end_of_the_page():
    assert [unit.text for unit in page_units("Antes.\n\n```\ncódigo\n\nmais código\n")] == [
        "Antes.",
        "```\ncódigo\n\nmais código",
    ]


def test_a_complete_catalogue_gives_the_translated_page_with_its_blank_lines():
    catalog = page_template(PAGE, "referencia.md", "en")
    assert [message.id for message in catalog if message.id] == BLOCKS
    assert catalog[BLOCKS[1]].locations == [("notebooks/referencia.md", 2)]  # the second block
    for message in catalog:
        if message.id:
            message.string = ENGLISH[message.id]
    assert translate_page(PAGE, catalog, "referencia.md", "en") == PAGE_EN


def test_a_page_with_an_untranslated_block_is_refused_with_the_fix():
    catalog = page_template(PAGE, "referencia.md", "en")
    for message in catalog:
        if message.id and message.id != "## Formas":
            message.string = ENGLISH[message.id]
    with pytest.raises(TranslationError, match=r"1 of 7 unit\(s\) untranslated.*translations --lang en"):
        translate_page(PAGE, catalog, "referencia.md", "en")


# --------------------------------------------------------------------------------------------------
# The translations command, the build and check
# --------------------------------------------------------------------------------------------------
def test_translations_writes_the_page_catalogues_beside_the_notebooks_one(tmp_path):
    repo = repo_with_pages(tmp_path)
    report = update_translations(repo, "en", names=TINY_OUTLINE)
    assert [found.notebook for found in report] == ["01_demo", "pages/README", "pages/referencia"]
    readme = page_catalogue_path(repo, "en", "README.md")
    assert readme == repo / "solutions/locale/en/pages/README.po"
    assert [message.id for message in read_catalogue(readme) if message.id] == list(README_EN)
    pages = report[1:]
    assert [(found.total, len(found.missing), found.complete) for found in pages] == [(3, 3, False), (7, 7, False)]
    before = snapshot(repo)
    update_translations(repo, "en", names=TINY_OUTLINE)
    assert snapshot(repo) == before  # nothing changed, nothing rewritten


def test_the_translations_command_lists_the_page_catalogues(tmp_path, monkeypatch, capsys):
    from fcn_course.instructor import __main__ as instructor_cli

    repo = repo_with_pages(tmp_path, {name: NOTEBOOK_01 for name in COURSE_NOTEBOOKS})
    monkeypatch.setattr(instructor_cli, "repo_root", lambda: repo)
    assert instructor_cli.main(["translations", "--lang", "en"]) == 1  # not translated yet
    out = capsys.readouterr().out
    assert "solutions/locale/en/pages/README.po: 3" in out and "solutions/locale/en/pages/referencia.po: 7" in out
    fill(page_catalogue_path(repo, "en", "README.md"), README_EN)
    fill(page_catalogue_path(repo, "en", "referencia.md"), ENGLISH)
    for name in COURSE_NOTEBOOKS:
        fill(repo / f"solutions/locale/en/{name}.po")
    assert instructor_cli.main(["translations", "--lang", "en"]) == 0


def test_build_writes_a_page_only_once_its_catalogue_is_complete(tmp_path):
    repo = repo_with_pages(tmp_path)
    update_translations(repo, "en", names=TINY_OUTLINE)
    fill(repo / "solutions/locale/en/01_demo.po")
    fill(page_catalogue_path(repo, "en", "README.md"), README_EN)

    report = build(repo, names=TINY_OUTLINE, quiet=True)
    english = repo / "notebooks" / "en"
    assert (english / "README.md").read_text(encoding="utf-8") == provenance("README.md") + (
        "# Course\n\nWelcome to the course.\n\nRead the [reference page](referencia.md).\n"
    )
    assert not (english / "referencia.md").exists()
    skipped = dict(report.skipped)
    assert list(skipped) == [english / "referencia.md"]
    assert "7 of 7 unit(s) untranslated" in skipped[english / "referencia.md"]
    assert "translations --lang en" in skipped[english / "referencia.md"]
    problems = check_in_sync(repo, TINY_OUTLINE)
    assert len(problems) == 1 and "solutions/locale/en/pages/referencia.po: 7 of 7" in problems[0]

    fill(page_catalogue_path(repo, "en", "referencia.md"), ENGLISH)
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert (english / "referencia.md").read_text(encoding="utf-8") == provenance("referencia.md") + PAGE_EN
    assert check_in_sync(repo, TINY_OUTLINE) == []
    before = snapshot(repo)
    assert build(repo, names=TINY_OUTLINE, quiet=True).written == []
    assert snapshot(repo) == before


def test_a_missing_page_catalogue_is_reported_with_the_command_to_run(tmp_path):
    repo = translated_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    page_catalogue_path(repo, "en", "README.md").unlink()
    problems = page_problems(repo)
    assert len(problems) == 1
    assert "solutions/locale/en/pages/README.po não existe" in problems[0]
    assert "translations --lang en" in problems[0]
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path.name for path, _ in report.skipped] == ["README.md"]


def test_a_changed_portuguese_block_makes_its_translation_stale_until_revisited(tmp_path):
    repo = translated_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    written = (repo / "notebooks/en/README.md").read_bytes()
    page = repo / "notebooks/README.md"
    page.write_text(README.replace("Bem-vindo ao curso.", "Bem-vindo ao nosso curso."), encoding="utf-8")

    problems = check_in_sync(repo, TINY_OUTLINE)
    assert len(problems) == 1 and "pages/README.po: 0 of 3 unit(s) untranslated and 1 stale" in problems[0]
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path.name for path, _ in report.skipped] == ["README.md"]
    assert (repo / "notebooks/en/README.md").read_bytes() == written  # the old page stays as it was

    update_translations(repo, "en", names=TINY_OUTLINE)
    catalog = read_catalogue(page_catalogue_path(repo, "en", "README.md"))
    stale = catalog["Bem-vindo ao nosso curso."]
    assert stale.fuzzy and stale.string == "Welcome to the course."  # the old translation, to revisit
    fill(page_catalogue_path(repo, "en", "README.md"), {**README_EN, "Bem-vindo ao nosso curso.": "Welcome!"})
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert "\nWelcome!\n" in (repo / "notebooks/en/README.md").read_text(encoding="utf-8")
    assert check_in_sync(repo, TINY_OUTLINE) == []


def test_check_reports_a_translated_page_that_differs_from_its_catalogue(tmp_path):
    repo = translated_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "notebooks/en/referencia.md").write_text("edited by hand\n", encoding="utf-8")
    (repo / "notebooks/en/README.md").unlink()
    problems = check_in_sync(repo, TINY_OUTLINE)
    assert len(problems) == 2
    assert problems[0] == text("sync.file_missing", path=repo / "notebooks/en/README.md")
    assert problems[1] == text(
        "sync.page_differs",
        path=repo / "notebooks/en/referencia.md",
        page="notebooks/referencia.md",
        catalogue="solutions/locale/en/pages/referencia.po",
    )


def test_a_page_edited_by_hand_is_never_overwritten_unless_forced(tmp_path):
    repo = translated_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    page = repo / "notebooks/en/referencia.md"
    page.write_text("edited by hand\n", encoding="utf-8")

    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path for path, _ in report.skipped] == [page]
    assert "pages/referencia.po" in dict(report.skipped)[page]  # where to move the change
    assert page.read_text(encoding="utf-8") == "edited by hand\n"

    report = build(repo, names=TINY_OUTLINE, force=True, quiet=True)
    assert report.ok and [path for path, _ in report.backups] == [page]
    assert report.backups[0][1].read_text(encoding="utf-8") == "edited by hand\n"
    assert page.read_text(encoding="utf-8") == provenance("referencia.md") + PAGE_EN


def test_without_a_translated_language_the_pages_are_left_alone(tmp_path):
    repo = repo_with_pages(tmp_path)
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert not (repo / "notebooks/en").exists()
    assert page_problems(repo) == [] and check_in_sync(repo, TINY_OUTLINE) == []


# --------------------------------------------------------------------------------------------------
# The course's own pages
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["README.md", "referencia.md"])
def test_the_course_pages_have_a_complete_english_edition(page):
    """The English notebooks link ``referencia.md`` in their own folder; the English README sits beside it."""
    assert page_catalogue_path(ROOT, "en", page).is_file()
    assert (ROOT / "notebooks" / "en" / page).is_file()
    assert page_problems(ROOT) == []


# --------------------------------------------------------------------------------------------------
# What stops a page's translation is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_missing_page_catalogue_and_the_source_language_are_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.pages import page_edition, update_page_catalogues

    portuguese, english = raised_in_each_language(TranslationError, page_edition, tmp_path, "referencia.md", "en")
    assert "referencia.po não existe: rode `python -m fcn_course.instructor translations --lang en`" in portuguese
    assert "referencia.po is missing: run `python -m fcn_course.instructor translations --lang en`" in english
    portuguese, english = raised_in_each_language(TranslationError, update_page_catalogues, tmp_path, "pt_BR")
    assert "pt_BR é a língua em que as páginas são escritas" in portuguese
    assert "pt_BR is the language the pages are written in" in english
