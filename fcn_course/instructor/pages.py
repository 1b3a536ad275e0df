"""The students' Markdown pages in each translated language: their README and the reference page.

``notebooks/README.md`` (the students' guide, the release's README) and ``notebooks/referencia.md`` (the
formulas and glossary every notebook links to) are written in Portuguese, like the notebooks. For every
translated language (a folder in ``solutions/locale``, ``translation.translated_languages``) each page has a
gettext catalogue, ``solutions/locale/<language>/pages/<page stem>.po`` (``pages/README.po``,
``pages/referencia.po``), made and merged by the notebooks' own functions (``translation.template``,
``merged``, ``coverage``, ``write_catalogue``): a page is read as a notebook of Markdown cells, one per unit.

The units of a page (:func:`page_units`) are its Markdown blocks, which blank lines separate: a heading, a
paragraph, a list, a table; a fenced code block (``` or ~~~) is one unit, whole, blank lines included. The
blank lines between units are kept as they are.

The build writes ``notebooks/<language>/<page>``, under the Portuguese file name (the translated notebooks
link ``referencia.md`` in their own folder), with a provenance comment on top; a page whose catalogue is
missing, lacks a translation or holds a stale (fuzzy) one is not written (SKIPPED, with the fix), and a page
edited by hand is kept unless forced, as the notebooks are. ``check`` reports both, and a written page that
differs from what the build would write. ``translations --lang <language>`` updates the page catalogues
with the notebooks' ones (``editions.update_translations``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from fcn_course.instructor.pairs import STUDENT_DIR
from fcn_course.instructor.pipeline import BUILD_COMMAND
from fcn_course.instructor.translation import (
    TranslationError,
    Unit,
    catalogue_path,
    coverage,
    merged,
    read_catalogue,
    template,
    translate_notebook,
    translated_languages,
    write_catalogue,
)
from fcn_course import messages
from fcn_course.messages import DEFAULT_LANGUAGE, known_language

STUDENT_PAGES = ("README.md", "referencia.md")  # in STUDENT_DIR; each edition keeps the file names
PAGES_CATALOGUES = "pages"  # solutions/locale/<language>/pages/<page stem>.po
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def page_units(text: str) -> list:
    """The Markdown blocks of ``text``, as :class:`translation.Unit` (text and where it is)."""
    found, start, offset, fence = [], None, 0, None

    def close(end):
        nonlocal start
        if start is not None:
            found.append(_unit(text, start, end))
            start = None

    for line in text.splitlines(keepends=True):
        if fence is not None:  # inside a fenced block: everything belongs to it, up to its closing fence
            if re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
                fence = None
                close(offset + len(line))
        elif not line.strip():
            close(offset)
        else:
            opening = FENCE.match(line)
            if opening:
                close(offset)  # a fence starts a unit of its own, even right after a paragraph
                fence = opening.group(1)
            if start is None:
                start = offset
        offset += len(line)
    close(offset)
    return found


def _unit(text: str, start: int, end: int) -> Unit:
    """The unit at ``text[start:end]`` without its trailing white space."""
    end = start + len(text[start:end].rstrip())
    return Unit(text[start:end], start, end)


def _page_notebook(text: str):
    """``text`` as a notebook of Markdown cells, one per unit: what the catalogue functions read."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(unit.text) for unit in page_units(text)])


def catalogue_name(page: str) -> str:
    """The catalogue's name for ``translation.catalogue_path``: ``pages/<page stem>``."""
    return f"{PAGES_CATALOGUES}/{Path(page).stem}"


def page_catalogue_path(repo_root, language: str, page: str) -> Path:
    return catalogue_path(repo_root, language, catalogue_name(page))


def page_template(text: str, page: str, language: str):
    """A catalogue with every unit of the page ``text`` (``page``: its file name) and no translation."""
    catalog = template(_page_notebook(text), catalogue_name(page), language)
    catalog.header_comment = (
        f"# The {language} translation of the course page {(STUDENT_DIR / page).as_posix()}, one entry per "
        f"Markdown block.\n"
        f"# Written by `python -m fcn_course.instructor translations --lang {language}`: translate each empty\n"
        f"# msgstr, revisit each fuzzy entry (then delete its fuzzy flag), and run the build."
    )
    where = (STUDENT_DIR / page).as_posix()
    for message in catalog:
        if message.id:
            message.locations = [(where, index + 1) for _, index in message.locations]  # block 1, 2, ...
    return catalog


