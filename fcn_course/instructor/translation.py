"""Translations of the notebooks' prose: the code exists once, each language supplies its words.

The course is written in Brazilian Portuguese (``messages.DEFAULT_LANGUAGE``). Every other language of a
notebook lives in a gettext catalogue, ``solutions/locale/<language>/<notebook>.po``: one entry per *unit*
of prose, whose ``msgid`` is the Portuguese text and ``msgstr`` its translation. Why gettext: it is the
translation workflow Sphinx uses, every translation editor (Poedit, Weblate, Lokalize) opens its files, and
Babel (already installed with Sphinx) reads, writes and merges them: when a Portuguese cell changes, the
merge keeps the old translation marked *fuzzy* (stale) beside the new text, so a translator sees what to
revisit, and ``check`` fails until they do.

The units of a notebook (:func:`units`):

* a Markdown cell: its whole text (the Colab badge excepted: the build writes it in each language);
* in a code cell, what a student reads that is not code: a comment (consecutive full-line comments at one
  indentation are one unit), the text after ``### BEGIN SOLUTION:`` and ``### DICA:``, the comment at the
  end of an ``### ESQUELETO:`` line (or the whole line when it is only a comment), and a string literal with
  prose in it (two words or more and a space, or a letter outside ASCII), as written in the code, quotes
  included. A unit whose translation is itself (a printed
  line already in English) is translated by copying it.

The Colab set-up cell is written by the build in each language (``colab.setup_cell_source``); it also sets
the notebook's language, so the self-checks of an English notebook answer in English.

``python -m fcn_course.instructor translations --lang en`` writes the catalogues (new units empty, changed
ones fuzzy); ``build`` writes ``notebooks/<language>/`` and ``solutions/notebooks/<language>/`` from them;
``check`` fails on a missing or stale translation.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from fcn_course.instructor.markers import BEGIN_MARKER, END_MARKER, HINT_MARKER, SKELETON_MARKER
from fcn_course.instructor.pairs import LOCALE_DIR
from fcn_course import messages
from fcn_course.messages import DEFAULT_LANGUAGE, known_language

WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more
# Comments that are instructions to tools, not prose: kept as they are.
TOOL_COMMENT = re.compile(r"^#\s*(NBVAL_\w+|noqa\b|type:|fmt:|pragma\b|%%)")


class TranslationError(ValueError):
    """A catalogue is missing, unreadable, or lacks translations (the message says which and how to fix)."""


@dataclass(frozen=True)
class Unit:
    """One piece of prose of a cell: ``text`` (what the catalogue's msgid holds) at ``start``..``end`` of
    the cell's source, and how a translation is written back there (``render``)."""

    text: str
    start: int
    end: int
    comment_prefix: str = ""  # a run of full-line comments: "<indent># ", written before each line but the first

    def render(self, translation: str) -> str:
        if not self.comment_prefix:
            return translation
        lines = translation.splitlines() or [""]
        return "# " + ("\n" + self.comment_prefix).join(lines)


def catalogue_path(repo_root, language: str, notebook: str) -> Path:
    return Path(repo_root) / LOCALE_DIR / language / f"{notebook}.po"


def translated_languages(repo_root) -> list:
    """The languages with a folder in ``solutions/locale`` (in ``messages.LANGUAGES``' order); a
    TranslationError for a folder that is not a language of the message catalogue."""
    folder = Path(repo_root) / LOCALE_DIR
    if not folder.is_dir():
        return []
    found = sorted(path.name for path in folder.iterdir() if path.is_dir())
    unknown = [name for name in found if name not in messages.LANGUAGES or name == DEFAULT_LANGUAGE]
    if unknown:
        raise TranslationError(
            messages.text(
                "translation.unknown_folders",
                folder=folder,
                unknown=", ".join(unknown),
                default=DEFAULT_LANGUAGE,
                languages=", ".join(messages.LANGUAGES),
            )
        )
    return [name for name in messages.LANGUAGES if name in found]


# --------------------------------------------------------------------------------------------------
# Units: where the prose of a cell is
# --------------------------------------------------------------------------------------------------
def units(cell) -> list:
    """The units of prose of ``cell``, in the order they appear (see the module's docstring)."""
    from fcn_course.instructor.colab_cells import is_badge_cell, is_setup_cell

    if is_badge_cell(cell) or is_setup_cell(cell):
        return []
    if cell.cell_type == "markdown":
        return [Unit(cell.source, 0, len(cell.source))] if cell.source.strip() else []
    if cell.cell_type != "code":
        return []
    found = _comment_units(cell.source) + _string_units(cell.source)
    return sorted(found, key=lambda unit: unit.start)


def _offsets(source: str) -> list:
    """Character offset of the start of each line (1-based line numbers index it as ``offsets[line - 1]``)."""
    offsets, total = [], 0
    for line in source.splitlines(keepends=True):
        offsets.append(total)
        total += len(line)
    offsets.append(total)
    return offsets


def _comments(source: str) -> list:
    """``(line, column, text, whole line?)`` of every comment token; [] when the cell does not tokenize (magics)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    lines = source.splitlines()
    found = []
    for token in tokens:
        if token.type == tokenize.COMMENT:
            line, column = token.start
            full_line = not lines[line - 1][:column].strip()
            found.append((line, column, token.string, full_line))
    return found


def _marker_unit(text: str, start: int):
    """The unit inside a solution-marker comment, or None (END, or a skeleton line without a comment)."""
    for marker in (BEGIN_MARKER + ":", HINT_MARKER):
        if text.startswith(marker):
            body = text[len(marker) :]
            stripped = body.strip()
            if not stripped:
                return None
            offset = start + len(marker) + body.index(stripped)
            return Unit(stripped, offset, offset + len(stripped))
    if text.startswith(SKELETON_MARKER):
        code = text[len(SKELETON_MARKER) :]
        if code.strip().startswith("# "):  # a skeleton line that is only a comment
            comment_at = code.index("# ") + 2
        elif "  # " in code:  # code, then a comment
            comment_at = code.index("  # ") + 4
        else:
            return None
        comment = code[comment_at:].strip()
        offset = start + len(SKELETON_MARKER) + comment_at
        return Unit(comment, offset, offset + len(comment)) if comment else None
    return None


def _comment_units(source: str) -> list:
    offsets = _offsets(source)
    result, run = [], []

    def close_run():
        if run:
            first, last = run[0], run[-1]
            start = offsets[first[0] - 1] + first[1]
            end = offsets[last[0] - 1] + last[1] + len(last[2])
            prefix = " " * first[1] + "# "
            result.append(Unit("\n".join(_comment_text(item[2]) for item in run), start, end, prefix))
            run.clear()

    for line, column, text, full_line in _comments(source):
        start = offsets[line - 1] + column
        if text.startswith("###") and (text.startswith((BEGIN_MARKER, END_MARKER, HINT_MARKER, SKELETON_MARKER))):
            close_run()
            unit = _marker_unit(text, start)
            if unit is not None:
                result.append(unit)
            continue
        if TOOL_COMMENT.match(text) or not _comment_text(text).strip():
            close_run()
            continue
        if not full_line:
            close_run()
            body = _comment_text(text)
            offset = start + text.index(body)
            result.append(Unit(body, offset, offset + len(body)))
            continue
        if run and not (line == run[-1][0] + 1 and column == run[-1][1]):
            close_run()
        run.append((line, column, text))
    close_run()
    return result


def _comment_text(comment: str) -> str:
    """A comment without its ``#`` and the one space after it."""
    body = comment[1:]
    return body[1:] if body.startswith(" ") else body


def _string_units(source: str) -> list:
    """String literals (f-strings whole) with prose in them, as written in the source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    offsets = _offsets(source)
    inside_fstrings = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)
    }
    result = []
    for node in ast.walk(tree):
        literal = isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings
        )
        if not literal or not hasattr(node, "end_lineno"):
            continue
        start = _char_offset(source, offsets, node.lineno, node.col_offset)
        end = _char_offset(source, offsets, node.end_lineno, node.end_col_offset)
        written = source[start:end]
        if _is_prose(_literal_words(node)):
            result.append(Unit(written, start, end))
    return result


def _is_prose(value: str) -> bool:
    """Words for a reader: two words or more with a space between, or a letter outside ASCII ("época")."""
    two_words = len(WORD.findall(value)) >= 2 and any(char.isspace() for char in value)
    return two_words or any(char.isalpha() and not char.isascii() for char in value)


def _literal_words(node) -> str:
    """The constant text of a literal (the fixed parts of an f-string)."""
    if isinstance(node, ast.JoinedStr):
        return " ".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return node.value


def _char_offset(source: str, offsets: list, line: int, utf8_column: int) -> int:
    """ast's (line, UTF-8 byte column) as a character offset into ``source``."""
    line_text = source[offsets[line - 1] : offsets[line]]
    return offsets[line - 1] + len(line_text.encode("utf-8")[:utf8_column].decode("utf-8", errors="ignore"))


# --------------------------------------------------------------------------------------------------
# Catalogues
# --------------------------------------------------------------------------------------------------
def template(nb, notebook: str, language: str) -> Catalog:
    """A catalogue with every unit of ``nb`` and no translation (what gettext calls a POT)."""
    catalog = Catalog(
        locale=_babel_locale(language),
        project="fcn-course",
        fuzzy=False,
        header_comment=(
            f"# The {language} translation of the prose of the course notebook {notebook}.\n"
            f"# Written by `python -m fcn_course.instructor translations --lang {language}`: translate each empty\n"
            f"# msgstr, revisit each fuzzy entry (then delete its fuzzy flag), and run the build.\n"
            f"# The README's \"Translations\" section says what a unit is and how code pieces are written."
        ),
    )
    catalog.language_team = catalog.last_translator = ""
    for index, cell in enumerate(nb.cells):
        for unit in units(cell):
            if unit.text in catalog:
                catalog[unit.text].locations.append((notebook, index))
            else:
                catalog.add(unit.text, locations=[(notebook, index)])
    return catalog


def _babel_locale(language: str):
    """The language as a Babel locale, or None for a language Babel does not know (a test's fake one)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None
    return language


def read_catalogue(path: Path) -> Catalog:
    try:
        with open(path, "rb") as handle:
            return read_po(handle, abort_invalid=True)
    except OSError as error:
        raise TranslationError(messages.text("translation.unreadable", path=path, error=error)) from None
    except Exception as error:  # babel's PoFileError and friends: the file is not a valid .po
        raise TranslationError(messages.text("translation.invalid", path=path, error=error)) from None


def merged(existing, fresh: Catalog) -> Catalog:
    """``fresh``'s units with ``existing``'s translations: kept where the text is the same, marked fuzzy
    (stale) where Babel finds a close old text, empty where it is new; old units become obsolete."""
    if existing is None:
        return fresh
    result = copy.deepcopy(existing)
    created = existing.creation_date
    result.update(fresh, update_header_comment=False)
    result.creation_date = created  # a merge that changes no unit leaves the file as it was
    return result


def write_catalogue(catalog: Catalog, path: Path) -> bool:
    """Write ``catalog`` to ``path`` (True when the file changed)."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False, include_previous=True)
    data = buffer.getvalue()
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


@dataclass
class Coverage:
    """How complete one notebook's catalogue is for its current units."""

    notebook: str
    language: str
    total: int
    missing: list  # unit texts without a translation
    stale: list  # unit texts whose translation is fuzzy (the Portuguese changed since)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.stale

    def problem(self, path) -> str:
        first = (self.stale or self.missing)[0].splitlines()[0][:80]
        return (
            f"{path}: {len(self.missing)} of {self.total} unit(s) untranslated and {len(self.stale)} stale "
            f"(the Portuguese changed since they were translated), e.g. {first!r}. Run "
            f"`python -m fcn_course.instructor translations --lang {self.language}`, translate the empty and "
            f"fuzzy entries of that file (and remove their fuzzy flag), then build."
        )


def coverage(nb, notebook: str, language: str, catalog) -> Coverage:
    """Which units of ``nb`` lack a translation in ``catalog`` (None: no catalogue yet)."""
    fresh = template(nb, notebook, language)
    current = merged(catalog, fresh)
    missing, stale = [], []
    for message in current:
        if not message.id:
            continue
        if message.fuzzy:
            stale.append(message.id)
        elif not message.string:
            missing.append(message.id)
    return Coverage(notebook, language, len(fresh) - (1 if "" in fresh else 0), missing, stale)


def translate_notebook(nb, catalog: Catalog, notebook: str, language: str):
    """A copy of ``nb`` with every unit replaced by its translation; TranslationError when one is missing
    or stale (nothing half-translated is ever written)."""
    found = coverage(nb, notebook, language, catalog)
    if not found.complete:
        raise TranslationError(found.problem(f"the {language} catalogue of {notebook}"))
    out = copy.deepcopy(nb)
    for cell in out.cells:
        pieces = units(cell)
        source = cell.source
        for unit in reversed(pieces):
            translation = catalog[unit.text].string
            source = source[: unit.start] + unit.render(translation) + source[unit.end :]
        cell.source = source
    return out


def update_catalogues(repo_root, language: str, notebooks) -> list:
    """Write ``solutions/locale/<language>/<notebook>.po`` for each ``(notebook, solution nb)`` pair: new
    units empty, changed ones fuzzy. Returns the :class:`Coverage` of each, after the update."""
    language = known_language(language)
    if language == DEFAULT_LANGUAGE:
        raise TranslationError(messages.text("translation.source_language_notebooks", default=DEFAULT_LANGUAGE))
    report = []
    for notebook, nb in notebooks:
        path = catalogue_path(repo_root, language, notebook)
        existing = read_catalogue(path) if path.exists() else None
        catalog = merged(existing, template(nb, notebook, language))
        write_catalogue(catalog, path)
        report.append(coverage(nb, notebook, language, catalog))
    return report
