"""What an exercise is: one declarative row, registered next to its check, numbered from the course order.

A check module declares each exercise it checks with :func:`exercise` (a decorator on the check function) or
:func:`register` (for a check shared by several exercises, like the FCN one)::

    @exercise("upsampler", notebook="03_upsampling_e_perdas", names=("make_upsampler",))
    def check_upsampler(make_upsampler, verbose=True): ...

The row says which notebook holds the exercise, which names that notebook must define (the check receives
them in this order) and whether the exercise is optional. Its title comes from the message catalogue
(``exercise.<key>``); its number is derived, never written: exercises are numbered in course order (the
notebook's place in ``fcn_course.outline``, then the order the rows are registered), and rows that share a
``group`` share a number (Exercício 3 has three checks: optimiser, loss, training).

A **Desafio** (``challenge=True``) is an optional exercise above the level of the others: it is numbered on
its own (Desafio 1, 2... in course order, so the exercises keep their numbers), its stub never stops "Run
all", and it never counts toward the grade: the grader lists it apart as extra, the numeric grade gives it no
points and the nbgrader export leaves its check cell ungraded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from fcn_course.messages import text
from fcn_course.outline import COURSE_NOTEBOOKS

FIRST_NUMBER = 0  # the course opens with a warm-up, Exercício 0


@dataclass(frozen=True)
class Exercise:
    """One self-checked exercise: the row the notebooks, the grader, the exports, the site and the tests share."""

    key: str  # unique and stable: "alexnet-skip"
    notebook: str  # the course notebook, e.g. "02_fcn_alexnet"
    names: tuple  # what the notebook must define, passed to ``check`` in this order
    check: Callable = field(repr=False)  # check(*objects, verbose=...) -> CheckResult
    optional: bool = False  # an optional exercise's stub never stops "Run all"
    group: Optional[str] = None  # rows of one group share a number
    points: float = 1.0  # its weight in a numeric grade (fcn_course.instructor.lms; a weights file overrides)
    challenge: bool = False  # a Desafio: optional, numbered apart, never part of the grade

    def __post_init__(self):
        if self.challenge and not self.optional:
            raise ValueError(f"exercise {self.key!r}: a challenge (Desafio) is always optional")

    @property
    def required(self) -> bool:
        return not self.optional

    @property
    def number(self) -> str:
        """The number students read, derived from the course order (see the module's docstring)."""
        return exercise_numbers()[self.key]

    @property
    def title(self) -> str:
        """``Exercício 2 (FCN-AlexNet com skip)`` or ``Desafio 1 (mIoU por imagem)``: number and catalogue title."""
        template = "checks.challenge_title" if self.challenge else "checks.exercise_title"
        return text(template, number=self.number, title=text(f"exercise.{self.key}"))

    @property
    def module(self) -> str:
        """The module that defines the check (the grader's child process imports it to know the row)."""
        return getattr(self.check, "func", self.check).__module__

    def run(self, namespace: dict, verbose: bool = False):
        """Check the objects ``namespace`` defines under ``names`` (KeyError when one is missing)."""
        return self.check(*(namespace[name] for name in self.names), verbose=verbose)


_ROWS: dict = {}


def register(row: Exercise) -> Exercise:
    """Add ``row`` to the course's exercises; a second row with the same key or an unknown notebook is refused."""
    if row.key in _ROWS and _ROWS[row.key] != row:
        raise ValueError(f"exercise {row.key!r} is registered twice ({_ROWS[row.key]} and {row})")
    if row.notebook not in COURSE_NOTEBOOKS:
        raise ValueError(
            f"exercise {row.key!r}: notebook {row.notebook!r} is not in fcn_course.outline."
            f"COURSE_NOTEBOOKS {COURSE_NOTEBOOKS}"
        )
    _ROWS[row.key] = row
    exercise_numbers.cache = None
    return row


def unregister(key: str) -> None:
    """Remove a row (tests that register an extra exercise clean up with this)."""
    _ROWS.pop(key, None)
    exercise_numbers.cache = None


def exercise(
    key: str,
    notebook: str,
    names: tuple,
    optional: bool = False,
    group: Optional[str] = None,
    points: float = 1.0,
    challenge: bool = False,
):
    """Decorator: register the decorated check function as exercise ``key`` (see :class:`Exercise`).

    ``challenge=True`` makes it a Desafio: optional and worth no points (see the module's docstring).
    """

    def decorate(check):
        optional_row = optional or challenge
        worth = 0.0 if challenge else points
        register(Exercise(key, notebook, tuple(names), check, optional_row, group, worth, challenge))
        return check

    return decorate


def exercises() -> tuple:
    """Every registered exercise, in course order."""
    rows = list(_ROWS.values())
    return tuple(sorted(rows, key=lambda row: (COURSE_NOTEBOOKS.index(row.notebook), rows.index(row))))


def exercise_numbers() -> dict:
    """``{key: number}``: consecutive numbers in course order, one per group (cached until a row changes).

    Desafios are numbered apart, from 1, so adding one never renumbers the exercises.
    """
    if exercise_numbers.cache is None:
        numbers, number, previous = {}, FIRST_NUMBER - 1, object()
        challenges = [row for row in exercises() if row.challenge]
        numbers.update({row.key: str(place) for place, row in enumerate(challenges, start=1)})
        for row in exercises():
            if row.challenge:
                continue
            group = row.group or row.key
            if group != previous:
                number, previous = number + 1, group
            numbers[row.key] = str(number)
        exercise_numbers.cache = numbers
    return exercise_numbers.cache


exercise_numbers.cache = None


def challenges() -> tuple:
    """The Desafios, in course order (extra work, never graded)."""
    return tuple(row for row in exercises() if row.challenge)


def is_challenge(key: str) -> bool:
    """True when ``key`` names a registered Desafio."""
    row = _ROWS.get(key)
    return row is not None and row.challenge


def get_exercise(key: str) -> Optional[Exercise]:
    """The row of ``key``; None when no exercise has that key (e.g. an FCN of an extra backbone)."""
    return _ROWS.get(key)