def page_coverage(text: str, page: str, language: str, catalog):
    """``translation.Coverage`` of the page (its ``notebook`` is the catalogue name, ``pages/<stem>``)."""
    return coverage(_page_notebook(text), catalogue_name(page), language, catalog)


def translate_page(text: str, catalog, page: str, language: str) -> str:
    """``text`` with every unit replaced by its translation; TranslationError when one is missing or stale."""
    translated = translate_notebook(_page_notebook(text), catalog, catalogue_name(page), language)
    for unit, cell in reversed(list(zip(page_units(text), translated.cells))):
        text = text[: unit.start] + cell.source + text[unit.end :]
    return text


def provenance(page: str, language: str) -> str:
    """The comment on top of a translated page: which files to edit instead."""
    source = (STUDENT_DIR / page).as_posix()
    catalogue = f"{catalogue_path('', language, catalogue_name(page)).as_posix()}"
    return f"<!-- generated from {source} and {catalogue}; edit those files, then run {BUILD_COMMAND} -->\n"


def edition_path(language: str, page: str) -> Path:
    """Where the build writes ``page`` in ``language``, relative to the repository."""
    return STUDENT_DIR / language / page


def page_edition(repo_root, page: str, language: str) -> str:
    """The text of ``page`` in ``language``, provenance included; TranslationError (with the fix) when its
    catalogue is missing or incomplete."""
    path = page_catalogue_path(repo_root, language, page)
    if not path.is_file():
        raise TranslationError(messages.text("translation.catalogue_missing", path=path, edition=language))
    text = (Path(repo_root) / STUDENT_DIR / page).read_text(encoding="utf-8")
    catalog = read_catalogue(path)
    found = page_coverage(text, page, language, catalog)
    if not found.complete:
        raise TranslationError(found.problem(path))
    return provenance(page, language) + translate_page(text, catalog, page, language)


def course_pages(repo_root) -> list:
    """The names of :data:`STUDENT_PAGES` that the repository has (a tiny test course may have none)."""
    return [page for page in STUDENT_PAGES if (Path(repo_root) / STUDENT_DIR / page).is_file()]


def page_editions(repo_root) -> dict:
    """``{(language, page): text or TranslationError}`` for every translated language and course page."""
    found = {}
    for language in translated_languages(repo_root):
        for page in course_pages(repo_root):
            try:
                found[language, page] = page_edition(repo_root, page, language)
            except TranslationError as error:
                found[language, page] = error
    return found


def page_problems(repo_root) -> list:
    """What ``check`` reports for the pages' editions: incomplete catalogues, pages missing or out of date."""
    repo_root = Path(repo_root)
    problems = []
    for (language, page), made in page_editions(repo_root).items():
        if isinstance(made, TranslationError):
            problems.append(str(made))
            continue
        path = repo_root / edition_path(language, page)
        if not path.is_file():
            problems.append(messages.text("sync.file_missing", path=path))
        elif path.read_text(encoding="utf-8") != made:
            catalogue = page_catalogue_path(repo_root, language, page).relative_to(repo_root).as_posix()
            problems.append(
                messages.text("sync.page_differs", path=path, page=(STUDENT_DIR / page).as_posix(), catalogue=catalogue)
            )
    return problems


def update_page_catalogues(repo_root, language: str) -> list:
    """Write each course page's catalogue in ``language`` (new units empty, changed ones fuzzy, translations
    kept); the ``Coverage`` of each, after the update."""
    language = known_language(language)
    if language == DEFAULT_LANGUAGE:
        raise TranslationError(messages.text("translation.source_language_pages", default=DEFAULT_LANGUAGE))
    report = []
    for page in course_pages(repo_root):
        text = (Path(repo_root) / STUDENT_DIR / page).read_text(encoding="utf-8")
        path = page_catalogue_path(repo_root, language, page)
        existing = read_catalogue(path) if path.exists() else None
        catalog = merged(existing, page_template(text, page, language))
        write_catalogue(catalog, path)
        report.append(page_coverage(text, page, language, catalog))
    return report
