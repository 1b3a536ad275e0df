"""The message catalogue: every sentence a student or an instructor reads, looked up by a stable key.

Code never writes a student-facing sentence inline; it asks for one by key::

    from fcn_course.messages import text
    print(text("checks.all_right", title=title))

Why a catalogue: one place to review the course's wording, machine values (statuses, CSV columns) that stay
the same whatever the language, and a second language added as one more catalogue file without touching code.
Each language is a module of this package holding a ``MESSAGES`` dict (``pt_BR`` today); keys are
``area.name`` in English, values are ``str.format`` templates.
"""

from __future__ import annotations

import importlib
import string

DEFAULT_LANGUAGE = "pt_BR"
LANGUAGES = ("pt_BR",)


def catalogue(language: str = DEFAULT_LANGUAGE) -> dict:
    """The ``MESSAGES`` dict of ``language`` (a module of this package)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: the catalogue has {', '.join(LANGUAGES)}")
    return importlib.import_module(f"{__name__}.{language}").MESSAGES


def text(key: str, /, language: str = DEFAULT_LANGUAGE, **fields) -> str:
    """The sentence ``key`` in ``language``, with ``fields`` filled in.

    A key missing from the catalogue is a programming error: the KeyError names the key and the file to add
    it to. A field the template needs but the caller did not give raises KeyError naming both.
    """
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
