"""The message catalogue: every sentence a student or an instructor reads, looked up by a stable key.

Code never writes a student-facing sentence inline; it asks for one by key::

    from fcn_course.messages import text
    print(text("checks.all_right", title=title))

Why a catalogue: one place to review the course's wording, machine values (statuses, CSV columns) that stay
the same whatever the language, and a second language added as one more catalogue file without touching code.
Each language is a module of this package holding a ``MESSAGES`` dict (``pt_BR`` and ``en``), named in
:data:`LANGUAGES`; keys are ``area.name`` in English, values are ``str.format`` templates with the same
``{fields}`` in every language (``tests/test_messages.py`` checks both).

Which language: the one given to ``text(key, language=...)``; else the one of the innermost ``with
speaking(...)`` block of this thread (the grader speaks each submission's language this way, several
submissions at once); else the one a notebook chose with ``set_language("en")``; else the environment variable ``FCN_COURSE_LANG`` (named and read
here, since every message asks for it; ``fcn_course.environment`` re-exports it with the other variables); else
Brazilian Portuguese. The machine's locale never chooses it: a course
taught in Portuguese stays in Portuguese on an English laptop.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import string
from typing import Optional

DEFAULT_LANGUAGE = "pt_BR"
LANGUAGES = ("pt_BR", "en")
LANG_ENV = "FCN_COURSE_LANG"  # the language of messages and feedback: pt_BR (default) or en

_chosen: Optional[str] = None  # set by set_language(); None: the environment (or the default) decides
# set by speaking(), for its thread (and asyncio task) alone; None: outside any speaking() block
_spoken: contextvars.ContextVar = contextvars.ContextVar("fcn_course_spoken_language", default=None)


def known_language(language: str) -> str:
    """``language`` as the catalogue names it (``pt-BR`` and ``EN`` are accepted too); a ValueError lists
    the available ones for anything else."""
    wanted = str(language).strip().replace("-", "_").lower()
    for name in LANGUAGES:
        if name.lower() == wanted:
            return name
    raise ValueError(f"unknown language {language!r}: the catalogue has {', '.join(LANGUAGES)}")


def set_language(language: Optional[str]) -> str:
    """Speak ``language`` from now on (e.g. ``set_language("en")`` in a notebook's first cell); ``None``
    hands the choice back to ``FCN_COURSE_LANG`` and the default. Returns the language now active."""
    global _chosen
    _chosen = None if language is None else known_language(language)
    return active_language()


@contextlib.contextmanager
def speaking(language: str):
    """Within the ``with`` block, speak ``language`` (the build writes a translated notebook's generated
    cells, such as its hints, this way; the grader, each submission's report). It wins over
    ``set_language`` and holds for this thread alone: grading threads side by side each speak their
    submission's language. The previous language comes back afterwards."""
    token = _spoken.set(known_language(language))
    try:
        yield _spoken.get()
    finally:
        _spoken.reset(token)


def active_language() -> str:
    """The language ``text()`` speaks when it is given none: that of a ``speaking`` block of this thread, else
    ``set_language``'s, else ``FCN_COURSE_LANG``'s, else :data:`DEFAULT_LANGUAGE`."""
    spoken = _spoken.get()
    if spoken is not None:
        return spoken
    if _chosen is not None:
        return _chosen
    asked = read_language()
    if asked is None:
        return DEFAULT_LANGUAGE
    try:
        return known_language(asked)
    except ValueError:
        raise ValueError(
            f"{LANG_ENV}={asked!r} is not a language of the course; choose one of {', '.join(LANGUAGES)}"
        ) from None


def read_language(environ=None) -> Optional[str]:
    """``FCN_COURSE_LANG`` as written, spaces stripped; None when unset or empty (``environ``: os.environ).

    Every message asks for this alone (checking it against :data:`LANGUAGES`), so that a wrong
    ``FCN_COURSE_PROFILE`` cannot stop an error message from being written.
    """
    environ = os.environ if environ is None else environ
    return environ.get(LANG_ENV, "").strip() or None


def catalogue(language: Optional[str] = None) -> dict:
    """The ``MESSAGES`` dict of ``language`` (a module of this package); default: the active language."""
    language = active_language() if language is None else known_language(language)
    return importlib.import_module(f"{__name__}.{language}").MESSAGES


def text(key: str, /, language: Optional[str] = None, **fields) -> str:
    """The sentence ``key`` in ``language`` (default: the active language), with ``fields`` filled in.

    A key missing from the catalogue is a programming error: the KeyError names the key and the file to add
    it to. A field the template needs but the caller did not give raises KeyError naming both.
    """
    language = active_language() if language is None else known_language(language)
    messages = catalogue(language)
    try:
        template = messages[key]
    except KeyError:
        raise KeyError(f"message {key!r} is not in fcn_course/messages/{language}.py: add it there") from None
    try:
        return template.format(**fields)
    except KeyError as missing:
        raise KeyError(f"message {key!r} needs the field {missing} (given: {sorted(fields)})") from None


def fields_of(template: str) -> set:
    """The names of the ``{fields}`` a template fills in (used by the catalogue's tests)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def thousands(number: int, language: Optional[str] = None) -> str:
    """An integer with the thousands grouped as ``language`` writes them (default: the active language):
    ``3.060.547`` in Portuguese, ``3,060,547`` in English (the separator is the catalogue's
    ``numbers.thousands_separator``)."""
    return f"{int(number):,}".replace(",", text("numbers.thousands_separator", language=language))
